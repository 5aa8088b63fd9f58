/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* /api/books and /books/{id}/book.opus: audiobooks, their casting, render
 * requests, the reader's and player's sentence lists, and the export.
 * Every change is an entry appended to this node's log (node/LOG.md),
 * serialised by the API's store lock. */
#define LOG_MODULE "api"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/netkey.h"
#include "node/alloc.h"
#include "node/api_cache.h"
#include "node/api_internal.h"
#include "node/app.h"
#include "node/autocast.h"
#include "node/blobs.h"
#include "node/book.h"
#include "node/db.h"
#include "node/events.h"
#include "node/feed.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/log.h"
#include "node/voice.h"

#define BOOKS_SENTENCES_DEFAULT 200 /* sentences in one page */
#define BOOKS_SENTENCES_MAX 1000
#define BOOKS_POSTS_DEFAULT 20      /* posts in one page */
#define BOOKS_POSTS_MAX 200
#define BOOKS_RUNS_PER_ENTRY 1024   /* runs in one StartRender/Rerender */
#define BOOKS_RERENDER_MAX 10000    /* sentence ids in one rerender */
#define BOOKS_VOICE_MAX 512         /* bytes of a voice spec */
#define BOOKS_CHAR_KEY_MAX 512      /* bytes of a character key */
#define BOOKS_QUERY_MAX 64          /* bytes of a query value */
#define BOOKS_WORK_ID_MAX 64        /* bytes of a work id */
#define BOOKS_AUTOCAST_LANG "en"

#define BOOK_HEX (2 * WIRE_BOOK_ID_BYTES)

/* The casting targets of a work (?1), as GET /api/works/{id}/characters
 * names them: its characters, and a narrator per author of posts without
 * a character. */
#define CHAR_KEYS_SQL                                                       \
  "SELECT char_key AS k FROM work_characters WHERE work_id=?1 UNION"        \
  " SELECT 'narrator:' || coalesce(author, '') FROM work_posts"            \
  " WHERE work_id=?1 AND char_key IS NULL"

/* ---- helpers (called with the store lock held) -------------------------- */

/* This node's log on the API's connection, opened on first use. */
static struct feed *
books_feed(struct api *api)
{
  uint8_t net[NETKEY_ID_BYTES];
  int err;

  if (api->feed)
    return api->feed;
  netkey_id(api->app->net, net);
  err = feed_open(api->app->db, api->app->id, net, &api->feed);
  if (err) {
    log_error("cannot open the log: %s", err_str(err));
    api->feed = NULL;
  } else {
    feed_set_head_dir(api->feed, api->app->dir); /* the write fence */
  }
  return api->feed;
}

struct feed *
api_books__feed(struct api *api)
{
  return books_feed(api);
}

void
api_books__close(struct api *api)
{
  feed_free(&api->feed);
  api_readers__close(api);
}

/* Append e (cleared afterwards); on failure replies and returns non-0. */
static int
append(struct http_req *req, struct api *api, struct wire_entry *e,
       uint8_t id[WIRE_HASH_BYTES])
{
  struct feed *f = books_feed(api);
  int err = f ? feed_append(f, e, id) : ERR_DB;

  wire_entry_clear(e);
  if (err == ERR_FORBIDDEN)
    http_reply_error(req, 403, "this node may not write to the swarm's log "
                     "(not a member, or frozen by a fork)");
  else if (err == ERR_INVAL || err == ERR_TOO_BIG)
    http_reply_error(req, 400, "the change does not fit in a log entry");
  else if (err)
    http_reply_error(req, 500, "cannot append to the log: %s",
                     err_str(err));
  return err;
}

