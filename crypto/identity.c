/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Node identity (Ed25519); see identity.h. The file holds the 32-byte seed;
 * the 64-byte secret key is derived into guarded memory on load. */
#include "crypto/identity.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/internal.h"
#include "node/alloc.h"
#include "node/hex.h"

#define IDENTITY_TAG "glowtalk-identity-v1"

_Static_assert(IDENTITY_SEED_BYTES == crypto_sign_SEEDBYTES, "seed size");

struct identity {
  uint8_t *secret; /* sodium_malloc'd, read-only: crypto_sign_SECRETKEYBYTES */
  uint8_t pub[IDENTITY_PUBLIC_BYTES];
};

static int
from_seed(const uint8_t *seed, struct identity **out)
{
  struct identity *id;

  id = xcalloc(1, sizeof(*id));
  id->secret = sodium_malloc(crypto_sign_SECRETKEYBYTES);
  if (id->secret == NULL) {
    xfree(id);
    return ERR_CRYPTO;
  }
  crypto_sign_seed_keypair(id->pub, id->secret, seed);
  sodium_mprotect_readonly(id->secret);
  *out = id;
  return 0;
}

int
identity_create(const char *path, int replace, struct identity **out,
                char *errbuf, size_t errlen)
{
  uint8_t *seed;
  int err;

  *out = NULL;
  if (sodium_init() < 0)
    return ERR_CRYPTO;
  seed = sodium_malloc(KEYFILE_SECRET_BYTES);
  if (seed == NULL)
    return ERR_CRYPTO;
  randombytes_buf(seed, KEYFILE_SECRET_BYTES);
  err = keyfile__write(path, "Glowtalk node identity. Secret: never copy "
                       "or share this file.", IDENTITY_TAG, seed, replace,
                       errbuf, errlen);
  if (!err)
    err = from_seed(seed, out);
  sodium_free(seed);
  return err;
}

int
identity_load(const char *path, struct identity **out, char *errbuf,
              size_t errlen)
{
  uint8_t *seed;
  int err;

  *out = NULL;
  if (sodium_init() < 0)
    return ERR_CRYPTO;
  seed = sodium_malloc(KEYFILE_SECRET_BYTES);
  if (seed == NULL)
    return ERR_CRYPTO;
  err = keyfile__read(path, IDENTITY_TAG, seed, errbuf, errlen);
  if (!err)
    err = from_seed(seed, out);
  sodium_free(seed);
  return err;
}

int
identity_from_seed(const uint8_t seed[IDENTITY_SEED_BYTES],
                   struct identity **out)
{
  *out = NULL;
  if (sodium_init() < 0)
    return ERR_CRYPTO;
  return from_seed(seed, out);
}

void
identity_free(struct identity **id)
{
  if (id == NULL || *id == NULL)
    return;
  sodium_free((*id)->secret); /* wipes before freeing */
  xfree(*id);
  *id = NULL;
}

const uint8_t *
identity_public_key(const struct identity *id)
{
  return id->pub;
}

void
identity_id_hex(const struct identity *id, char out[IDENTITY_ID_HEX])
{
  hex_encode(out, id->pub, IDENTITY_PUBLIC_BYTES);
}

const uint8_t *
identity__secret_key(const struct identity *id)
{
  return id->secret;
}

/* Domain separation: what is signed is BLAKE2b-512 keyed by nothing over
 * (len(context) || context || msg), so contexts can never run into the
 * message. Hashing first also keeps signing cost flat for big messages. */
static void
signable(uint8_t out[crypto_generichash_BYTES_MAX], const char *context,
         const void *msg, size_t len)
{
  crypto_generichash_state st;
  uint8_t clen = (uint8_t)strnlen(context, IDENTITY_CONTEXT_MAX);

  crypto_generichash_init(&st, NULL, 0, crypto_generichash_BYTES_MAX);
  crypto_generichash_update(&st, &clen, 1);
  crypto_generichash_update(&st, (const uint8_t *)context, clen);
  crypto_generichash_update(&st, msg, len);
  crypto_generichash_final(&st, out, crypto_generichash_BYTES_MAX);
}

void
identity_sign(const struct identity *id, const char *context,
              const void *msg, size_t len,
              uint8_t sig[IDENTITY_SIGNATURE_BYTES])
{
  uint8_t h[crypto_generichash_BYTES_MAX];
  signable(h, context, msg, len);
  crypto_sign_detached(sig, NULL, h, sizeof(h), id->secret);
}

int
identity_verify(const uint8_t pub[IDENTITY_PUBLIC_BYTES],
                const char *context, const void *msg, size_t len,
                const uint8_t sig[IDENTITY_SIGNATURE_BYTES])
{
  uint8_t h[crypto_generichash_BYTES_MAX];
  signable(h, context, msg, len);
  return crypto_sign_verify_detached(sig, h, sizeof(h), pub) == 0
             ? 0
             : ERR_BAD_SIGNATURE;
}
