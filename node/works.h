/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Works travel in the log as content: an import stores the canonical work
 * document (work_json_stream bytes) in the blob store and appends
 * ImportWork naming it; a node that learns of a document it does not
 * hold materialises the works tables from the blob once the blob is in
 * its store. Doc blobs are hostile input: capped, parsed, checked
 * against their hash and the ImportWork, stored in one transaction. */
#ifndef GLOWTALK_WORKS_H
#define GLOWTALK_WORKS_H

#include <stddef.h>
#include <stdint.h>

#include "node/blobs.h"
#include "node/db.h"
#include "node/err.h"
#include "node/feed.h"
#include "node/work.h"

#define WORKS_DOC_MAX_BYTES BLOBS_MAX_BYTES /* bytes of one doc blob: 64
                                            * MiB, about 1.7 million words
                                            * (36 MB per million) */
#define WORKS_MATERIALISE_MAX 4  /* documents stored per pending pass */
#define WORKS_REASON_MAX 200     /* bytes of a recorded refusal */

/* After w was stored (work_store_save): put its canonical document in b
 * and append ImportWork (work id, doc hash and size, sentence and post
 * counts, source, title) to f. hash gets the doc hash (may be NULL). The
 * blob is the exact byte stream work_store_doc_hash() hashes, so the
 * works row's doc_hash names it. When the store kept posts w lacks (a
 * partial page), the document published is the work as stored: w's posts
 * and the others from the log's previous document (held in b), in the
 * store's order, and the works row is pointed at it; without the
 * previous document w itself is published. When the log's current ImportWork of
 * the work names this document already, nothing is appended.
 * ERR_TOO_BIG past WORKS_DOC_MAX_BYTES, ERR_FORBIDDEN when this node may
 * not write to the log, other ERR_* from the store or the log; one line
 * in errbuf. */
int works_publish(struct feed *f, struct blobs *b, const struct work *w,
                  uint8_t hash[WIRE_HASH_BYTES], char *errbuf,
                  size_t errlen) WARN_UNUSED;

/* Open the blob store of data dir dir and publish w through f (the CLI's
 * and the API's import path); hash_hex (65 bytes, may be NULL) gets the
 * published document's hash. Same errors as works_publish. */
int works_publish_dir(struct feed *f, const char *dir, const struct work *w,
                      char *hash_hex, char *errbuf, size_t errlen)
    WARN_UNUSED;

/* Check doc bytes against what an ImportWork says (hash, work id, counts
 * when nonzero) and store the work in db (work_store_save, one
 * transaction at time now). ERR_PARSE with the reason in errbuf when the
 * document is invalid (nothing written); a database error otherwise. */
int works_materialise(struct db *db, const uint8_t *doc, size_t len,
                      const uint8_t hash[WIRE_HASH_BYTES],
                      const char *work_id, uint32_t sentences,
                      uint32_t posts, int64_t now, char *errbuf,
                      size_t errlen) WARN_UNUSED;

/* Materialise up to WORKS_MATERIALISE_MAX works whose current ImportWork
 * (st_works) names a document this node has not stored and whose blob is
 * in b. Cheap when nothing is pending (one indexed query). An invalid
 * document is recorded in work_doc_refused and not tried again. *done
 * (may be NULL) gets the number stored, *waiting (may be NULL) the number
 * whose blob is not here yet. Returns 0 or a database error. */
int works_materialise_pending(struct db *db, struct blobs *b, size_t *done,
                              size_t *waiting) WARN_UNUSED;

/* The sentence ids of work_id in story order (the log's index order:
 * posts by thread and position, sentences by position): *ids holds *n
 * ids of WORK_SENTENCE_ID_HEX bytes each (NUL-terminated), caller frees
 * with xfree; NULL and 0 for an unknown work. Database errors. */
int works_story_ids(struct db *db, const char *work_id, char **ids,
                    size_t *n) WARN_UNUSED;

/* After a re-import of work_id changed what some indices name (old_ids:
 * works_story_ids before it): in every book of the work, request again
 * each requested sentence whose index now names another sentence, with
 * the take it had (StartRender for take 0, Rerender otherwise), so no
 * result made for the old sentence satisfies it. Rendering them again
 * synthesises only changed text (the render cache serves the rest). A
 * thread grown at its end changes no index and appends nothing. *n (may
 * be NULL) gets the number of sentences requested again. */
int works_rebase(struct feed *f, const char *work_id, const char *old_ids,
                 size_t n_old, size_t *n) WARN_UNUSED;

/* 1 when hash names the current document of some work (st_works): a blob
 * the garbage collector must keep and the swarm should fetch. 0 if not,
 * or a negative database error. */
int works_doc_referenced(struct db *db, const uint8_t hash[WIRE_HASH_BYTES])
    WARN_UNUSED;

#endif
