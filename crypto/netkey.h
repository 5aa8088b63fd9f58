/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The swarm's secret network key (the secret-handshake "app key"): only
 * members have it, and a peer without it cannot even complete a handshake.
 * Kept in DIR/network.key (0600). The network id is a public name derived
 * from it, so ids can be shown and compared without revealing the key. */
#ifndef GLOWTALK_NETKEY_H
#define GLOWTALK_NETKEY_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

#define NETKEY_BYTES 32
#define NETKEY_ID_BYTES 16
#define NETKEY_ID_HEX (2 * NETKEY_ID_BYTES + 1) /* with NUL */

struct netkey;

/* A new random network key written to path (ERR_EXISTS unless replace). */
int netkey_create(const char *path, int replace, struct netkey **out,
                  char *errbuf, size_t errlen) WARN_UNUSED;
int netkey_load(const char *path, struct netkey **out, char *errbuf,
                size_t errlen) WARN_UNUSED;
/* Wrap a key received in an invite; the caller wipes its copy. */
struct netkey *netkey_from_bytes(const uint8_t key[NETKEY_BYTES]);
/* Write an existing key to path. */
int netkey_save(const struct netkey *k, const char *path, char *errbuf,
                size_t errlen) WARN_UNUSED;
void netkey_free(struct netkey **k);
/* The key bytes, for the handshake. Read-only guarded memory. */
const uint8_t *netkey_bytes(const struct netkey *k);
void netkey_id(const struct netkey *k, uint8_t out[NETKEY_ID_BYTES]);
void netkey_id_hex(const struct netkey *k, char out[NETKEY_ID_HEX]);

#endif
