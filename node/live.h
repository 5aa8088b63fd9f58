/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Live render news for the UI and /metrics: the reducer reports each
 * applied render entry (claim, complete, fail, rerender, start, cancel),
 * from this node or replicated from others; once the transaction commits
 * the news goes out as events ("sentence", "audio", "book") on the bus
 * attached with live_attach, the books touched are marked for a progress
 * event, and per-node throughput and render counters are kept. Nothing is
 * kept while no bus is attached (CLI commands). Thread-safe: the news of
 * one transaction is gathered per thread. */
#ifndef GLOWTALK_LIVE_H
#define GLOWTALK_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "node/wire.h"

struct events;
struct json;

#define LIVE_SENTENCES_PER_ENTRY 256 /* sentence events from one entry;
                                      * past it, one "book" event */
#define LIVE_PENDING_MAX 4096   /* events gathered in one transaction */
#define LIVE_DIRTY_MAX 64       /* books awaiting a progress event */
#define LIVE_NODES_MAX 64       /* nodes whose throughput is tracked */
#define LIVE_WINDOW_S 60        /* throughput window, seconds */
#define LIVE_WINDOW_MIN_S 10    /* shortest window a rate is taken over */

/* Attach the bus (borrowed; NULL detaches). Detach before freeing it. */
void live_attach(struct events *ev);

/* From the reducer: e was applied (inside the caller's transaction). */
void live_entry(const struct wire_entry *e);
/* The transaction of this thread committed: publish what it gathered. */
void live_commit(void);
/* It rolled back: forget what it gathered. */
void live_drop(void);

/* From the render loop: one sentence rendered (ok) or failed, ms from
 * dispatch to the worker's answer. */
void live_render_done(int ok, uint64_t ms);

/* Move up to max books with news since the last call into books; returns
 * how many. */
size_t live_take_dirty(uint8_t (*books)[WIRE_BOOK_ID_BYTES], size_t max);

struct live_stats {
  uint64_t completes;      /* sentences completed (any node) seen applied */
  uint64_t failures;       /* failures seen applied */
  uint64_t renders;        /* rendered by this node's render loop */
  uint64_t render_fails;   /* failed in this node's render loop */
  uint64_t render_ms;      /* sum of their times */
  double per_second;       /* completions per second over the window,
                            * every node */
};
void live_stats(struct live_stats *out);

/* [{node_id, per_minute}] of the nodes that completed sentences in the
 * window, busiest first; *per_minute (may be NULL) gets the sum. Caller
 * frees. */
struct json *live_throughput_json(double *per_minute);

/* Sentences per minute node completed over the window (0 when none);
 * counted from the Completes applied here, with or without a UI. */
double live_node_per_minute(const uint8_t node[WIRE_KEY_BYTES]);

#endif
