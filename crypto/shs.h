/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Secure Scuttlebutt secret handshake v1 (SHS), both roles, as a pure
 * incremental state machine: the caller moves bytes, this module does no
 * I/O. Wraps libsodium (through crypto/ only). The bulk encryption that
 * follows is crypto/frames.h, not SSB box-stream; see crypto/TRANSPORT.md. */
#ifndef GLOWTALK_SHS_H
#define GLOWTALK_SHS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "node/err.h"

/* Wire sizes of the four messages (SHS v1, fixed). */
#define SHS_HELLO_BYTES 64          /* msg 1 and 2: hmac(K, eph_pk) || eph_pk */
#define SHS_CLIENT_AUTH_BYTES 112   /* msg 3: box(sig_A || A_pk) */
#define SHS_SERVER_ACCEPT_BYTES 80  /* msg 4: box(sig_B) */
#define SHS_MSG_MAX 112             /* largest message, for output buffers */
#define SHS_SESSION_ID_BYTES 32     /* shs_session_id() */
#define SHS_ERROR_MAX 128           /* bytes of shs_error() text, with NUL */

/* SSB box-stream parameters, exactly as the SHS spec derives them. */
#define SHS_BOX_KEY_BYTES 32
#define SHS_BOX_NONCE_BYTES 24

struct shs;

/* Server side: decide whether the client whose long-term public key pub has
 * just been proven (msg 3 opened and its signature verified) may connect.
 * Return nonzero to accept, 0 to refuse. Called at most once per handshake,
 * from inside shs_feed(). A refused client gets no msg 4: the server never
 * proves its own identity to it. */
typedef int (*shs_authorize_cb)(const uint8_t pub[IDENTITY_PUBLIC_BYTES],
                                void *arg);

/* A client handshake with our identity id towards the server whose
 * long-term key is server_pub (the client must know it beforehand), on the
 * network nk. id and nk are borrowed: they must outlive the handshake.
 * Errors: ERR_INVAL when server_pub is our own key, ERR_CRYPTO when a key
 * cannot be converted or memory cannot be had. On success *out owes one
 * shs_free(); msg 1 is ready in shs_take_output(). */
int shs_client_new(const struct identity *id, const struct netkey *nk,
                   const uint8_t server_pub[IDENTITY_PUBLIC_BYTES],
                   struct shs **out) WARN_UNUSED;
/* A server handshake with our identity id on network nk (both borrowed).
 * authorize (required) decides about the proven client key; a client with
 * our own key is always refused. On success *out owes one shs_free(). */
int shs_server_new(const struct identity *id, const struct netkey *nk,
                   shs_authorize_cb authorize, void *arg,
                   struct shs **out) WARN_UNUSED;
/* Server only, before the first shs_feed(): also accept clients whose
 * msg 1 is made with alt (borrowed) instead of the network key, such as the
 * invite join plane (invite_join_netkey()). The whole handshake then runs
 * under the key the client used; shs_used_alt() says which. ERR_INVAL on a
 * client or once bytes have been fed. */
int shs_server_accept_alt(struct shs *s,
                          const struct netkey *alt) WARN_UNUSED;
/* 1 when the client used the alternative key of shs_server_accept_alt(). */
int shs_used_alt(const struct shs *s);
/* Wipe every secret and free; clears *s. NULL-safe. */
void shs_free(struct shs **s);

/* Bytes still needed from the peer to complete the next message; 0 when
 * there is output to take first, or the handshake is done or failed. */
size_t shs_want(const struct shs *s);
/* Give len received bytes; consumes at most what the current message needs
 * (*used tells how many, so the caller keeps the rest, e.g. the start of
 * the peer's frames). When a message completes it is checked at once.
 * Errors (the handshake is then dead and its secrets wiped; send nothing
 * more and close the connection):
 *   ERR_CRYPTO     msg 1/2 HMAC wrong (other network key, or not SHS), a
 *                  box that does not open, a bad signature, a low-order key;
 *   ERR_FORBIDDEN  server: the authorize callback refused the client key;
 *   ERR_INVAL      fed after the end or before output was taken.
 * shs_error() says which message failed and why. */
int shs_feed(struct shs *s, const uint8_t *data, size_t len,
             size_t *used) WARN_UNUSED;
/* Copy the bytes to send now into out and mark them taken. Returns how many
 * (0 when there is nothing to send). Call after new() and after each
 * shs_feed(). */
size_t shs_take_output(struct shs *s, uint8_t out[SHS_MSG_MAX]);
/* 1 when the handshake has succeeded and all output has been taken. */
int shs_done(const struct shs *s);
/* 1 when the handshake has failed. */
int shs_failed(const struct shs *s);
/* What went wrong, or "" (static storage inside s). */
const char *shs_error(const struct shs *s);
/* 1 when this is the client side. */
int shs_is_client(const struct shs *s);

/* After shs_done(): the peer's proven long-term public key. */
const uint8_t *shs_peer_key(const struct shs *s);
/* After shs_done(): a public value both ends compute identically and no
 * other session shares: BLAKE2b-256 keyed by the session secret. Use it to
 * bind proofs (invites) to this session. ERR_INVAL before done. */
int shs_session_id(const struct shs *s,
                   uint8_t out[SHS_SESSION_ID_BYTES]) WARN_UNUSED;

/* The SSB box-stream keys and nonces this handshake yields, as the spec
 * derives them (enc = what we would send with, dec = what we would receive
 * with). Glowtalk does not use box-stream; this exists for conformance
 * tests against the reference implementation (and shs1-test), which print
 * them. The caller wipes the struct (secure_wipe) when done. ERR_INVAL
 * before done. */
struct shs_boxstream {
  uint8_t enc_key[SHS_BOX_KEY_BYTES];
  uint8_t enc_nonce[SHS_BOX_NONCE_BYTES];
  uint8_t dec_key[SHS_BOX_KEY_BYTES];
  uint8_t dec_nonce[SHS_BOX_NONCE_BYTES];
};
int shs_export_boxstream(const struct shs *s,
                         struct shs_boxstream *out) WARN_UNUSED;

#endif
