/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Rendering one piece of prepared text in one voice: check the voice,
 * build a blend if needed, synthesise (tts), encode (audio), store the blob
 * and record it in the render cache, or reuse a cached render. It owns the
 * order of those steps, not the steps. One per process (tts is). */
#ifndef GLOWTALK_RENDER_H
#define GLOWTALK_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secure.h"
#include "node/buf.h"
#include "node/err.h"

struct blobs;
struct db;
struct tts;
struct voice;

struct render;

struct render_job {
  const struct voice *voice;
  const char *text;    /* prepared text (see prep.h) */
  const char *lexicon; /* the lexicon entries applied, for the key; NULL */
  unsigned flags;      /* TTS_PHONEMES, TTS_SSML (from prep_text) */
  uint32_t take;       /* take number, part of the key */
};

struct render_result {
  uint8_t key[SECURE_HASH_BYTES];  /* render-cache key */
  uint8_t context[SECURE_HASH_BYTES]; /* its context (rcache_context) */
  uint8_t blob[SECURE_HASH_BYTES]; /* hash of the Ogg Opus bytes */
  int64_t size;                    /* bytes */
  int64_t duration_ms;             /* ms */
  int cached;                      /* 1 if reused, nothing rendered */
};

/* A renderer on t (borrowed, must outlive it), storing into blobs and
 * caching in db when they are not NULL (both borrowed). bitrate in bit/s,
 * complexity 0-10. Owes one render_free(). */
struct render *render_new(struct tts *t, struct blobs *blobs, struct db *db,
                          int bitrate, int complexity);
void render_free(struct render **r);

/* Render job. On success *res is filled and, when audio is not NULL, the
 * Ogg Opus bytes are appended to it (read from the store on a cache hit).
 * Errors (errbuf says which): those of voice_check and tts_synth, ERR_AUDIO,
 * store and database errors. On error nothing is added to the store or the
 * cache. */
int render_run(struct render *r, const struct render_job *job,
               struct buf *audio, struct render_result *res, char *errbuf,
               size_t errlen) WARN_UNUSED;

#endif
