/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's render loop: on a libuv timer it plans claims for this
 * node's workers (node/sched.h), appends them, renders each claimed
 * sentence (text from the imported work, voice from the casting, text
 * prepared by node/prep.h) in the worker pool (node/workers.h) and appends
 * batched Complete and Fail entries; it renews its leases and releases
 * what it holds when it stops. See node/LOG.md, "Render loop". */
#ifndef GLOWTALK_RENDERER_H
#define GLOWTALK_RENDERER_H

#include <stddef.h>

#include <uv.h>

#include "crypto/identity.h"
#include "node/err.h"

#define RENDERER_TICK_MS 50       /* scheduler tick */
#define RENDERER_BUSY_TICK_MS 5   /* tick while workers have jobs */
#define RENDERER_FLUSH_MS 5000    /* longest a result waits for its batch */
#define RENDERER_AHEAD 4          /* queued jobs per worker before a new
                                   * claim is planned */
#define RENDERER_RELEASE_ROUNDS 64 /* Release entries written at start or
                                    * stop (each names up to 256 claims) */

#define RENDERER_LIVE_MAX 64      /* live peers the rendezvous spans */
#define RENDERER_GRACE_MS 300     /* idle with none of our own work this
                                   * long: take others' unclaimed work */

struct app;
struct renderer;

/* The members connected now, at most max keys into out (this node not
 * included); returns how many. Called on the loop thread. */
typedef size_t (*renderer_live_fn)(void *arg,
                                   uint8_t (*out)[IDENTITY_PUBLIC_BYTES],
                                   size_t max);

struct renderer_opts {
  int workers;          /* processes; 0 = one per core */
  const char *voice;    /* fallback voice spec (config "voice") */
  int bitrate;          /* bit/s */
  int complexity;       /* Opus complexity 0-10 */
  int announce;         /* speak the character's name on a speaker change */
  uint32_t lease_ms;    /* written into claims; 0 = SCHED_LEASE_MS */
};

/* Start the loop on loop for the node app (borrowed; both must outlive
 * the renderer): opens its own store connection and this node's feed,
 * releases claims a previous run of this node left open (it cannot still
 * be working on them: the daemon holds the data dir lock), starts the
 * worker pool (call it before starting threads: the workers are forked)
 * and the tick timer. Errors: a database or fork error, with
 * errbuf saying which; nothing is left running. Owes one
 * renderer_close(). */
int renderer_start(uv_loop_t *loop, struct app *app,
                   const struct renderer_opts *o, struct renderer **out,
                   char *errbuf, size_t errlen) WARN_UNUSED;

/* Tell the renderer who else is rendering, so each node claims its own
 * rendezvous share of the queue (without it the node plans as if alone).
 * NULL r: nothing. */
void renderer_set_live(struct renderer *r, renderer_live_fn fn, void *arg);

/* Stop: record the results already finished (Complete), release this
 * node's open claims, drop work still in the workers (never half-recorded:
 * a sentence is either in a Complete or released) and stop the pool.
 * Closes the timer handle, so the caller runs the loop once more before
 * closing it. NULL is ok. */
void renderer_close(struct renderer **r);

#endif
