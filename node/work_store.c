/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Works into SQLite; see work_store.h. Each post carries a hash of its
 * sentences (ids, paragraphs, pauses): an unchanged hash skips the post's
 * sentences entirely, so re-importing a long thread touches only what
 * changed. Changed posts mark their rows stale, upsert the new sentences
 * (same id = same row) and delete what stayed stale. */
#include "node/work_store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/hex.h"

#define LOG_MODULE "store"
#include "node/log.h"

#define TEXT_HASH_BYTES 16 /* of the sentences of one post */
#define STORE_CACHE_KIB 65536  /* page cache during an import, KiB */
#define STR_(x) #x
#define STR(x) STR_(x)

enum stmt_id {
  S_WORK, S_THREAD, S_POST_GET, S_POST, S_STALE, S_SENT, S_PURGE,
  S_CHARS_DEL, S_CHARS, S_ORDER, S_MOVE, S_UNMARK, N_STMTS
};

static const char *const sqls[N_STMTS] = {
  [S_WORK] =
    "INSERT INTO works(work_id, key, source, title, doc_hash, imported_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(work_id) DO UPDATE SET "
    "source = ?3, title = coalesce(?4, title), doc_hash = ?5, "
    "imported_at = ?6, imports = imports + 1",
  [S_THREAD] =
    "INSERT INTO work_threads(work_id, position, glowfic_id, subject, "
    "description, board, section) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT(work_id, position) DO UPDATE SET "
    "glowfic_id = CASE WHEN ?3 > 0 THEN ?3 ELSE glowfic_id END, "
    "subject = coalesce(?4, subject), description = coalesce(?5, "
    "description), board = coalesce(?6, board), "
    "section = coalesce(?7, section)",
  [S_POST_GET] =
    "SELECT text_hash FROM work_posts WHERE work_id = ?1 AND post_key = ?2",
  [S_POST] =
    "INSERT INTO work_posts(work_id, post_key, thread_pos, position, "
    "glowfic_id, kind, user_id, author, char_key, character_id, character, "
    "alias, screenname, icon_id, icon_url, icon_keyword, created_at, "
    "updated_at, content, text_hash, words) VALUES (?1, ?2, ?3, ?4, ?5, "
    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
    "?21) ON CONFLICT(work_id, post_key) DO UPDATE SET thread_pos = ?3, "
    "position = ?4, glowfic_id = ?5, kind = ?6, "
    "user_id = CASE WHEN ?7 > 0 THEN ?7 ELSE user_id END, "
    "author = coalesce(?8, author), char_key = ?9, "
    "character_id = ?10, character = ?11, alias = ?12, screenname = ?13, "
    "icon_id = ?14, icon_url = ?15, icon_keyword = ?16, "
    "created_at = coalesce(?17, created_at), updated_at = ?18, "
    "content = ?19, text_hash = ?20, words = ?21",
  [S_STALE] =
    "UPDATE work_sentences SET position = -1 - position "
    "WHERE work_id = ?1 AND post_key = ?2",
  [S_SENT] =
    "INSERT INTO work_sentences(work_id, sentence_id, post_key, position, "
    "para, pause, emph, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT(work_id, sentence_id) DO UPDATE SET position = ?4, "
    "para = ?5, pause = ?6, emph = ?7",
  [S_PURGE] =
    "DELETE FROM work_sentences WHERE work_id = ?1 AND post_key = ?2 "
    "AND position < 0",
  [S_CHARS_DEL] = "DELETE FROM work_characters WHERE work_id = ?1",
  [S_ORDER] =
    "SELECT post_key FROM work_posts WHERE work_id = ?1 AND thread_pos = ?2 "
    "ORDER BY position",
  [S_MOVE] =
    "UPDATE work_posts SET position = ?3 WHERE work_id = ?1 AND "
    "post_key = ?2",
  /* This file is the only writer of work_posts and work_sentences: every
   * save clears the work's story-order mark, so the next reader rebuilds
   * work_order (node/storyorder.h; migration 0011). */
  [S_UNMARK] = "DELETE FROM work_order_done WHERE work_id = ?1",
  /* One row per character from all its stored posts. The bare columns
   * come from the row of min() (SQLite's documented rule): the first
   * post. */
  [S_CHARS] =
    "INSERT INTO work_characters(work_id, char_key, character_id, name, "
    "screenname, author, user_id, icon_url, icon_keyword, posts, words, "
    "samples) SELECT work_id, char_key, character_id, character, "
    "screenname, author, user_id, "
    "(SELECT icon_url FROM work_posts q WHERE q.work_id = p.work_id AND "
    " q.char_key = p.char_key AND q.icon_url IS NOT NULL "
    " ORDER BY thread_pos, position LIMIT 1), "
    "(SELECT icon_keyword FROM work_posts q WHERE q.work_id = p.work_id "
    " AND q.char_key = p.char_key AND q.icon_url IS NOT NULL "
    " ORDER BY thread_pos, position LIMIT 1), "
    "n, w, (SELECT json_group_array(post_key) FROM (SELECT post_key FROM "
    " work_posts q WHERE q.work_id = p.work_id AND q.char_key = p.char_key "
    " AND q.words > 0 ORDER BY thread_pos, position "
    " LIMIT " STR(WORK_SAMPLES) ")) "
    "FROM (SELECT *, min(thread_pos * 4294967296 + position), "
    " count(*) AS n, sum(words) AS w FROM work_posts "
    " WHERE work_id = ?1 AND char_key IS NOT NULL GROUP BY char_key) p",
};

