/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Secret handshake (crypto/shs.c): both roles in one process, bytes moved
 * by hand; wrong keys, replays, refusals and tampering of every byte. */
#include <stdio.h>
#include <string.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "crypto/shs.h"
#include "node/alloc.h"
#include "tests/unit/task.h"

#define KEYS 3 /* identities a test can use */

struct fixture {
  char *dir;
  struct identity *id[KEYS];
  struct netkey *nk;
  struct netkey *other_nk;
};

static void
setup(struct fixture *fx)
{
  char path[512];
  uint8_t key[NETKEY_BYTES];
  int i;

  memset(fx, 0, sizeof(*fx));
  ASSERT_OK(secure_init());
  fx->dir = test_mkdtemp();
  for (i = 0; i < KEYS; i++) {
    snprintf(path, sizeof(path), "%s/id%d.key", fx->dir, i);
    ASSERT_OK(identity_create(path, 0, &fx->id[i], NULL, 0));
  }
  secure_random(key, sizeof(key));
  fx->nk = netkey_from_bytes(key);
  key[0] ^= 1;
  fx->other_nk = netkey_from_bytes(key);
  ASSERT_NOT_NULL(fx->nk);
  ASSERT_NOT_NULL(fx->other_nk);
}

static void
teardown(struct fixture *fx)
{
  int i;
  for (i = 0; i < KEYS; i++)
    identity_free(&fx->id[i]);
  netkey_free(&fx->nk);
  netkey_free(&fx->other_nk);
  test_rmdir(fx->dir);
}

static int authorize_calls;

static int
allow_all(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  (void)pub;
  (void)arg;
  authorize_calls++;
  return 1;
}

/* Refuses everyone; records the key it was asked about in arg. */
static int
refuse(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  authorize_calls++;
  memcpy(arg, pub, IDENTITY_PUBLIC_BYTES);
  return 0;
}

/* A recorded handshake: each message as it went over the wire. */
struct transcript {
  uint8_t msg[4][SHS_MSG_MAX];
  size_t len[4];
  int count;
};

/* Called on each message before it is delivered; may change it. */
typedef void (*tamper_fn)(int index, uint8_t *msg, size_t len, void *arg);

/* Move bytes between a and b (a speaks first) in chunks of at most chunk
 * bytes until neither has anything to say. Returns 0 when both are done,
 * else the first error. */
static int
pump(struct shs *a, struct shs *b, size_t chunk, struct transcript *tr,
     tamper_fn tamper, void *targ)
{
  struct shs *from = a, *to = b, *tmp;
  uint8_t msg[SHS_MSG_MAX];
  size_t n, off, used, step;
  int err, rounds;

  for (rounds = 0; rounds < 8; rounds++) {
    n = shs_take_output(from, msg);
    if (n == 0) {
      tmp = from;
      from = to;
      to = tmp;
      n = shs_take_output(from, msg);
      if (n == 0)
        break;
    }
    if (tr != NULL && tr->count < 4) {
      memcpy(tr->msg[tr->count], msg, n);
      tr->len[tr->count++] = n;
    }
    if (tamper != NULL)
      tamper(tr != NULL ? tr->count - 1 : rounds, msg, n, targ);
    for (off = 0; off < n; off += used) {
      ASSERT_GT(shs_want(to), 0);
      step = n - off < chunk ? n - off : chunk;
      err = shs_feed(to, msg + off, step, &used);
      if (err)
        return err;
      ASSERT_GT(used, 0);
    }
  }
  if (shs_done(a) && shs_done(b))
    return 0;
  return ERR_INVAL;
}

