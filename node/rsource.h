/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* What the render loop sends a worker for one sentence of a book: its text
 * (the sentence at that index in the imported work's story order), its
 * voice (snippet override > post override > character cast > book default
 * > the node's configured voice), the text prepared with the book's
 * lexicon (node/prep.h). The render context logged with the result is the
 * worker's (rcache_context: it knows the engine version and blend). */
#ifndef GLOWTALK_RSOURCE_H
#define GLOWTALK_RSOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"
#include "node/state.h"
#include "node/wire.h"


struct rsource;

/* One sentence, ready for workers_submit. */
struct rsource_item {
  char *voice;      /* canonical voice spec */
  char *text;       /* prepared text */
  char *lexicon;    /* lexicon entries applied ("" if none) */
  unsigned flags;   /* TTS_PHONEMES, TTS_SSML, from prep_text */
};

/* A source over st (borrowed; reads st_* and the work_* tables of its
 * store). fallback_voice (copied) is used when the book casts nothing;
 * announce: speak the character's name when the speaker changes at the
 * start of a post. Owes one rsource_free(). */
struct rsource *rsource_new(struct state *st, const char *fallback_voice,
                            int announce);
void rsource_free(struct rsource **s);

/* Forget the cached lexicon (after another connection wrote to the store:
 * a lexicon entry). The cached work is checked against the document
 * stored for it on every get; casting is read fresh each time. */
void rsource_invalidate(struct rsource *s);

/* Fill *out for sentence of book. ERR_NOT_FOUND when the book's work is
 * not imported on this node or has no such sentence; ERR_INVAL for an
 * unusable voice spec or text (errbuf says why); database errors. On
 * success one rsource_item_clear() is owed. */
int rsource_get(struct rsource *s, const uint8_t book[WIRE_BOOK_ID_BYTES],
                uint32_t sentence, struct rsource_item *out, char *errbuf,
                size_t errlen) WARN_UNUSED;
void rsource_item_clear(struct rsource_item *it);

#endif