struct saver {
  struct db *db;
  struct db_stmt *st[N_STMTS];
  const char *work_id;
  struct work_store_counts *out;
};

static void
hash_sink(const char *data, size_t len, void *arg)
{
  secure_hash_update(arg, data, len);
}

void
work_store_doc_hash(const struct work *w, char out[65])
{
  struct secure_hash_state *st = secure_hash_new();
  uint8_t h[SECURE_HASH_BYTES];

  work_json_stream(w, hash_sink, st);
  secure_hash_final(&st, h);
  hex_encode(out, h, SECURE_HASH_BYTES);
}

static void
text_hash(const struct work_post *p, char out[2 * TEXT_HASH_BYTES + 1])
{
  struct secure_hash_state *st = secure_hash_new();
  uint8_t h[SECURE_HASH_BYTES];
  size_t i;
  uint32_t v[2];

  for (i = 0; i < p->n_sents; i++) {
    const struct work_sentence *s = &p->sents[i];
    v[0] = s->para;
    v[1] = p->paras[s->para].pause * (s->offset == 0) +
           ((uint32_t)work_sentence_emphasised(p, s) << 31);
    secure_hash_update(st, s->id, WORK_SENTENCE_ID_HEX);
    secure_hash_update(st, v, sizeof(v));
  }
  secure_hash_final(&st, h);
  hex_encode(out, h, TEXT_HASH_BYTES);
}

/* Run a prepared statement to completion and reset it. */
static int
run(struct db_stmt *st)
{
  int rc = db_step(st);
  db_reset(st);
  return rc < 0 ? rc : 0;
}

static int
bind_opt_text(struct db_stmt *st, int i, const char *s)
{
  return s ? db_bind_text(st, i, s, -1) : db_bind_null(st, i);
}

static int
save_sentences(struct saver *sv, const struct work_post *p,
               const char *key, int existed)
{
  struct db_stmt *st = sv->st[S_SENT];
  size_t i;
  int err = 0;

  if (existed) {
    err = db_bind_text(sv->st[S_STALE], 1, sv->work_id, -1);
    if (!err)
      err = db_bind_text(sv->st[S_STALE], 2, key, -1);
    if (!err)
      err = run(sv->st[S_STALE]);
    if (err)
      return err;
  }
  err = db_bind_text(st, 1, sv->work_id, -1);
  if (!err)
    err = db_bind_text(st, 3, key, -1);
  for (i = 0; !err && i < p->n_sents; i++) {
    const struct work_sentence *s = &p->sents[i];
    uint32_t pause = s->offset == 0 ? p->paras[s->para].pause : 0;
    err = db_bind_text(st, 2, s->id, -1);
    if (!err)
      err = db_bind_int(st, 4, (int64_t)i);
    if (!err)
      err = db_bind_int(st, 5, s->para);
    if (!err)
      err = db_bind_int(st, 6, pause);
    if (!err)
      err = db_bind_int(st, 7, work_sentence_emphasised(p, s));
    if (!err)
      err = db_bind_text(st, 8, s->text, -1);
    if (!err)
      err = run(st);
  }
  if (err || !existed)
    return err;
  err = db_bind_text(sv->st[S_PURGE], 1, sv->work_id, -1);
  if (!err)
    err = db_bind_text(sv->st[S_PURGE], 2, key, -1);
  if (!err)
    err = run(sv->st[S_PURGE]);
  if (!err)
    sv->out->removed_sentences += db_changes(sv->db);
  return err;
}

