/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The node's Ed25519 identity: created once by `glowtalk init`, kept in
 * DIR/identity.key (0600), held in sodium_malloc'd read-only memory while
 * loaded and wiped on free. The public key is the node id. Signatures are
 * domain-separated by a context string so a signature made for one purpose
 * can never be replayed as another. */
#ifndef GLOWTALK_IDENTITY_H
#define GLOWTALK_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

#define IDENTITY_PUBLIC_BYTES 32
#define IDENTITY_SIGNATURE_BYTES 64
#define IDENTITY_ID_HEX (2 * IDENTITY_PUBLIC_BYTES + 1) /* with NUL */
#define IDENTITY_CONTEXT_MAX 64 /* bytes of a signing context */
#define IDENTITY_SEED_BYTES 32  /* Ed25519 seed */

struct identity;

/* Make a new identity and write it to path. ERR_EXISTS when path exists
 * and !replace. On success *out holds it (owes one identity_free()). */
int identity_create(const char *path, int replace, struct identity **out,
                    char *errbuf, size_t errlen) WARN_UNUSED;
/* Load the identity in path. ERR_NOT_INITIALISED when there is none,
 * ERR_FORBIDDEN when the file is readable by others, ERR_PARSE when it is
 * not a key file. */
int identity_load(const char *path, struct identity **out, char *errbuf,
                  size_t errlen) WARN_UNUSED;
/* An identity from a 32-byte Ed25519 seed, not stored anywhere: for
 * conformance tests and deterministic test keys (a node's identity comes
 * from identity_create/identity_load). The caller wipes its seed. ERR_CRYPTO
 * if guarded memory cannot be had. On success *out owes identity_free(). */
int identity_from_seed(const uint8_t seed[IDENTITY_SEED_BYTES],
                       struct identity **out) WARN_UNUSED;
/* Wipe and free; clears *id. */
void identity_free(struct identity **id);

const uint8_t *identity_public_key(const struct identity *id);
/* The node id: the public key in lowercase hex. */
void identity_id_hex(const struct identity *id, char out[IDENTITY_ID_HEX]);

/* Sign (context, msg) with this identity. context is a short ASCII label
 * such as "glowtalk-entry-v1". */
void identity_sign(const struct identity *id, const char *context,
                   const void *msg, size_t len,
                   uint8_t sig[IDENTITY_SIGNATURE_BYTES]);
/* 0 when sig is pub's signature of (context, msg); ERR_BAD_SIGNATURE
 * otherwise. */
int identity_verify(const uint8_t pub[IDENTITY_PUBLIC_BYTES],
                    const char *context, const void *msg, size_t len,
                    const uint8_t sig[IDENTITY_SIGNATURE_BYTES]) WARN_UNUSED;

#endif
