/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The reducer: the replicated project state (st_* tables, migration 0004)
 * as a pure function of the set of valid log entries. Per-field
 * last-writer-wins by (lamport, author), deletes win, results grow-only,
 * membership replayed in total order; no wall-clock time. It does not
 * verify entries (node/feed.c does) and does not schedule work. See
 * node/LOG.md for the merge rules. */
#ifndef GLOWTALK_STATE_H
#define GLOWTALK_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "node/db.h"
#include "node/err.h"
#include "node/wire.h"

#define STATE_HASH_BYTES 32
#define STATE_MEMBERS_MAX 1024   /* effective members in one swarm */
#define STATE_MEMBER_OPS_MAX 100000 /* membership entries replayed */

struct state;

/* Queue counts over every book that is not deleted. */
struct state_counts {
  int64_t pending;  /* requested, not done, not claimed */
  int64_t claimed;  /* requested, not done, under an unreleased claim */
  int64_t done;     /* requested and a satisfying result exists */
  int64_t failed;   /* pending or claimed with a failure newer than the
                     * request */
  int64_t results;  /* result rows (all takes, alternates included) */
};

/* Pin the swarm's founder (a member from the start) in node_meta. Called
 * by init (self) and join (the founder named by the admitting member).
 * ERR_EXISTS when a different founder is pinned already. */
int state_set_founder(struct db *db, const uint8_t founder[WIRE_KEY_BYTES])
    WARN_UNUSED;
/* The pinned founder; ERR_NOT_FOUND when none. */
int state_get_founder(struct db *db, uint8_t founder[WIRE_KEY_BYTES])
    WARN_UNUSED;

/* A reducer over db (which it borrows; db must outlive it). Prepares its
 * statements. Owes one state_free(). */
int state_open(struct db *db, struct state **out) WARN_UNUSED;
void state_free(struct state **st);

/* Apply one accepted entry (id = its entry id) inside the caller's
 * transaction. Entries of frozen authors (at or past the fork) and of
 * authors who are not members at the entry's key are ignored (0). A
 * membership change that alters how stored entries count rebuilds the
 * state. Negative ERR_* on a database error: the caller rolls back. */
int state_apply(struct state *st, const struct wire_entry *e,
                const uint8_t id[WIRE_HASH_BYTES]) WARN_UNUSED;
/* Drop every st_* row and re-apply all stored entries, inside the
 * caller's transaction. The result equals incremental application. */
int state_rebuild(struct state *st) WARN_UNUSED;

/* 1 in *yes when node is an effective member for an entry with key
 * (lamport, node): admitted (or the founder), admitted before that key
 * and not removed at or before it. */
int state_is_member(struct state *st, const uint8_t node[WIRE_KEY_BYTES],
                    uint64_t lamport, int *yes) WARN_UNUSED;

/* The store the reducer works on (for read-only queries over st_*). */
struct db *state_db(struct state *st);

/* Forget cached membership (after a rollback that may have undone a
 * membership change); it is reloaded from st_members when next needed. */
void state_invalidate(struct state *st);

/* BLAKE2b-256 over a canonical dump of every st_* table (rows in primary
 * key order, each value typed and length-prefixed). Equal entry sets give
 * equal hashes on every node. O(rows). */
int state_hash(struct state *st, uint8_t out[STATE_HASH_BYTES])
    WARN_UNUSED;
/* The same as lowercase hex (65 bytes with NUL). */
int state_hash_hex(struct state *st, char out[2 * STATE_HASH_BYTES + 1])
    WARN_UNUSED;

int state_counts(struct state *st, struct state_counts *out) WARN_UNUSED;

#define STATE_CAST_DEFAULT 0
#define STATE_CAST_CHARACTER 1
#define STATE_CAST_POST 2
#define STATE_CAST_SNIPPET 3
#define STATE_FORK_DEPTH_MAX 16 /* fork chains followed when resolving */

/* The current voice for one casting target of book: kind is
 * STATE_CAST_*, target the character (or NULL), pos the post index or a
 * sentence index inside a snippet. Last writer wins by (lamport, author);
 * a fork also sees its parent's assignments older than the fork. *voice
 * is allocated (caller frees with xfree), NULL when none is set or the
 * winning assignment cleared it. */
int state_cast_get(struct state *st, const uint8_t book[WIRE_BOOK_ID_BYTES],
                   int kind, const char *target, uint32_t pos, char **voice)
    WARN_UNUSED;

/* The chosen result of a requested sentence: among results for the task's
 * take newer than its request, the lowest (lamport, author). *found = 0
 * when there is none; blob gets the audio blob hash. */
int state_result_get(struct state *st,
                     const uint8_t book[WIRE_BOOK_ID_BYTES],
                     uint32_t sentence, uint8_t blob[WIRE_HASH_BYTES],
                     int *found) WARN_UNUSED;

#endif
