/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* /api/books/{id}/lexicon: a book's pronunciation list. Each change is a
 * Lexicon entry in this node's log (node/LOG.md); the current list is,
 * per word, the entry with the highest (lamport, author), an empty
 * pronunciation removing the word (as node/rsource.c reads it). */
#define LOG_MODULE "api"
#include <string.h>

#include "node/alloc.h"
#include "node/api_internal.h"
#include "node/db.h"
#include "node/feed.h"
#include "node/json.h"
#include "node/prep.h"

/* Current entries of book, by word; ?2 picks one word or NULL for all. */
static const char *const lex_sql =
  "SELECT word, pron FROM st_lexicon l WHERE book = ?1"
  " AND (?2 IS NULL OR word = ?2) AND NOT EXISTS (SELECT 1 FROM st_lexicon m"
  "  WHERE m.book = l.book AND m.word = l.word"
  "  AND (m.lamport, m.author) > (l.lamport, l.author))"
  " AND pron <> '' ORDER BY word LIMIT ?3";

static int
book_live(struct db *db, const uint8_t *book)
{
  struct db_stmt *s = NULL;
  int yes = 0;

  if (db_prepare(db, "SELECT 1 FROM st_books WHERE book = ?1 AND"
                 " created = 1 AND deleted = 0", &s) == 0 &&
      db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES) == 0 &&
      db_step(s) == DB_ROW)
    yes = 1;
  db_finalize(&s);
  return yes;
}

/* The entries (one word, or all when word is NULL) as a JSON array. */
static int
list(struct db *db, const uint8_t *book, const char *word, struct json **out)
{
  struct db_stmt *s = NULL;
  int err, rc = DB_DONE;

  *out = json_new_array();
  err = db_prepare(db, lex_sql, &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err)
    err = word ? db_bind_text(s, 2, word, -1) : db_bind_null(s, 2);
  if (!err)
    err = db_bind_int(s, 3, PREP_LEXICON_MAX);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    struct json *o = json_new_object();
    json_set_str(o, "word", db_col_text(s, 0) ? db_col_text(s, 0) : "");
    json_set_str(o, "pron", db_col_text(s, 1) ? db_col_text(s, 1) : "");
    json_push(*out, o);
  }
  db_finalize(&s);
  return err ? err : rc < 0 ? rc : 0;
}

/* ASCII letters lowered: the lexicon matches words case-insensitively,
 * so "Keeper" and "keeper" are one entry. */
static char *
norm_word(const char *w)
{
  char *s = xstrdup(w), *p;
  for (p = s; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  return s;
}

void
api_lexicon__handle(struct http_req *req, struct api *api,
                    const uint8_t *book, const char *word)
{
  const char *method = http_req_method(req), *pron = "";
  struct json *body = NULL, *arr = NULL, *o;
  struct prep_lexicon *check = NULL;
  struct wire_entry e;
  struct feed *f;
  struct db *db;
  char errbuf[256], *w = NULL;
  int err, put = strcmp(method, "PUT") == 0;
  int del = strcmp(method, "DELETE") == 0;

  memset(&e, 0, sizeof(e));
  if (word && !put && !del) {
    http_reply_error(req, 405, "use PUT or DELETE on lexicon/WORD");
    return;
  }
  if (word) {
    w = norm_word(word);
    if (put) {
      body = api__body_json(req);
      if (body == NULL)
        goto out;
      pron = json_get_str(body, "pron");
      if (pron == NULL || pron[0] == '\0') {
        http_reply_error(req, 400, "give {\"pron\": RESPELLING} (a "
                         "respelling, or phonemes in [[...]])");
        goto out;
      }
    }
    /* The rules of the render path (node/prep.h), checked before the
     * entry is written. */
    check = prep_lexicon_new();
    if (prep_lexicon_add(check, w, put ? pron : "x", errbuf,
                         sizeof(errbuf)) != 0) {
      http_reply_error(req, 400, "%s", errbuf);
      goto out;
    }
  }
  db = api__db_lock(api);
  if (!book_live(db, book)) {
    api__db_unlock(api);
    http_reply_error(req, 404, "no such book");
    goto out;
  }
  if (word == NULL || del) {
    err = list(db, book, w, &arr);
    if (err) {
      api__db_unlock(api);
      http_reply_error(req, 500, "cannot read the lexicon");
      goto out;
    }
    if (word == NULL) {
      api__db_unlock(api);
      o = json_new_object();
      json_set(o, "lexicon", arr);
      arr = NULL;
      http_reply_json(req, 200, o);
      json_free(o);
      goto out;
    }
    if (json_len(arr) == 0) {
      api__db_unlock(api);
      http_reply_error(req, 404, "the lexicon has no word %s", w);
      goto out;
    }
  }
  f = api_books__feed(api);
  e.op = WIRE_OP_LEXICON;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  e.text = xstrdup(w);
  e.pron = xstrdup(del ? "" : pron);
  err = f ? feed_append(f, &e, NULL) : ERR_DB;
  api__db_unlock(api);
  if (err) {
    http_reply_error(req, err == ERR_FORBIDDEN ? 403 : err == ERR_INVAL ||
                     err == ERR_TOO_BIG ? 400 : 500,
                     "cannot record the word: %s", err_str(err));
    goto out;
  }
  o = json_new_object();
  json_set_str(o, "word", w);
  if (del)
    json_set_bool(o, "deleted", 1);
  else
    json_set_str(o, "pron", pron);
  http_reply_json(req, 200, o);
  json_free(o);
out:
  wire_entry_clear(&e);
  prep_lexicon_free(&check);
  json_free(arr);
  json_free(body);
  xfree(w);
}
