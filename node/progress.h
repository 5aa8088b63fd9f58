/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's progress line: every period, when something moved, one log
 * line with the queue counts (and sentences done since the last line),
 * peers connected, log entries replicated and the state hash. A headless
 * node's log is its operator's only view. */
#ifndef GLOWTALK_PROGRESS_H
#define GLOWTALK_PROGRESS_H

#include <stdint.h>

#include <uv.h>

#include "node/err.h"

struct app;
struct progress;
struct swarm_node;

/* Start on loop for app (borrowed) and its swarm sn (borrowed, may be
 * NULL; must outlive progress_close()). The counts are read on libuv's
 * thread pool through an own connection to the store, so the loop never
 * waits for them. Errors: the store's, with a reason in errbuf. On success
 * one progress_close() is owed. */
int progress_start(uv_loop_t *loop, struct app *app, struct swarm_node *sn,
                   uint64_t period_ms, struct progress **out, char *errbuf,
                   size_t errlen) WARN_UNUSED;
/* Stop; the memory goes once the loop has run (after a read in flight).
 * Clears *p. NULL-safe. */
void progress_close(struct progress **p);

#endif
