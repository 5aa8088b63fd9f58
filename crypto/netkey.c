/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Network key; see netkey.h. */
#include "crypto/netkey.h"

#include <string.h>

#include <sodium.h>

#include "crypto/internal.h"
#include "node/alloc.h"
#include "node/hex.h"

#define NETKEY_TAG "glowtalk-network-v1"
#define NETKEY_COMMENT "Glowtalk swarm network key. Secret: only members " \
                       "may have it."
#define NETKEY_ID_CONTEXT "glowtalk-network-id-v1"

struct netkey {
  uint8_t *key; /* sodium_malloc'd NETKEY_BYTES */
};

static struct netkey *
alloc_key(void)
{
  struct netkey *k = xcalloc(1, sizeof(*k));
  k->key = sodium_malloc(NETKEY_BYTES);
  if (k->key == NULL) {
    xfree(k);
    return NULL;
  }
  return k;
}

int
netkey_create(const char *path, int replace, struct netkey **out,
              char *errbuf, size_t errlen)
{
  struct netkey *k;
  int err;

  *out = NULL;
  if (sodium_init() < 0 || (k = alloc_key()) == NULL)
    return ERR_CRYPTO;
  randombytes_buf(k->key, NETKEY_BYTES);
  err = keyfile__write(path, NETKEY_COMMENT, NETKEY_TAG, k->key, replace,
                       errbuf, errlen);
  if (err) {
    netkey_free(&k);
    return err;
  }
  sodium_mprotect_readonly(k->key);
  *out = k;
  return 0;
}

int
netkey_load(const char *path, struct netkey **out, char *errbuf,
            size_t errlen)
{
  struct netkey *k;
  int err;

  *out = NULL;
  if (sodium_init() < 0 || (k = alloc_key()) == NULL)
    return ERR_CRYPTO;
  err = keyfile__read(path, NETKEY_TAG, k->key, errbuf, errlen);
  if (err) {
    netkey_free(&k);
    return err;
  }
  sodium_mprotect_readonly(k->key);
  *out = k;
  return 0;
}

struct netkey *
netkey_from_bytes(const uint8_t key[NETKEY_BYTES])
{
  struct netkey *k;
  if (sodium_init() < 0 || (k = alloc_key()) == NULL)
    return NULL;
  memcpy(k->key, key, NETKEY_BYTES);
  sodium_mprotect_readonly(k->key);
  return k;
}

int
netkey_save(const struct netkey *k, const char *path, char *errbuf,
            size_t errlen)
{
  return keyfile__write(path, NETKEY_COMMENT, NETKEY_TAG, k->key, 1, errbuf,
                        errlen);
}

void
netkey_free(struct netkey **k)
{
  if (k == NULL || *k == NULL)
    return;
  sodium_free((*k)->key);
  xfree(*k);
  *k = NULL;
}

const uint8_t *
netkey_bytes(const struct netkey *k)
{
  return k->key;
}

void
netkey_id(const struct netkey *k, uint8_t out[NETKEY_ID_BYTES])
{
  crypto_generichash(out, NETKEY_ID_BYTES,
                     (const uint8_t *)NETKEY_ID_CONTEXT,
                     strlen(NETKEY_ID_CONTEXT), k->key, NETKEY_BYTES);
}

void
netkey_id_hex(const struct netkey *k, char out[NETKEY_ID_HEX])
{
  uint8_t id[NETKEY_ID_BYTES];
  netkey_id(k, id);
  hex_encode(out, id, NETKEY_ID_BYTES);
}
