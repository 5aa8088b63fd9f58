/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Invite codes and proofs; see invite.h and TRANSPORT.md section 3. The
 * secret (an Ed25519 seed) lives in sodium_malloc'd memory; the invite
 * secret key is derived only for the moment of signing. */
#include "crypto/invite.h"

#include <string.h>

#include <sodium.h>

#include "node/alloc.h"

#define CHECK_KEY "glowtalk-invite-v1-checksum"
#define PROOF_CONTEXT "glowtalk-invite-use-v1"
#define JOIN_CONTEXT "glowtalk-join-plane-v1"
#define PORT_DIGITS_MAX 5
/* Fixed part of the payload: version, network id, inviter key, expiry,
 * secret, address count; then addresses (u8 length + bytes), checksum. */
#define FIXED_BYTES (1 + NETKEY_ID_BYTES + IDENTITY_PUBLIC_BYTES + 8 + \
                     INVITE_SECRET_BYTES + 1)
#define PAYLOAD_MAX (FIXED_BYTES + INVITE_ADDRS_MAX * (1 + INVITE_ADDR_MAX) + \
                     INVITE_CHECK_BYTES)
#define PREFIX_LEN (sizeof(INVITE_PREFIX) - 1)

_Static_assert(INVITE_SECRET_BYTES == crypto_sign_SEEDBYTES, "seed size");
_Static_assert(INVITE_PUBLIC_BYTES == crypto_sign_PUBLICKEYBYTES, "pk size");
_Static_assert(INVITE_PROOF_BYTES == crypto_sign_BYTES, "proof size");
_Static_assert(NETKEY_ID_BYTES >= crypto_generichash_KEYBYTES_MIN,
               "network id usable as a BLAKE2b key");
_Static_assert(PREFIX_LEN + (PAYLOAD_MAX * 8 + 4) / 5 <= INVITE_CODE_MAX,
               "the largest code fits the parse cap");

struct invite {
  uint8_t *seed;                          /* sodium_malloc'd secret */
  uint8_t pub[INVITE_PUBLIC_BYTES];       /* invite key, public */
  uint8_t network_id[NETKEY_ID_BYTES];
  uint8_t inviter[IDENTITY_PUBLIC_BYTES];
  uint64_t expires;                       /* Unix seconds */
  size_t naddrs;
  char addr[INVITE_ADDRS_MAX][INVITE_ADDR_MAX + 1];
};

/* Crockford's base32 alphabet (no i, l, o, u). */
static const char b32[] = "0123456789abcdefghjkmnpqrstvwxyz";

static int
valid_pk(const uint8_t pk[IDENTITY_PUBLIC_BYTES])
{
  uint8_t curve[crypto_scalarmult_curve25519_BYTES];
  return crypto_sign_ed25519_pk_to_curve25519(curve, pk) == 0;
}

/* "host:port": printable, no spaces, non-empty host, port 1..65535. */
static int
valid_addr(const char *a, size_t len)
{
  const char *colon = NULL;
  unsigned long port = 0;
  size_t i, digits;

  if (len == 0 || len > INVITE_ADDR_MAX)
    return 0;
  for (i = 0; i < len; i++) {
    if (a[i] < 0x21 || a[i] > 0x7e)
      return 0;
    if (a[i] == ':')
      colon = a + i;
  }
  if (colon == NULL || colon == a)
    return 0;
  digits = len - (size_t)(colon + 1 - a);
  if (digits == 0 || digits > PORT_DIGITS_MAX)
    return 0;
  for (i = 0; i < digits; i++) {
    if (colon[1 + i] < '0' || colon[1 + i] > '9')
      return 0;
    port = port * 10 + (unsigned long)(colon[1 + i] - '0');
  }
  return port >= 1 && port <= 65535;
}

static struct invite *
alloc_invite(void)
{
  struct invite *inv = xcalloc(1, sizeof(*inv));
  inv->seed = sodium_malloc(INVITE_SECRET_BYTES);
  if (inv->seed == NULL) {
    xfree(inv);
    return NULL;
  }
  return inv;
}