static int
parse_book(const char *s, size_t len, uint8_t book[WIRE_BOOK_ID_BYTES])
{
  char hex[BOOK_HEX + 1];
  size_t i;

  if (len != BOOK_HEX)
    return ERR_INVAL;
  for (i = 0; i < len; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return ERR_INVAL;
  memcpy(hex, s, len);
  hex[len] = '\0';
  return hex_decode(book, WIRE_BOOK_ID_BYTES, hex) ? ERR_INVAL : 0;
}

/* The book's row: work_id and name (caller frees); ERR_NOT_FOUND unless
 * created and not deleted. */
static int
book_row(struct db *db, const uint8_t *book, char **work_id, char **name,
         int *has_fork, uint8_t fork_of[WIRE_BOOK_ID_BYTES])
{
  struct db_stmt *s = NULL;
  int err, rc = DB_DONE;

  *work_id = *name = NULL;
  *has_fork = 0;
  err = db_prepare(db, "SELECT work_id, name, fork_of FROM st_books"
                   " WHERE book=?1 AND created=1 AND deleted=0", &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err && (rc = db_step(s)) == DB_ROW) {
    size_t len = 0;
    const void *p = db_col_blob(s, 2, &len);
    *work_id = xstrdup(db_col_text(s, 0) ? db_col_text(s, 0) : "");
    *name = xstrdup(db_col_text(s, 1) ? db_col_text(s, 1) : "");
    if (p && len == WIRE_BOOK_ID_BYTES) {
      *has_fork = 1;
      memcpy(fork_of, p, WIRE_BOOK_ID_BYTES);
    }
  }
  db_finalize(&s);
  if (err)
    return err;
  return rc == DB_ROW ? 0 : rc < 0 ? rc : ERR_NOT_FOUND;
}

/* Publish a progress event for book (locked). */
static void
publish_progress(struct api *api, struct db *db, const uint8_t *book)
{
  api_live__publish(api, db, book);
}

/* The current voice of a casting target, or "" (caller frees). */
static char *
cast_get(struct api *api, const uint8_t *book, int kind, const char *target,
         uint32_t pos)
{
  struct feed *f = books_feed(api);
  char *v = NULL;

  if (f == NULL ||
      state_cast_get(feed_state(f), book, kind, target, pos, &v) != 0)
    v = NULL;
  return v ? v : xstrdup("");
}

/* {character_key: voice} for every character of work cast in book. */
static struct json *
cast_json(struct api *api, struct db *db, const uint8_t *book,
          const char *work_id)
{
  struct json *o = json_new_object();
  struct db_stmt *s = NULL;
  char **keys = NULL;
  size_t n = 0, cap = 0, i;

  if (db_prepare(db, CHAR_KEYS_SQL " ORDER BY k", &s) == 0 &&
      db_bind_text(s, 1, work_id, -1) == 0) {
    while (db_step(s) == DB_ROW) {
      if (n == cap) {
        cap = cap ? 2 * cap : 32;
        keys = xrealloc(keys, cap * sizeof(*keys));
      }
      keys[n++] = xstrdup(db_col_text(s, 0) ? db_col_text(s, 0) : "");
    }
  }
  db_finalize(&s);
  for (i = 0; i < n; i++) {
    char *v = cast_get(api, book, STATE_CAST_CHARACTER, keys[i], 0);
    if (v[0])
      json_set_str(o, keys[i], v);
    xfree(v);
    xfree(keys[i]);
  }
  xfree(keys);
  return o;
}

/* cast_json, kept per store generation: the narrators' keys come from a
 * scan of the work's posts, slow on a big work. */
static struct json *
cast_cached(struct api *api, struct db *db, const uint8_t *book,
            const char *work_id)
{
  char key[API_CACHE_KEY_MAX], hex[BOOK_HEX + 1], *text;
  uint64_t gen = api_cache_gen(db);
  struct json *o = NULL;
  struct buf b;

  hex_encode(hex, book, WIRE_BOOK_ID_BYTES);
  snprintf(key, sizeof(key), "cast/%s", hex);
  buf_init(&b, API_CACHE_ITEM_MAX);
  if (api_cache_get(api->cache, key, gen, &b))
    o = json_parse(b.data, b.len, NULL, 0);
  buf_free(&b);
  if (o)
    return o;
  o = cast_json(api, db, book, work_id);
  text = json_print(o, 0);
  api_cache_put(api->cache, key, gen, text, strlen(text));
  xfree(text);
  return o;
}

/* The whole book as JSON, or NULL with *err (locked). */
static struct json *
book_json(struct api *api, struct db *db, const uint8_t *book, int *err)
{
  struct book_progress p;
  struct json *o, *pj;
  char hex[BOOK_HEX + 1], *work_id = NULL, *name = NULL, *def;
  uint8_t fork_of[WIRE_BOOK_ID_BYTES];
  int has_fork;

  *err = book_row(db, book, &work_id, &name, &has_fork, fork_of);
  if (*err)
    return NULL;
  o = json_new_object();
  hex_encode(hex, book, WIRE_BOOK_ID_BYTES);
  json_set_str(o, "id", hex);
  json_set_str(o, "work_id", work_id);
  json_set_str(o, "name", name);
  if (has_fork) {
    hex_encode(hex, fork_of, WIRE_BOOK_ID_BYTES);
    json_set_str(o, "fork_of", hex);
  } else {
    json_set_null(o, "fork_of");
  }
  def = cast_get(api, book, STATE_CAST_DEFAULT, "", 0);
  json_set_str(o, "default_voice", def);
  xfree(def);
  json_set(o, "cast", cast_cached(api, db, book, work_id));
  pj = json_new_object();
  memset(&p, 0, sizeof(p));
  if (api_live__progress(api, db, book, &p))
    memset(&p, 0, sizeof(p)); /* work not imported here: nothing to count */
  api_live__progress_set(pj, &p);
  json_set(o, "progress", pj);
  xfree(work_id);
  xfree(name);
  return o;
}

/* A voice spec from body[key]: a string that parses, or null / "" for
 * none (*spec = ""). Replies 400 and returns non-0 otherwise. */
static int
body_voice(struct http_req *req, const struct json *body, char **spec)
{
  const struct json *v = json_get(body, "voice");
  struct voice parsed;
  char errbuf[256];

  *spec = NULL;
  if (v == NULL) {
    http_reply_error(req, 400, "give {\"voice\": SPEC} (null unsets it)");
    return ERR_INVAL;
  }
  if (json_is_null(v) || (json_is_string(v) && json_str(v)[0] == '\0')) {
    *spec = xstrdup("");
    return 0;
  }
  if (!json_is_string(v) || strlen(json_str(v)) > BOOKS_VOICE_MAX) {
    http_reply_error(req, 400, "voice must be a voice spec string of at "
                     "most %d bytes, or null", BOOKS_VOICE_MAX);
    return ERR_INVAL;
  }
  if (voice_parse(json_str(v), &parsed, errbuf, sizeof(errbuf))) {
    http_reply_error(req, 400, "bad voice: %s", errbuf);
    return ERR_INVAL;
  }
  *spec = xstrdup(json_str(v));
  return 0;
}

/* A name from body: non-empty, capped. */
static int
body_name(struct http_req *req, const struct json *body, const char **name)
{
  *name = json_get_str(body, "name");
  if (*name == NULL || (*name)[0] == '\0') {
    http_reply_error(req, 400, "give the book a name: {\"name\": \"...\"}");
    return ERR_INVAL;
  }
  if (strlen(*name) > BOOK_NAME_MAX) {
    http_reply_error(req, 400, "a book's name may be at most %d bytes",
                     BOOK_NAME_MAX);
    return ERR_INVAL;
  }
  return 0;
}

/* An integer query parameter in [0, max], def when absent. */
static int
query_int(struct http_req *req, const char *name, int64_t def, int64_t max,
          int64_t *out)
{
  char buf[BOOKS_QUERY_MAX], *end;
  long long v;
  int err = http_req_query(req, name, buf, sizeof(buf));

  *out = def;
  if (err == ERR_NOT_FOUND)
    return 0;
  if (err == 0) {
    errno = 0;
    v = strtoll(buf, &end, 10);
    if (buf[0] != '\0' && *end == '\0' && errno == 0 && v >= 0 && v <= max) {
      *out = v;
      return 0;
    }
  }
  http_reply_error(req, 400, "%s must be a whole number from 0 to %lld",
                   name, (long long)max);
  return ERR_INVAL;
}

/* ---- GET /api/books, POST /api/books ------------------------------------ */

static void
get_books(struct http_req *req, struct api *api)
{
  char work[BOOKS_WORK_ID_MAX];
  struct json *o, *list;
  struct db_stmt *s = NULL;
  struct db *db;
  int err, rc = DB_DONE, has_work;

  err = http_req_query(req, "work", work, sizeof(work));
  if (err && err != ERR_NOT_FOUND) {
    http_reply_error(req, 400, "work must be a work id");
    return;
  }
  has_work = err == 0;
  list = json_new_array();
  db = api__db_lock(api);
  err = db_prepare(db, "SELECT book FROM st_books WHERE created=1 AND"
                   " deleted=0 AND (?1 IS NULL OR work_id=?1)"
                   " ORDER BY create_lamport, book", &s);
  if (!err)
    err = has_work ? db_bind_text(s, 1, work, -1) : db_bind_null(s, 1);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    size_t len = 0;
    const uint8_t *p = db_col_blob(s, 0, &len);
    struct json *b;
    int e2;

    if (p == NULL || len != WIRE_BOOK_ID_BYTES)
      continue;
    b = book_json(api, db, p, &e2);
    if (b)
      json_push(list, b);
  }
  db_finalize(&s);
  api__db_unlock(api);
  if (err || rc < 0) {
    json_free(list);
    http_reply_error(req, 500, "cannot read the books");
    return;
  }
  o = json_new_object();
  json_set(o, "books", list);
  http_reply_json(req, 200, o);
  json_free(o);
}

struct json *
api_books__of_work(struct db *db, const char *work_id)
{
  struct json *list = json_new_array();
  struct db_stmt *s = NULL;
  char hex[BOOK_HEX + 1];

  if (db_prepare(db, "SELECT book, name, fork_of FROM st_books WHERE"
                 " created=1 AND deleted=0 AND work_id=?1"
                 " ORDER BY create_lamport, book", &s) == 0 &&
      db_bind_text(s, 1, work_id ? work_id : "", -1) == 0) {
    while (db_step(s) == DB_ROW) {
      struct json *b;
      size_t len = 0;
      const uint8_t *p = db_col_blob(s, 0, &len);

      if (p == NULL || len != WIRE_BOOK_ID_BYTES)
        continue;
      b = json_new_object();
      hex_encode(hex, p, WIRE_BOOK_ID_BYTES);
      json_set_str(b, "id", hex);
      json_set_str(b, "name", db_col_text(s, 1) ? db_col_text(s, 1) : "");
      p = db_col_blob(s, 2, &len);
      if (p && len == WIRE_BOOK_ID_BYTES) {
        hex_encode(hex, p, WIRE_BOOK_ID_BYTES);
        json_set_str(b, "fork_of", hex);
      } else {
        json_set_null(b, "fork_of");
      }
      json_push(list, b);
    }
  }
  db_finalize(&s);
  return list;
}

