/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Render-cache keys and the render_cache table (see rcache.h). */
#include "node/rcache.h"

#include <string.h>
#include <time.h>

#include "node/db.h"


static void
add_str(struct secure_hash_state *h, const char *s)
{
  uint8_t len[8];
  uint64_t n = s ? strlen(s) : 0;
  int i;

  for (i = 0; i < 8; i++)
    len[i] = (uint8_t)(n >> (8 * i));
  secure_hash_update(h, len, sizeof(len));
  if (n > 0)
    secure_hash_update(h, s, (size_t)n);
}

static void
add_int(struct secure_hash_state *h, int64_t v)
{
  uint8_t b[8];
  int i;

  for (i = 0; i < 8; i++)
    b[i] = (uint8_t)((uint64_t)v >> (8 * i));
  secure_hash_update(h, b, sizeof(b));
}

void
rcache_context(const struct rcache_key_parts *p,
               uint8_t ctx[SECURE_HASH_BYTES])
{
  struct secure_hash_state *h = secure_hash_new();

  add_str(h, RCACHE_CONTEXT_KEY);
  add_str(h, p->engine);
  add_str(h, p->engine_version);
  add_str(h, p->voice);
  add_str(h, p->mix);
  add_str(h, p->lexicon);
  add_int(h, p->flags);
  add_str(h, p->audio);
  add_int(h, p->bitrate);
  add_int(h, p->complexity);
  secure_hash_final(&h, ctx);
}

void
rcache_key_from(const uint8_t ctx[SECURE_HASH_BYTES], const char *text,
                uint32_t take, uint8_t key[SECURE_HASH_BYTES])
{
  struct secure_hash_state *h = secure_hash_new();

  add_str(h, RCACHE_KEY_KEY);
  secure_hash_update(h, ctx, SECURE_HASH_BYTES);
  add_str(h, text);
  add_int(h, take);
  secure_hash_final(&h, key);
}

void
rcache_key(const struct rcache_key_parts *p, uint8_t key[SECURE_HASH_BYTES])
{
  uint8_t ctx[SECURE_HASH_BYTES];

  rcache_context(p, ctx);
  rcache_key_from(ctx, p->text, p->take, key);
}

int
rcache_get(struct db *db, const uint8_t key[SECURE_HASH_BYTES],
           struct rcache_entry *out)
{
  struct db_stmt *st = NULL;
  const void *blob;
  size_t len = 0;
  int err;

  err = db_prepare(db, "SELECT blob, size, duration_ms FROM render_cache "
                   "WHERE key = ?", &st);
  if (err == 0)
    err = db_bind_blob(st, 1, key, SECURE_HASH_BYTES);
  if (err == 0)
    err = db_step(st);
  if (err == DB_ROW) {
    blob = db_col_blob(st, 0, &len);
    if (blob == NULL || len != SECURE_HASH_BYTES) {
      err = ERR_DB_CORRUPT;
    } else {
      memcpy(out->blob, blob, SECURE_HASH_BYTES);
      out->size = db_col_int(st, 1);
      out->duration_ms = db_col_int(st, 2);
      err = 0;
    }
  } else if (err == DB_DONE) {
    err = ERR_NOT_FOUND;
  }
  db_finalize(&st);
  return err;
}

int
rcache_put(struct db *db, const uint8_t key[SECURE_HASH_BYTES],
           const struct rcache_entry *e)
{
  struct db_stmt *st = NULL;
  int err;

  err = db_prepare(db, "INSERT OR REPLACE INTO render_cache(key, blob, "
                   "size, duration_ms, created) VALUES (?, ?, ?, ?, ?)",
                   &st);
  if (err == 0)
    err = db_bind_blob(st, 1, key, SECURE_HASH_BYTES);
  if (err == 0)
    err = db_bind_blob(st, 2, e->blob, SECURE_HASH_BYTES);
  if (err == 0)
    err = db_bind_int(st, 3, e->size);
  if (err == 0)
    err = db_bind_int(st, 4, e->duration_ms);
  if (err == 0)
    err = db_bind_int(st, 5, (int64_t)time(NULL));
  if (err == 0)
    err = db_step(st);
  db_finalize(&st);
  return err == DB_DONE ? 0 : (err ? err : ERR_DB);
}

int
rcache_blob_referenced(void *arg, const uint8_t blob[SECURE_HASH_BYTES])
{
  struct db_stmt *st = NULL;
  int err;

  err = db_prepare(arg, "SELECT 1 FROM render_cache WHERE blob = ? "
                   "LIMIT 1", &st);
  if (err == 0)
    err = db_bind_blob(st, 1, blob, SECURE_HASH_BYTES);
  if (err == 0)
    err = db_step(st);
  db_finalize(&st);
  if (err == DB_ROW)
    return 1;
  return err == DB_DONE ? 0 : (err ? err : ERR_DB);
}
