/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* libsodium set-up and the small primitives every module may use: random
 * bytes, wiping, constant-time compare, BLAKE2b. */
#ifndef GLOWTALK_SECURE_H
#define GLOWTALK_SECURE_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

#define SECURE_HASH_BYTES 32 /* BLAKE2b-256 */

/* Initialise libsodium; safe to call more than once. ERR_CRYPTO if the
 * library cannot start (no entropy source). */
int secure_init(void) WARN_UNUSED;
void secure_random(void *buf, size_t len);
void secure_wipe(void *buf, size_t len);
/* 0 when equal, in time that depends only on len. */
int secure_compare(const void *a, const void *b, size_t len);

/* Decode standard base64 (with padding) into out. ERR_PARSE when the text
 * is not base64, ERR_TOO_BIG when out is too small. *outlen gets the
 * decoded size. */
int secure_base64_decode(uint8_t *out, size_t outmax, size_t *outlen,
                         const char *text, size_t textlen) WARN_UNUSED;

/* BLAKE2b-256 of data, with an optional key (keylen 0 = none). */
void secure_hash(uint8_t out[SECURE_HASH_BYTES], const void *data,
                 size_t len, const void *key, size_t keylen);

/* Keyed BLAKE2b-256 with the key absorbed once: secure_hash_keyed gives
 * what secure_hash(out, data, len, key, keylen) gives, one compression
 * cheaper (hot paths hash many messages under one key). keylen is 1 to
 * SECURE_HASH_KEY_MAX. Owes one secure_hash_key_free(). */
#define SECURE_HASH_KEY_MAX 64
struct secure_hash_key;
struct secure_hash_key *secure_hash_key_new(const void *key, size_t keylen);
void secure_hash_keyed(const struct secure_hash_key *k,
                       uint8_t out[SECURE_HASH_BYTES], const void *data,
                       size_t len);
void secure_hash_key_free(struct secure_hash_key **k);

/* Streaming BLAKE2b-256 for files and transfers. */
struct secure_hash_state;
struct secure_hash_state *secure_hash_new(void);
void secure_hash_update(struct secure_hash_state *s, const void *data,
                        size_t len);
/* Write the digest and free the state. */
void secure_hash_final(struct secure_hash_state **s,
                       uint8_t out[SECURE_HASH_BYTES]);

#endif
