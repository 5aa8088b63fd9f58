/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* PRIVATE to the API modules. Answers of read endpoints kept while the
 * store has not changed: the store's generation (api_cache_gen) moves on
 * every commit by any connection, and an answer is served from here only
 * at the generation it was made at. Thread-safe. */
#ifndef GLOWTALK_API_CACHE_H
#define GLOWTALK_API_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "node/buf.h"
#include "node/err.h"

struct api_cache;
struct db;

#define API_CACHE_SLOTS 512           /* answers kept */
#define API_CACHE_ITEM_MAX (1u << 20)  /* bytes of one answer kept */
#define API_CACHE_BYTES (64u << 20)    /* bytes of all answers kept */
#define API_CACHE_KEY_MAX 160          /* bytes of a key */

/* Owes one api_cache_free(). */
struct api_cache *api_cache_new(void);
void api_cache_free(struct api_cache **c);

/* The generation of db's contents as this connection sees them: changes
 * with every commit by another connection (PRAGMA data_version) or by
 * this one (total_changes). 0 if it cannot be read (never cached). */
uint64_t api_cache_gen(struct db *db);

/* 1 and the answer appended to out when key was stored at gen; else 0. */
int api_cache_get(struct api_cache *c, const char *key, uint64_t gen,
                  struct buf *out);
/* Keep a copy of the answer (not when gen is 0, the key or the answer is
 * too long). */
void api_cache_put(struct api_cache *c, const char *key, uint64_t gen,
                   const char *text, size_t len);

#endif