static int
save_post(struct saver *sv, const char *key, size_t tpos,
          const struct work_post *p, size_t pos)
{
  struct db_stmt *st = sv->st[S_POST], *get = sv->st[S_POST_GET];
  char hash[2 * TEXT_HASH_BYTES + 1];
  int existed = 0, same = 0, rc, err;

  text_hash(p, hash);
  err = db_bind_text(get, 1, sv->work_id, -1);
  if (!err)
    err = db_bind_text(get, 2, key, -1);
  if (err)
    goto out;
  rc = db_step(get);
  if (rc == DB_ROW) {
    existed = 1;
    same = strcmp(db_col_text(get, 0), hash) == 0;
  }
  db_reset(get);
  if (rc < 0) {
    err = rc;
    goto out;
  }
  err = db_bind_text(st, 1, sv->work_id, -1);
  if (!err) err = db_bind_text(st, 2, key, -1);
  if (!err) err = db_bind_int(st, 3, (int64_t)tpos);
  if (!err) err = db_bind_int(st, 4, (int64_t)pos);
  if (!err) err = db_bind_int(st, 5, p->id);
  if (!err) err = db_bind_text(st, 6, p->kind == WORK_POST_OP ? "op"
                                                           : "reply", -1);
  if (!err) err = db_bind_int(st, 7, p->user_id);
  if (!err) err = bind_opt_text(st, 8, p->author);
  if (!err) err = bind_opt_text(st, 9, p->char_key);
  if (!err) err = db_bind_int(st, 10, p->character_id);
  if (!err) err = bind_opt_text(st, 11, p->character);
  if (!err) err = bind_opt_text(st, 12, p->alias);
  if (!err) err = bind_opt_text(st, 13, p->screenname);
  if (!err) err = db_bind_int(st, 14, p->icon_id);
  if (!err) err = bind_opt_text(st, 15, p->icon_url);
  if (!err) err = bind_opt_text(st, 16, p->icon_keyword);
  if (!err) err = bind_opt_text(st, 17, p->created_at);
  if (!err) err = bind_opt_text(st, 18, p->updated_at);
  if (!err) err = bind_opt_text(st, 19, p->content);
  if (!err) err = db_bind_text(st, 20, hash, -1);
  if (!err) err = db_bind_int(st, 21, p->words);
  if (!err) err = run(st);
  if (err)
    goto out;
  if (!existed)
    sv->out->new_posts++;
  else if (!same)
    sv->out->changed_posts++;
  if (!same)
    err = save_sentences(sv, p, key, existed);
out:
  return err;
}

/* ---- reading order of a re-imported thread ------------------------------
 * A later import may hold only part of a thread (one saved page of a
 * paginated thread). Stored posts keep their order; each new post goes
 * right after the stored post that precedes it in the new import (or
 * first). An import that holds every stored post gives the order alone. */

struct keypos {
  const char *key;
  size_t pos;
};

static int
cmp_keypos(const void *a, const void *b)
{
  return strcmp(((const struct keypos *)a)->key,
                ((const struct keypos *)b)->key);
}

static const struct keypos *
lookup(const struct keypos *sorted, size_t n, const char *key)
{
  struct keypos k = {key, 0};
  return bsearch(&k, sorted, n, sizeof(k), cmp_keypos);
}

struct order {
  char **keys;          /* the new import's post keys, owned */
  size_t n;
  char **old;           /* stored keys in stored order, owned */
  size_t n_old;
  struct keypos *pos;   /* final position of every key, sorted by key */
  size_t n_pos;
};

static void
order_free(struct order *o)
{
  size_t i;
  for (i = 0; i < o->n; i++)
    xfree(o->keys[i]);
  for (i = 0; i < o->n_old; i++)
    xfree(o->old[i]);
  xfree(o->keys);
  xfree(o->old);
  xfree(o->pos);
  memset(o, 0, sizeof(*o));
}

