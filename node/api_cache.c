/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Answers kept per store generation; see api_cache.h. A hash table of
 * fixed slots: a new answer replaces whatever shared its slot. */
#include "node/api_cache.h"

#include <pthread.h>
#include <string.h>

#include "node/alloc.h"
#include "node/db.h"

struct slot {
  char key[API_CACHE_KEY_MAX];
  uint64_t gen;
  char *text;
  size_t len;
};

struct api_cache {
  pthread_mutex_t lock;
  struct slot slots[API_CACHE_SLOTS];
  size_t bytes;
};

struct api_cache *
api_cache_new(void)
{
  struct api_cache *c = xcalloc(1, sizeof(*c));
  pthread_mutex_init(&c->lock, NULL);
  return c;
}

void
api_cache_free(struct api_cache **cp)
{
  size_t i;

  if (cp == NULL || *cp == NULL)
    return;
  for (i = 0; i < API_CACHE_SLOTS; i++)
    xfree((*cp)->slots[i].text);
  pthread_mutex_destroy(&(*cp)->lock);
  xfree(*cp);
  *cp = NULL;
}

uint64_t
api_cache_gen(struct db *db)
{
  int64_t version = 0, changes = 0;

  if (db_query_int(db, "PRAGMA data_version", &version) ||
      db_query_int(db, "SELECT total_changes()", &changes))
    return 0;
  /* Both only grow while the connection is open. */
  return ((uint64_t)version << 40) ^ (uint64_t)changes ^ 1u;
}

static size_t
slot_of(const char *key)
{
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *key; key++)
    h = (h ^ (uint8_t)*key) * 1099511628211ull;
  return (size_t)(h % API_CACHE_SLOTS);
}

int
api_cache_get(struct api_cache *c, const char *key, uint64_t gen,
              struct buf *out)
{
  struct slot *s = &c->slots[slot_of(key)];
  int hit = 0;

  if (gen == 0)
    return 0;
  pthread_mutex_lock(&c->lock);
  if (s->text && s->gen == gen && strcmp(s->key, key) == 0 &&
      buf_append(out, s->text, s->len) == 0)
    hit = 1;
  pthread_mutex_unlock(&c->lock);
  return hit;
}

void
api_cache_put(struct api_cache *c, const char *key, uint64_t gen,
              const char *text, size_t len)
{
  struct slot *s = &c->slots[slot_of(key)];
  size_t i;

  if (gen == 0 || len > API_CACHE_ITEM_MAX ||
      strlen(key) >= API_CACHE_KEY_MAX)
    return;
  pthread_mutex_lock(&c->lock);
  if (c->bytes - s->len + len > API_CACHE_BYTES) {
    for (i = 0; i < API_CACHE_SLOTS; i++) {
      xfree(c->slots[i].text);
      c->slots[i].text = NULL;
      c->slots[i].len = 0;
    }
    c->bytes = 0;
  }
  c->bytes -= s->len;
  xfree(s->text);
  s->text = xmalloc(len + 1);
  memcpy(s->text, text, len);
  s->text[len] = '\0';
  s->len = len;
  s->gen = gen;
  memcpy(s->key, key, strlen(key) + 1);
  c->bytes += len;
  pthread_mutex_unlock(&c->lock);
}
