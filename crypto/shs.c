/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Secret handshake v1; see shs.h. Follows the Scuttlebutt protocol guide
 * ("Handshake") and the reference implementation, npm secret-handshake
 * 1.1.x crypto.js, byte for byte. The whole state lives in one
 * sodium_malloc'd block so it is locked in memory and wiped on free. */
#include "crypto/shs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/internal.h"

#define KEY_BYTES 32 /* every DH value, hash and key here is 32 bytes */
#define SIG_BYTES crypto_sign_BYTES
#define HELLO_BYTES (SIG_BYTES + IDENTITY_PUBLIC_BYTES) /* sig_A || A_pk */
#define SESSION_ID_CONTEXT "glowtalk-shs-session-id-v1"

enum {
  ST_CLIENT_WANT_HELLO,  /* client: msg 1 sent or pending, waiting msg 2 */
  ST_CLIENT_WANT_ACCEPT, /* client: msg 3 sent or pending, waiting msg 4 */
  ST_SERVER_WANT_HELLO,  /* server: waiting msg 1 */
  ST_SERVER_WANT_AUTH,   /* server: msg 2 sent or pending, waiting msg 3 */
  ST_DONE,               /* success; output may still be pending */
  ST_FAILED              /* everything secret wiped */
};

struct shs {
  int client;                        /* 1 = client (Alice) */
  int state;                         /* ST_* */
  const struct identity *id;         /* borrowed: our long-term key */
  const struct netkey *nk;           /* borrowed: K */
  const struct netkey *alt;          /* borrowed: other K a server accepts */
  int used_alt;                      /* the client used alt */
  shs_authorize_cb authorize;        /* server only */
  void *arg;                         /* for authorize */
  uint8_t local_pk[KEY_BYTES];       /* our Ed25519 public key */
  uint8_t remote_pk[KEY_BYTES];      /* peer's Ed25519 key (client: given) */
  uint8_t eph_pk[KEY_BYTES];         /* our X25519 ephemeral */
  uint8_t eph_sk[KEY_BYTES];
  uint8_t local_mac[KEY_BYTES];      /* hmac(K, eph_pk), sent in our hello */
  uint8_t remote_eph_pk[KEY_BYTES];  /* from the peer's hello */
  uint8_t remote_mac[KEY_BYTES];
  uint8_t ab[KEY_BYTES];             /* eph x eph */
  uint8_t a_b[KEY_BYTES];            /* client eph x server long-term: aB */
  uint8_t shash[KEY_BYTES];          /* sha256(ab) */
  uint8_t hello[HELLO_BYTES];        /* sig_A || A_pk */
  uint8_t session[KEY_BYTES];        /* sha256(sha256(K||ab||aB||Ab)) */
  uint8_t in[SHS_MSG_MAX];           /* message being received */
  size_t in_len;                     /* bytes of in filled */
  uint8_t out[SHS_MSG_MAX];          /* message to send */
  size_t out_len;                    /* bytes of out pending */
  char error[SHS_ERROR_MAX];         /* why it failed */
};

static const uint8_t zero_nonce[crypto_secretbox_NONCEBYTES];

/* sha256 over up to four 32-byte-or-longer parts (NULL ends the list). */
static void
sha256_parts(uint8_t out[KEY_BYTES], const uint8_t *p1, size_t l1,
             const uint8_t *p2, size_t l2, const uint8_t *p3, size_t l3,
             const uint8_t *p4, size_t l4)
{
  crypto_hash_sha256_state st;

  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, p1, l1);
  if (p2 != NULL)
    crypto_hash_sha256_update(&st, p2, l2);
  if (p3 != NULL)
    crypto_hash_sha256_update(&st, p3, l3);
  if (p4 != NULL)
    crypto_hash_sha256_update(&st, p4, l4);
  crypto_hash_sha256_final(&st, out);
  sodium_memzero(&st, sizeof(st));
}

/* Record why, wipe every secret, enter ST_FAILED; returns err. */
__attribute__((format(printf, 3, 4))) static int
fail(struct shs *s, int err, const char *fmt, ...)
{
  va_list ap;
  char why[SHS_ERROR_MAX];

  va_start(ap, fmt);
  vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  sodium_memzero(s->eph_sk, sizeof(s->eph_sk));
  sodium_memzero(s->ab, sizeof(s->ab));
  sodium_memzero(s->a_b, sizeof(s->a_b));
  sodium_memzero(s->shash, sizeof(s->shash));
  sodium_memzero(s->hello, sizeof(s->hello));
  sodium_memzero(s->session, sizeof(s->session));
  sodium_memzero(s->in, sizeof(s->in));
  sodium_memzero(s->out, sizeof(s->out));
  s->in_len = 0;
  s->out_len = 0;
  s->state = ST_FAILED;
  memcpy(s->error, why, sizeof(why));
  return err;
}

