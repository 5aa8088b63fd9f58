/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Feeds the blob exchange from the replicated state and collects garbage:
 * sweeps st_results blobs and st_works documents (on a thread-pool thread,
 * at start, then when the store watcher (node/storewatch.h) saw a change,
 * at most every BLOBSYNC_SWEEP_GAP_MS) into
 * node/blobx.c's wanted set, and deletes blobs nothing references. Design:
 * node/SWARM.md section 10. */
#ifndef GLOWTALK_BLOBSYNC_H
#define GLOWTALK_BLOBSYNC_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "node/blobs.h"
#include "node/blobx.h"
#include "node/err.h"

#define BLOBSYNC_SWEEP_GAP_MS 10000     /* at most one sweep this often */
#define BLOBSYNC_CANDIDATES_MAX 200000  /* wants queued by one sweep */
#define BLOBSYNC_GC_EVERY_MS (3600u * 1000u) /* collect garbage hourly */
#define BLOBSYNC_GC_FIRST_MS 60000      /* first collection after start */
#define BLOBSYNC_GC_GRACE_S 3600        /* never collect younger blobs */
#define BLOBSYNC_REFS_MAX 50000000      /* referenced hashes loaded by gc */

struct blobsync;
struct storewatch;

struct blobsync_options {
  const char *db_path;    /* the node's store (a connection of our own) */
  const char *blobs_dir;  /* the blob store (a handle of our own) */
  struct storewatch *watch; /* required; borrowed, outlives blobsync */
  int skip_results;       /* replicate-audio = no: sweep documents only */
  uint64_t sweep_gap_ms;  /* 0 = BLOBSYNC_SWEEP_GAP_MS */
  uint64_t gc_first_ms;   /* 0 = BLOBSYNC_GC_FIRST_MS */
  uint64_t gc_every_ms;   /* 0 = BLOBSYNC_GC_EVERY_MS */
  int64_t gc_grace_s;     /* < 0 = none (tests), 0 = BLOBSYNC_GC_GRACE_S */
};

/* Start on loop feeding bx (borrowed) from the database at
 * opts->db_path, collecting garbage in opts->blobs_dir, on the ticks of
 * opts->watch; the first sweep starts now. Errors: either cannot be
 * opened, no watcher (ERR_INVAL) or it is full (errbuf says why).
 * All-or-nothing; owes blobsync_close(). */
int blobsync_start(uv_loop_t *loop, struct blobx *bx,
                   const struct blobsync_options *opts, struct blobsync **out,
                   char *errbuf, size_t errlen) WARN_UNUSED;
/* Unsubscribe and never touch bx again; a sweep or collection running on
 * the thread pool finishes first (the loop must run; memory is released
 * then). Before storewatch_close(). Clears *bs. */
void blobsync_close(struct blobsync **bs);

/* Sweep now (once the current job, if any, is done), regardless of the
 * gap. */
void blobsync_sweep(struct blobsync *bs);
/* Collect garbage now (same). */
void blobsync_gc(struct blobsync *bs);

struct blobsync_stats {
  uint64_t sweeps;        /* sweeps finished */
  uint64_t queued;        /* wants handed to blobx by sweeps */
  uint64_t gcs;           /* collections finished */
  uint64_t gc_removed;    /* files removed by them */
  uint64_t known;         /* blobs known to be stored */
};
void blobsync_get_stats(struct blobsync *bs, struct blobsync_stats *out);

#endif