void
invite_free(struct invite **inv)
{
  if (inv == NULL || *inv == NULL)
    return;
  sodium_free((*inv)->seed);
  xfree(*inv);
  *inv = NULL;
}

static void
derive_pub(struct invite *inv)
{
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(inv->pub, sk, inv->seed);
  sodium_memzero(sk, sizeof(sk));
}

int
invite_new(const uint8_t network_id[NETKEY_ID_BYTES],
           const uint8_t inviter_pk[IDENTITY_PUBLIC_BYTES],
           const char *const *addrs, size_t naddrs, uint64_t expires,
           struct invite **out)
{
  struct invite *inv;
  size_t i, len;

  *out = NULL;
  if (sodium_init() < 0)
    return ERR_CRYPTO;
  if (naddrs == 0 || naddrs > INVITE_ADDRS_MAX || !valid_pk(inviter_pk))
    return ERR_INVAL;
  for (i = 0; i < naddrs; i++)
    if (addrs[i] == NULL ||
        !valid_addr(addrs[i], strnlen(addrs[i], INVITE_ADDR_MAX + 1)))
      return ERR_INVAL;
  inv = alloc_invite();
  if (inv == NULL)
    return ERR_CRYPTO;
  randombytes_buf(inv->seed, INVITE_SECRET_BYTES);
  derive_pub(inv);
  memcpy(inv->network_id, network_id, NETKEY_ID_BYTES);
  memcpy(inv->inviter, inviter_pk, IDENTITY_PUBLIC_BYTES);
  inv->expires = expires;
  inv->naddrs = naddrs;
  for (i = 0; i < naddrs; i++) {
    len = strlen(addrs[i]);
    memcpy(inv->addr[i], addrs[i], len + 1);
  }
  *out = inv;
  return 0;
}

static void
checksum(uint8_t out[INVITE_CHECK_BYTES], const uint8_t *p, size_t len)
{
  uint8_t h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof(h), p, len, (const uint8_t *)CHECK_KEY,
                     sizeof(CHECK_KEY) - 1);
  memcpy(out, h, INVITE_CHECK_BYTES);
}

char *
invite_encode(const struct invite *inv)
{
  uint8_t *p = sodium_malloc(PAYLOAD_MAX);
  size_t n = 0, i, len, o;
  uint32_t acc = 0;
  int bits = 0;
  char *text;

  if (p == NULL)
    return NULL;
  p[n++] = INVITE_VERSION;
  memcpy(p + n, inv->network_id, NETKEY_ID_BYTES);
  n += NETKEY_ID_BYTES;
  memcpy(p + n, inv->inviter, IDENTITY_PUBLIC_BYTES);
  n += IDENTITY_PUBLIC_BYTES;
  for (i = 0; i < 8; i++)
    p[n++] = (uint8_t)(inv->expires >> (56 - 8 * i));
  memcpy(p + n, inv->seed, INVITE_SECRET_BYTES);
  n += INVITE_SECRET_BYTES;
  p[n++] = (uint8_t)inv->naddrs;
  for (i = 0; i < inv->naddrs; i++) {
    len = strlen(inv->addr[i]);
    p[n++] = (uint8_t)len;
    memcpy(p + n, inv->addr[i], len);
    n += len;
  }
  checksum(p + n, p, n);
  n += INVITE_CHECK_BYTES;

  text = xmalloc(PREFIX_LEN + (n * 8 + 4) / 5 + 1);
  memcpy(text, INVITE_PREFIX, PREFIX_LEN);
  o = PREFIX_LEN;
  for (i = 0; i < n; i++) {
    acc = (acc << 8) | p[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text[o++] = b32[(acc >> bits) & 31];
    }
  }
  if (bits > 0)
    text[o++] = b32[(acc << (5 - bits)) & 31];
  text[o] = '\0';
  sodium_free(p); /* wipes the secret */
  return text;
}