/* Forget what the rest of the session does not need (forward secrecy). */
static void
finish(struct shs *s)
{
  sodium_memzero(s->eph_sk, sizeof(s->eph_sk));
  sodium_memzero(s->ab, sizeof(s->ab));
  sodium_memzero(s->a_b, sizeof(s->a_b));
  sodium_memzero(s->shash, sizeof(s->shash));
  sodium_memzero(s->hello, sizeof(s->hello));
  sodium_memzero(s->in, sizeof(s->in));
  s->in_len = 0;
  s->state = ST_DONE;
}

static size_t
expected(const struct shs *s)
{
  switch (s->state) {
  case ST_CLIENT_WANT_HELLO:
  case ST_SERVER_WANT_HELLO:
    return SHS_HELLO_BYTES;
  case ST_CLIENT_WANT_ACCEPT:
    return SHS_SERVER_ACCEPT_BYTES;
  case ST_SERVER_WANT_AUTH:
    return SHS_CLIENT_AUTH_BYTES;
  default:
    return 0;
  }
}

static int
alloc_common(const struct identity *id, const struct netkey *nk,
             struct shs **out)
{
  struct shs *s;

  *out = NULL;
  if (sodium_init() < 0)
    return ERR_CRYPTO;
  s = sodium_malloc(sizeof(*s));
  if (s == NULL)
    return -ENOMEM;
  memset(s, 0, sizeof(*s));
  s->id = id;
  s->nk = nk;
  memcpy(s->local_pk, identity_public_key(id), KEY_BYTES);
  crypto_box_keypair(s->eph_pk, s->eph_sk);
  /* HMAC-SHA-512/256 of our ephemeral key under the network key. */
  crypto_auth(s->local_mac, s->eph_pk, KEY_BYTES, netkey_bytes(nk));
  *out = s;
  return 0;
}

/* Our hello, msg 1 or 2: hmac(K, eph_pk) || eph_pk. */
static void
queue_hello(struct shs *s)
{
  memcpy(s->out, s->local_mac, KEY_BYTES);
  memcpy(s->out + KEY_BYTES, s->eph_pk, KEY_BYTES);
  s->out_len = SHS_HELLO_BYTES;
}

int
shs_client_new(const struct identity *id, const struct netkey *nk,
               const uint8_t server_pub[IDENTITY_PUBLIC_BYTES],
               struct shs **out)
{
  struct shs *s;
  int err;

  *out = NULL;
  if (sodium_memcmp(server_pub, identity_public_key(id), KEY_BYTES) == 0)
    return ERR_INVAL;
  err = alloc_common(id, nk, &s);
  if (err)
    return err;
  s->client = 1;
  memcpy(s->remote_pk, server_pub, KEY_BYTES);
  s->state = ST_CLIENT_WANT_HELLO;
  queue_hello(s);
  *out = s;
  return 0;
}

int
shs_server_new(const struct identity *id, const struct netkey *nk,
               shs_authorize_cb authorize, void *arg, struct shs **out)
{
  struct shs *s;
  int err;

  *out = NULL;
  if (authorize == NULL)
    return ERR_INVAL;
  err = alloc_common(id, nk, &s);
  if (err)
    return err;
  s->authorize = authorize;
  s->arg = arg;
  s->state = ST_SERVER_WANT_HELLO;
  *out = s;
  return 0;
}

int
shs_server_accept_alt(struct shs *s, const struct netkey *alt)
{
  if (s->client || s->state != ST_SERVER_WANT_HELLO || s->in_len > 0 ||
      alt == NULL)
    return ERR_INVAL;
  s->alt = alt;
  return 0;
}

int
shs_used_alt(const struct shs *s)
{
  return s->used_alt;
}

void
shs_free(struct shs **s)
{
  if (s == NULL || *s == NULL)
    return;
  sodium_free(*s); /* zeroes the whole block */
  *s = NULL;
}

/* Check the peer's hello (msg 1 on the server, msg 2 on the client) and
 * compute ab = eph x eph. A server with an alternative key tries it second
 * and, if it matches, runs the rest of the handshake under it. */