/* The reply id in a key "r<id>", else 0. */
static int64_t
key_id(const char *key)
{
  int64_t v = 0;
  if (key[0] != 'r')
    return 0;
  for (key++; *key >= '0' && *key <= '9'; key++)
    v = v * 10 + (*key - '0');
  return v;
}

/* Where a new post with no stored reply before or after it goes: before
 * the first stored reply with a larger id (reply ids mostly grow with
 * reply order, GLOWFIC.md 1), else at the end; never before the OP. */
static size_t
by_id(const struct order *o, const char *key)
{
  int64_t id = key_id(key);
  size_t i;
  if (key[0] == 'p')
    return 0; /* the opening post leads */
  for (i = 0; i < o->n_old; i++) {
    int64_t old = key_id(o->old[i]);
    if (old > 0 && id > 0 && old > id)
      return i;
  }
  return o->n_old;
}

static int
thread_order(struct saver *sv, const struct work_thread *t, size_t tpos,
             struct order *o)
{
  struct db_stmt *st = sv->st[S_ORDER];
  struct keypos *new_sorted = NULL, *old_sorted = NULL;
  size_t i, j, at = 0, cap = 0, *bucket_of = NULL, missing = 0;
  int rc = 0, err;

  memset(o, 0, sizeof(*o));
  o->keys = xcalloc(t->n_posts ? t->n_posts : 1, sizeof(*o->keys));
  for (i = 0; i < t->n_posts; i++)
    o->keys[i] = work_post_key(t, &t->posts[i], i);
  o->n = t->n_posts;
  err = db_bind_text(st, 1, sv->work_id, -1);
  if (!err)
    err = db_bind_int(st, 2, (int64_t)tpos);
  while (!err) {
    rc = db_step(st);
    if (rc != DB_ROW)
      break;
    if (o->n_old == cap) {
      cap = cap ? 2 * cap : 64;
      o->old = xrealloc(o->old, cap * sizeof(*o->old));
    }
    o->old[o->n_old++] = xstrdup(db_col_text(st, 0));
  }
  db_reset(st);
  if (!err && rc < 0)
    err = rc;
  if (err)
    return err;
  new_sorted = xcalloc(o->n + 1, sizeof(*new_sorted));
  for (i = 0; i < o->n; i++) {
    new_sorted[i].key = o->keys[i];
    new_sorted[i].pos = i;
  }
  qsort(new_sorted, o->n, sizeof(*new_sorted), cmp_keypos);
  for (i = 0; i < o->n_old; i++)
    missing += lookup(new_sorted, o->n, o->old[i]) == NULL;
  o->pos = xcalloc(o->n + o->n_old + 1, sizeof(*o->pos));
  if (missing == 0) {
    /* The import holds the whole stored thread: its order stands. */
    memcpy(o->pos, new_sorted, o->n * sizeof(*o->pos));
    o->n_pos = o->n;
    xfree(new_sorted);
    return 0;
  }
  /* bucket_of[j]: new post j goes just before stored post bucket_of[j]
   * (n_old = at the end). */
  old_sorted = xcalloc(o->n_old + 1, sizeof(*old_sorted));
  for (i = 0; i < o->n_old; i++) {
    old_sorted[i].key = o->old[i];
    old_sorted[i].pos = i;
  }
  qsort(old_sorted, o->n_old, sizeof(*old_sorted), cmp_keypos);
  bucket_of = xcalloc(o->n + 1, sizeof(*bucket_of));
  {
    size_t next = SIZE_MAX, pred = SIZE_MAX;
    /* Successors first: a stored post after a new one pins it. */
    for (j = o->n; j-- > 0;) {
      const struct keypos *k = lookup(old_sorted, o->n_old, o->keys[j]);
      bucket_of[j] = k ? SIZE_MAX : next;
      if (k)
        next = k->pos;
    }
    for (j = 0; j < o->n; j++) {
      const struct keypos *k = lookup(old_sorted, o->n_old, o->keys[j]);
      if (k) {
        pred = k->pos;
        continue;
      }
      if (bucket_of[j] != SIZE_MAX)
        continue; /* before its successor */
      if (pred != SIZE_MAX && o->old[pred][0] != 'p')
        bucket_of[j] = pred + 1; /* after the reply before it */
      else
        bucket_of[j] = by_id(o, o->keys[j]); /* after a (hidden) OP */
    }
  }
  {
    /* new posts grouped by bucket, in import order */
    size_t *start = xcalloc(o->n_old + 2, sizeof(*start));
    size_t *list = xcalloc(o->n + 1, sizeof(*list));
    size_t *fill = xcalloc(o->n_old + 1, sizeof(*fill));
    for (j = 0; j < o->n; j++) {
      if (bucket_of[j] != SIZE_MAX)
        start[bucket_of[j] + 1]++;
    }
    for (i = 1; i < o->n_old + 2; i++)
      start[i] += start[i - 1];
    for (j = 0; j < o->n; j++) {
      size_t bk = bucket_of[j];
      if (bk != SIZE_MAX)
        list[start[bk] + fill[bk]++] = j;
    }
    for (i = 0; i <= o->n_old; i++) {
      for (j = start[i]; j < start[i + 1]; j++) {
        o->pos[o->n_pos].key = o->keys[list[j]];
        o->pos[o->n_pos++].pos = at++;
      }
      if (i < o->n_old) {
        o->pos[o->n_pos].key = o->old[i];
        o->pos[o->n_pos++].pos = at++;
      }
    }
    xfree(fill);
    xfree(start);
    xfree(list);
  }
  qsort(o->pos, o->n_pos, sizeof(*o->pos), cmp_keypos);
  xfree(bucket_of);
  xfree(old_sorted);
  xfree(new_sorted);
  return 0;
}