/* Value of a base32 character, -1 if invalid, -2 if a separator. */
static int
b32_value(char c)
{
  const char *hit;

  if (c == ' ' || c == '-' || c == '\n' || c == '\r' || c == '\t')
    return -2;
  if (c >= 'A' && c <= 'Z')
    c = (char)(c - 'A' + 'a');
  if (c == 'i' || c == 'l')
    c = '1';
  else if (c == 'o')
    c = '0';
  hit = c != '\0' ? strchr(b32, c) : NULL;
  return hit != NULL ? (int)(hit - b32) : -1;
}

static int
has_prefix(const char *s, size_t len)
{
  size_t i;
  if (len < PREFIX_LEN)
    return 0;
  for (i = 0; i < PREFIX_LEN; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if (c != INVITE_PREFIX[i])
      return 0;
  }
  return 1;
}

/* Decode and check the payload in p[0..n) into inv. */
static int
parse_payload(struct invite *inv, const uint8_t *p, size_t n)
{
  uint8_t check[INVITE_CHECK_BYTES];
  size_t off = 0, i, len;

  if (n < FIXED_BYTES + INVITE_CHECK_BYTES)
    return ERR_PARSE;
  checksum(check, p, n - INVITE_CHECK_BYTES);
  if (sodium_memcmp(check, p + n - INVITE_CHECK_BYTES,
                    INVITE_CHECK_BYTES) != 0)
    return ERR_PARSE;
  n -= INVITE_CHECK_BYTES;
  if (p[off++] != INVITE_VERSION)
    return ERR_PARSE;
  memcpy(inv->network_id, p + off, NETKEY_ID_BYTES);
  off += NETKEY_ID_BYTES;
  memcpy(inv->inviter, p + off, IDENTITY_PUBLIC_BYTES);
  off += IDENTITY_PUBLIC_BYTES;
  if (!valid_pk(inv->inviter))
    return ERR_PARSE;
  inv->expires = 0;
  for (i = 0; i < 8; i++)
    inv->expires = (inv->expires << 8) | p[off++];
  memcpy(inv->seed, p + off, INVITE_SECRET_BYTES);
  off += INVITE_SECRET_BYTES;
  inv->naddrs = p[off++];
  if (inv->naddrs == 0 || inv->naddrs > INVITE_ADDRS_MAX)
    return ERR_PARSE;
  for (i = 0; i < inv->naddrs; i++) {
    if (off >= n)
      return ERR_PARSE;
    len = p[off++];
    if (len > n - off || !valid_addr((const char *)p + off, len))
      return ERR_PARSE;
    memcpy(inv->addr[i], p + off, len);
    inv->addr[i][len] = '\0';
    off += len;
  }
  if (off != n)
    return ERR_PARSE; /* trailing bytes */
  derive_pub(inv);
  return 0;
}

int
invite_parse(const char *code, size_t len, struct invite **out)
{
  struct invite *inv = NULL;
  uint8_t *p = NULL;
  size_t i, n = 0;
  uint32_t acc = 0;
  int bits = 0, v, err = ERR_PARSE;

  *out = NULL;
  if (len > INVITE_CODE_MAX)
    return ERR_TOO_BIG;
  if (sodium_init() < 0)
    return ERR_CRYPTO;
  while (len > 0 && b32_value(code[0]) == -2) {
    code++;
    len--;
  }
  if (!has_prefix(code, len))
    return ERR_PARSE;
  p = sodium_malloc(PAYLOAD_MAX);
  inv = alloc_invite();
  if (p == NULL || inv == NULL) {
    err = ERR_CRYPTO;
    goto fail;
  }
  for (i = PREFIX_LEN; i < len; i++) {
    v = b32_value(code[i]);
    if (v == -2)
      continue;
    if (v < 0)
      goto fail;
    acc = (acc << 5) | (uint32_t)v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (n == PAYLOAD_MAX)
        goto fail;
      p[n++] = (uint8_t)(acc >> bits);
    }
  }
  /* Only the zero padding of the last character may be left. */
  if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
    goto fail;
  err = parse_payload(inv, p, n);
  if (err)
    goto fail;
  sodium_free(p);
  *out = inv;
  return 0;