static int
verify_hello(struct shs *s, const char *what)
{
  const uint8_t *mac = s->in, *eph = s->in + KEY_BYTES;
  int ok;

  ok = crypto_auth_verify(mac, eph, KEY_BYTES, netkey_bytes(s->nk)) == 0;
  if (!ok && s->alt != NULL &&
      crypto_auth_verify(mac, eph, KEY_BYTES, netkey_bytes(s->alt)) == 0) {
    ok = 1;
    s->nk = s->alt;
    s->used_alt = 1;
    crypto_auth(s->local_mac, s->eph_pk, KEY_BYTES, netkey_bytes(s->nk));
  }
  if (!ok)
    return fail(s, ERR_CRYPTO, "%s: HMAC does not verify (another network "
                "key, or not a secret handshake)", what);
  memcpy(s->remote_mac, mac, KEY_BYTES);
  memcpy(s->remote_eph_pk, eph, KEY_BYTES);
  if (crypto_scalarmult(s->ab, s->eph_sk, s->remote_eph_pk) != 0)
    return fail(s, ERR_CRYPTO, "%s: low-order ephemeral key", what);
  sha256_parts(s->shash, s->ab, KEY_BYTES, NULL, 0, NULL, 0, NULL, 0);
  return 0;
}

/* Client, on msg 2: make msg 3 = secretbox(sig_A || A_pk, 0,
 * sha256(K || ab || aB)), sig_A = sign_A(K || B_pk || sha256(ab)). */
static int
client_on_hello(struct shs *s)
{
  uint8_t curve_b[KEY_BYTES], key2[KEY_BYTES], signed_msg[3 * KEY_BYTES];
  const uint8_t *k = netkey_bytes(s->nk);
  int err;

  err = verify_hello(s, "msg 2 (server hello)");
  if (err)
    return err;
  if (crypto_sign_ed25519_pk_to_curve25519(curve_b, s->remote_pk) != 0)
    return fail(s, ERR_CRYPTO, "server key is not a valid Ed25519 key");
  if (crypto_scalarmult(s->a_b, s->eph_sk, curve_b) != 0)
    return fail(s, ERR_CRYPTO, "server key is of low order");
  sha256_parts(key2, k, KEY_BYTES, s->ab, KEY_BYTES, s->a_b, KEY_BYTES,
               NULL, 0);
  memcpy(signed_msg, k, KEY_BYTES);
  memcpy(signed_msg + KEY_BYTES, s->remote_pk, KEY_BYTES);
  memcpy(signed_msg + 2 * KEY_BYTES, s->shash, KEY_BYTES);
  crypto_sign_detached(s->hello, NULL, signed_msg, sizeof(signed_msg),
                       identity__secret_key(s->id));
  memcpy(s->hello + SIG_BYTES, s->local_pk, KEY_BYTES);
  crypto_secretbox_easy(s->out, s->hello, HELLO_BYTES, zero_nonce, key2);
  s->out_len = SHS_CLIENT_AUTH_BYTES;
  s->state = ST_CLIENT_WANT_ACCEPT;
  sodium_memzero(key2, sizeof(key2));
  sodium_memzero(signed_msg, sizeof(signed_msg));
  return 0;
}

/* Client, on msg 4: open with sha256(K || ab || aB || Ab) and verify
 * sig_B over K || sig_A || A_pk || sha256(ab). */
static int
client_on_accept(struct shs *s)
{
  uint8_t curve_a[KEY_BYTES], a_B[KEY_BYTES], key3[KEY_BYTES];
  uint8_t sig[SIG_BYTES], signed_msg[KEY_BYTES + HELLO_BYTES + KEY_BYTES];
  const uint8_t *k = netkey_bytes(s->nk);
  int err = 0;

  crypto_sign_ed25519_sk_to_curve25519(curve_a, identity__secret_key(s->id));
  if (crypto_scalarmult(a_B, curve_a, s->remote_eph_pk) != 0) {
    err = fail(s, ERR_CRYPTO, "msg 4: low-order server ephemeral key");
    goto out;
  }
  sha256_parts(key3, k, KEY_BYTES, s->ab, KEY_BYTES, s->a_b, KEY_BYTES,
               a_B, KEY_BYTES);
  if (crypto_secretbox_open_easy(sig, s->in, SHS_SERVER_ACCEPT_BYTES,
                                 zero_nonce, key3) != 0) {
    err = fail(s, ERR_CRYPTO, "msg 4 (server accept): box does not open "
               "(wrong server key, or tampered)");
    goto out;
  }
  memcpy(signed_msg, k, KEY_BYTES);
  memcpy(signed_msg + KEY_BYTES, s->hello, HELLO_BYTES);
  memcpy(signed_msg + KEY_BYTES + HELLO_BYTES, s->shash, KEY_BYTES);
  if (crypto_sign_verify_detached(sig, signed_msg, sizeof(signed_msg),
                                  s->remote_pk) != 0) {
    err = fail(s, ERR_CRYPTO, "msg 4 (server accept): bad signature");
    goto out;
  }
  sha256_parts(s->session, key3, KEY_BYTES, NULL, 0, NULL, 0, NULL, 0);
  finish(s);
out:
  sodium_memzero(curve_a, sizeof(curve_a));
  sodium_memzero(a_B, sizeof(a_B));
  sodium_memzero(key3, sizeof(key3));
  sodium_memzero(signed_msg, sizeof(signed_msg));
  return err;
}