/* Give stored posts that the import does not hold their merged place. */
static int
move_old(struct saver *sv, const struct order *o)
{
  struct db_stmt *st = sv->st[S_MOVE];
  struct keypos *new_sorted;
  size_t i;
  int err = 0;

  new_sorted = xcalloc(o->n + 1, sizeof(*new_sorted));
  for (i = 0; i < o->n; i++)
    new_sorted[i].key = o->keys[i];
  qsort(new_sorted, o->n, sizeof(*new_sorted), cmp_keypos);
  for (i = 0; i < o->n_old && !err; i++) {
    if (lookup(new_sorted, o->n, o->old[i]))
      continue;
    err = db_bind_text(st, 1, sv->work_id, -1);
    if (!err)
      err = db_bind_text(st, 2, o->old[i], -1);
    if (!err)
      err = db_bind_int(st, 3,
                        (int64_t)lookup(o->pos, o->n_pos, o->old[i])->pos);
    if (!err)
      err = run(st);
  }
  xfree(new_sorted);
  return err;
}

static int
save_all(struct saver *sv, const struct work *w, int64_t now)
{
  struct db_stmt *st = sv->st[S_WORK];
  char doc_hash[65];
  size_t i, j;
  int err;

  work_store_doc_hash(w, doc_hash);
  err = db_bind_text(st, 1, sv->work_id, -1);
  if (!err) err = db_bind_text(st, 2, w->key, -1);
  if (!err) err = db_bind_text(st, 3, w->source, -1);
  if (!err) err = bind_opt_text(st, 4, w->title);
  if (!err) err = db_bind_text(st, 5, doc_hash, -1);
  if (!err) err = db_bind_int(st, 6, now);
  if (!err) err = run(st);
  if (!err) err = db_bind_text(sv->st[S_UNMARK], 1, sv->work_id, -1);
  if (!err) err = run(sv->st[S_UNMARK]);
  for (i = 0; !err && i < w->n_threads; i++) {
    const struct work_thread *t = &w->threads[i];
    st = sv->st[S_THREAD];
    err = db_bind_text(st, 1, sv->work_id, -1);
    if (!err) err = db_bind_int(st, 2, (int64_t)i);
    if (!err) err = db_bind_int(st, 3, t->id);
    if (!err) err = bind_opt_text(st, 4, t->subject);
    if (!err) err = bind_opt_text(st, 5, t->description);
    if (!err) err = bind_opt_text(st, 6, t->board);
    if (!err) err = bind_opt_text(st, 7, t->section);
    if (!err) err = run(st);
    {
      struct order o;
      memset(&o, 0, sizeof(o));
      if (!err)
        err = thread_order(sv, t, i, &o);
      for (j = 0; !err && j < t->n_posts; j++)
        err = save_post(sv, o.keys[j], i, &t->posts[j],
                        lookup(o.pos, o.n_pos, o.keys[j])->pos);
      if (!err && o.n_old)
        err = move_old(sv, &o);
      order_free(&o);
    }
  }
  if (!err) err = db_bind_text(sv->st[S_CHARS_DEL], 1, sv->work_id, -1);
  if (!err) err = run(sv->st[S_CHARS_DEL]);
  if (!err) err = db_bind_text(sv->st[S_CHARS], 1, sv->work_id, -1);
  if (!err) err = run(sv->st[S_CHARS]);
  return err;
}

