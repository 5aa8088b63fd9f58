/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's swarm: starts node/swarm.c from the node's config (listen,
 * peers), writes DATA/swarm.addr, adds the control operations "connect"
 * and "peers", and keeps a peer-table snapshot that other threads (the
 * HTTP API) may read. Runs on the daemon's loop thread. */
#ifndef GLOWTALK_SWARM_NODE_H
#define GLOWTALK_SWARM_NODE_H

#include <stddef.h>

#include <uv.h>

#include "crypto/identity.h"
#include "node/err.h"

#define SWARM_NODE_ADDR_FILE "swarm.addr"  /* DATA/swarm.addr */
#define SWARM_NODE_PEERS_MAX 64           /* entries of the peers option */

struct app;
struct control_server;
struct events;
struct swarm_node;
struct json;

/* Start the swarm of app (borrowed; outlives it) on loop: listen on the
 * `listen` option, dial every entry of `peers`, register control ops on
 * control (may be NULL), publish a "peer" event {node_id, connected} on
 * events (may be NULL; borrowed) whenever a node connects or drops.
 * Errors: ERR_INVAL for a bad peers entry, or the listen error, with a
 * reason in errbuf; nothing is owed then (run the
 * loop to release handles). On success one swarm_node_close() is owed. */
int swarm_node_start(uv_loop_t *loop, struct app *app,
                     struct control_server *control, struct events *events,
                     struct swarm_node **out, char *errbuf,
                     size_t errlen) WARN_UNUSED;
/* Say goodbye to every peer, stop listening, remove DATA/swarm.addr. The
 * memory goes once the loop has run. Clears *sn. NULL-safe. */
void swarm_node_close(struct swarm_node **sn);
/* Any thread: the peer table as of the last snapshot (at most
 * SWARM_STATS_MS old, and fresh after each connect and disconnect).
 * Caller frees with json_free(). */
struct json *swarm_node_peers(struct swarm_node *sn);
/* Loop thread: the members connected now (every connection is a
 * member's: others are refused at the handshake and removed ones
 * dropped), at most max keys into out; returns how many. NULL sn: 0. */
size_t swarm_node_live(struct swarm_node *sn,
                       uint8_t (*out)[IDENTITY_PUBLIC_BYTES], size_t max);
/* Any thread: the replication status (node/repl.h repl_status_json) as of
 * the last snapshot. Caller frees with json_free(). */
struct json *swarm_node_replication(struct swarm_node *sn);

#endif