/* Server, on msg 1: reply with our hello (msg 2). */
static int
server_on_hello(struct shs *s)
{
  int err = verify_hello(s, "msg 1 (client hello)");
  if (err)
    return err;
  queue_hello(s);
  s->state = ST_SERVER_WANT_AUTH;
  return 0;
}

/* Server, on msg 3: open, verify sig_A, authorise A, then make msg 4. */
static int
server_on_auth(struct shs *s)
{
  uint8_t curve_b[KEY_BYTES], curve_a[KEY_BYTES], a_B[KEY_BYTES];
  uint8_t key2[KEY_BYTES], key3[KEY_BYTES], sig[SIG_BYTES];
  uint8_t signed_a[3 * KEY_BYTES];
  uint8_t signed_b[KEY_BYTES + HELLO_BYTES + KEY_BYTES];
  const uint8_t *k = netkey_bytes(s->nk), *client_pk;
  int err = 0;

  crypto_sign_ed25519_sk_to_curve25519(curve_b, identity__secret_key(s->id));
  if (crypto_scalarmult(s->a_b, curve_b, s->remote_eph_pk) != 0) {
    err = fail(s, ERR_CRYPTO, "msg 3: low-order client ephemeral key");
    goto out;
  }
  sha256_parts(key2, k, KEY_BYTES, s->ab, KEY_BYTES, s->a_b, KEY_BYTES,
               NULL, 0);
  if (crypto_secretbox_open_easy(s->hello, s->in, SHS_CLIENT_AUTH_BYTES,
                                 zero_nonce, key2) != 0) {
    err = fail(s, ERR_CRYPTO, "msg 3 (client auth): box does not open "
               "(client expects another server key, replay, or "
               "tampered)");
    goto out;
  }
  client_pk = s->hello + SIG_BYTES;
  memcpy(signed_a, k, KEY_BYTES);
  memcpy(signed_a + KEY_BYTES, s->local_pk, KEY_BYTES);
  memcpy(signed_a + 2 * KEY_BYTES, s->shash, KEY_BYTES);
  if (crypto_sign_verify_detached(s->hello, signed_a, sizeof(signed_a),
                                  client_pk) != 0) {
    err = fail(s, ERR_CRYPTO, "msg 3 (client auth): bad signature");
    goto out;
  }
  memcpy(s->remote_pk, client_pk, KEY_BYTES);
  if (sodium_memcmp(s->remote_pk, s->local_pk, KEY_BYTES) == 0) {
    err = fail(s, ERR_FORBIDDEN, "client uses our own key");
    goto out;
  }
  if (crypto_sign_ed25519_pk_to_curve25519(curve_a, s->remote_pk) != 0 ||
      crypto_scalarmult(a_B, s->eph_sk, curve_a) != 0) {
    err = fail(s, ERR_CRYPTO, "msg 3: client key unusable for key "
               "exchange");
    goto out;
  }
  if (!s->authorize(s->remote_pk, s->arg)) {
    err = fail(s, ERR_FORBIDDEN, "client key is not authorised");
    goto out;
  }
  sha256_parts(key3, k, KEY_BYTES, s->ab, KEY_BYTES, s->a_b, KEY_BYTES,
               a_B, KEY_BYTES);
  memcpy(signed_b, k, KEY_BYTES);
  memcpy(signed_b + KEY_BYTES, s->hello, HELLO_BYTES);
  memcpy(signed_b + KEY_BYTES + HELLO_BYTES, s->shash, KEY_BYTES);
  crypto_sign_detached(sig, NULL, signed_b, sizeof(signed_b),
                       identity__secret_key(s->id));
  crypto_secretbox_easy(s->out, sig, SIG_BYTES, zero_nonce, key3);
  s->out_len = SHS_SERVER_ACCEPT_BYTES;
  sha256_parts(s->session, key3, KEY_BYTES, NULL, 0, NULL, 0, NULL, 0);
  finish(s);
out:
  sodium_memzero(curve_b, sizeof(curve_b));
  sodium_memzero(curve_a, sizeof(curve_a));
  sodium_memzero(a_B, sizeof(a_B));
  sodium_memzero(key2, sizeof(key2));
  sodium_memzero(key3, sizeof(key3));
  sodium_memzero(signed_a, sizeof(signed_a));
  sodium_memzero(signed_b, sizeof(signed_b));
  return err;
}

