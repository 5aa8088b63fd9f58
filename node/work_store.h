/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Storing works: a finished work document goes into the works tables of
 * migration 0002 in one transaction. Re-importing merges: posts are
 * updated in place, new posts added, and a post's sentences are rewritten
 * only when its text changed, keeping the rows (and ids) of sentences that
 * did not change. Posts missing from a new import are kept (a partial page
 * never deletes story). Knows SQL through db.h only. */
#ifndef GLOWTALK_WORK_STORE_H
#define GLOWTALK_WORK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "node/db.h"
#include "node/err.h"
#include "node/json.h"
#include "node/work.h"

struct work_store_counts {
  char work_id[WORK_ID_HEX];
  int64_t threads, posts, characters, sentences, words; /* whole work */
  int64_t new_posts;        /* posts this import added */
  int64_t changed_posts;    /* existing posts whose text changed */
  int64_t new_sentences;    /* sentence rows this import added */
  int64_t removed_sentences; /* rows of changed text it removed */
};

/* Save w (finished, see work_finish()) under its work id at time now (unix
 * seconds), in one transaction: on any error nothing is written and the
 * error is in errbuf. Fills *out with the totals after the import. */
int work_store_save(struct db *db, const struct work *w, int64_t now,
                    struct work_store_counts *out, char *errbuf,
                    size_t errlen) WARN_UNUSED;

/* Totals of a stored work. ERR_NOT_FOUND when there is none. */
int work_store_count(struct db *db, const char *work_id,
                     struct work_store_counts *out) WARN_UNUSED;

/* What an import did: {work_id, key, title, threads, posts, characters,
 * sentences, words, new_posts, changed_posts, new_sentences,
 * removed_sentences}. Caller frees. (work_store_json.c) */
struct json *work_store_counts_json(const struct work *w,
                                    const struct work_store_counts *c);

/* Hex BLAKE2b-256 of the work's canonical JSON document (the blob that
 * the log carries). out holds 65 bytes. */
void work_store_doc_hash(const struct work *w, char out[65]);

#endif
