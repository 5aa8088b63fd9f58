/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Thin layer over libsodium's generic primitives; see secure.h. */
#include "crypto/secure.h"

#include <sodium.h>

#include "node/alloc.h"

struct secure_hash_state {
  crypto_generichash_state st;
};

int
secure_init(void)
{
  return sodium_init() < 0 ? ERR_CRYPTO : 0;
}

void
secure_random(void *buf, size_t len)
{
  randombytes_buf(buf, len);
}
void
secure_wipe(void *buf, size_t len)
{
  sodium_memzero(buf, len);
}

int
secure_compare(const void *a, const void *b, size_t len)
{
  return sodium_memcmp(a, b, len) == 0 ? 0 : 1;
}

void
secure_hash(uint8_t out[SECURE_HASH_BYTES], const void *data, size_t len,
            const void *key, size_t keylen)
{
  crypto_generichash(out, SECURE_HASH_BYTES, data, len, key, keylen);
}

struct secure_hash_key {
  crypto_generichash_state st; /* after the key block */
};

struct secure_hash_key *
secure_hash_key_new(const void *key, size_t keylen)
{
  struct secure_hash_key *k = xmalloc(sizeof(*k));
  if (keylen > SECURE_HASH_KEY_MAX)
    keylen = SECURE_HASH_KEY_MAX;
  crypto_generichash_init(&k->st, key, keylen, SECURE_HASH_BYTES);
  return k;
}

void
secure_hash_keyed(const struct secure_hash_key *k,
                  uint8_t out[SECURE_HASH_BYTES], const void *data,
                  size_t len)
{
  /* The state is plain data: a copy continues from the key block. */
  crypto_generichash_state st = k->st;
  crypto_generichash_update(&st, data, len);
  crypto_generichash_final(&st, out, SECURE_HASH_BYTES);
}

void
secure_hash_key_free(struct secure_hash_key **k)
{
  if (k == NULL || *k == NULL)
    return;
  sodium_memzero(*k, sizeof(**k));
  xfree(*k);
  *k = NULL;
}

struct secure_hash_state *
secure_hash_new(void)
{
  struct secure_hash_state *s = xmalloc(sizeof(*s));
  crypto_generichash_init(&s->st, NULL, 0, SECURE_HASH_BYTES);
  return s;
}

void
secure_hash_update(struct secure_hash_state *s, const void *data,
                   size_t len)
{
  crypto_generichash_update(&s->st, data, len);
}

void
secure_hash_final(struct secure_hash_state **s,
                  uint8_t out[SECURE_HASH_BYTES])
{
  crypto_generichash_final(&(*s)->st, out, SECURE_HASH_BYTES);
  xfree(*s);
  *s = NULL;
}

int
secure_base64_decode(uint8_t *out, size_t outmax, size_t *outlen,
                     const char *text, size_t textlen)
{
  if (textlen / 4 * 3 > outmax + 2)
    return ERR_TOO_BIG;
  if (sodium_base642bin(out, outmax, text, textlen, NULL, outlen, NULL,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return ERR_PARSE;
  return 0;
}