size_t
shs_want(const struct shs *s)
{
  if (s->out_len > 0)
    return 0;
  return expected(s) - s->in_len;
}

int
shs_feed(struct shs *s, const uint8_t *data, size_t len, size_t *used)
{
  size_t need, take;

  *used = 0;
  if (s->state == ST_FAILED || s->state == ST_DONE || s->out_len > 0)
    return ERR_INVAL;
  need = expected(s);
  take = need - s->in_len;
  if (take > len)
    take = len;
  if (take > 0)
    memcpy(s->in + s->in_len, data, take);
  s->in_len += take;
  *used = take;
  if (s->in_len < need)
    return 0;
  s->in_len = 0;
  switch (s->state) {
  case ST_CLIENT_WANT_HELLO:
    return client_on_hello(s);
  case ST_CLIENT_WANT_ACCEPT:
    return client_on_accept(s);
  case ST_SERVER_WANT_HELLO:
    return server_on_hello(s);
  default:
    return server_on_auth(s);
  }
}

size_t
shs_take_output(struct shs *s, uint8_t out[SHS_MSG_MAX])
{
  size_t n = s->out_len;

  if (n == 0)
    return 0;
  memcpy(out, s->out, n);
  sodium_memzero(s->out, sizeof(s->out));
  s->out_len = 0;
  return n;
}

int
shs_done(const struct shs *s)
{
  return s->state == ST_DONE && s->out_len == 0;
}

int
shs_failed(const struct shs *s)
{
  return s->state == ST_FAILED;
}

const char *
shs_error(const struct shs *s)
{
  return s->error;
}

int
shs_is_client(const struct shs *s)
{
  return s->client;
}

const uint8_t *
shs_peer_key(const struct shs *s)
{
  return s->remote_pk;
}

int
shs_session_id(const struct shs *s, uint8_t out[SHS_SESSION_ID_BYTES])
{
  if (s->state != ST_DONE)
    return ERR_INVAL;
  crypto_generichash(out, SHS_SESSION_ID_BYTES,
                     (const uint8_t *)SESSION_ID_CONTEXT,
                     strlen(SESSION_ID_CONTEXT), s->session, KEY_BYTES);
  return 0;
}

/* Box-stream parameters (protocol guide, "Box stream"; reference crypto.js
 * clean() and protocol.js secure()): key to send = sha256(session ||
 * remote_pk), key to receive = sha256(session || local_pk); nonce to send
 * = the peer's hello HMAC, nonce to receive = ours (first 24 bytes). */
int
shs_export_boxstream(const struct shs *s, struct shs_boxstream *out)
{
  if (s->state != ST_DONE)
    return ERR_INVAL;
  sha256_parts(out->enc_key, s->session, KEY_BYTES, s->remote_pk, KEY_BYTES,
               NULL, 0, NULL, 0);
  sha256_parts(out->dec_key, s->session, KEY_BYTES, s->local_pk, KEY_BYTES,
               NULL, 0, NULL, 0);
  memcpy(out->enc_nonce, s->remote_mac, SHS_BOX_NONCE_BYTES);
  memcpy(out->dec_nonce, s->local_mac, SHS_BOX_NONCE_BYTES);
  return 0;
}

/* For crypto/frames.c: the session secret, sha256(sha256(K||ab||aB||Ab)),
 * from which the secretstream keys are derived. */
int
shs__session_secret(const struct shs *s, uint8_t out[SHS__SESSION_BYTES])
{
  if (s->state != ST_DONE)
    return ERR_INVAL;
  memcpy(out, s->session, SHS__SESSION_BYTES);
  return 0;
}
