/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Invite codes (crypto/invite.c): encode/parse, tampering, expiry, bad
 * fields, and the proof bound to the joiner's key and a real handshake
 * session on the join plane. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crypto/identity.h"
#include "crypto/invite.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "crypto/shs.h"
#include "node/alloc.h"
#include "tests/unit/task.h"

#define EXPIRES 1798761600u /* 2027-01-01T00:00:00Z */

struct keys {
  char *dir;
  struct identity *inviter, *joiner, *other;
  uint8_t network_id[NETKEY_ID_BYTES];
};

static void
keys_open(struct keys *k)
{
  char path[512];

  memset(k, 0, sizeof(*k));
  ASSERT_OK(secure_init());
  k->dir = test_mkdtemp();
  snprintf(path, sizeof(path), "%s/inviter.key", k->dir);
  ASSERT_OK(identity_create(path, 0, &k->inviter, NULL, 0));
  snprintf(path, sizeof(path), "%s/joiner.key", k->dir);
  ASSERT_OK(identity_create(path, 0, &k->joiner, NULL, 0));
  snprintf(path, sizeof(path), "%s/other.key", k->dir);
  ASSERT_OK(identity_create(path, 0, &k->other, NULL, 0));
  secure_random(k->network_id, sizeof(k->network_id));
}

static void
keys_close(struct keys *k)
{
  identity_free(&k->inviter);
  identity_free(&k->joiner);
  identity_free(&k->other);
  test_rmdir(k->dir);
}

static struct invite *
make(struct keys *k, uint64_t expires)
{
  const char *addrs[] = {"192.168.1.20:8009", "[fe80::1]:8009",
                         "alice.example.org:65535"};
  struct invite *inv = NULL;
  ASSERT_OK(invite_new(k->network_id, identity_public_key(k->inviter),
                       addrs, 3, expires, &inv));
  return inv;
}

static void
assert_same(const struct invite *a, const struct invite *b)
{
  size_t i;
  ASSERT_EQ(memcmp(invite_public_key(a), invite_public_key(b),
                   INVITE_PUBLIC_BYTES), 0);
  ASSERT_EQ(memcmp(invite_network_id(a), invite_network_id(b),
                   NETKEY_ID_BYTES), 0);
  ASSERT_EQ(memcmp(invite_inviter_key(a), invite_inviter_key(b),
                   IDENTITY_PUBLIC_BYTES), 0);
  ASSERT(invite_expires(a) == invite_expires(b));
  ASSERT_EQ(invite_addr_count(a), invite_addr_count(b));
  for (i = 0; i < invite_addr_count(a); i++)
    ASSERT_STR_EQ(invite_addr(a, i), invite_addr(b, i));
}

TEST_IMPL(invite_roundtrip)
{
  struct keys k;
  struct invite *inv, *back = NULL, *again = NULL;
  char *code, *spaced;
  size_t i, o, len;

  keys_open(&k);
  inv = make(&k, EXPIRES);
  code = invite_encode(inv);
  ASSERT_NOT_NULL(code);
  ASSERT_EQ(strncmp(code, INVITE_PREFIX, strlen(INVITE_PREFIX)), 0);
  len = strlen(code);
  ASSERT_LE(len, INVITE_CODE_MAX);
  ASSERT_OK(invite_parse(code, len, &back));
  assert_same(inv, back);
  ASSERT_STR_EQ(invite_addr(back, 1), "[fe80::1]:8009");
  ASSERT_NULL(invite_addr(back, 3));

  /* As a person might paste it: upper case, grouped, wrapped, padded. */
  spaced = xmalloc(3 * len + 8);
  o = 0;
  spaced[o++] = ' ';
  for (i = 0; i < len; i++) {
    spaced[o++] = (char)toupper((unsigned char)code[i]);
    if (i >= strlen(INVITE_PREFIX) && i % 4 == 3)
      spaced[o++] = i % 40 == 39 ? '\n' : '-';
  }
  spaced[o++] = '\n';
  spaced[o] = '\0';
  ASSERT_OK(invite_parse(spaced, o, &again));
  assert_same(inv, again);

  /* Two invites never share a secret. */
  invite_free(&again);
  again = make(&k, EXPIRES);
  ASSERT_NE(memcmp(invite_public_key(inv), invite_public_key(again),
                   INVITE_PUBLIC_BYTES), 0);
  xfree(spaced);
  xfree(code);
  invite_free(&inv);
  invite_free(&back);
  invite_free(&again);
  invite_free(&again); /* NULL-safe */
  keys_close(&k);
  return 0;
}

