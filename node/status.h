/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The node's status as one JSON object, shared by `glowtalk status --json`
 * and GET /api/status so the two can never disagree. */
#ifndef GLOWTALK_STATUS_H
#define GLOWTALK_STATUS_H

#include "node/err.h"

struct app;
struct json;

/* Build the status object: node_id, network_id, schema_version, data,
 * daemon {running, pid}, state_hash, peers, queue. in_daemon says the
 * caller is the daemon itself (else the daemon is asked over the control
 * socket, so never call it that way from the daemon's loop thread).
 * Caller frees with json_free(). NULL with *err set when the store cannot
 * be read. */
struct json *status_json(struct app *app, int in_daemon, int *err);

/* Where the daemon's "peers" come from (its swarm's peer table): cb returns
 * a JSON array the caller frees. Set by the daemon once the swarm runs and
 * cleared (NULL) before it stops; after the clearing call returns, cb is
 * no longer running in any thread. Without it "peers" is []. */
typedef struct json *(*status_peers_cb)(void *arg);
void status_set_peers(status_peers_cb cb, void *arg);
/* The same for the "replication" object (node/repl.h); without one (or
 * a running daemon to ask) it says only whether the feed is fenced. */
void status_set_replication(status_peers_cb cb, void *arg);

/* Where the daemon's "blobs" object comes from (node/blobnode.c): same
 * contract as status_set_peers(), cb returns a JSON object. Without it
 * "blobs" is asked of the running daemon (control op "blobs") or {}. */
typedef struct json *(*status_blobs_cb)(void *arg);
void status_set_blobs(status_blobs_cb cb, void *arg);
/* In the daemon, any thread: the swarm's peer table as the status_set_peers
 * callback gives it, or [] when none is set. Caller frees (json_free). */
struct json *status_daemon_peers(void);

#endif
