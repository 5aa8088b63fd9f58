/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The scheduler's pure parts: functions over the replicated state (st_*
 * tables) and this node's local view (live members, which claims look
 * stale by its own clock) that decide what to claim next. They produce
 * Claim operations; appending them is the caller's (node/feed.c). No
 * timers, threads or network here. See node/LOG.md. */
#ifndef GLOWTALK_SCHED_H
#define GLOWTALK_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"
#include "node/state.h"
#include "node/wire.h"

#define SCHED_CLAIM_BATCH 64    /* sentences per claim; >= 32 keeps the log
                                 * under 64 B/sentence (PERFORMANCE.md) */
#define SCHED_CLAIM_MIN 8       /* smallest claim near the end of work */
#define SCHED_TAIL_ROWS (3 * SCHED_CLAIM_BATCH) /* own tasks counted past
                                 * a batch to see the end coming */
#define SCHED_LEASE_MS 120000   /* lease written into claims */
#define SCHED_CLAIMS_PER_NODE 4 /* open claims one node may hold */
#define SCHED_EPOCH_MAX 64      /* supersede chains followed */
#define SCHED_SCAN_MAX 200000   /* queue rows looked at per plan */

/* One requested sentence. */
struct sched_task {
  uint8_t book[WIRE_BOOK_ID_BYTES];
  uint32_t sentence;
  uint32_t take;
  uint32_t priority;          /* WIRE_PRIORITY_* */
  uint8_t req_author[WIRE_KEY_BYTES]; /* who requested it */
};

/* The claim that currently holds a sentence. */
struct sched_claim {
  uint8_t id[WIRE_HASH_BYTES]; /* the Claim entry's id */
  uint8_t author[WIRE_KEY_BYTES];
  uint64_t seq;
  uint32_t epoch;              /* 0, or the superseded claim's + 1 */
  uint32_t lease_ms;
  uint64_t renew_lamport;      /* latest renewal (or the claim's) */
};

/* Does this node consider claim c stale (no renewal seen for its lease by
 * the node's monotonic clock)? */
typedef int (*sched_stale_cb)(const struct sched_claim *c, void *arg);

/* Rendezvous weight of a sentence for a node: the first 8 bytes of
 * BLAKE2b-256 keyed "glowtalk-rendezvous-v1" over book || sentence ||
 * node. Pure. */
uint64_t sched_score(const uint8_t book[WIRE_BOOK_ID_BYTES],
                     uint32_t sentence, const uint8_t node[WIRE_KEY_BYTES]);
/* 1 when node has the highest weight among live[0..n) (ties: the lower
 * key), 0 otherwise. node need not be in live (then 0). */
int sched_is_top(const uint8_t book[WIRE_BOOK_ID_BYTES], uint32_t sentence,
                 const uint8_t node[WIRE_KEY_BYTES],
                 const uint8_t (*live)[WIRE_KEY_BYTES], size_t n);

/* The active claim on a requested sentence, the same on every node with
 * the same entries: among unreleased claims covering it made after the
 * request, the highest epoch wins (a claim superseding one that is not
 * held is void), then the lowest BLAKE2b("glowtalk-claim-tie-v1", book ||
 * sentence || author), then the lowest seq. *found = 0 when none. */
int sched_active_claim(struct state *st,
                       const uint8_t book[WIRE_BOOK_ID_BYTES],
                       uint32_t sentence, struct sched_claim *out,
                       int *found) WARN_UNUSED;

/* Up to max pending tasks in queue order: interactive before bulk, then
 * book, then story order. Pending = requested, not done, not cancelled,
 * book not deleted, and not held by an active claim that stale() (may be
 * NULL: nothing is stale) does not call stale. *n gets the count. */
int sched_queue(struct state *st, sched_stale_cb stale, void *arg,
                struct sched_task *out, size_t max, size_t *n) WARN_UNUSED;

/* Open claims of node: unreleased claims still covering a task that is
 * not done. */
int sched_open_claims(struct state *st, const uint8_t node[WIRE_KEY_BYTES],
                      int64_t *n) WARN_UNUSED;

/* This node's next claim, as a Claim op in *out (zeroed first; the caller
 * appends it and clears it with wire_entry_clear). Takes the first queued
 * task this node may take -- an interactive task whose requester is me
 * (the node where someone listens renders it, no transfer), one whose
 * requester is not live and I am the rendezvous top among live (live
 * includes me), a bulk task where I am that top, or any when grace is set
 * (the owner did not claim in time) -- and then following
 * tasks of the same book, priority, take and stale holder, up to
 * SCHED_CLAIM_BATCH, fewer (a quarter of what this node may still take,
 * at least SCHED_CLAIM_MIN) near the end of bulk work shared with others
 * (nlive > 1, not a takeover). A task held by a stale claim is taken
 * over: the claim names the stale one (supersedes) and so ranks one
 * epoch above it.
 * ERR_NOT_FOUND when there is nothing to claim; ERR_FORBIDDEN when node holds
 * SCHED_CLAIMS_PER_NODE open claims already. */
int sched_plan_claim(struct state *st, const uint8_t me[WIRE_KEY_BYTES],
                     const uint8_t (*live)[WIRE_KEY_BYTES], size_t nlive,
                     int grace, sched_stale_cb stale, void *arg,
                     struct wire_entry *out) WARN_UNUSED;

/* The same, limited to interactive tasks (none: ERR_NOT_FOUND), so a
 * node whose workers are busy can still take a snippet someone waits
 * for. out->priority is the claimed tasks' priority (not on the wire). */
int sched_plan_interactive(struct state *st, const uint8_t me[WIRE_KEY_BYTES],
                           const uint8_t (*live)[WIRE_KEY_BYTES],
                           size_t nlive, sched_stale_cb stale, void *arg,
                           struct wire_entry *out) WARN_UNUSED;
/* *yes = 1 when an interactive render is requested and not done or
 * failed (through an index: cheap enough to ask on every log change). */
int sched_interactive_waiting(struct state *st, int *yes) WARN_UNUSED;

/* A Renew op in *out (zeroed first) naming node's open claims, to be
 * appended every lease/3 while it works on them. ERR_NOT_FOUND when node
 * holds none. At most WIRE_CLAIM_REFS_MAX claims (the oldest first). */
int sched_plan_renew(struct state *st, const uint8_t node[WIRE_KEY_BYTES],
                     struct wire_entry *out) WARN_UNUSED;

#endif
