/* PRIVATE to crypto/: nothing outside this folder includes this header. */
/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
#ifndef GLOWTALK_CRYPTO_INTERNAL_H
#define GLOWTALK_CRYPTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/identity.h"

#define KEYFILE_SECRET_BYTES 32 /* seed or symmetric key */
#define KEYFILE_MAX 4096        /* bytes; key files are tiny */

/* Write a key file "# comment\nTAG HEX\n" with mode 0600 through a temp file
 * and rename. ERR_EXISTS if path exists and !replace. */
int keyfile__write(const char *path, const char *comment, const char *tag,
                   const uint8_t secret[KEYFILE_SECRET_BYTES], int replace,
                   char *errbuf, size_t errlen);
/* Read a key file written by keyfile__write into secret (which the caller
 * should have in sodium_malloc'd memory). Refuses files readable by group
 * or others. */
int keyfile__read(const char *path, const char *tag,
                  uint8_t secret[KEYFILE_SECRET_BYTES], char *errbuf,
                  size_t errlen);

/* The Ed25519 secret key (64 bytes, libsodium layout) of an identity, for
 * the handshake. Read-only memory. */
const uint8_t *identity__secret_key(const struct identity *id);

/* The secret-handshake session secret (crypto/shs.c), for deriving the
 * transport keys in crypto/frames.c. ERR_INVAL before the handshake is
 * done. The caller wipes its copy. */
#define SHS__SESSION_BYTES 32
struct shs;
int shs__session_secret(const struct shs *s,
                        uint8_t out[SHS__SESSION_BYTES]);

#endif
