/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* One swarm connection on a libuv TCP handle: the secret handshake fed from
 * socket reads, then encrypted frames (crypto/frames.h) carrying protobuf
 * Frames (node/wire_frames.h). Owns Hello, keep-alive, idle and handshake
 * timeouts, a bounded write queue and the authenticated close. Knows
 * nothing of membership, duplicates or replication: that is node/swarm.c.
 * Design: node/SWARM.md. */
#ifndef GLOWTALK_PEER_H
#define GLOWTALK_PEER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "crypto/shs.h"
#include "node/err.h"
#include "node/wire_frames.h"

#define PEER_PING_MS 15000        /* send a Ping after this long unheard */
#define PEER_IDLE_MS 60000        /* drop a peer with no frame this long */
#define PEER_HANDSHAKE_MS 10000   /* handshake + Hello must finish in this */
#define PEER_CLOSE_MS 2000        /* wait this long for the final write */
#define PEER_QUEUE_SOFT (4u << 20)   /* bytes queued: peer_can_send() = 0 */
#define PEER_QUEUE_HARD (16u << 20)  /* bytes queued: the peer is dropped */
#define PEER_READ_CHUNK 65536     /* bytes per socket read */

struct peer;

/* Settings shared by every connection of a node. All pointers are
 * borrowed and must outlive the peers. Zero timeouts and caps mean the
 * PEER_* defaults (tests shorten them). */
struct peer_config {
  const struct identity *id;
  const struct netkey *net;
  const struct wire_hello *hello; /* what we say in our Hello */
  uint64_t ping_ms, idle_ms, handshake_ms;
  size_t queue_soft, queue_hard;  /* bytes */
  /* Server: also accept handshakes made with this key (the invite join
   * plane, crypto/invite.h invite_join_netkey()); NULL: none. */
  const struct netkey *alt_net;
  /* Client: bind the socket here (port 0) before connecting; NULL: let
   * the kernel choose. Read during peer_connect() only. */
  const struct sockaddr *source;
};

/* Callbacks, all on the loop thread, all optional except on_close. arg is
 * the one given to peer_connect()/peer_accept(). */
struct peer_callbacks {
  /* Server side: is this proven key allowed? nonzero = yes. Without it
   * every key that completed the handshake is accepted. */
  int (*authorize)(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg);
  /* Handshake done and both Hellos exchanged, versions agree. Once. */
  void (*on_ready)(struct peer *p, void *arg);
  /* A frame other than Hello/Ping/Pong/Goodbye, including WIRE_UNKNOWN
   * ones. f is valid during the call only. */
  void (*on_frame)(struct peer *p, const struct wire_frame *f, void *arg);
  /* The write queue fell back under half the soft cap after
   * peer_can_send() had said no. */
  void (*on_drained)(struct peer *p, void *arg);
  /* Exactly once, after the handles are closed; p is freed right after
   * this returns. reason: 0 for an orderly close by either side, else
   * ERR_* / a negated uv error (ERR_TIMEOUT, ERR_CRYPTO, ERR_FORBIDDEN,
   * ERR_TOO_BIG, ERR_PARSE, ERR_TRUNCATED, ERR_UNSUPPORTED, ...). */
  void (*on_close)(struct peer *p, int reason, void *arg);
};

/* Dial addr (IPv4/IPv6 sockaddr) expecting the node server_pub. The
 * handshake starts when TCP connects. Errors: ERR_INVAL (server_pub is our
 * own key), ERR_CRYPTO, or a uv error; then no callback fires. On success
 * on_close fires exactly once (the peer frees itself after it). */
int peer_connect(uv_loop_t *loop, const struct peer_config *cfg,
                 const struct sockaddr *addr,
                 const uint8_t server_pub[IDENTITY_PUBLIC_BYTES],
                 const struct peer_callbacks *cb, void *arg,
                 struct peer **out) WARN_UNUSED;
/* Accept one pending connection from server (a listening uv_tcp_t) and
 * run the server side of the handshake. Same contract as peer_connect(). */
int peer_accept(uv_loop_t *loop, uv_stream_t *server,
                const struct peer_config *cfg,
                const struct peer_callbacks *cb, void *arg,
                struct peer **out) WARN_UNUSED;

/* Queue one frame. ERR_INVAL before on_ready or once closing; ERR_TOO_BIG
 * when the frame does not fit a frame, or when it would take the queue
 * over the hard cap: then the peer is dropped (on_close with ERR_TOO_BIG).
 * Callers that respect peer_can_send() never hit the hard cap. */
int peer_send(struct peer *p, const struct wire_frame *f) WARN_UNUSED;
/* 1 while the bytes queued are under the soft cap. */
int peer_can_send(const struct peer *p);
/* Close: send Goodbye{code, reason} and the authenticated final frame if
 * the session is up, then close the socket (after PEER_CLOSE_MS at most).
 * on_close fires later with reason err (0 for a normal close). Safe to
 * call more than once and from any callback. */
void peer_close(struct peer *p, int code, const char *reason, int err);
/* Stop / resume reading from the socket (the caller's own back-pressure).
 * The idle timeout still applies while stopped. */
void peer_read_stop(struct peer *p);
void peer_read_start(struct peer *p);

/* Accessors. peer_key() is the peer's proven key once the handshake is
 * done (the expected key for a client before), else NULL. */
const uint8_t *peer_key(const struct peer *p);
int peer_is_client(const struct peer *p);
int peer_is_ready(const struct peer *p);
/* The peer's Hello after on_ready, else NULL. */
const struct wire_hello *peer_hello(const struct peer *p);
/* The remote address as "host:port", or "" when unknown. */
const char *peer_address(const struct peer *p);

/* 1 when this (server-side) connection handshook with cfg.alt_net: a
 * join-plane session that may only present an invite proof. Valid from
 * the authorize callback on. */
int peer_is_join(const struct peer *p);
/* After the handshake: the SHS session id (shs_session_id()), which both
 * ends compute identically. ERR_INVAL before. */
int peer_session_id(const struct peer *p,
                    uint8_t out[SHS_SESSION_ID_BYTES]) WARN_UNUSED;

struct peer_stats {
  uint64_t bytes_in, bytes_out;   /* on the wire, handshake included */
  uint64_t frames_in, frames_out; /* data frames */
  uint64_t last_rx_ms;            /* uv_now() of the last frame received */
  uint64_t ready_ms;              /* uv_now() when on_ready fired, or 0 */
  uint64_t rtt_ms;                /* last Ping round trip, 0 if none */
  size_t queued;                  /* bytes waiting to be written */
};
void peer_get_stats(const struct peer *p, struct peer_stats *out);

/* Test hooks (tests/unit/test-swarm.c): send plain as one encrypted frame
 * without encoding it (garbage protobuf), or raw bytes straight to the
 * socket (a forged length prefix). Same errors as peer_send(). */
int peer_test_send_plain(struct peer *p, const void *plain,
                         size_t len) WARN_UNUSED;
int peer_test_send_raw(struct peer *p, const void *data,
                       size_t len) WARN_UNUSED;

#endif