TEST_IMPL(invite_expiry)
{
  static const uint64_t values[] = {0, 1, EXPIRES, UINT64_MAX};
  struct keys k;
  struct invite *inv, *back = NULL;
  char *code;
  size_t i;

  keys_open(&k);
  for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
    inv = make(&k, values[i]);
    code = invite_encode(inv);
    ASSERT_OK(invite_parse(code, strlen(code), &back));
    ASSERT(invite_expires(back) == values[i]);
    xfree(code);
    invite_free(&inv);
    invite_free(&back);
  }
  inv = make(&k, EXPIRES);
  ASSERT_EQ(invite_expired(inv, EXPIRES - 1), 0);
  ASSERT_EQ(invite_expired(inv, EXPIRES), 1);
  ASSERT_EQ(invite_expired(inv, EXPIRES + 86400), 1);
  invite_free(&inv);
  keys_close(&k);
  return 0;
}

TEST_IMPL(invite_tampered_code_refused)
{
  static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
  struct keys k;
  struct invite *inv, *back = NULL;
  char *code, saved, *big;
  size_t i, len, prefix = strlen(INVITE_PREFIX);
  int refused = 0;

  keys_open(&k);
  inv = make(&k, EXPIRES);
  code = invite_encode(inv);
  len = strlen(code);
  /* Every character changed to another valid one. */
  for (i = prefix; i < len; i++) {
    saved = code[i];
    code[i] = alphabet[(strchr(alphabet, saved) - alphabet + 1) % 32];
    ASSERT_EQ(invite_parse(code, len, &back), ERR_PARSE);
    ASSERT_NULL(back);
    code[i] = saved;
    refused++;
  }
  ASSERT_EQ(refused, len - prefix);
  /* Cut short, one character more, not base32, wrong prefix. */
  ASSERT_EQ(invite_parse(code, len - 1, &back), ERR_PARSE);
  ASSERT_EQ(invite_parse(code, prefix + 10, &back), ERR_PARSE);
  ASSERT_EQ(invite_parse(code, prefix, &back), ERR_PARSE);
  ASSERT_EQ(invite_parse("", 0, &back), ERR_PARSE);
  big = xmalloc(INVITE_CODE_MAX + 2);
  memcpy(big, code, len);
  big[len] = '0';
  ASSERT_EQ(invite_parse(big, len + 1, &back), ERR_PARSE);
  big[len - 1] = 'u';
  ASSERT_EQ(invite_parse(big, len, &back), ERR_PARSE);
  big[0] = 'x';
  memcpy(big, code, len);
  big[1] = 'x';
  ASSERT_EQ(invite_parse(big, len, &back), ERR_PARSE);
  /* Over the cap: refused before any work. */
  memset(big, 'a', INVITE_CODE_MAX + 1);
  memcpy(big, INVITE_PREFIX, prefix);
  ASSERT_EQ(invite_parse(big, INVITE_CODE_MAX + 1, &back), ERR_TOO_BIG);
  ASSERT_OK(invite_parse(code, len, &back));
  xfree(big);
  xfree(code);
  invite_free(&inv);
  invite_free(&back);
  keys_close(&k);
  return 0;
}

