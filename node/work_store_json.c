/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Stored works as JSON for the web API (part of the work_store module,
 * see work_store.h): read-only queries over the tables of migration
 * 0002. */
#include "node/work_store.h"

#include <string.h>

#include "node/alloc.h"
#include "node/buf.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define SAMPLE_MAX (64u << 10) /* bytes of one sample text */

#define WORK_COLS                                                         \
  "w.work_id, w.key, w.title, w.source, w.imported_at, w.imports, "       \
  "(SELECT count(*) FROM work_threads t WHERE t.work_id = w.work_id), "   \
  "(SELECT count(*) FROM work_posts p WHERE p.work_id = w.work_id), "     \
  "(SELECT count(*) FROM work_characters c WHERE c.work_id = w.work_id), "\
  "(SELECT count(*) FROM work_sentences s WHERE s.work_id = w.work_id), " \
  "(SELECT coalesce(sum(words), 0) FROM work_posts p "                    \
  " WHERE p.work_id = w.work_id) "

static void
set_text(struct json *o, const char *key, struct db_stmt *st, int col)
{
  json_set_str(o, key, db_col_text(st, col));
}

static struct json *
work_row(struct db_stmt *st)
{
  struct json *o = json_new_object();
  set_text(o, "work_id", st, 0);
  set_text(o, "key", st, 1);
  set_text(o, "title", st, 2);
  set_text(o, "source", st, 3);
  json_set_int(o, "imported_at", db_col_int(st, 4));
  json_set_int(o, "imports", db_col_int(st, 5));
  json_set_int(o, "threads", db_col_int(st, 6));
  json_set_int(o, "posts", db_col_int(st, 7));
  json_set_int(o, "characters", db_col_int(st, 8));
  json_set_int(o, "sentences", db_col_int(st, 9));
  json_set_int(o, "words", db_col_int(st, 10));
  return o;
}

struct json *
work_store_counts_json(const struct work *w,
                       const struct work_store_counts *c)
{
  struct json *o = json_new_object();
  json_set_str(o, "work_id", c->work_id);
  json_set_str(o, "key", w->key);
  json_set_str(o, "title", w->title);
  json_set_int(o, "threads", c->threads);
  json_set_int(o, "posts", c->posts);
  json_set_int(o, "characters", c->characters);
  json_set_int(o, "sentences", c->sentences);
  json_set_int(o, "words", c->words);
  json_set_int(o, "new_posts", c->new_posts);
  json_set_int(o, "changed_posts", c->changed_posts);
  json_set_int(o, "new_sentences", c->new_sentences);
  json_set_int(o, "removed_sentences", c->removed_sentences);
  return o;
}

int
work_store_list_json(struct db *db, struct json **out)
{
  struct db_stmt *st = NULL;
  struct json *arr;
  int rc = 0, err;

  *out = NULL;
  err = db_prepare(db, "SELECT " WORK_COLS "FROM works w "
                       "ORDER BY w.imported_at DESC, w.work_id", &st);
  if (err)
    return err;
  arr = json_new_array();
  for (;;) {
    rc = db_step(st);
    if (rc != DB_ROW)
      break;
    json_push(arr, work_row(st));
  }
  db_finalize(&st);
  if (rc < 0) {
    json_free(arr);
    return rc;
  }
  *out = json_new_object();
  json_set(*out, "works", arr);
  return 0;
}

int
work_store_get_json(struct db *db, const char *work_id, struct json **out)
{
  struct db_stmt *st = NULL;
  struct json *o = NULL, *threads, *t;
  int rc = 0, err;

  *out = NULL;
  err = db_prepare(db, "SELECT " WORK_COLS "FROM works w "
                       "WHERE w.work_id = ?1", &st);
  if (!err)
    err = db_bind_text(st, 1, work_id, -1);
  if (!err) {
    rc = db_step(st);
    if (rc == DB_ROW)
      o = work_row(st);
    err = rc < 0 ? rc : rc == DB_DONE ? ERR_NOT_FOUND : 0;
  }
  db_finalize(&st);
  if (err)
    return err;
  err = db_prepare(db, "SELECT position, glowfic_id, subject, description, "
                       "board, section, (SELECT count(*) FROM work_posts p "
                       "WHERE "
                       "p.work_id = t.work_id AND p.thread_pos = t.position) "
                       "FROM work_threads t WHERE work_id = ?1 "
                       "ORDER BY position", &st);
  if (!err)
    err = db_bind_text(st, 1, work_id, -1);
  threads = json_new_array();
  while (!err) {
    rc = db_step(st);
    if (rc != DB_ROW)
      break;
    t = json_new_object();
    json_set_int(t, "position", db_col_int(st, 0));
    json_set_int(t, "glowfic_id", db_col_int(st, 1));
    set_text(t, "subject", st, 2);
    set_text(t, "description", st, 3);
    set_text(t, "board", st, 4);
    set_text(t, "section", st, 5);
    json_set_int(t, "posts", db_col_int(st, 6));
    json_push(threads, t);
  }
  if (!err && rc < 0)
    err = rc;
  db_finalize(&st);
  json_set(o, "threads", threads);
  if (err) {
    json_free(o);
    return err;
  }
  *out = o;
  return 0;
}

