/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Test helpers for the log: simulated authors that sign entries by hand
 * (so tests can forge every header field), and fresh stores. Defined in
 * test-feed.c. */
#ifndef GLOWTALK_LOGTEST_H
#define GLOWTALK_LOGTEST_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/identity.h"
#include "node/db.h"
#include "node/feed.h"
#include "node/wire.h"

struct tauthor {
  struct identity *id;
  uint8_t key[WIRE_KEY_BYTES];
  uint64_t seq;                    /* last seq signed */
  uint8_t last[WIRE_HASH_BYTES];   /* id of that entry */
  uint64_t lamport;                /* of that entry */
};

extern const uint8_t lt_net[WIRE_NETWORK_ID_BYTES];

/* An identity in dir (file name from n). Aborts on failure. */
void lt_author(struct tauthor *a, const char *dir, int n);
void lt_author_free(struct tauthor *a);
/* Sign e as a's next entry with lamport max(a->lamport, seen) + 1; fills
 * the header, advances a, returns SignedEntry bytes (caller frees with
 * xfree) and the entry id. */
uint8_t *lt_next(struct tauthor *a, struct wire_entry *e, uint64_t seen,
                 size_t *len, uint8_t id[WIRE_HASH_BYTES]);
/* Encode and sign e exactly as given (header included) with a's key. */
uint8_t *lt_sign_raw(struct tauthor *a, const struct wire_entry *e,
                     size_t *len, uint8_t id[WIRE_HASH_BYTES]);
/* A fresh store in dir/name with founder pinned; a feed on it as me. */
void lt_store(const char *dir, const char *name, const uint8_t *founder,
              const struct identity *me, struct db **db, struct feed **f);
/* Pretend work_id's document is stored in db (a works row), so the
 * scheduler plans its books' tasks. */
void lt_work_stored(struct db *db, const char *work_id);
/* Receive and return the verdict; aborts on a local error. */
int lt_recv(struct feed *f, const uint8_t *buf, size_t len,
            struct feed_result *res);
/* Hex state hash of f's reducer (static buffer per call site: copy). */
void lt_hash(struct feed *f, char out[65]);
int64_t lt_count(struct db *db, const char *sql);

#endif