TEST_IMPL(shs_handshake_completes)
{
  struct fixture fx;
  struct shs *c = NULL, *s = NULL;
  struct shs_boxstream cb, sb;
  struct transcript tr;
  uint8_t cid[SHS_SESSION_ID_BYTES], sid[SHS_SESSION_ID_BYTES];
  size_t chunks[] = {SHS_MSG_MAX, 1, 7};
  size_t i;

  setup(&fx);
  for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
    memset(&tr, 0, sizeof(tr));
    authorize_calls = 0;
    ASSERT_OK(shs_client_new(fx.id[0], fx.nk,
                             identity_public_key(fx.id[1]), &c));
    ASSERT_OK(shs_server_new(fx.id[1], fx.nk, allow_all, NULL, &s));
    ASSERT_EQ(shs_want(s), SHS_HELLO_BYTES);
    ASSERT_OK(pump(c, s, chunks[i], &tr, NULL, NULL));
    ASSERT_EQ(tr.count, 4);
    ASSERT_EQ(tr.len[0], 64);
    ASSERT_EQ(tr.len[1], 64);
    ASSERT_EQ(tr.len[2], 112);
    ASSERT_EQ(tr.len[3], 80);
    ASSERT_EQ(authorize_calls, 1);
    ASSERT_EQ(memcmp(shs_peer_key(c), identity_public_key(fx.id[1]), 32), 0);
    ASSERT_EQ(memcmp(shs_peer_key(s), identity_public_key(fx.id[0]), 32), 0);
    ASSERT_OK(shs_session_id(c, cid));
    ASSERT_OK(shs_session_id(s, sid));
    ASSERT_EQ(memcmp(cid, sid, sizeof(cid)), 0);
    ASSERT_OK(shs_export_boxstream(c, &cb));
    ASSERT_OK(shs_export_boxstream(s, &sb));
    ASSERT_EQ(memcmp(cb.enc_key, sb.dec_key, SHS_BOX_KEY_BYTES), 0);
    ASSERT_EQ(memcmp(cb.dec_key, sb.enc_key, SHS_BOX_KEY_BYTES), 0);
    ASSERT_EQ(memcmp(cb.enc_nonce, sb.dec_nonce, SHS_BOX_NONCE_BYTES), 0);
    ASSERT_EQ(memcmp(cb.dec_nonce, sb.enc_nonce, SHS_BOX_NONCE_BYTES), 0);
    ASSERT_NE(memcmp(cb.enc_key, cb.dec_key, SHS_BOX_KEY_BYTES), 0);
    /* The nonces are the hello HMACs, as the spec says. */
    ASSERT_EQ(memcmp(cb.dec_nonce, tr.msg[0], SHS_BOX_NONCE_BYTES), 0);
    ASSERT_EQ(memcmp(cb.enc_nonce, tr.msg[1], SHS_BOX_NONCE_BYTES), 0);
    ASSERT_STR_EQ(shs_error(c), "");
    /* Nothing more to do or accept. */
    ASSERT_EQ(shs_want(c), 0);
    ASSERT_EQ(shs_want(s), 0);
    {
      size_t used;
      ASSERT_EQ(shs_feed(c, tr.msg[0], 1, &used), ERR_INVAL);
      ASSERT_EQ(used, 0);
    }
    shs_free(&c);
    shs_free(&s);
    ASSERT_NULL(c);
  }
  secure_wipe(&cb, sizeof(cb));
  secure_wipe(&sb, sizeof(sb));
  shs_free(&c); /* NULL-safe */
  teardown(&fx);
  return 0;
}

TEST_IMPL(shs_sessions_differ)
{
  struct fixture fx;
  struct shs *c = NULL, *s = NULL;
  uint8_t first[SHS_SESSION_ID_BYTES], second[SHS_SESSION_ID_BYTES];

  setup(&fx);
  ASSERT_OK(shs_client_new(fx.id[0], fx.nk, identity_public_key(fx.id[1]),
                           &c));
  ASSERT_OK(shs_server_new(fx.id[1], fx.nk, allow_all, NULL, &s));
  ASSERT_OK(pump(c, s, SHS_MSG_MAX, NULL, NULL, NULL));
  ASSERT_OK(shs_session_id(c, first));
  shs_free(&c);
  shs_free(&s);
  ASSERT_OK(shs_client_new(fx.id[0], fx.nk, identity_public_key(fx.id[1]),
                           &c));
  ASSERT_OK(shs_server_new(fx.id[1], fx.nk, allow_all, NULL, &s));
  ASSERT_OK(pump(c, s, SHS_MSG_MAX, NULL, NULL, NULL));
  ASSERT_OK(shs_session_id(s, second));
  ASSERT_NE(memcmp(first, second, sizeof(first)), 0);
  shs_free(&c);
  shs_free(&s);
  teardown(&fx);
  return 0;
}

