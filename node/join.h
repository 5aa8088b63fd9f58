/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The invite join plane, both ends. Member: a join-plane connection
 * (SHS under the invite-derived key, node/swarm.h join_net) presents a
 * JoinRequest; the member checks the proof against the invite key in its
 * log, this session and the joiner's proven key, then the invite's state
 * (node/invites.h), appends Admit and answers JoinAccept (network key,
 * founder, its address) or JoinRefuse. Joiner: dial the inviter, prove,
 * wait for the answer. Design: node/JOIN.md, crypto/TRANSPORT.md 3. */
#ifndef GLOWTALK_JOIN_H
#define GLOWTALK_JOIN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "node/err.h"
#include "node/wire_frames.h"

#define JOIN_TIMEOUT_MS 10000  /* joiner: connect + handshake + answer */
#define JOIN_ADDR_MAX 256      /* bytes of "host:port" with NUL */

struct app;
struct swarm;
struct peer;
struct invite;
struct join_server;

/* ---- member side (the daemon's loop thread) ---- */

/* Admission for the node app (borrowed, outlives it): opens its own
 * store connection and feed. On success one join_server_free() is owed;
 * errors (errbuf says why) owe nothing. */
int join_server_new(struct app *app, struct join_server **out, char *errbuf,
                    size_t errlen) WARN_UNUSED;
void join_server_free(struct join_server **js);
/* The join-plane key of this node's network (swarm_options.join_net). */
const struct netkey *join_server_netkey(const struct join_server *js);
/* swarm_options.on_join (arg = the join_server): answers the first frame
 * of a join-plane connection and closes it. */
void join_server_on_frame(struct swarm *s, struct peer *p,
                          const struct wire_frame *f, void *arg);
/* node_meta 'join_peer' (INVITER_ID@HOST:PORT, written by glowtalk join)
 * as an allocated string (xfree), or NULL when there is none. */
char *join_server_join_peer(struct join_server *js);
/* Admissions granted / refused since start (for status and tests). */
void join_server_counts(const struct join_server *js, uint64_t *admitted,
                        uint64_t *refused);

/* ---- joiner side (glowtalk join) ---- */

/* What the proof is bound to. Anything but JOIN_PROOF_OK is a test hook
 * (tests/unit/test-join.c): a proof made for another key or another
 * session, which members must refuse. */
enum join_proof_mode {
  JOIN_PROOF_OK = 0,
  JOIN_PROOF_OTHER_KEY,
  JOIN_PROOF_OTHER_SESSION
};

struct join_result {
  uint8_t network_key[NETKEY_BYTES];
  uint8_t founder[IDENTITY_PUBLIC_BYTES];
  uint8_t inviter[IDENTITY_PUBLIC_BYTES]; /* the member who admitted us */
  char address[JOIN_ADDR_MAX];            /* where it said it listens */
};

/* Dial each address of inv in turn (JOIN_TIMEOUT_MS each) as the new
 * node me with name (may be NULL), prove the invite, and wait for the
 * answer. 0 with *out filled (caller wipes network_key), or: ERR_NET
 * unreachable, ERR_CRYPTO handshake refused (another network, or not the
 * inviter), ERR_FORBIDDEN refused by the member (errbuf has its reason:
 * expired, revoked, used...), ERR_TIMEOUT, ERR_PARSE for a bad answer.
 * errbuf gets one clear line in every case. Blocks (its own loop). */
int join_run(const struct invite *inv, const struct identity *me,
             const char *name, enum join_proof_mode mode,
             struct join_result *out, char *errbuf,
             size_t errlen) WARN_UNUSED;

#endif
