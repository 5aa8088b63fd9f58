/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The content-addressed audio store: each blob is a file named by the
 * BLAKE2b-256 of its bytes, DIR/ab/<64 hex>.opus, written to a temp file
 * and renamed. It does not know what references a blob: the caller's
 * callback says so during garbage collection. */
#ifndef GLOWTALK_BLOBS_H
#define GLOWTALK_BLOBS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secure.h"
#include "node/buf.h"
#include "node/err.h"

#define BLOBS_MAX_BYTES (64u << 20)      /* bytes of one blob */
#define BLOBS_HEX_LEN (2 * SECURE_HASH_BYTES)
#define BLOBS_EXT ".opus"

struct blobs;

/* Open (creating it 0700 if needed) the store in dir. Owes one
 * blobs_close(). Negated errno if the directory cannot be made. */
int blobs_open(const char *dir, struct blobs **out) WARN_UNUSED;
void blobs_close(struct blobs **b);

/* Store len bytes; hash gets their BLAKE2b-256. Not fsynced one by one
 * (that costs more than rendering them): after a crash a torn blob is
 * caught by blobs_size() against its recorded size, or by blobs_get().
 * Storing bytes that are already there changes nothing. ERR_TOO_BIG
 * over BLOBS_MAX_BYTES, or a negated errno (no partial file is left). */
int blobs_put(struct blobs *b, const void *data, size_t len,
              uint8_t hash[SECURE_HASH_BYTES]) WARN_UNUSED;
/* Bytes of the stored blob, or -1 if it is absent. */
int64_t blobs_size(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES]);
/* 1 if the blob is stored. */
int blobs_has(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES]);
/* Read a blob into out (its cap applies), checking its hash: ERR_NOT_FOUND
 * if absent, ERR_DB_CORRUPT if the bytes do not match the name. */
int blobs_get(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES],
              struct buf *out) WARN_UNUSED;
/* Path of the blob's file (whether or not it exists). Caller frees. */
char *blobs_path(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES]);

/* Is this blob referenced? 1 yes, 0 no, negative error (stops the GC). */
typedef int (*blobs_ref_cb)(void *arg,
                            const uint8_t hash[SECURE_HASH_BYTES]);
/* Delete every blob the callback says is unreferenced, and temp files
 * older than an hour (left by a crash). Must not run while a blob is
 * stored but not yet referenced (the daemon runs it between renders).
 * *removed gets the count. The
 * callback is called once per blob.
 * Complexity: one directory walk, O(blobs). */
int blobs_gc(struct blobs *b, blobs_ref_cb ref, void *arg, size_t *removed)
    WARN_UNUSED;

/* Streaming writes (node/blobx.c receives a blob in chunks): create a temp
 * file in the blob's directory. *tmp_path (caller frees) names it; the
 * returned fd (>= 0, caller closes) is open for writing. Negated errno. */
int blobs_tmp_open(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES],
                   char **tmp_path) WARN_UNUSED;
/* Rename a complete temp file whose bytes the caller has verified to hash
 * into the store. On error the temp file is removed. Negated errno. */
int blobs_tmp_commit(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES],
                     const char *tmp_path) WARN_UNUSED;
/* Total bytes of the stored blobs into *bytes: one directory walk,
 * O(blobs). Negated errno if the store cannot be read. */
int blobs_usage(struct blobs *b, uint64_t *bytes) WARN_UNUSED;

#endif