TEST_IMPL(shs_wrong_network_key_fails_at_msg1)
{
  struct fixture fx;
  struct shs *c = NULL, *s = NULL;
  uint8_t buf[SHS_MSG_MAX], sid[SHS_SESSION_ID_BYTES];
  size_t n, used;

  setup(&fx);
  authorize_calls = 0;
  ASSERT_OK(shs_client_new(fx.id[0], fx.other_nk,
                           identity_public_key(fx.id[1]), &c));
  ASSERT_OK(shs_server_new(fx.id[1], fx.nk, allow_all, NULL, &s));
  n = shs_take_output(c, buf);
  ASSERT_EQ(n, SHS_HELLO_BYTES);
  ASSERT_EQ(shs_feed(s, buf, n, &used), ERR_CRYPTO);
  ASSERT_CONTAINS(shs_error(s), "msg 1");
  ASSERT(shs_failed(s));
  /* The server says nothing at all to a stranger. */
  ASSERT_EQ(shs_take_output(s, buf), 0);
  ASSERT_EQ(shs_want(s), 0);
  ASSERT_EQ(shs_feed(s, buf, n, &used), ERR_INVAL);
  ASSERT_EQ(shs_session_id(s, sid), ERR_INVAL);
  ASSERT_EQ(authorize_calls, 0);
  shs_free(&c);
  shs_free(&s);

  /* The other way: a server on another network fails the client at msg 2
   * (the client's own msg 1 was rejected by the real server anyway). */
  ASSERT_OK(shs_client_new(fx.id[0], fx.nk, identity_public_key(fx.id[1]),
                           &c));
  ASSERT_OK(shs_server_new(fx.id[1], fx.other_nk, allow_all, NULL, &s));
  ASSERT_EQ(pump(c, s, SHS_MSG_MAX, NULL, NULL, NULL), ERR_CRYPTO);
  ASSERT_CONTAINS(shs_error(s), "msg 1");
  shs_free(&c);
  shs_free(&s);
  teardown(&fx);
  return 0;
}

TEST_IMPL(shs_wrong_server_key_fails)
{
  struct fixture fx;
  struct shs *c = NULL, *s = NULL;

  setup(&fx);
  authorize_calls = 0;
  /* The client expects id[2] but reaches id[1]: the server cannot open
   * msg 3 and never answers, so the client learns nothing. */
  ASSERT_OK(shs_client_new(fx.id[0], fx.nk, identity_public_key(fx.id[2]),
                           &c));
  ASSERT_OK(shs_server_new(fx.id[1], fx.nk, allow_all, NULL, &s));
  ASSERT_EQ(pump(c, s, SHS_MSG_MAX, NULL, NULL, NULL), ERR_CRYPTO);
  ASSERT(shs_failed(s));
  ASSERT_CONTAINS(shs_error(s), "msg 3");
  ASSERT(!shs_done(c));
  ASSERT(!shs_failed(c));
  ASSERT_EQ(shs_want(c), SHS_SERVER_ACCEPT_BYTES);
  ASSERT_EQ(authorize_calls, 0);
  shs_free(&c);
  shs_free(&s);

  /* A client may not "dial itself". */
  ASSERT_EQ(shs_client_new(fx.id[0], fx.nk, identity_public_key(fx.id[0]),
                           &c),
            ERR_INVAL);
  ASSERT_NULL(c);
  ASSERT_EQ(shs_server_new(fx.id[0], fx.nk, NULL, NULL, &s), ERR_INVAL);
  ASSERT_NULL(s);
  teardown(&fx);
  return 0;
}

/* A man in the middle who has the network key relays msg 1-3 but answers
 * msg 4 itself with another identity: the client refuses. */
TEST_IMPL(shs_client_rejects_forged_accept)
{
  struct fixture fx;
  struct shs *c = NULL, *s = NULL, *c2 = NULL, *s2 = NULL;
  struct transcript tr;
  uint8_t buf[SHS_MSG_MAX];
  size_t n, used;

  setup(&fx);
  memset(&tr, 0, sizeof(tr));
  /* A full session between id[0] and id[2]: its msg 4 is valid but for
   * another session. */
  ASSERT_OK(shs_client_new(fx.id[0], fx.nk, identity_public_key(fx.id[2]),
                           &c2));
  ASSERT_OK(shs_server_new(fx.id[2], fx.nk, allow_all, NULL, &s2));
  ASSERT_OK(pump(c2, s2, SHS_MSG_MAX, &tr, NULL, NULL));

  ASSERT_OK(shs_client_new(fx.id[0], fx.nk, identity_public_key(fx.id[1]),
                           &c));
  ASSERT_OK(shs_server_new(fx.id[1], fx.nk, allow_all, NULL, &s));
  n = shs_take_output(c, buf);
  ASSERT_OK(shs_feed(s, buf, n, &used));
  n = shs_take_output(s, buf);
  ASSERT_OK(shs_feed(c, buf, n, &used));
  n = shs_take_output(c, buf);
  ASSERT_EQ(n, SHS_CLIENT_AUTH_BYTES);
  ASSERT_EQ(shs_feed(c, tr.msg[3], tr.len[3], &used), ERR_CRYPTO);
  ASSERT_CONTAINS(shs_error(c), "msg 4");
  ASSERT(shs_failed(c));
  shs_free(&c);
  shs_free(&s);
  shs_free(&c2);
  shs_free(&s2);
  teardown(&fx);
  return 0;
}

