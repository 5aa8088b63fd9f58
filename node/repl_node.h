/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's replication (node/repl.h) glue: its own store connection
 * and feed, the membership gate and link callbacks node/swarm_node.c
 * forwards, the address announcement and first dials at start (members'
 * addresses, node_meta 'join_peer') and the control op "replication". */
#ifndef GLOWTALK_REPL_NODE_H
#define GLOWTALK_REPL_NODE_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "crypto/identity.h"
#include "node/err.h"

struct app;
struct control_server;
struct json;
struct repl_node;
struct swarm;

/* Open the store and feed of app (borrowed; outlives it) and start
 * replication on loop; registers op "replication" on control (may be
 * NULL). Errors with a reason in errbuf; then nothing is owed. Else one
 * repl_node_close() is owed (after swarm_close of the swarm attached). */
int repl_node_start(uv_loop_t *loop, struct app *app,
                    struct control_server *control, struct repl_node **out,
                    char *errbuf, size_t errlen) WARN_UNUSED;
/* The swarm exists: route its frames here, announce advertise
 * ("host:port", may be NULL) in the log when it changed, dial
 * node_meta 'join_peer' and every member with a known address. */
void repl_node_attach(struct repl_node *rn, struct swarm *sw,
                      const char *advertise);
/* swarm_options callbacks (arg = the repl_node). */
int repl_node_is_member(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg);
void repl_node_link(struct repl_node *rn,
                    const uint8_t pub[IDENTITY_PUBLIC_BYTES], int up);
void repl_node_drained(struct repl_node *rn,
                       const uint8_t pub[IDENTITY_PUBLIC_BYTES]);
/* Add entries_in, entries_out and lag to each object of peers (a
 * swarm_peers_json() array) by node_id. Loop thread. */
void repl_node_decorate(struct repl_node *rn, struct json *peers);
/* The replication status (repl_status_json). Loop thread. Caller frees
 * with json_free(). */
struct json *repl_node_json(struct repl_node *rn);
/* Stop and free (memory goes once the loop runs). NULL-safe. */
void repl_node_close(struct repl_node **rn);

#endif
