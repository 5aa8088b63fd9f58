/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's side of works as content: on every tick of the store
 * watcher (node/storewatch.h) it materialises works whose documents
 * arrived (works_materialise_pending) on its own store connection. A pass
 * runs when the store changed or a document was still awaited; otherwise
 * a tick costs nothing here. When the store has been quiet for a tick it
 * also checkpoints the WAL (at most every WORKSD_CHECKPOINT_MS), which
 * the log's hot path leaves to it. */
#ifndef GLOWTALK_WORKSD_H
#define GLOWTALK_WORKSD_H

#include <stddef.h>

#include <uv.h>

#include "node/app.h"
#include "node/err.h"

#define WORKSD_CHECKPOINT_MS 10000 /* least time between idle WAL
                                    * checkpoints */

struct worksd;

/* Start on loop for the opened node app (borrowed; must outlive it),
 * subscribed to app->watch (required: ERR_INVAL without one). A first
 * pass runs at the watcher's first tick. On failure errbuf says why. Owes
 * one worksd_close(). */
int worksd_start(uv_loop_t *loop, struct app *app, struct worksd **out,
                 char *errbuf, size_t errlen) WARN_UNUSED;
/* Run one pass now (also after this node's own imports). Returns what
 * works_materialise_pending returns. */
int worksd_pass(struct worksd *w) WARN_UNUSED;
/* Unsubscribe and free everything, at once. Before storewatch_close().
 * Clears *w; NULL-safe. */
void worksd_close(struct worksd **w);

#endif