TEST_IMPL(invite_bad_fields_refused)
{
  static const char *bad[] = {"nohost", ":8009", "host:0", "host:65536",
                              "host:", "a b:1", "host:80x", "host:123456"};
  struct keys k;
  struct invite *inv = NULL;
  const char *addrs[4] = {"a:1", "b:2", "c:3", "d:4"};
  uint8_t zero[IDENTITY_PUBLIC_BYTES] = {0};
  char longaddr[INVITE_ADDR_MAX + 8];
  size_t i;

  keys_open(&k);
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ASSERT_EQ(invite_new(k.network_id, identity_public_key(k.inviter),
                         &bad[i], 1, EXPIRES, &inv),
              ERR_INVAL);
    ASSERT_NULL(inv);
  }
  memset(longaddr, 'h', sizeof(longaddr));
  memcpy(longaddr + INVITE_ADDR_MAX - 3, ":80", 4); /* exactly the max */
  addrs[0] = longaddr;
  ASSERT_OK(invite_new(k.network_id, identity_public_key(k.inviter), addrs,
                       1, EXPIRES, &inv));
  invite_free(&inv);
  /* The largest code there can be still parses. */
  addrs[1] = addrs[2] = longaddr;
  ASSERT_OK(invite_new(k.network_id, identity_public_key(k.inviter), addrs,
                       INVITE_ADDRS_MAX, EXPIRES, &inv));
  {
    struct invite *back = NULL;
    char *code = invite_encode(inv);
    ASSERT_LE(strlen(code), INVITE_CODE_MAX);
    ASSERT_OK(invite_parse(code, strlen(code), &back));
    ASSERT_STR_EQ(invite_addr(back, 2), longaddr);
    invite_free(&back);
    xfree(code);
  }
  invite_free(&inv);
  memcpy(longaddr + INVITE_ADDR_MAX - 2, ":80", 4); /* one over */
  ASSERT_EQ(invite_new(k.network_id, identity_public_key(k.inviter), addrs,
                       1, EXPIRES, &inv),
            ERR_INVAL);
  addrs[0] = "a:1";
  ASSERT_EQ(invite_new(k.network_id, identity_public_key(k.inviter), addrs,
                       0, EXPIRES, &inv),
            ERR_INVAL);
  ASSERT_EQ(invite_new(k.network_id, identity_public_key(k.inviter), addrs,
                       INVITE_ADDRS_MAX + 1, EXPIRES, &inv),
            ERR_INVAL);
  ASSERT_EQ(invite_new(k.network_id, zero, addrs, 1, EXPIRES, &inv),
            ERR_INVAL);
  ASSERT_NULL(inv);
  keys_close(&k);
  return 0;
}

static int
allow_all(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  (void)pub;
  (void)arg;
  return 1;
}

/* A handshake on the join plane of network_id between joiner (client) and
 * inviter (server); both session ids out. */
static void
join_handshake(struct keys *k, const struct identity *joiner,
               uint8_t c_sid[SHS_SESSION_ID_BYTES],
               uint8_t s_sid[SHS_SESSION_ID_BYTES],
               uint8_t s_peer[IDENTITY_PUBLIC_BYTES])
{
  struct netkey *jk = invite_join_netkey(k->network_id), *member_key;
  struct shs *c = NULL, *s = NULL;
  uint8_t msg[SHS_MSG_MAX], key[NETKEY_BYTES];
  size_t n, used;
  int i;

  /* The member listens on the network key and accepts the join plane. */
  secure_random(key, sizeof(key));
  member_key = netkey_from_bytes(key);
  ASSERT_NOT_NULL(jk);
  ASSERT_NOT_NULL(member_key);
  ASSERT_OK(shs_client_new(joiner, jk, identity_public_key(k->inviter), &c));
  ASSERT_OK(shs_server_new(k->inviter, member_key, allow_all, NULL, &s));
  ASSERT_OK(shs_server_accept_alt(s, jk));
  for (i = 0; i < 2; i++) {
    n = shs_take_output(c, msg);
    ASSERT_OK(shs_feed(s, msg, n, &used));
    n = shs_take_output(s, msg);
    ASSERT_OK(shs_feed(c, msg, n, &used));
  }
  ASSERT(shs_done(c) && shs_done(s));
  ASSERT_EQ(shs_used_alt(s), 1);
  ASSERT_OK(shs_session_id(c, c_sid));
  ASSERT_OK(shs_session_id(s, s_sid));
  memcpy(s_peer, shs_peer_key(s), IDENTITY_PUBLIC_BYTES);
  shs_free(&c);
  shs_free(&s);
  netkey_free(&jk);
  netkey_free(&member_key);
}

