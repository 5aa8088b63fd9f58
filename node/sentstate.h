/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The per-sentence state of every requested sentence (st_sentence_state,
 * migration 0007): the chosen result, the newest failure, the covering
 * claim and whether the request outlived the book's cancel, kept by the
 * reducer as entries are applied so readers find a sentence's state in
 * one row. Derived state: equal to sentstate_rebuild's computation from
 * st_tasks, st_results, st_failures, st_claims and st_books after every
 * apply (node/LOG.md, "Derived tables"); not part of state_hash. */
#ifndef GLOWTALK_SENTSTATE_H
#define GLOWTALK_SENTSTATE_H

#include <stdint.h>

#include "node/err.h"
#include "node/wire.h"

struct db;
struct sentstate;

/* Statements over db (borrowed, must outlive it). Owes one
 * sentstate_free(). */
int sentstate_open(struct db *db, struct sentstate **out) WARN_UNUSED;
void sentstate_free(struct sentstate **ss);

/* Each of these runs inside the reducer's transaction after the st_* row
 * it follows was written, for one run [first, last] of sentences; the
 * errors are the database's (the caller rolls back). */

/* Tasks of book in [first, last] whose request is now (lamport, author)
 * were (re)requested: recompute their rows. */
int sentstate_tasks(struct sentstate *ss, const uint8_t *book, uint32_t first,
                    uint32_t last, uint64_t lamport, const uint8_t *author)
    WARN_UNUSED;
/* A result of entry (author, lamport) for take was stored: blob, its
 * size and duration. One sentence (results differ per sentence). */
int sentstate_result(struct sentstate *ss, const uint8_t *book,
                     uint32_t sentence, uint32_t take, uint64_t lamport,
                     const uint8_t *author, const uint8_t *blob,
                     uint32_t size, uint32_t duration_ms) WARN_UNUSED;
/* Failures of entry (author, lamport) with text error were stored. */
int sentstate_failures(struct sentstate *ss, const uint8_t *book,
                       uint32_t first, uint32_t last, uint64_t lamport,
                       const uint8_t *author, const char *error) WARN_UNUSED;
/* A new claim row (author, seq, first) covering [first, last] was
 * stored. */
int sentstate_claim(struct sentstate *ss, const uint8_t *book, uint32_t first,
                    uint32_t last, uint64_t lamport, const uint8_t *author,
                    uint64_t seq) WARN_UNUSED;
/* Claim (author, seq) was marked released: its sentences get the next
 * covering claim, if any. */
int sentstate_release(struct sentstate *ss, const uint8_t *author,
                      uint64_t seq) WARN_UNUSED;
/* book's latest cancel is now (lamport, author). */
int sentstate_cancel(struct sentstate *ss, const uint8_t *book,
                     uint64_t lamport, const uint8_t *author) WARN_UNUSED;

/* Drop every row and compute them all again from the st_* tables (at the
 * end of state_rebuild, and what the property tests compare with). */
int sentstate_rebuild(struct sentstate *ss) WARN_UNUSED;

#endif