TEST_IMPL(shs_replay_fails)
{
  struct fixture fx;
  struct shs *c = NULL, *s = NULL;
  struct transcript tr;
  uint8_t buf[SHS_MSG_MAX];
  size_t n, used;

  setup(&fx);
  memset(&tr, 0, sizeof(tr));
  ASSERT_OK(shs_client_new(fx.id[0], fx.nk, identity_public_key(fx.id[1]),
                           &c));
  ASSERT_OK(shs_server_new(fx.id[1], fx.nk, allow_all, NULL, &s));
  ASSERT_OK(pump(c, s, SHS_MSG_MAX, &tr, NULL, NULL));
  shs_free(&c);
  shs_free(&s);

  /* A recorded client replayed to a fresh server: msg 1 is well-formed
   * (same network key) but msg 3 was made for other ephemeral keys. */
  authorize_calls = 0;
  ASSERT_OK(shs_server_new(fx.id[1], fx.nk, allow_all, NULL, &s));
  ASSERT_OK(shs_feed(s, tr.msg[0], tr.len[0], &used));
  ASSERT_EQ(shs_take_output(s, buf), SHS_HELLO_BYTES);
  ASSERT_EQ(shs_feed(s, tr.msg[2], tr.len[2], &used), ERR_CRYPTO);
  ASSERT_CONTAINS(shs_error(s), "msg 3");
  ASSERT_EQ(shs_take_output(s, buf), 0);
  ASSERT_EQ(authorize_calls, 0);
  shs_free(&s);

  /* A recorded server replayed to a fresh client. */
  ASSERT_OK(shs_client_new(fx.id[0], fx.nk, identity_public_key(fx.id[1]),
                           &c));
  n = shs_take_output(c, buf);
  ASSERT_EQ(n, SHS_HELLO_BYTES);
  ASSERT_OK(shs_feed(c, tr.msg[1], tr.len[1], &used));
  ASSERT_EQ(shs_take_output(c, buf), SHS_CLIENT_AUTH_BYTES);
  ASSERT_EQ(shs_feed(c, tr.msg[3], tr.len[3], &used), ERR_CRYPTO);
  ASSERT_CONTAINS(shs_error(c), "msg 4");
  shs_free(&c);
  teardown(&fx);
  return 0;
}

TEST_IMPL(shs_non_member_refused)
{
  struct fixture fx;
  struct shs *c = NULL, *s = NULL;
  struct transcript tr;
  uint8_t asked[IDENTITY_PUBLIC_BYTES] = {0};
  uint8_t sid[SHS_SESSION_ID_BYTES];

  setup(&fx);
  memset(&tr, 0, sizeof(tr));
  authorize_calls = 0;
  ASSERT_OK(shs_client_new(fx.id[0], fx.nk, identity_public_key(fx.id[1]),
                           &c));
  ASSERT_OK(shs_server_new(fx.id[1], fx.nk, refuse, asked, &s));
  ASSERT_EQ(pump(c, s, SHS_MSG_MAX, &tr, NULL, NULL), ERR_FORBIDDEN);
  ASSERT_EQ(authorize_calls, 1);
  /* It was asked about the proven client key. */
  ASSERT_EQ(memcmp(asked, identity_public_key(fx.id[0]), 32), 0);
  /* msg 1-3 went over the wire, never msg 4: the server did not prove
   * who it is. */
  ASSERT_EQ(tr.count, 3);
  ASSERT(shs_failed(s));
  ASSERT_EQ(shs_take_output(s, tr.msg[3]), 0);
  ASSERT_EQ(shs_session_id(s, sid), ERR_INVAL);
  ASSERT_EQ(shs_want(c), SHS_SERVER_ACCEPT_BYTES);
  shs_free(&c);
  shs_free(&s);

  teardown(&fx);
  return 0;
}

/* Flip one bit at byte pos of message number target (0-3). */
struct flip {
  int target;
  size_t pos;
};

