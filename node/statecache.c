/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* A small process-wide cache of state hashes by store generation; see
 * statecache.h. */
#include "node/statecache.h"

#include <pthread.h>
#include <string.h>

struct slot {
  struct db_gen gen;
  char hash[2 * STATE_HASH_BYTES + 1];
  uint64_t used;  /* last use, for eviction; 0 = empty */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[STATECACHE_SLOTS];
static uint64_t clock_;

static int
same(const struct db_gen *a, const struct db_gen *b)
{
  return a->serial == b->serial && a->version == b->version &&
         a->changes == b->changes;
}

int
statecache_hash_hex(struct db *db, char out[2 * STATE_HASH_BYTES + 1],
                    int *computed)
{
  struct db_gen gen;
  struct state *st = NULL;
  size_t i, victim = 0;
  int err;

  if (computed)
    *computed = 0;
  err = db_generation(db, &gen);
  if (err)
    return err;
  pthread_mutex_lock(&lock);
  for (i = 0; i < STATECACHE_SLOTS; i++) {
    if (slots[i].used && same(&slots[i].gen, &gen)) {
      memcpy(out, slots[i].hash, sizeof(slots[i].hash));
      slots[i].used = ++clock_;
      pthread_mutex_unlock(&lock);
      return 0;
    }
  }
  pthread_mutex_unlock(&lock);
  /* Computed outside the lock: it reads only db, which is the caller's. */
  err = state_open(db, &st);
  if (!err)
    err = state_hash_hex(st, out);
  state_free(&st);
  if (err)
    return err;
  if (computed)
    *computed = 1;
  pthread_mutex_lock(&lock);
  for (i = 0; i < STATECACHE_SLOTS; i++) {
    if (slots[i].used && slots[i].gen.serial == gen.serial) {
      victim = i; /* this connection's older generation */
      break;
    }
    if (slots[i].used < slots[victim].used)
      victim = i;
  }
  slots[victim].gen = gen;
  memcpy(slots[victim].hash, out, sizeof(slots[victim].hash));
  slots[victim].used = ++clock_;
  pthread_mutex_unlock(&lock);
  return 0;
}

/* ---- queue counts ------------------------------------------------------- */

struct cslot {
  struct db_gen gen;
  struct state_counts c;
  uint64_t used;  /* last use, for eviction; 0 = empty */
};

static struct cslot cslots[STATECACHE_SLOTS]; /* guarded by lock */

int
statecache_counts(struct db *db, struct state_counts *out)
{
  struct db_gen gen;
  struct state *st = NULL;
  size_t i, victim = 0;
  int err;

  err = db_generation(db, &gen);
  if (err)
    return err;
  pthread_mutex_lock(&lock);
  for (i = 0; i < STATECACHE_SLOTS; i++) {
    if (cslots[i].used && same(&cslots[i].gen, &gen)) {
      *out = cslots[i].c;
      cslots[i].used = ++clock_;
      pthread_mutex_unlock(&lock);
      return 0;
    }
  }
  pthread_mutex_unlock(&lock);
  err = state_open(db, &st);
  if (!err)
    err = state_counts(st, out);
  state_free(&st);
  if (err)
    return err;
  pthread_mutex_lock(&lock);
  for (i = 0; i < STATECACHE_SLOTS; i++) {
    if (cslots[i].used && cslots[i].gen.serial == gen.serial) {
      victim = i;
      break;
    }
    if (cslots[i].used < cslots[victim].used)
      victim = i;
  }
  cslots[victim].gen = gen;
  cslots[victim].c = *out;
  cslots[victim].used = ++clock_;
  pthread_mutex_unlock(&lock);
  return 0;
}
