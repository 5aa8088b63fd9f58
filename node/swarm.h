/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The swarm's connection layer: listens on the swarm port, dials known
 * nodes with reconnect and backoff, refuses ourselves and non-members,
 * keeps one connection per node (a deterministic duplicate rule), keeps a
 * peer table with throughput, and dispatches frames by kind to the
 * subsystems above it (replication, blobs). Design: node/SWARM.md. */
#ifndef GLOWTALK_SWARM_H
#define GLOWTALK_SWARM_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "node/err.h"
#include "node/wire_frames.h"

#define SWARM_NODES_MAX 256        /* known nodes in the peer table */
#define SWARM_CONNS_MAX 512        /* open connections, any state */
#define SWARM_BACKOFF_MIN_MS 500   /* first redial delay */
#define SWARM_BACKOFF_MAX_MS 60000 /* redial delay ceiling */
#define SWARM_STATS_MS 1000        /* throughput sampling period */
#define SWARM_STABLE_MS 10000      /* a link up this long resets backoff */
#define SWARM_BACKLOG 64           /* listen() backlog */
#define SWARM_HOSTNAME_MAX 253     /* bytes of a DNS name to dial */
#define SWARM_JOIN_MS 10000        /* a join-plane connection's whole life */
#define SWARM_JOIN_CONNS_MAX 16    /* join-plane connections at once */
#define SWARM_PENDING_MAX 64       /* accepted, handshake not done: past
                                    * it the oldest is closed */

struct swarm;
struct peer;
struct json;

/* Is pub a member of the network? Called after pub has proven its key in
 * the handshake and before we prove ours (a refused key learns nothing).
 * Nonzero = member. */
typedef int (*swarm_member_cb)(const uint8_t pub[IDENTITY_PUBLIC_BYTES],
                               void *arg);
/* A frame of a kind registered with swarm_set_handler(), from the node
 * pub over the connection p (the swarm's one connection to that node). */
typedef void (*swarm_frame_cb)(struct swarm *s, struct peer *p,
                               const uint8_t pub[IDENTITY_PUBLIC_BYTES],
                               const struct wire_frame *f, void *arg);
/* A node became connected (up = 1) or lost its connection (up = 0). */
typedef void (*swarm_link_cb)(struct swarm *s,
                              const uint8_t pub[IDENTITY_PUBLIC_BYTES],
                              int up, void *arg);

/* A frame on a join-plane connection (one that handshook with
 * swarm_options.join_net): p is that connection, never in the peer
 * table; the callee answers and closes it (peer_close). */
typedef void (*swarm_join_cb)(struct swarm *s, struct peer *p,
                              const struct wire_frame *f, void *arg);

struct swarm_options {
  const struct identity *id;     /* borrowed, outlives the swarm */
  const struct netkey *net;      /* borrowed */
  const char *listen;            /* "host:port" (port 0: any), NULL: none */
  swarm_member_cb is_member;     /* required */
  void *member_arg;
  const struct wire_hello *hello; /* our Hello (borrowed); protocol_version
                                    0 means WIRE_PROTOCOL_VERSION */
  swarm_link_cb on_link;         /* optional */
  void *link_arg;
  /* optional: pub's write queue drained after peer_can_send() said
   * no; gets link_arg */
  void (*on_drained)(struct swarm *s,
                     const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg);
  /* 0 = defaults (peer.h PEER_*, SWARM_BACKOFF_*). Tests shorten them. */
  uint64_t ping_ms, idle_ms, handshake_ms;
  uint64_t backoff_min_ms, backoff_max_ms;
  size_t queue_soft, queue_hard;
  /* optional: accept join-plane handshakes under join_net (borrowed) and
   * hand their frames to on_join; such a connection lives at most
   * SWARM_JOIN_MS and is never a member's link. */
  const struct netkey *join_net;
  swarm_join_cb on_join;
  void *join_arg;
};

/* Start: bind and listen (when listen is set) on loop. Errors (with a
 * reason in errbuf): ERR_INVAL for a bad address, or the uv error of
 * bind/listen; the memory is then released once the loop runs. On
 * success one swarm_close() is owed. */
int swarm_start(uv_loop_t *loop, const struct swarm_options *opts,
                struct swarm **out, char *errbuf, size_t errlen) WARN_UNUSED;
/* Close every connection (with Goodbye) and the listener. The memory is
 * released once libuv has closed the handles (run the loop). Clears *s. */
void swarm_close(struct swarm **s);

/* The port actually bound (for listen port 0), or 0 when not listening. */
int swarm_port(const struct swarm *s);
/* Add (or update the address of) a node to dial: hostport is "ip:port",
 * "[ip6]:port" or "name:port" (looked up before each dial, IPv4 answers
 * preferred). Dials at once, then keeps it connected, redialling with
 * exponential backoff and jitter. ERR_INVAL for our own key or a bad
 * address, ERR_TOO_BIG when the table is full. */
int swarm_add_peer(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
                   const char *hostport) WARN_UNUSED;
/* Route frames of kind (not Hello/Ping/Pong/Goodbye, which the connection
 * handles) to cb. One handler per kind; frames of kinds without one are
 * ignored. */
void swarm_set_handler(struct swarm *s, enum wire_kind kind, swarm_frame_cb cb,
                       void *arg);
/* The connection to pub when it is up, else NULL (borrowed: valid until
 * the next return to the loop). */
struct peer *swarm_peer(struct swarm *s,
                        const uint8_t pub[IDENTITY_PUBLIC_BYTES]);
/* Close the connection to pub (Goodbye with reason) and stop dialling
 * it: a removed member. Its later handshakes are refused by is_member.
 * Returns 1 when a connection was closed, else 0. */
int swarm_drop(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
               const char *reason);
/* Number of nodes connected now. */
int swarm_connected(const struct swarm *s);
/* The keys of the nodes connected now, at most max of them, into out;
 * returns how many. */
size_t swarm_connected_keys(const struct swarm *s,
                            uint8_t (*out)[IDENTITY_PUBLIC_BYTES], size_t max);
/* Connections open in any state (handshaking included). */
int swarm_connections(const struct swarm *s);

/* The peer table as a JSON array, one object per known node: node_id,
 * address, connected, direction, last_seen (ms since the epoch or null),
 * bytes_in, bytes_out, rate_in, rate_out (bytes/s over the last
 * SWARM_STATS_MS), rtt_ms, connects. Caller frees with json_free(). */
struct json *swarm_peers_json(struct swarm *s);

#endif
