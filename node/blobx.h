/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Blob exchange over the swarm (frames 48-79): a wanted set with three
 * priorities, have/want hash lists, chunked get with per-peer and total
 * in-flight bounds, verified streaming writes into node/blobs.c, and
 * serving gets from the local store under back-pressure. Loop thread
 * only, except blobx_fetch(). Design: node/SWARM.md section 10. */
#ifndef GLOWTALK_BLOBX_H
#define GLOWTALK_BLOBX_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "crypto/identity.h"
#include "node/blobs.h"
#include "node/err.h"
#include "node/swarm.h"

#define BLOBX_CHUNK_BYTES (64u << 10)   /* data bytes per BlobChunk sent */
#define BLOBX_WINDOW_BYTES (1u << 20)   /* bytes asked by one BlobGet */
#define BLOBX_PEER_INFLIGHT 32          /* blobs fetched from one peer */
#define BLOBX_PEER_INFLIGHT_REPL 28     /* of which replication may use */
#define BLOBX_INFLIGHT_MAX 64           /* blobs fetched at once in total */
#define BLOBX_SERVE_QUEUE_MAX 64        /* gets queued from one peer */
#define BLOBX_WANTED_MAX 1000000        /* entries in the wanted set */
#define BLOBX_MISS_MS 60000             /* skip a peer that said missing */
#define BLOBX_BAD_MS (10 * 60000)       /* skip a peer that sent bad bytes */
#define BLOBX_MISS_SLOTS 8              /* peers remembered per want */
#define BLOBX_STALL_MS 30000            /* abort a fetch silent this long */
#define BLOBX_TICK_MS 1000              /* stalls, have flush, retries */
#define BLOBX_PARK_RETRY_MS 5000        /* how often parked wants retry */
#define BLOBX_WANT_FRAMES_MAX 8         /* BlobWant frames on a new link */
#define BLOBX_FETCH_WAIT_MS 10000       /* blobx_fetch() default bound */

/* Priorities, highest last. */
enum blobx_prio {
  BLOBX_REPLICATE = 0, /* a completed render copied to every node */
  BLOBX_WORK_DOC = 1,  /* a work document this node needs */
  BLOBX_PLAYBACK = 2   /* a listener is about to play it */
};
#define BLOBX_PRIOS 3

struct blobx;
struct json;

struct blobx_options {
  int replicate;          /* 0: REPLICATE wants are ignored */
  uint64_t quota_bytes;   /* 0: none; else REPLICATE stops once the store
                           * holds this much (on-demand still fetches) */
  uint64_t stored_bytes;  /* bytes in the store at start (blobs_usage) */
  uint64_t stall_ms;      /* 0 = BLOBX_STALL_MS (tests shorten it) */
};

struct blobx_stats {
  uint64_t wanted;        /* entries in the wanted set */
  uint64_t wanted_prio[BLOBX_PRIOS];
  uint64_t parked;        /* wanted, but no connected peer has it */
  uint64_t fetching;      /* transfers in flight */
  uint64_t fetched;       /* blobs received and verified */
  uint64_t bytes_in;      /* blob bytes received (verified or not) */
  uint64_t bytes_out;     /* blob bytes served */
  uint64_t served;        /* gets answered with data */
  uint64_t missing;       /* BlobMissing received */
  uint64_t bad;           /* peers dropped for wrong bytes or sizes */
  uint64_t stored_bytes;  /* the store's size as blobx counts it */
};

/* Start on loop over sw (borrowed; blobx registers the WIRE_BLOB_*
 * handlers) and store (borrowed). Both must outlive the blobx. The owner
 * of the swarm forwards link changes and drains with blobx_link() and
 * blobx_drained(). Owes one blobx_close(). */
int blobx_start(uv_loop_t *loop, struct swarm *sw, struct blobs *store,
                const struct blobx_options *opts, struct blobx **out)
    WARN_UNUSED;
/* Abort transfers (temp files removed), wake blobx_fetch() waiters with
 * ERR_TIMEOUT, close the handles. Memory is released once the loop runs
 * the close callbacks. Call before swarm_close(). Clears *bx. */
void blobx_close(struct blobx **bx);

/* The swarm's on_link / on_drained, forwarded. */
void blobx_link(struct blobx *bx, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
                int up);
void blobx_drained(struct blobx *bx,
                   const uint8_t pub[IDENTITY_PUBLIC_BYTES]);

/* Want hash (size bytes, 0 when unknown) at prio. Already stored: 0,
 * nothing queued. Already wanted: the priority is raised if prio is
 * higher. REPLICATE with replicate off: ignored (0). ERR_TOO_BIG when
 * the wanted set is full or size > BLOBS_MAX_BYTES. */
int blobx_want(struct blobx *bx, const uint8_t hash[SECURE_HASH_BYTES],
               uint64_t size, enum blobx_prio prio) WARN_UNUSED;
/* Announce a blob stored locally by someone else (a render) to the
 * connected peers in the next BlobHave batch; drops a want of it. */
void blobx_stored(struct blobx *bx, const uint8_t hash[SECURE_HASH_BYTES]);
/* 1 if hash is in the wanted set. */
int blobx_is_wanted(struct blobx *bx, const uint8_t hash[SECURE_HASH_BYTES]);

/* Any thread but the loop's: want hash at PLAYBACK (handed to the loop
 * with uv_async) and wait up to timeout_ms for it to be stored. 0 once it
 * is in the store; ERR_NOT_FOUND as soon as no connected peer has it (all
 * answered missing, or none is connected); ERR_TIMEOUT when it is not in
 * time (or the blobx is closing). */
int blobx_fetch(struct blobx *bx, const uint8_t hash[SECURE_HASH_BYTES],
                uint64_t size, uint64_t timeout_ms) WARN_UNUSED;
/* The daemon's blobx for blobx_playback_fetch() (NULL: none). The pointer
 * is cleared by blobx_close(), which waits for callers to leave. */
void blobx_playback_set(struct blobx *bx);
/* blobx_fetch() on the daemon's blobx, from any thread but the loop's
 * (the HTTP handlers). ERR_NOT_FOUND when there is no swarm. */
int blobx_playback_fetch(const uint8_t hash[SECURE_HASH_BYTES],
                         uint64_t size, uint64_t timeout_ms) WARN_UNUSED;

void blobx_get_stats(struct blobx *bx, struct blobx_stats *out);
/* The stats as a JSON object (wanted, wanted_playback, wanted_work_doc,
 * wanted_replicate, parked, fetching, fetched, bytes_in, bytes_out,
 * served, missing, bad, stored_bytes) plus "peers": [{node_id, fetching,
 * serving, bytes_in, bytes_out}]. Caller frees with json_free(). */
struct json *blobx_json(struct blobx *bx);

/* Test hook: when on, this node corrupts one byte of every chunk it
 * serves (tests/unit/test-blobx.c checks that the receiver drops it). */
void blobx_test_corrupt(struct blobx *bx, int on);

#endif