/* 1 if work_id is imported here (the importer's table or the log). */
static int
work_known(struct db *db, const char *work_id)
{
  struct db_stmt *s = NULL;
  int yes = 0;

  if (db_prepare(db, "SELECT 1 FROM works WHERE work_id=?1 UNION ALL"
                 " SELECT 1 FROM st_works WHERE work_id=?1", &s) == 0 &&
      db_bind_text(s, 1, work_id, -1) == 0 && db_step(s) == DB_ROW)
    yes = 1;
  db_finalize(&s);
  return yes;
}

static void
post_books(struct http_req *req, struct api *api)
{
  struct json *body = api__body_json(req), *o;
  const char *work_id, *name, *fork;
  struct wire_entry e;
  uint8_t id[WIRE_HASH_BYTES];
  struct db *db;
  int err;

  if (body == NULL)
    return;
  memset(&e, 0, sizeof(e));
  work_id = json_get_str(body, "work_id");
  fork = json_get_str(body, "fork_of");
  if (work_id == NULL || work_id[0] == '\0' ||
      strlen(work_id) >= BOOKS_WORK_ID_MAX) {
    http_reply_error(req, 400, "give the work: {\"work_id\": ID, \"name\": "
                     "...}");
    goto out;
  }
  if (body_name(req, body, &name))
    goto out;
  if (json_get(body, "fork_of") && !json_is_null(json_get(body, "fork_of"))
      && (fork == NULL || parse_book(fork, strlen(fork), e.fork_of))) {
    http_reply_error(req, 400, "fork_of must be a book id");
    goto out;
  }
  db = api__db_lock(api);
  if (!work_known(db, work_id)) {
    api__db_unlock(api);
    http_reply_error(req, 404, "no work %s", work_id);
    goto out;
  }
  if (fork) {
    char *fw = NULL, *fn = NULL;
    uint8_t ff[WIRE_BOOK_ID_BYTES];
    int hf;

    err = book_row(db, e.fork_of, &fw, &fn, &hf, ff);
    if (err || strcmp(fw, work_id) != 0) {
      api__db_unlock(api);
      http_reply_error(req, err == ERR_NOT_FOUND || !err ? 404 : 500,
                       err == ERR_NOT_FOUND ? "no book %s to fork"
                       : err ? "cannot read the book %s"
                       : "book %s is of another work", fork);
      xfree(fw);
      xfree(fn);
      goto out;
    }
    xfree(fw);
    xfree(fn);
    e.has_fork_of = 1;
  }
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup(work_id);
  e.name = xstrdup(name);
  e.voice = xstrdup("");
  if (append(req, api, &e, id)) {
    api__db_unlock(api);
    goto out;
  }
  o = book_json(api, db, id, &err);
  api__db_unlock(api);
  if (o == NULL) {
    http_reply_error(req, 500, "cannot read the new book");
    goto out;
  }
  http_reply_json(req, 201, o);
  json_free(o);
out:
  wire_entry_clear(&e);
  json_free(body);
}

static void
books_root(struct http_req *req, void *arg)
{
  struct api *api = arg;

  if (http_req_rest(req)[0] != '\0') {
    http_reply_error(req, 404, "no such page: %s", http_req_path(req));
    return;
  }
  if (strcmp(http_req_method(req), "POST") == 0)
    post_books(req, api);
  else
    get_books(req, api);
}

/* ---- one book ----------------------------------------------------------- */

static void
book_get(struct http_req *req, struct api *api, const uint8_t *book)
{
  struct db *db = api__db_lock(api);
  int err;
  struct json *o = book_json(api, db, book, &err);

  api__db_unlock(api);
  if (o == NULL) {
    http_reply_error(req, err == ERR_NOT_FOUND ? 404 : 500,
                     err == ERR_NOT_FOUND ? "no such book"
                                          : "cannot read the book");
    return;
  }
  http_reply_json(req, 200, o);
  json_free(o);
}

/* Check book exists (locked); replies 404/500 and returns non-0. */
static int
book_exists(struct http_req *req, struct db *db, const uint8_t *book,
            char **work_id)
{
  char *wid = NULL, *name = NULL;
  uint8_t ff[WIRE_BOOK_ID_BYTES];
  int hf, err = book_row(db, book, &wid, &name, &hf, ff);

  xfree(name);
  if (err) {
    http_reply_error(req, err == ERR_NOT_FOUND ? 404 : 500,
                     err == ERR_NOT_FOUND ? "no such book"
                                          : "cannot read the book");
    xfree(wid);
    return err;
  }
  if (work_id)
    *work_id = wid;
  else
    xfree(wid);
  return 0;
}

/* PATCH {name}, DELETE. */
static void
book_change(struct http_req *req, struct api *api, const uint8_t *book,
            int delete)
{
  struct json *body = NULL, *o;
  const char *name = NULL;
  struct wire_entry e;
  struct db *db;
  int err;

  if (!delete) {
    body = api__body_json(req);
    if (body == NULL)
      return;
    if (body_name(req, body, &name)) {
      json_free(body);
      return;
    }
  }
  memset(&e, 0, sizeof(e));
  db = api__db_lock(api);
  if (book_exists(req, db, book, NULL)) {
    api__db_unlock(api);
    json_free(body);
    return;
  }
  e.op = delete ? WIRE_OP_BOOK_DELETE : WIRE_OP_BOOK_RENAME;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  if (!delete)
    e.name = xstrdup(name);
  if (append(req, api, &e, NULL)) {
    api__db_unlock(api);
    json_free(body);
    return;
  }
  if (delete) {
    api__db_unlock(api);
    o = json_new_object();
    json_set_bool(o, "deleted", 1);
  } else {
    o = book_json(api, db, book, &err);
    api__db_unlock(api);
  }
  if (o)
    http_reply_json(req, 200, o);
  else
    http_reply_error(req, 500, "cannot read the book");
  json_free(o);
  json_free(body);
}

/* PUT /cast/{character_key} and /cast/default {voice}. */
static void
book_cast(struct http_req *req, struct api *api, const uint8_t *book,
          const char *key)
{
  struct json *body = api__body_json(req), *o;
  struct wire_entry e;
  struct db_stmt *s = NULL;
  char *spec = NULL, *work_id = NULL;
  int is_default = strcmp(key, "default") == 0, found = 0;
  struct db *db;

  if (body == NULL)
    return;
  memset(&e, 0, sizeof(e));
  if (key[0] == '\0' || strlen(key) > BOOKS_CHAR_KEY_MAX) {
    http_reply_error(req, 404, "no such character");
    goto out;
  }
  if (body_voice(req, body, &spec))
    goto out;
  db = api__db_lock(api);
  if (book_exists(req, db, book, &work_id)) {
    api__db_unlock(api);
    goto out;
  }
  if (!is_default) {
    if (db_prepare(db, "SELECT 1 FROM (" CHAR_KEYS_SQL ") WHERE k=?2",
                   &s) == 0 &&
        db_bind_text(s, 1, work_id, -1) == 0 &&
        db_bind_text(s, 2, key, -1) == 0 && db_step(s) == DB_ROW)
      found = 1;
    db_finalize(&s);
    if (!found) {
      api__db_unlock(api);
      http_reply_error(req, 404, "no character %s in this book's work",
                       key);
      goto out;
    }
  }
  e.op = is_default ? WIRE_OP_CAST_DEFAULT : WIRE_OP_CAST_CHARACTER;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  if (!is_default)
    e.text = xstrdup(key);
  e.voice = xstrdup(spec);
  if (append(req, api, &e, NULL)) {
    api__db_unlock(api);
    goto out;
  }
  api__db_unlock(api);
  o = json_new_object();
  json_set_str(o, "character_key", key);
  if (spec[0])
    json_set_str(o, "voice", spec);
  else
    json_set_null(o, "voice");
  http_reply_json(req, 200, o);
  json_free(o);
out:
  xfree(work_id);
  xfree(spec);
  json_free(body);
}

