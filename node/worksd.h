/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's side of works as content: a libuv timer that materialises
 * works whose documents arrived (works_materialise_pending) on its own
 * store connection. A pass runs when the store changed or a document was
 * still awaited; otherwise a tick costs one PRAGMA. When the store has
 * been quiet for a tick it also checkpoints the WAL (at most every
 * WORKSD_CHECKPOINT_MS), which the log's hot path leaves to it. */
#ifndef GLOWTALK_WORKSD_H
#define GLOWTALK_WORKSD_H

#include <stddef.h>

#include <uv.h>

#include "node/app.h"
#include "node/err.h"

#define WORKSD_TICK_MS 1000 /* between checks for arrived documents */
#define WORKSD_CHECKPOINT_MS 10000 /* least time between idle WAL
                                    * checkpoints */

struct worksd;

/* Start on loop for the opened node app (borrowed; must outlive it). A
 * first pass runs at the first tick. On failure errbuf says why. Owes
 * one worksd_close(). */
int worksd_start(uv_loop_t *loop, struct app *app, struct worksd **out,
                 char *errbuf, size_t errlen) WARN_UNUSED;
/* Run one pass now (also after this node's own imports). Returns what
 * works_materialise_pending returns. */
int worksd_pass(struct worksd *w) WARN_UNUSED;
/* Stop the timer and free everything once the loop has closed it (the
 * loop must run again after this, as it does at daemon exit). */
void worksd_close(struct worksd **w);

#endif
