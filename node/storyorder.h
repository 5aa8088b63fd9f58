/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The story order of a work's sentences, materialised in work_order
 * (migration 0006; with each sentence's text and paragraph, and each
 * post's speaker and icon in work_post_order, since 0007) so that pages of
 * a 100,000-sentence book are range scans and sentence lookups are index
 * seeks. Built on first use per work; every save of the work's posts
 * and sentences (node/work_store.c, their only writer) invalidates it
 * (migration 0011; triggers did until then), and the next call rebuilds
 * it. */
#ifndef GLOWTALK_STORYORDER_H
#define GLOWTALK_STORYORDER_H

#include <stdint.h>

#include "node/err.h"

struct db;

/* Make work_order hold work_id's sentences in story order (idx: sentence
 * index, pidx: post index among posts with sentences), building it in a
 * savepoint if it is missing or stale. *sentences and *posts (either may
 * be NULL) get the counts. ERR_NOT_FOUND when the work has no sentences
 * here; a database error otherwise (nothing is left half-built). */
int storyorder_ensure(struct db *db, const char *work_id, int64_t *sentences,
                      int64_t *posts) WARN_UNUSED;

#endif
