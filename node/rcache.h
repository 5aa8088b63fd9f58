/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The render cache: render key -> blob (table render_cache, migration
 * 0003). The key is a hash of everything that decides the audio, so the
 * same sentence in the same voice is never rendered twice, across books
 * and forks. It stores no audio itself (see blobs.h). */
#ifndef GLOWTALK_RCACHE_H
#define GLOWTALK_RCACHE_H

#include <stdint.h>

#include "crypto/secure.h"
#include "node/err.h"

struct db;

/* What decides a render's bytes. NULL strings count as empty. */
struct rcache_key_parts {
  const char *engine;         /* "espeak" */
  const char *engine_version; /* "1.51" */
  const char *voice;          /* canonical spec (voice_format) */
  const char *mix;            /* generated variant text, or NULL */
  const char *text;           /* prepared text, as sent to the engine */
  const char *lexicon;        /* the lexicon entries that apply, or NULL */
  unsigned flags;             /* TTS_PHONEMES, TTS_SSML */
  const char *audio;          /* encoder version (audio_version) */
  int bitrate;                /* bit/s */
  int complexity;             /* 0-10 */
  uint32_t take;              /* take number (0 = first) */
};

struct rcache_entry {
  uint8_t blob[SECURE_HASH_BYTES]; /* BLAKE2b of the Ogg Opus bytes */
  int64_t size;                    /* bytes */
  int64_t duration_ms;             /* ms of audio */
};

#define RCACHE_CONTEXT_KEY "glowtalk-render-context-v2"
#define RCACHE_KEY_KEY "glowtalk-render-v1"

/* The render context: keyed BLAKE2b-256 (RCACHE_CONTEXT_KEY) over every
 * part but the text and take (engine, engine version, voice, mix,
 * lexicon entries applied, flags, encoder version, bitrate, complexity),
 * each length-prefixed. It is what a Complete logs once per batch. */
void rcache_context(const struct rcache_key_parts *p,
                    uint8_t ctx[SECURE_HASH_BYTES]);
/* The key from a context, the prepared text and the take: keyed BLAKE2b
 * (RCACHE_KEY_KEY) of context || text length || text || take (LOG.md).
 * Any node holding the work recomputes it from a logged context. */
void rcache_key_from(const uint8_t ctx[SECURE_HASH_BYTES], const char *text,
                     uint32_t take, uint8_t key[SECURE_HASH_BYTES]);
/* rcache_key_from(rcache_context(p), p->text, p->take). */
void rcache_key(const struct rcache_key_parts *p,
                uint8_t key[SECURE_HASH_BYTES]);
/* Look a key up: 0 and *out filled, ERR_NOT_FOUND, or ERR_DB. */
int rcache_get(struct db *db, const uint8_t key[SECURE_HASH_BYTES],
               struct rcache_entry *out) WARN_UNUSED;
/* Record (or replace) a key's entry. ERR_DB on failure. */
int rcache_put(struct db *db, const uint8_t key[SECURE_HASH_BYTES],
               const struct rcache_entry *e) WARN_UNUSED;
/* 1 if some cache entry names this blob, 0 if none, ERR_DB. Fits
 * blobs_gc() as its callback with arg = the struct db. */
int rcache_blob_referenced(void *db, const uint8_t blob[SECURE_HASH_BYTES]);

#endif