/* POST /autocast: a distinct voice for every character of the work, the
 * most distinct to those who speak most, in one batch of entries. */
static void
book_autocast(struct http_req *req, struct api *api, const uint8_t *book)
{
  struct autocast_char *chars = NULL;
  char **keys = NULL, **voices = NULL, *work_id = NULL, *def = NULL;
  char errbuf[256];
  struct db_stmt *s = NULL;
  struct feed *f;
  struct json *o;
  size_t n = 0, cap = 0, i;
  struct db *db;
  int err = 0, rc = DB_DONE;

  db = api__db_lock(api);
  if (book_exists(req, db, book, &work_id)) {
    api__db_unlock(api);
    return;
  }
  err = db_prepare(db, "SELECT char_key, name, words FROM work_characters"
                   " WHERE work_id=?1", &s);
  if (!err)
    err = db_bind_text(s, 1, work_id, -1);
  while (!err && n < AUTOCAST_MAX && (rc = db_step(s)) == DB_ROW) {
    if (n == cap) {
      cap = cap ? 2 * cap : 32;
      chars = xrealloc(chars, cap * sizeof(*chars));
      keys = xrealloc(keys, cap * sizeof(*keys));
    }
    keys[n] = xstrdup(db_col_text(s, 0) ? db_col_text(s, 0) : "");
    chars[n].name = keys[n];
    chars[n].share = (double)db_col_int(s, 2);
    n++;
  }
  db_finalize(&s);
  if (err || rc < 0) {
    api__db_unlock(api);
    http_reply_error(req, 500, "cannot read the characters");
    goto out;
  }
  def = cast_get(api, book, STATE_CAST_DEFAULT, "", 0);
  voices = xcalloc(n ? n : 1, sizeof(*voices));
  err = autocast_assign(chars, n, BOOKS_AUTOCAST_LANG,
                        def[0] ? def : NULL, voices, errbuf,
                        sizeof(errbuf));
  if (err) {
    api__db_unlock(api);
    http_reply_error(req, 500, "auto-cast failed: %s", errbuf);
    goto out;
  }
  f = books_feed(api);
  err = f ? feed_begin(f) : ERR_DB;
  for (i = 0; !err && i < n; i++) {
    struct wire_entry e;

    memset(&e, 0, sizeof(e));
    e.op = WIRE_OP_CAST_CHARACTER;
    memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
    e.text = xstrdup(keys[i]);
    e.voice = xstrdup(voices[i]);
    err = feed_append(f, &e, NULL);
    wire_entry_clear(&e);
  }
  if (f && !err)
    err = feed_commit(f);
  else if (f)
    feed_rollback(f);
  if (err) {
    api__db_unlock(api);
    http_reply_error(req, err == ERR_FORBIDDEN ? 403 : 500,
                     "cannot record the casting: %s", err_str(err));
    goto out;
  }
  o = json_new_object();
  json_set(o, "cast", cast_cached(api, db, book, work_id));
  api__db_unlock(api);
  http_reply_json(req, 200, o);
  json_free(o);
out:
  for (i = 0; i < n; i++) {
    xfree(keys[i]);
    if (voices)
      xfree(voices[i]);
  }
  xfree(keys);
  xfree(voices);
  xfree(chars);
  xfree(def);
  xfree(work_id);
}

/* PUT /posts/{post_id}/voice {voice}: one post's voice (CastPost). */
static void
book_post_voice(struct http_req *req, struct api *api, const uint8_t *book,
                const char *post_key)
{
  struct json *body = api__body_json(req), *o;
  struct wire_entry e;
  char *spec = NULL;
  int64_t pidx = 0;
  struct db *db;
  int err;

  if (body == NULL)
    return;
  memset(&e, 0, sizeof(e));
  if (body_voice(req, body, &spec))
    goto out;
  db = api__db_lock(api);
  if (book_exists(req, db, book, NULL)) {
    api__db_unlock(api);
    goto out;
  }
  err = book_post_index(db, book, post_key, &pidx);
  if (err) {
    api__db_unlock(api);
    http_reply_error(req, err == ERR_NOT_FOUND ? 404 : 500,
                     "no post %s in this book", post_key);
    goto out;
  }
  e.op = WIRE_OP_CAST_POST;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  e.post = (uint32_t)pidx;
  e.voice = xstrdup(spec);
  err = append(req, api, &e, NULL);
  api__db_unlock(api);
  if (err)
    goto out;
  o = json_new_object();
  json_set_str(o, "post_id", post_key);
  if (spec[0])
    json_set_str(o, "voice", spec);
  else
    json_set_null(o, "voice");
  http_reply_json(req, 200, o);
  json_free(o);
out:
  xfree(spec);
  json_free(body);
}

/* ---- render requests ---------------------------------------------------- */

struct pick {
  uint32_t *idx;
  size_t n, cap;
  int want;          /* BOOK_IDLE, BOOK_FAILED, or -1: queued ones */
  uint32_t take;     /* highest take seen (rerender) */
};

static int
pick_state(void *arg, const struct book_sentence *s)
{
  struct pick *p = arg;
  int hit = p->want < 0 ? (s->state == BOOK_PENDING ||
                           s->state == BOOK_RENDERING ||
                           s->state == BOOK_FAILED)
                        : s->state == p->want;

  if (!hit)
    return 0;
  if (p->n == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 1024;
    p->idx = xrealloc(p->idx, p->cap * sizeof(*p->idx));
  }
  p->idx[p->n++] = (uint32_t)s->index;
  return 0;
}

/* Append StartRender (take 0) or Rerender (take > 0) entries for the
 * increasing indices idx[0..n), split so each fits an entry. */
static int
queue(struct feed *f, const uint8_t *book, const uint32_t *idx, size_t n,
      int op, uint32_t take)
{
  size_t i, start = 0, runs = 0;
  int err = 0;

  for (i = 0; i <= n && !err; i++) {
    int cut = i == n;
    if (i < n && (i == 0 || idx[i] != idx[i - 1] + 1))
      runs++;
    if (runs > BOOKS_RUNS_PER_ENTRY)
      cut = 1;
    if (cut && i > start) {
      struct wire_entry e;

      memset(&e, 0, sizeof(e));
      e.op = op;
      memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
      e.priority = op == WIRE_OP_RERENDER ? WIRE_PRIORITY_INTERACTIVE
                                          : WIRE_PRIORITY_BULK;
      e.take = take;
      err = wire_sentences_from(&e.sent, idx + start, i - start);
      if (!err)
        err = feed_append(f, &e, NULL);
      wire_entry_clear(&e);
      start = i;
      runs = 1;
    }
  }
  return err;
}