TEST_IMPL(invite_proof_binding)
{
  struct keys k;
  struct invite *inv, *joined = NULL, *other_inv;
  struct netkey *j1, *j2;
  uint8_t c_sid[SHS_SESSION_ID_BYTES], s_sid[SHS_SESSION_ID_BYTES];
  uint8_t c_sid2[SHS_SESSION_ID_BYTES], s_sid2[SHS_SESSION_ID_BYTES];
  uint8_t peer[IDENTITY_PUBLIC_BYTES], peer2[IDENTITY_PUBLIC_BYTES];
  uint8_t proof[INVITE_PROOF_BYTES], other_id[NETKEY_ID_BYTES];
  const uint8_t *log_pk;
  char *code;

  keys_open(&k);
  inv = make(&k, EXPIRES);
  log_pk = invite_public_key(inv); /* what the inviter records */
  code = invite_encode(inv);
  ASSERT_OK(invite_parse(code, strlen(code), &joined));

  /* The joiner connects on the join plane with its own new key. */
  join_handshake(&k, k.joiner, c_sid, s_sid, peer);
  ASSERT_EQ(memcmp(c_sid, s_sid, sizeof(c_sid)), 0);
  invite_prove(joined, identity_public_key(k.joiner), c_sid, proof);
  ASSERT_OK(invite_verify(log_pk, k.network_id, peer, s_sid, proof));

  /* Replayed on another session of the same joiner: refused. */
  join_handshake(&k, k.joiner, c_sid2, s_sid2, peer2);
  ASSERT_EQ(invite_verify(log_pk, k.network_id, peer2, s_sid2, proof),
            ERR_BAD_SIGNATURE);
  /* Presented by another key (someone who saw the proof): refused. */
  join_handshake(&k, k.other, c_sid2, s_sid2, peer2);
  ASSERT_EQ(invite_verify(log_pk, k.network_id, peer2, s_sid, proof),
            ERR_BAD_SIGNATURE);
  /* Checked against another network or another invite: refused. */
  memcpy(other_id, k.network_id, sizeof(other_id));
  other_id[0] ^= 1;
  ASSERT_EQ(invite_verify(log_pk, other_id, peer, s_sid, proof),
            ERR_BAD_SIGNATURE);
  other_inv = make(&k, EXPIRES);
  ASSERT_EQ(invite_verify(invite_public_key(other_inv), k.network_id, peer,
                          s_sid, proof),
            ERR_BAD_SIGNATURE);
  /* A proof made with another invite's secret: refused. */
  invite_prove(other_inv, identity_public_key(k.joiner), c_sid, proof);
  ASSERT_EQ(invite_verify(log_pk, k.network_id, peer, s_sid, proof),
            ERR_BAD_SIGNATURE);
  /* A tampered proof: refused. */
  invite_prove(joined, identity_public_key(k.joiner), c_sid, proof);
  proof[10] ^= 4;
  ASSERT_EQ(invite_verify(log_pk, k.network_id, peer, s_sid, proof),
            ERR_BAD_SIGNATURE);

  /* The join plane key depends on the network id only, and is not it. */
  j1 = invite_join_netkey(k.network_id);
  j2 = invite_join_netkey(other_id);
  ASSERT_NE(memcmp(netkey_bytes(j1), netkey_bytes(j2), NETKEY_BYTES), 0);
  netkey_free(&j2);
  j2 = invite_join_netkey(k.network_id);
  ASSERT_EQ(memcmp(netkey_bytes(j1), netkey_bytes(j2), NETKEY_BYTES), 0);
  netkey_free(&j1);
  netkey_free(&j2);

  xfree(code);
  invite_free(&inv);
  invite_free(&joined);
  invite_free(&other_inv);
  keys_close(&k);
  return 0;
}

/* Random base32 text after the prefix is refused (the checksum). */
TEST_IMPL(invite_random_codes_refused)
{
  enum { ROUNDS = 2000 };
  static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
  char code[INVITE_CODE_MAX];
  uint8_t r[INVITE_CODE_MAX];
  struct invite *inv = NULL;
  size_t len, i, prefix = strlen(INVITE_PREFIX);
  int round;

  ASSERT_OK(secure_init());
  for (round = 0; round < ROUNDS; round++) {
    secure_random(&len, sizeof(len));
    len = prefix + len % (sizeof(code) - prefix);
    secure_random(r, len);
    memcpy(code, INVITE_PREFIX, prefix);
    for (i = prefix; i < len; i++)
      code[i] = alphabet[r[i] % 32];
    ASSERT_EQ(invite_parse(code, len, &inv), ERR_PARSE);
    ASSERT_NULL(inv);
  }
  return 0;
}