/* The first sentences of a post, joined by spaces. */
static int
sample_text(struct db_stmt *st, const char *work_id, const char *post_key,
            char **out)
{
  struct buf b;
  int rc = 0, err;

  buf_init(&b, SAMPLE_MAX);
  db_reset(st);
  err = db_bind_text(st, 1, work_id, -1);
  if (!err)
    err = db_bind_text(st, 2, post_key, -1);
  while (!err) {
    rc = db_step(st);
    if (rc != DB_ROW)
      break;
    if (b.len)
      err = buf_append(&b, " ", 1);
    if (!err)
      err = buf_append_str(&b, db_col_text(st, 0));
  }
  if (!err && rc < 0)
    err = rc;
  db_reset(st);
  if (err == ERR_TOO_BIG)
    err = 0; /* a long sample is cut, not an error */
  *out = buf_take(&b, NULL);
  return err;
}

int
work_store_characters_json(struct db *db, const char *work_id,
                           struct json **out)
{
  struct db_stmt *st = NULL, *sent = NULL;
  struct json *arr, *c, *samples, *sp, *keys = NULL;
  char errbuf[64];
  int rc = 0, err;
  int64_t exists = 0;

  *out = NULL;
  err = db_prepare(db, "SELECT count(*) FROM works WHERE work_id = ?1", &st);
  if (!err)
    err = db_bind_text(st, 1, work_id, -1);
  if (!err && db_step(st) == DB_ROW)
    exists = db_col_int(st, 0);
  db_finalize(&st);
  if (err)
    return err;
  if (!exists)
    return ERR_NOT_FOUND;
  err = db_prepare(db, "SELECT text FROM work_sentences WHERE work_id = ?1 "
                       "AND post_key = ?2 ORDER BY position LIMIT "
                       STR(WORK_STORE_SAMPLE_SENTENCES), &sent);
  if (!err)
    err = db_prepare(db, "SELECT char_key, character_id, name, screenname, "
                         "author, user_id, icon_url, icon_keyword, posts, "
                         "words, samples FROM work_characters WHERE "
                         "work_id = ?1 ORDER BY words DESC, char_key", &st);
  if (!err)
    err = db_bind_text(st, 1, work_id, -1);
  arr = json_new_array();
  while (!err) {
    rc = db_step(st);
    if (rc != DB_ROW)
      break;
    const char *ks = db_col_text(st, 10);
    const struct json *k;
    c = json_new_object();
    set_text(c, "key", st, 0);
    json_set_int(c, "character_id", db_col_int(st, 1));
    set_text(c, "name", st, 2);
    set_text(c, "screenname", st, 3);
    set_text(c, "author", st, 4);
    json_set_int(c, "user_id", db_col_int(st, 5));
    set_text(c, "icon_url", st, 6);
    set_text(c, "icon_keyword", st, 7);
    json_set_int(c, "posts", db_col_int(st, 8));
    json_set_int(c, "words", db_col_int(st, 9));
    samples = json_new_array();
    keys = json_parse(ks ? ks : "[]", ks ? strlen(ks) : 2, errbuf,
                      sizeof(errbuf));
    for (k = json_first(keys); k && !err; k = json_next(k)) {
      char *text = NULL;
      if (!json_is_string(k))
        continue;
      err = sample_text(sent, work_id, json_str(k), &text);
      sp = json_new_object();
      json_set_str(sp, "post_key", json_str(k));
      json_set_str(sp, "text", text);
      json_push(samples, sp);
      xfree(text);
    }
    json_free(keys);
    json_set(c, "samples", samples);
    json_push(arr, c);
  }
  if (!err && rc < 0)
    err = rc;
  db_finalize(&st);
  db_finalize(&sent);
  if (err) {
    json_free(arr);
    return err;
  }
  *out = json_new_object();
  json_set(*out, "characters", arr);
  return 0;
}