static void
restore_cache(struct db *db, int64_t cache)
{
  char sql[64];
  if (cache == 0)
    return;
  snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld", (long long)cache);
  if (db_exec(db, sql) != 0)
    log_warn("cannot restore the page cache size");
}

int
work_store_save(struct db *db, const struct work *w, int64_t now,
                struct work_store_counts *out, char *errbuf, size_t errlen)
{
  struct saver sv;
  struct work_store_counts before;
  char id[WORK_ID_HEX];
  int64_t cache = 0;
  size_t i;
  int err, began = 0;

  memset(&sv, 0, sizeof(sv));
  memset(out, 0, sizeof(*out));
  work_id(w, id);
  sv.db = db;
  sv.work_id = id;
  sv.out = out;
  for (i = 0; i < N_STMTS; i++) {
    err = db_prepare(db, sqls[i], &sv.st[i]);
    if (err)
      goto fail;
  }
  /* A big import rewrites many pages: a cache that holds them avoids
   * spilling to the WAL and reading back mid-transaction. */
  if (db_query_int(db, "PRAGMA cache_size", &cache) != 0)
    cache = 0;
  if (db_exec(db, "PRAGMA cache_size = -" STR(STORE_CACHE_KIB)) != 0)
    cache = 0;
  err = db_begin(db);
  if (err)
    goto fail;
  began = 1;
  err = work_store_count(db, id, &before);
  if (err == ERR_NOT_FOUND)
    err = 0;
  if (err)
    goto fail;
  err = save_all(&sv, w, now);
  if (err)
    goto fail;
  err = db_commit(db);
  if (err)
    goto fail;
  began = 0;
  for (i = 0; i < N_STMTS; i++)
    db_finalize(&sv.st[i]);
  restore_cache(db, cache);
  {
    struct work_store_counts c;
    err = work_store_count(db, id, &c);
    if (err) {
      snprintf(errbuf, errlen, "cannot count the stored work: %s",
               db_errmsg(db));
      return err;
    }
    c.new_posts = out->new_posts;
    c.changed_posts = out->changed_posts;
    c.removed_sentences = out->removed_sentences;
    c.new_sentences = c.sentences - before.sentences + c.removed_sentences;
    *out = c;
  }
  return 0;
fail:
  snprintf(errbuf, errlen, "cannot store the work: %s", db_errmsg(db));
  if (began)
    db_rollback(db);
  for (i = 0; i < N_STMTS; i++)
    db_finalize(&sv.st[i]);
  restore_cache(db, cache);
  return err;
}

int
work_store_count(struct db *db, const char *work_id,
                 struct work_store_counts *out)
{
  static const char *const q[] = {
    "SELECT count(*) FROM work_threads WHERE work_id = ?1",
    "SELECT count(*) FROM work_posts WHERE work_id = ?1",
    "SELECT count(*) FROM work_characters WHERE work_id = ?1",
    "SELECT count(*) FROM work_sentences WHERE work_id = ?1",
    "SELECT coalesce(sum(words), 0) FROM work_posts WHERE work_id = ?1",
    "SELECT count(*) FROM works WHERE work_id = ?1"};
  int64_t v[6];
  struct db_stmt *st = NULL;
  size_t i;
  int err = 0, rc;

  memset(out, 0, sizeof(*out));
  for (i = 0; i < 6 && !err; i++) {
    err = db_prepare(db, q[i], &st);
    if (!err)
      err = db_bind_text(st, 1, work_id, -1);
    if (!err) {
      rc = db_step(st);
      if (rc < 0)
        err = rc;
      v[i] = rc == DB_ROW ? db_col_int(st, 0) : 0;
    }
    db_finalize(&st);
  }
  if (err)
    return err;
  if (v[5] == 0)
    return ERR_NOT_FOUND;
  snprintf(out->work_id, sizeof(out->work_id), "%s", work_id);
  out->threads = v[0];
  out->posts = v[1];
  out->characters = v[2];
  out->sentences = v[3];
  out->words = v[4];
  return 0;
}
