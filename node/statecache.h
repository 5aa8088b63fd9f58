/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The state hash, recomputed only when the store changed: state_hash is
 * O(rows) (0.3 s at 150,000 sentences) and status asks for it on every
 * call. Keyed by the connection's generation (db.h db_gen): a write by any
 * connection moves it. Process-wide, safe from any thread. */
#ifndef GLOWTALK_STATECACHE_H
#define GLOWTALK_STATECACHE_H

#include "node/db.h"
#include "node/err.h"
#include "node/state.h"

#define STATECACHE_SLOTS 8 /* connections remembered (least recent out) */

/* The hex state hash of db's st_* tables into out (65 bytes). *computed
 * (may be NULL) is 1 when it was computed now, 0 when it came from the
 * cache. The caller serialises use of db itself. Database errors. */
int statecache_hash_hex(struct db *db, char out[2 * STATE_HASH_BYTES + 1],
                        int *computed) WARN_UNUSED;

/* The queue counts (state_counts) of db, kept the same way in their own
 * slots: /metrics and status ask for them on every call. */
int statecache_counts(struct db *db, struct state_counts *out) WARN_UNUSED;

#endif
