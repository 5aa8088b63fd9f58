/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's blob sharing: opens DATA/blobs, runs node/blobx.c over the
 * swarm and node/blobsync.c over the store, honours the replicate-audio
 * and blob-quota-mb options, serves the control op "blobs" and keeps a
 * snapshot of the blob stats for status on other threads. */
#ifndef GLOWTALK_BLOBNODE_H
#define GLOWTALK_BLOBNODE_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "crypto/identity.h"
#include "node/err.h"

struct app;
struct blobnode;
struct control_server;
struct json;
struct swarm;

/* Start over sw (borrowed, must outlive it). control may be NULL. Errors
 * (errbuf says why): the store or database cannot be opened. Registers
 * itself as status.c's blob source and as the playback fetcher. Owes one
 * blobnode_close(), before swarm_close(). */
int blobnode_start(uv_loop_t *loop, struct app *app, struct swarm *sw,
                   struct control_server *control, struct blobnode **out,
                   char *errbuf, size_t errlen) WARN_UNUSED;
void blobnode_close(struct blobnode **bn);

/* The swarm's on_link / on_drained, forwarded (NULL bn: nothing). */
void blobnode_link(struct blobnode *bn,
                   const uint8_t pub[IDENTITY_PUBLIC_BYTES], int up);
void blobnode_drained(struct blobnode *bn,
                      const uint8_t pub[IDENTITY_PUBLIC_BYTES]);

/* The blob stats (blobx_json plus "sync" counters) as of the last second;
 * any thread. Caller frees with json_free(). */
struct json *blobnode_json(struct blobnode *bn);

#endif