static void
flip_bit(int index, uint8_t *msg, size_t len, void *arg)
{
  struct flip *fl = arg;
  if (index == fl->target && fl->pos < len)
    msg[fl->pos] ^= (uint8_t)(1u << (fl->pos % 8));
}

TEST_IMPL(shs_tampered_bytes_fail)
{
  static const size_t lens[4] = {64, 64, 112, 80};
  struct fixture fx;
  struct shs *c = NULL, *s = NULL;
  struct transcript tr;
  struct flip fl;
  int err, failures = 0;

  setup(&fx);
  for (fl.target = 0; fl.target < 4; fl.target++) {
    for (fl.pos = 0; fl.pos < lens[fl.target]; fl.pos++) {
      memset(&tr, 0, sizeof(tr));
      ASSERT_OK(shs_client_new(fx.id[0], fx.nk,
                               identity_public_key(fx.id[1]), &c));
      ASSERT_OK(shs_server_new(fx.id[1], fx.nk, allow_all, NULL, &s));
      err = pump(c, s, SHS_MSG_MAX, &tr, flip_bit, &fl);
      ASSERT_EQ(err, ERR_CRYPTO);
      /* The receiver of the tampered message is the one that failed. */
      if (fl.target % 2 == 0)
        ASSERT(shs_failed(s));
      else
        ASSERT(shs_failed(c));
      ASSERT(!shs_done(c));
      failures++;
      shs_free(&c);
      shs_free(&s);
    }
  }
  ASSERT_EQ(failures, 64 + 64 + 112 + 80);
  teardown(&fx);
  return 0;
}

/* identity_from_seed, used by the shs1-test peer: RFC 8032 section 7.1,
 * test 1 (seed -> public key). */
TEST_IMPL(identity_from_seed_rfc8032)
{
  static const char seed_hex[] =
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  static const char pub_hex[] =
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  uint8_t seed[IDENTITY_SEED_BYTES];
  char hex[IDENTITY_ID_HEX];
  struct identity *id = NULL;
  size_t i;

  for (i = 0; i < sizeof(seed); i++) {
    unsigned v;
    ASSERT_EQ(sscanf(seed_hex + 2 * i, "%2x", &v), 1);
    seed[i] = (uint8_t)v;
  }
  ASSERT_OK(identity_from_seed(seed, &id));
  identity_id_hex(id, hex);
  ASSERT_STR_EQ(hex, pub_hex);
  identity_free(&id);
  return 0;
}

/* A server that also accepts the join plane: each client is served under
 * the key it used, a third key is still refused at msg 1. */
TEST_IMPL(shs_server_alternative_key)
{
  struct fixture fx;
  struct shs *c = NULL, *s = NULL;
  uint8_t key[NETKEY_BYTES], cid[SHS_SESSION_ID_BYTES];
  uint8_t sid[SHS_SESSION_ID_BYTES];
  struct netkey *third;
  int plane;

  setup(&fx);
  secure_random(key, sizeof(key));
  third = netkey_from_bytes(key);
  for (plane = 0; plane < 3; plane++) {
    const struct netkey *ck = plane == 0 ? fx.nk
                              : plane == 1 ? fx.other_nk : third;
    ASSERT_OK(shs_client_new(fx.id[0], ck, identity_public_key(fx.id[1]),
                             &c));
    ASSERT_OK(shs_server_new(fx.id[1], fx.nk, allow_all, NULL, &s));
    ASSERT_OK(shs_server_accept_alt(s, fx.other_nk));
    ASSERT_EQ(shs_server_accept_alt(c, fx.other_nk), ERR_INVAL);
    if (plane == 2) {
      ASSERT_EQ(pump(c, s, SHS_MSG_MAX, NULL, NULL, NULL), ERR_CRYPTO);
      ASSERT_CONTAINS(shs_error(s), "msg 1");
    } else {
      ASSERT_OK(pump(c, s, SHS_MSG_MAX, NULL, NULL, NULL));
      ASSERT_EQ(shs_used_alt(s), plane);
      ASSERT_OK(shs_session_id(c, cid));
      ASSERT_OK(shs_session_id(s, sid));
      ASSERT_EQ(memcmp(cid, sid, sizeof(cid)), 0);
      ASSERT_EQ(shs_server_accept_alt(s, fx.other_nk), ERR_INVAL);
    }
    shs_free(&c);
    shs_free(&s);
  }
  netkey_free(&third);
  teardown(&fx);
  return 0;
}