fail:
  sodium_free(p);
  invite_free(&inv);
  return err;
}

const uint8_t *
invite_public_key(const struct invite *inv)
{
  return inv->pub;
}

const uint8_t *
invite_network_id(const struct invite *inv)
{
  return inv->network_id;
}

const uint8_t *
invite_inviter_key(const struct invite *inv)
{
  return inv->inviter;
}

uint64_t
invite_expires(const struct invite *inv)
{
  return inv->expires;
}

size_t
invite_addr_count(const struct invite *inv)
{
  return inv->naddrs;
}

const char *
invite_addr(const struct invite *inv, size_t i)
{
  return i < inv->naddrs ? inv->addr[i] : NULL;
}

int
invite_expired(const struct invite *inv, uint64_t now)
{
  return now >= inv->expires;
}

/* What a proof signs: context || network id || invite key || joiner key ||
 * session id. All fields are fixed-size, so the layout is unambiguous. */
#define PROOF_MSG_BYTES (sizeof(PROOF_CONTEXT) - 1 + NETKEY_ID_BYTES + \
                         INVITE_PUBLIC_BYTES + IDENTITY_PUBLIC_BYTES +  \
                         SHS_SESSION_ID_BYTES)

static void
proof_msg(uint8_t m[PROOF_MSG_BYTES], const uint8_t *network_id,
          const uint8_t *invite_pk, const uint8_t *joiner_pk,
          const uint8_t *session_id)
{
  size_t n = sizeof(PROOF_CONTEXT) - 1;
  memcpy(m, PROOF_CONTEXT, n);
  memcpy(m + n, network_id, NETKEY_ID_BYTES);
  n += NETKEY_ID_BYTES;
  memcpy(m + n, invite_pk, INVITE_PUBLIC_BYTES);
  n += INVITE_PUBLIC_BYTES;
  memcpy(m + n, joiner_pk, IDENTITY_PUBLIC_BYTES);
  n += IDENTITY_PUBLIC_BYTES;
  memcpy(m + n, session_id, SHS_SESSION_ID_BYTES);
}

void
invite_prove(const struct invite *inv,
             const uint8_t joiner_pk[IDENTITY_PUBLIC_BYTES],
             const uint8_t session_id[SHS_SESSION_ID_BYTES],
             uint8_t proof[INVITE_PROOF_BYTES])
{
  uint8_t m[PROOF_MSG_BYTES], pk[crypto_sign_PUBLICKEYBYTES];
  uint8_t sk[crypto_sign_SECRETKEYBYTES];

  proof_msg(m, inv->network_id, inv->pub, joiner_pk, session_id);
  crypto_sign_seed_keypair(pk, sk, inv->seed);
  crypto_sign_detached(proof, NULL, m, sizeof(m), sk);
  sodium_memzero(sk, sizeof(sk));
}

int
invite_verify(const uint8_t invite_pk[INVITE_PUBLIC_BYTES],
              const uint8_t network_id[NETKEY_ID_BYTES],
              const uint8_t joiner_pk[IDENTITY_PUBLIC_BYTES],
              const uint8_t session_id[SHS_SESSION_ID_BYTES],
              const uint8_t proof[INVITE_PROOF_BYTES])
{
  uint8_t m[PROOF_MSG_BYTES];

  proof_msg(m, network_id, invite_pk, joiner_pk, session_id);
  return crypto_sign_verify_detached(proof, m, sizeof(m), invite_pk) == 0
             ? 0
             : ERR_BAD_SIGNATURE;
}

struct netkey *
invite_join_netkey(const uint8_t network_id[NETKEY_ID_BYTES])
{
  uint8_t key[NETKEY_BYTES];
  struct netkey *k;

  if (sodium_init() < 0)
    return NULL;
  crypto_generichash(key, sizeof(key), (const uint8_t *)JOIN_CONTEXT,
                     sizeof(JOIN_CONTEXT) - 1, network_id, NETKEY_ID_BYTES);
  k = netkey_from_bytes(key);
  sodium_memzero(key, sizeof(key));
  return k;
}
