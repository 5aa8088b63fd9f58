/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Invite codes (network id, inviter addresses and key, a single-use secret,
 * an expiry) and the proof of the secret bound to the joiner's new key and
 * the handshake session. Crypto only: the log record, single use and
 * revocation belong to the swarm. Wraps libsodium. Design:
 * crypto/TRANSPORT.md, section 3. */
#ifndef GLOWTALK_INVITE_H
#define GLOWTALK_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "crypto/shs.h"
#include "node/err.h"

#define INVITE_PREFIX "gt1-"       /* code prefix: Glowtalk invite, v1 */
#define INVITE_VERSION 1           /* first byte of the payload */
#define INVITE_SECRET_BYTES 32     /* Ed25519 seed of the invite key */
#define INVITE_PUBLIC_BYTES 32     /* invite public key, recorded in log */
#define INVITE_PROOF_BYTES 64      /* Ed25519 signature */
#define INVITE_CHECK_BYTES 4       /* checksum against typos (not security) */
#define INVITE_ADDRS_MAX 3         /* inviter addresses in one code */
#define INVITE_ADDR_MAX 255        /* bytes of one "host:port", excl. NUL */
#define INVITE_CODE_MAX 2048       /* chars of a code we agree to parse */

struct invite;

/* A new invite with a fresh random secret. addrs: 1..INVITE_ADDRS_MAX
 * "host:port" strings (copied). expires: Unix time in seconds after which
 * members refuse it. ERR_INVAL on a bad address or count, or an inviter key
 * that is not an Ed25519 key. On success *out owes one invite_free(). */
int invite_new(const uint8_t network_id[NETKEY_ID_BYTES],
               const uint8_t inviter_pk[IDENTITY_PUBLIC_BYTES],
               const char *const *addrs, size_t naddrs, uint64_t expires,
               struct invite **out) WARN_UNUSED;
/* Parse a code as pasted: INVITE_PREFIX then Crockford base32 (any case;
 * spaces, dashes and line breaks ignored; i/l read as 1, o as 0).
 * ERR_TOO_BIG over INVITE_CODE_MAX chars (checked before any work);
 * ERR_PARSE for a wrong prefix, a bad character, a checksum mismatch
 * (typo or tampering), an unknown version, or bad fields. Expired codes
 * parse: check invite_expired(). On success *out owes invite_free(). */
int invite_parse(const char *code, size_t len,
                 struct invite **out) WARN_UNUSED;
/* The code text. It contains the secret: show it to the inviter once, never
 * log it. Caller owns the string (xfree). */
char *invite_encode(const struct invite *inv);
/* Wipe the secret and free; clears *inv. NULL-safe. */
void invite_free(struct invite **inv);

/* The invite's public key, which the inviter records in the log. */
const uint8_t *invite_public_key(const struct invite *inv);
const uint8_t *invite_network_id(const struct invite *inv);
const uint8_t *invite_inviter_key(const struct invite *inv);
uint64_t invite_expires(const struct invite *inv);
size_t invite_addr_count(const struct invite *inv);
/* Address i (< invite_addr_count()), NUL-terminated, owned by inv. */
const char *invite_addr(const struct invite *inv, size_t i);
/* 1 when now (Unix seconds) is at or past the expiry. */
int invite_expired(const struct invite *inv, uint64_t now);

/* Joiner: prove knowledge of the invite secret, bound to the network, the
 * joiner's own new public key and this handshake (shs_session_id()), so the
 * proof is worthless for another key or session. */
void invite_prove(const struct invite *inv,
                  const uint8_t joiner_pk[IDENTITY_PUBLIC_BYTES],
                  const uint8_t session_id[SHS_SESSION_ID_BYTES],
                  uint8_t proof[INVITE_PROOF_BYTES]);
/* Member: check a proof against the invite key recorded in the log, the
 * network, the key the handshake proved (shs_peer_key()) and this session's
 * id. 0 when valid, ERR_BAD_SIGNATURE otherwise. Expiry, single use and
 * revocation are the caller's checks. */
int invite_verify(const uint8_t invite_pk[INVITE_PUBLIC_BYTES],
                  const uint8_t network_id[NETKEY_ID_BYTES],
                  const uint8_t joiner_pk[IDENTITY_PUBLIC_BYTES],
                  const uint8_t session_id[SHS_SESSION_ID_BYTES],
                  const uint8_t proof[INVITE_PROOF_BYTES]) WARN_UNUSED;

/* The join-plane network key for a network id: the key a joiner (who does
 * not have the real network key yet) and members use for the handshake of
 * an invite connection. Every holder of a code can compute it, so it is
 * only a weak gate: such a session may do nothing but present a proof.
 * NULL if memory cannot be had; caller frees with netkey_free(). */
struct netkey *invite_join_netkey(const uint8_t network_id[NETKEY_ID_BYTES]);

#endif