/* The highest take requested among idx[0..n), plus one. */
static int
next_take(struct db *db, const uint8_t *book, const uint32_t *idx, size_t n,
          uint32_t *take)
{
  struct db_stmt *s = NULL;
  size_t i;
  int err;

  *take = 0;
  err = db_prepare(db, "SELECT take FROM st_tasks WHERE book=?1 AND"
                   " sentence=?2", &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  for (i = 0; !err && i < n; i++) {
    db_reset(s);
    err = db_bind_int(s, 2, idx[i]);
    if (!err && db_step(s) == DB_ROW &&
        (uint32_t)db_col_int(s, 0) > *take)
      *take = (uint32_t)db_col_int(s, 0);
  }
  db_finalize(&s);
  (*take)++;
  return err;
}

static int
cmp_u32(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* The sentence ids of body.sentences as sorted, distinct indices; replies
 * and returns non-0 on bad input. */
static int
body_sentences(struct http_req *req, struct db *db, const uint8_t *book,
               const struct json *list, struct pick *p)
{
  size_t i, n = json_len(list), k = 0;

  if (!json_is_array(list) || n == 0 || n > BOOKS_RERENDER_MAX) {
    http_reply_error(req, 400, "sentences must be a list of 1 to %d "
                     "sentence ids", BOOKS_RERENDER_MAX);
    return ERR_INVAL;
  }
  p->idx = xmalloc(n * sizeof(*p->idx));
  for (i = 0; i < n; i++) {
    const struct json *j = json_at(list, i);
    int64_t ix;

    if (!json_is_string(j) ||
        book_sentence_index(db, book, json_str(j), &ix) != 0) {
      http_reply_error(req, 400, "no sentence %s in this book",
                       json_is_string(j) ? json_str(j) : "(not a string)");
      return ERR_INVAL;
    }
    p->idx[i] = (uint32_t)ix;
  }
  qsort(p->idx, n, sizeof(*p->idx), cmp_u32);
  for (i = 0; i < n; i++)
    if (k == 0 || p->idx[i] != p->idx[k - 1])
      p->idx[k++] = p->idx[i];
  p->n = k;
  return 0;
}

/* PUT /snippets {sentences: [id, ...], voice}: a voice for sentences,
 * one CastSnippet per run of consecutive sentences, in one batch. */
static void
book_snippets(struct http_req *req, struct api *api, const uint8_t *book)
{
  struct json *body = api__body_json(req), *o;
  struct pick p;
  struct feed *f;
  char *spec = NULL;
  struct db *db;
  size_t i, start = 0, runs = 0;
  int err = 0;

  if (body == NULL)
    return;
  memset(&p, 0, sizeof(p));
  if (body_voice(req, body, &spec))
    goto out;
  db = api__db_lock(api);
  f = books_feed(api);
  if (book_exists(req, db, book, NULL) ||
      body_sentences(req, db, book, json_get(body, "sentences"), &p)) {
    api__db_unlock(api);
    goto out;
  }
  err = f ? feed_begin(f) : ERR_DB;
  for (i = 1; !err && i <= p.n; i++) {
    struct wire_entry e;

    if (i < p.n && p.idx[i] == p.idx[i - 1] + 1)
      continue;
    memset(&e, 0, sizeof(e));
    e.op = WIRE_OP_CAST_SNIPPET;
    memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
    e.first = p.idx[start];
    e.last = p.idx[i - 1];
    e.voice = xstrdup(spec);
    err = feed_append(f, &e, NULL);
    wire_entry_clear(&e);
    start = i;
    runs++;
  }
  if (f && !err)
    err = feed_commit(f);
  else if (f)
    feed_rollback(f);
  api__db_unlock(api);
  if (err) {
    http_reply_error(req, err == ERR_FORBIDDEN ? 403 : 500,
                     "cannot record the voice: %s", err_str(err));
    goto out;
  }
  o = json_new_object();
  json_set_int(o, "sentences", (int64_t)p.n);
  json_set_int(o, "snippets", (int64_t)runs);
  http_reply_json(req, 200, o);
  json_free(o);
out:
  xfree(p.idx);
  xfree(spec);
  json_free(body);
}

/* POST /render, /cancel, /rerender. */
static void
book_queue(struct http_req *req, struct api *api, const uint8_t *book,
           const char *what)
{
  struct json *body = NULL, *o;
  struct pick p;
  struct feed *f;
  struct db *db;
  const char *key = "queued";
  int err, op = WIRE_OP_START_RENDER;
  uint32_t take = 0;
  size_t count;

  memset(&p, 0, sizeof(p));
  if (strcmp(what, "rerender") == 0) {
    body = api__body_json(req);
    if (body == NULL)
      return;
    op = WIRE_OP_RERENDER;
  }
  db = api__db_lock(api);
  f = books_feed(api);
  if (book_exists(req, db, book, NULL))
    goto unlock;
  if (f == NULL) {
    http_reply_error(req, 500, "cannot open the log");
    goto unlock;
  }
  if (strcmp(what, "render") == 0) {
    p.want = BOOK_IDLE;
    err = book_sentences(db, book, BOOK_BY_SENTENCE, 0, WIRE_SENTENCE_MAX,
                         pick_state, &p, NULL);
  } else if (strcmp(what, "cancel") == 0) {
    p.want = -1;
    key = "cancelled";
    err = book_sentences(db, book, BOOK_BY_SENTENCE, 0, WIRE_SENTENCE_MAX,
                         pick_state, &p, NULL);
  } else if (json_is_true(json_get(body, "failed"))) {
    p.want = BOOK_FAILED;
    err = book_sentences(db, book, BOOK_BY_SENTENCE, 0, WIRE_SENTENCE_MAX,
                         pick_state, &p, NULL);
  } else if (json_get(body, "sentences")) {
    if (body_sentences(req, db, book, json_get(body, "sentences"), &p))
      goto unlock;
    err = 0;
  } else {
    http_reply_error(req, 400, "give {\"sentences\": [id, ...]} or "
                     "{\"failed\": true}");
    goto unlock;
  }
  if (err == ERR_NOT_FOUND) {
    http_reply_error(req, 409, "the book's work is not imported on this "
                     "node");
    goto unlock;
  }
  if (!err && op == WIRE_OP_RERENDER && p.n)
    err = next_take(db, book, p.idx, p.n, &take);
  count = p.n;
  if (!err && strcmp(what, "cancel") == 0 && p.n) {
    struct wire_entry e;

    memset(&e, 0, sizeof(e));
    e.op = WIRE_OP_CANCEL_PENDING;
    memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
    err = feed_append(f, &e, NULL);
    wire_entry_clear(&e);
  } else if (!err && p.n) {
    err = feed_begin(f);
    if (!err)
      err = queue(f, book, p.idx, p.n, op, take);
    if (!err)
      err = feed_commit(f);
    else
      feed_rollback(f);
  }
  if (err) {
    http_reply_error(req, err == ERR_FORBIDDEN ? 403 : 500,
                     "cannot queue the work: %s", err_str(err));
    goto unlock;
  }
  if (count)
    publish_progress(api, db, book);
  api__db_unlock(api);
  o = json_new_object();
  json_set_int(o, key, (int64_t)count);
  http_reply_json(req, 200, o);
  json_free(o);
  goto out;
unlock:
  api__db_unlock(api);
out:
  xfree(p.idx);
  json_free(body);
}

/* GET /progress: the counts, throughput and time left. */
static void
book_progress_get(struct http_req *req, struct api *api, const uint8_t *book)
{
  struct db *db = api__db_lock(api);
  struct json *o;
  int err;

  if (book_exists(req, db, book, NULL)) { /* it replied */
    api__db_unlock(api);
    return;
  }
  o = api_live__progress_json(api, db, book, &err);
  api__db_unlock(api);
  if (o == NULL) {
    http_reply_error(req, err == ERR_NOT_FOUND ? 409 : 500,
                     err == ERR_NOT_FOUND ? "the book's work is not "
                     "imported on this node" : "cannot count the book");
    return;
  }
  http_reply_json(req, 200, o);
  json_free(o);
}

/* ---- reader and player lists -------------------------------------------- */

#define LISTER_CHARS_MAX 64 /* characters' voices remembered in one page */
#define BOOKS_PAGE_BYTES_MAX (64u << 20) /* bytes of one page's answer */

struct lister {
  struct api *api;
  struct state *st;       /* for casting lookups, over the walk's store */
  const uint8_t *book;
  char *dv;               /* the book's default voice, once looked up */
  struct {
    char *key, *voice;
  } cv[LISTER_CHARS_MAX]; /* characters' voices looked up so far */
  size_t ncv;
  struct buf out;         /* the answer's JSON text so far */
  size_t items;           /* sentences or posts written */
  size_t sents;           /* sentences of the current post (BY_POST) */
  int err;                /* first error writing out */
  char *post_key;
  int64_t para;
  int by;
};

/* The current voice of a casting target of the lister's book, or ""
 * (caller frees). */
static char *
lister_cast(struct lister *l, int kind, const char *target, uint32_t pos)
{
  char *v = NULL;

  if (l->st == NULL ||
      state_cast_get(l->st, l->book, kind, target, pos, &v) != 0)
    v = NULL;
  return v ? v : xstrdup("");
}

/* The same for the default voice and characters, remembered for the
 * page (a page has few characters and many posts). */
static const char *
lister_cast_memo(struct lister *l, const char *char_key)
{
  size_t i;

  if (char_key == NULL) {
    if (l->dv == NULL)
      l->dv = lister_cast(l, STATE_CAST_DEFAULT, "", 0);
    return l->dv;
  }
  for (i = 0; i < l->ncv; i++)
    if (strcmp(l->cv[i].key, char_key) == 0)
      return l->cv[i].voice;
  if (l->ncv == LISTER_CHARS_MAX)
    return NULL;
  l->cv[l->ncv].key = xstrdup(char_key);
  l->cv[l->ncv].voice = lister_cast(l, STATE_CAST_CHARACTER, char_key, 0);
  return l->cv[l->ncv++].voice;
}

/* Free what the walk produced and remembered (the list too). */
static void
lister_free(struct lister *l)
{
  size_t i;

  buf_free(&l->out);
  l->items = l->sents = 0;
  l->err = 0;
  xfree(l->post_key);
  l->post_key = NULL;
  xfree(l->dv);
  l->dv = NULL;
  for (i = 0; i < l->ncv; i++) {
    xfree(l->cv[i].key);
    xfree(l->cv[i].voice);
  }
  l->ncv = 0;
}

/* Forget what the walk produced: an empty answer again, "{KEY:[". */
static void
lister_reset(struct lister *l)
{
  lister_free(l);
  buf_init(&l->out, BOOKS_PAGE_BYTES_MAX);
  l->err = buf_append_str(&l->out, l->by == BOOK_BY_POST ? "{\"posts\":["
                                                         : "{\"sentences\":[");
}

/* Append lead (the punctuation and key before a value) and text. */
static void
put_raw(struct lister *l, const char *lead, const char *text)
{
  if (!l->err)
    l->err = buf_append_str(&l->out, lead);
  if (!l->err && text)
    l->err = buf_append_str(&l->out, text);
}

/* Append lead and v as a JSON string. */
static void
put_str(struct lister *l, const char *lead, const char *v)
{
  put_raw(l, lead, NULL);
  if (!l->err)
    l->err = json_write_str(&l->out, v);
}

/* Append lead and v as a JSON number. */
static void
put_num(struct lister *l, const char *lead, double v)
{
  put_raw(l, lead, NULL);
  if (!l->err)
    l->err = json_write_num(&l->out, v);
}

/* One sentence as an object, written as json_print writes the object the
 * API built before (same keys in the same order): id, index, text, state,
 * [post_id, speaker, icon_url,] audio, duration, error, node,
 * paragraph_break. */
static void
put_sentence(struct lister *l, const struct book_sentence *s, int with_post,
             int para_break)
{
  char hex[2 * WIRE_KEY_BYTES + 1];

  put_str(l, "{\"id\":", s->id);
  put_num(l, ",\"index\":", (double)s->index);
  put_str(l, ",\"text\":", s->text);
  put_str(l, ",\"state\":", book_state_str(s->state));
  if (with_post) {
    put_str(l, ",\"post_id\":", s->post_key);
    put_str(l, ",\"speaker\":", s->speaker);
    if (s->icon_url)
      put_str(l, ",\"icon_url\":", s->icon_url);
  }
  if (s->has_blob) {
    hex_encode(hex, s->blob, WIRE_HASH_BYTES);
    put_raw(l, ",\"audio\":\"/audio/", hex);
    put_num(l, ".opus\",\"duration\":", (double)s->duration_ms / 1000.0);
  }
  if (s->state == BOOK_FAILED && s->error)
    put_str(l, ",\"error\":", s->error);
  if (s->state == BOOK_RENDERING && s->has_node) {
    hex_encode(hex, s->node, WIRE_KEY_BYTES);
    put_str(l, ",\"node\":", hex);
  }
  if (para_break)
    put_raw(l, ",\"paragraph_break\":true", NULL);
  put_raw(l, "}", NULL);
}

static int
list_sentence(void *arg, const struct book_sentence *s)
{
  struct lister *l = arg;

  if (l->by == BOOK_BY_SENTENCE) {
    if (l->items++)
      put_raw(l, ",", NULL);
    put_sentence(l, s, 1, 0);
    return l->err;
  }
  if (l->post_key == NULL || strcmp(l->post_key, s->post_key) != 0) {
    char *ov, *cvo = NULL;
    const char *cv = NULL, *dv;

    if (l->post_key)
      put_raw(l, "]}", NULL); /* the previous post */
    if (l->items++)
      put_raw(l, ",", NULL);
    xfree(l->post_key);
    l->post_key = xstrdup(s->post_key);
    put_str(l, "{\"id\":", s->post_key);
    put_num(l, ",\"index\":", (double)s->post_index);
    if (s->char_key)
      put_str(l, ",\"character_key\":", s->char_key);
    else
      put_raw(l, ",\"character_key\":null", NULL);
    put_str(l, ",\"speaker\":", s->speaker);
    put_str(l, ",\"author\":", s->author ? s->author : "");
    if (s->icon_url)
      put_str(l, ",\"icon_url\":", s->icon_url);
    if (s->icon_keyword)
      put_str(l, ",\"icon_keyword\":", s->icon_keyword);
    ov = lister_cast(l, STATE_CAST_POST, "", (uint32_t)s->post_index);
    if (s->char_key) {
      cv = lister_cast_memo(l, s->char_key);
      if (cv == NULL)
        cv = cvo = lister_cast(l, STATE_CAST_CHARACTER, s->char_key, 0);
    }
    dv = lister_cast_memo(l, NULL);
    put_str(l, ",\"voice\":", ov[0] ? ov : cv && cv[0] ? cv : dv);
    if (ov[0])
      put_str(l, ",\"voice_override\":", ov);
    xfree(ov);
    xfree(cvo);
    put_raw(l, ",\"sentences\":[", NULL);
    l->sents = 0;
    l->para = s->para;
  }
  if (l->sents++)
    put_raw(l, ",", NULL);
  put_sentence(l, s, 0, s->para != l->para);
  l->para = s->para;
  return l->err;
}

/* Walk a page on one of the read-only connections (both cores serve
 * pages), or on the API's connection when there are none or the story
 * order changed under the walk (it is rebuilt there). */
static int
list_walk(struct api *api, struct lister *l, int64_t from, int64_t limit,
          int64_t *total)
{
  struct db *db;
  struct state *st;
  struct book_pages *pages;
  struct feed *f;
  int err;

  if (api_readers__get(api, &db, &st, &pages) == 0) {
    l->st = st;
    err = book_pages_walk(pages, l->book, l->by, from, limit, list_sentence,
                          l, total);
    api_readers__put(api, db);
    if (err != ERR_DB) /* read-only: the story order must be rebuilt */
      return err;
    lister_reset(l);
  }
  db = api__db_lock(api);
  f = books_feed(api);
  l->st = f ? feed_state(f) : NULL;
  err = book_sentences(db, l->book, l->by, from, limit, list_sentence, l,
                       total);
  api__db_unlock(api);
  return err;
}

/* GET /posts?from=&limit= and /sentences?from=&limit=|?at=ID. */
static void
book_list(struct http_req *req, struct api *api, const uint8_t *book,
          int by)
{
  struct lister l;
  struct db *db;
  char at[BOOKS_QUERY_MAX], key[API_CACHE_KEY_MAX];
  char hex[BOOK_HEX + 1];
  struct buf cached;
  uint64_t gen;
  int64_t from, limit, total = 0;
  int err, has_at;

  if (query_int(req, "from", 0, WIRE_SENTENCE_MAX, &from) ||
      query_int(req, "limit", by == BOOK_BY_POST ? BOOKS_POSTS_DEFAULT
                                                 : BOOKS_SENTENCES_DEFAULT,
                by == BOOK_BY_POST ? BOOKS_POSTS_MAX : BOOKS_SENTENCES_MAX,
                &limit))
    return;
  err = http_req_query(req, "at", at, sizeof(at));
  if (err && err != ERR_NOT_FOUND) {
    http_reply_error(req, 400, "at must be a sentence id");
    return;
  }
  has_at = err == 0 && by == BOOK_BY_SENTENCE;
  memset(&l, 0, sizeof(l));
  l.api = api;
  l.book = book;
  l.by = by;
  db = api__db_lock(api);
  gen = api_cache_gen(db);
  hex_encode(hex, book, WIRE_BOOK_ID_BYTES);
  snprintf(key, sizeof(key), "%c/%s/%lld/%lld/%s", by == BOOK_BY_POST ? 'p'
           : 's', hex, (long long)from, (long long)limit, has_at ? at : "");
  buf_init(&cached, API_CACHE_ITEM_MAX);
  if (api_cache_get(api->cache, key, gen, &cached)) {
    api__db_unlock(api);
    http_reply(req, 200, "application/json; charset=utf-8", cached.data,
               cached.len, "Cache-Control: no-store\r\n");
    buf_free(&cached);
    return;
  }
  buf_free(&cached);
  if (book_exists(req, db, book, NULL)) {
    api__db_unlock(api);
    return;
  }
  if (has_at) {
    err = book_sentence_index(db, book, at, &from);
    if (err == ERR_NOT_FOUND) {
      api__db_unlock(api);
      http_reply_error(req, 404, "no sentence %s in this book", at);
      return;
    }
  } else {
    err = book_story_ready(db, book);
  }
  /* Read after the story order is built: the walk sees at least this. */
  gen = api_cache_gen(db);
  api__db_unlock(api);
  lister_reset(&l);
  if (!err)
    err = l.err;
  if (!err)
    err = list_walk(api, &l, from, limit, &total);
  if (err) {
    lister_free(&l);
    if (err == ERR_NOT_FOUND)
      http_reply_error(req, 409, "the book's work is not imported on this "
                       "node");
    else
      http_reply_error(req, 500, "cannot read the book");
    return;
  }
  /* Close the last post, the list and the object. */
  if (by == BOOK_BY_POST && l.post_key)
    put_raw(&l, "]}", NULL);
  put_num(&l, "],\"total\":", (double)total);
  if (from + limit < total)
    put_num(&l, ",\"next\":", (double)(from + limit));
  else
    put_raw(&l, ",\"next\":null", NULL);
  put_raw(&l, "}", NULL);
  if (l.err) {
    lister_free(&l);
    http_reply_error(req, 500, "the page is too large; ask for fewer");
    return;
  }
  api_cache_put(api->cache, key, gen, l.out.data, l.out.len);
  http_reply(req, 200, "application/json; charset=utf-8", l.out.data,
             l.out.len, "Cache-Control: no-store\r\n");
  lister_free(&l);
}

/* /api/books/{id}[/...] */
static void
books_one(struct http_req *req, void *arg)
{
  struct api *api = arg;
  const char *rest = http_req_rest(req), *method = http_req_method(req);
  const char *slash = strchr(rest, '/');
  size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
  uint8_t book[WIRE_BOOK_ID_BYTES];
  const char *sub = slash ? slash + 1 : NULL;
  int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;

  if (parse_book(rest, idlen, book)) {
    http_reply_error(req, 404, "no such book");
    return;
  }
  if (sub == NULL) {
    if (get)
      book_get(req, api, book);
    else if (strcmp(method, "PATCH") == 0)
      book_change(req, api, book, 0);
    else if (strcmp(method, "DELETE") == 0)
      book_change(req, api, book, 1);
    else
      http_reply_error(req, 405, "use GET, PATCH or DELETE");
  } else if (strncmp(sub, "cast/", 5) == 0 &&
             strcmp(method, "PUT") == 0) {
    book_cast(req, api, book, sub + 5);
  } else if (strcmp(sub, "snippets") == 0 &&
             strcmp(method, "PUT") == 0) {
    book_snippets(req, api, book);
  } else if (strncmp(sub, "posts/", 6) == 0 && strlen(sub) > 12 &&
             strcmp(sub + strlen(sub) - 6, "/voice") == 0 &&
             strcmp(method, "PUT") == 0) {
    char key[BOOKS_CHAR_KEY_MAX];
    size_t klen = strlen(sub) - 12;
    if (klen >= sizeof(key)) {
      http_reply_error(req, 404, "no such post");
      return;
    }
    memcpy(key, sub + 6, klen);
    key[klen] = '\0';
    book_post_voice(req, api, book, key);
  } else if (strcmp(sub, "autocast") == 0 && post) {
    book_autocast(req, api, book);
  } else if ((strcmp(sub, "render") == 0 || strcmp(sub, "cancel") == 0 ||
              strcmp(sub, "rerender") == 0) && post) {
    book_queue(req, api, book, sub);
  } else if (strcmp(sub, "posts") == 0 && get) {
    book_list(req, api, book, BOOK_BY_POST);
  } else if (strcmp(sub, "sentences") == 0 && get) {
    book_list(req, api, book, BOOK_BY_SENTENCE);
  } else if (strcmp(sub, "lexicon") == 0 ||
             strncmp(sub, "lexicon/", 8) == 0) {
    if (strcmp(sub, "lexicon") == 0 && !get)
      http_reply_error(req, 405, "use GET, or PUT/DELETE lexicon/WORD");
    else
      api_lexicon__handle(req, api, book, sub[7] ? sub + 8 : NULL);
  } else if (strcmp(sub, "progress") == 0 && get) {
    book_progress_get(req, api, book);
  } else {
    http_reply_error(req, 404, "no such page: %s %s", method,
                     http_req_path(req));
  }
}

/* ---- GET /books/{id}/book.opus ------------------------------------------ */

struct export_call {
  struct book_export *x;
  struct http_req *req;
  char *errbuf;
  size_t errlen;
  int64_t bytes;  /* written so far */
};

static int
stream_piece(void *arg, const void *data, size_t len)
{
  struct export_call *c = arg;
  c->bytes += (int64_t)len;
  return http_stream_write(c->req, data, len);
}


static int
export_on_big_stack(void *arg)
{
  struct export_call *c = arg;
  return book_export_write(c->x, stream_piece, c, c->errbuf, c->errlen);
}

static void
get_book_opus(struct http_req *req, void *arg)
{
  struct api *api = arg;
  const char *rest = http_req_rest(req);
  const char *slash = strchr(rest, '/');
  struct config *cfg = api->app->cfg;
  struct book_export_opts o;
  struct book_export_info info;
  struct book_export *x = NULL;
  struct blobs *blobs = NULL;
  uint8_t book[WIRE_BOOK_ID_BYTES];
  char *path, *work_id = NULL, *name = NULL, errbuf[256];
  uint8_t ff[WIRE_BOOK_ID_BYTES];
  struct db *db;
  char post[BOOKS_CHAR_KEY_MAX], thread[BOOKS_QUERY_MAX], *end;
  int err, hf, has_post, has_thread;
  long long tpos = 0;

  if (slash == NULL || parse_book(rest, (size_t)(slash - rest), book) ||
      (strcmp(slash, "/book.opus") != 0 &&
       strcmp(slash, "/feed.xml") != 0)) {
    http_reply_error(req, 404, "no such download");
    return;
  }
  if (strcmp(slash, "/feed.xml") == 0) {
    api_downloads__feed(req, api, book);
    return;
  }
  err = http_req_query(req, "post", post, sizeof(post));
  has_post = err == 0;
  if (err && err != ERR_NOT_FOUND) {
    http_reply_error(req, 400, "post must be a post id");
    return;
  }
  err = http_req_query(req, "thread", thread, sizeof(thread));
  has_thread = err == 0;
  if (has_thread) {
    errno = 0;
    tpos = strtoll(thread, &end, 10);
  }
  if ((err && err != ERR_NOT_FOUND) ||
      (has_thread && (thread[0] == '\0' || *end != '\0' || errno ||
                      tpos < 0))) {
    http_reply_error(req, 400, "thread must be a thread id (a whole "
                     "number)");
    return;
  }
  if (has_post && has_thread) {
    http_reply_error(req, 400, "give post or thread, not both");
    return;
  }
  path = datadir_file(api->app->dir, "blobs");
  err = blobs_open(path, &blobs);
  xfree(path);
  if (err) {
    http_reply_error(req, 500, "cannot open the audio store");
    return;
  }
  memset(&o, 0, sizeof(o));
  o.gap_sentence_ms = (unsigned)config_get_int(cfg, "pause-sentence");
  o.gap_paragraph_ms = (unsigned)config_get_int(cfg, "pause-paragraph");
  o.gap_post_ms = (unsigned)config_get_int(cfg, "pause-post");
  o.bitrate = (int)config_get_int(cfg, "bitrate");
  o.complexity = AUDIO_COMPLEXITY_DEFAULT;
  o.post_key = has_post ? post : NULL;
  o.has_thread = has_thread;
  o.thread = tpos;
  db = api__db_lock(api);
  err = book_row(db, book, &work_id, &name, &hf, ff);
  o.title = name;
  if (!err)
    err = book_export_open(db, blobs, book, &o, &info, &x);
  api__db_unlock(api);
  if (err == ERR_NOT_FOUND && name && info.total > 0)
    http_reply_error(req, 409, "nothing of this %s is rendered yet (0 of "
                     "%lld sentences)", has_post ? "post" : has_thread
                     ? "thread" : "book", (long long)info.total);
  else if (err == ERR_NOT_FOUND && name && (has_post || has_thread))
    http_reply_error(req, 404, "no such %s in this book",
                     has_post ? "post" : "thread");
  else if (err == ERR_NOT_FOUND)
    http_reply_error(req, 404, "no such book, or its work is not imported "
                     "here");
  else if (err)
    http_reply_error(req, 500, "cannot read the book");
  if (err)
    goto out;
  /* The stream is produced from the blobs alone, without the store; its
   * length is known when it was produced before (equal plans give equal
   * bytes). */
  {
    struct export_call c = {x, req, errbuf, sizeof(errbuf), 0};
    uint8_t key[BOOK_EXPORT_KEY_BYTES];
    char length[64] = "";
    int64_t known = -1;
    book_export_key(x, key);
    if (book_export_size_get(api__db_lock(api), key, &known) == 0)
      snprintf(length, sizeof(length), "Content-Length: %lld\r\n",
               (long long)known);
    api__db_unlock(api);
    http_stream_start(req, "audio/ogg", length[0] ? length : NULL);
    err = api__run_big_stack(export_on_big_stack, &c);
    if (!err && c.bytes != known) {
      /* Its exact size, for the podcast feed's enclosures. */
      err = book_export_size_put(api__db_lock(api), key, c.bytes);
      api__db_unlock(api);
      if (err)
        log_warn("cannot keep an export's size: %s", err_str(err));
      err = 0;
    }
  }
  if (err)
    log_warn("export of a book stopped: %s", errbuf);
out:
  book_export_free(&x);
  blobs_close(&blobs);
  xfree(work_id);
  xfree(name);
}

void
api_books__register(struct api *api, struct http_server *srv)
{
  http_route(srv, "GET", "/api/books", 0, books_root, api);
  http_route(srv, "POST", "/api/books", 0, books_root, api);
  http_route(srv, "GET", "/api/books/", 0, books_one, api);
  http_route(srv, "POST", "/api/books/", 0, books_one, api);
  http_route(srv, "PUT", "/api/books/", 0, books_one, api);
  http_route(srv, "PATCH", "/api/books/", 0, books_one, api);
  http_route(srv, "DELETE", "/api/books/", 0, books_one, api);
  http_route(srv, "GET", "/books/", 0, get_book_opus, api);
}
