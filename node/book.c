/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* An audiobook's sentences in story order and its export; see book.h. */
#include "node/book.h"

#include <stdio.h>
#include <string.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/blobs.h"
#include "node/buf.h"
#include "node/db.h"
#include "node/storyorder.h"

/* Every sentence of a created, undeleted book in story order (or of one
 * post, ?2, or one thread, ?3): index, post, paragraph, speaker and the
 * chosen result's blob (NULL if none): among results for the task's take
 * newer than its request, the lowest (lamport, author), as
 * state_result_get chooses (kept in st_sentence_state, sentstate.h). A
 * post's or thread's sentences are one range of the materialised story
 * order (node/storyorder.h). */
#define STORY_SQL(where)                                                    \
  "WITH b AS (SELECT work_id FROM st_books"                                 \
  " WHERE book = ?1 AND created = 1 AND deleted = 0)"                       \
  " SELECT w.idx, w.post_key, w.para, p.speaker, d.blob"                    \
  " FROM b JOIN work_order w ON w.work_id = b.work_id AND " where           \
  " JOIN work_post_order p ON p.work_id = w.work_id AND p.pidx = w.pidx"    \
  " LEFT JOIN st_sentence_state d ON d.book = ?1 AND d.sentence = w.idx"    \
  " ORDER BY w.idx"
#define POST_END(fn)                                                        \
  "(SELECT " fn "(w2.idx) FROM work_order w2 INDEXED BY work_order_pkey"    \
  " WHERE w2.work_id = b.work_id AND w2.post_key = ?2)"
#define THREAD_END(fn)                                                      \
  "(SELECT " fn "(w2.idx) FROM work_order w2 INDEXED BY work_order_post"    \
  " WHERE w2.work_id = b.work_id AND w2.pidx = (SELECT " fn "(p2.pidx)"     \
  " FROM work_post_order p2 WHERE p2.work_id = b.work_id"                   \
  " AND p2.thread_pos = ?3))"

static const char *const story_sql[3] = {
  STORY_SQL("1"),
  STORY_SQL("w.idx BETWEEN " POST_END("min") " AND " POST_END("max")),
  STORY_SQL("w.idx BETWEEN " THREAD_END("min") " AND " THREAD_END("max")),
};

static int totals(struct db *db, const uint8_t *book, int64_t *sentences,
                  int64_t *posts);

static const char *const state_names[] = {
  "idle", "pending", "rendering", "ready", "failed"};

const char *
book_state_str(int state)
{
  if (state < 0 || state > BOOK_FAILED)
    return "unknown";
  return state_names[state];
}

/* The pieces of an export: blob hashes and pieces, chapter names owned. */
struct plan {
  uint8_t *hashes;             /* n * WIRE_HASH_BYTES */
  struct audio_piece *pieces;  /* n */
  char **names;                /* nnames chapter names */
  size_t n, cap, nnames;
  struct blobs *blobs;
};

static void
plan_free(struct plan *p)
{
  size_t i;

  for (i = 0; i < p->nnames; i++)
    xfree(p->names[i]);
  xfree(p->names);
  xfree(p->hashes);
  xfree(p->pieces);
  memset(p, 0, sizeof(*p));
}

static void
plan_add(struct plan *p, const uint8_t *hash, unsigned gap,
         const char *chapter)
{
  if (p->n == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 256;
    p->hashes = xrealloc(p->hashes, p->cap * WIRE_HASH_BYTES);
    p->pieces = xrealloc(p->pieces, p->cap * sizeof(*p->pieces));
    p->names = xrealloc(p->names, p->cap * sizeof(*p->names));
  }
  memcpy(p->hashes + p->n * WIRE_HASH_BYTES, hash, WIRE_HASH_BYTES);
  p->pieces[p->n].gap_ms = gap;
  p->pieces[p->n].chapter = NULL;
  if (chapter) {
    p->names[p->nnames] = xstrdup(chapter);
    p->pieces[p->n].chapter = p->names[p->nnames++];
  }
  p->n++;
}

/* Walk the book once: counts into info and, when p is not NULL, the
 * pieces of the stream into p. */
static int
collect(struct db *db, struct blobs *blobs, const uint8_t *book,
        const struct book_export_opts *o, struct book_export_info *info,
        struct plan *p)
{
  struct db_stmt *s = NULL;
  char *last_post = NULL;
  int64_t last_para = -1, nsent, nposts;
  int err, rc = DB_DONE;

  memset(info, 0, sizeof(*info));
  err = totals(db, book, &nsent, &nposts); /* the story order is built */
  if (err == ERR_NOT_FOUND)
    return err;
  if (!err)
    err = db_prepare(db, story_sql[o && o->post_key ? 1
                                   : o && o->has_thread ? 2 : 0], &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err && o && o->post_key)
    err = db_bind_text(s, 2, o->post_key, -1);
  else if (!err && o && o->has_thread)
    err = db_bind_int(s, 3, o->thread);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    const char *post = db_col_text(s, 1);
    int64_t para = db_col_int(s, 2);
    size_t blen = 0;
    const uint8_t *blob = db_col_blob(s, 4, &blen);
    int new_post;
    char speaker[BOOK_SPEAKER_MAX];

    info->total++;
    if (blob == NULL || blen != WIRE_HASH_BYTES)
      continue;
    if (!blobs_has(blobs, blob)) {
      info->no_audio++;
      continue;
    }
    info->rendered++;
    new_post = last_post == NULL || strcmp(last_post, post ? post : "");
    if (new_post) {
      info->posts++;
      xfree(last_post);
      last_post = xstrdup(post ? post : "");
    }
    if (p != NULL) {
      unsigned gap = info->rendered == 1 ? 0
                     : new_post ? o->gap_post_ms
                     : para != last_para ? o->gap_paragraph_ms
                     : o->gap_sentence_ms;
      const char *chapter = NULL;
      if (new_post && info->chapters < AUDIO_CHAPTERS_MAX) {
        snprintf(speaker, sizeof(speaker), "%s",
                 db_col_text(s, 3) ? db_col_text(s, 3) : "");
        chapter = speaker;
        info->chapters++;
      }
      plan_add(p, blob, gap, chapter);
    } else if (new_post && info->chapters < AUDIO_CHAPTERS_MAX) {
      info->chapters++;
    }
    last_para = para;
  }
  db_finalize(&s);
  xfree(last_post);
  if (err)
    return err;
  if (rc < 0)
    return rc;
  return info->total == 0 ? ERR_NOT_FOUND : 0;
}

int
book_export_plan(struct db *db, struct blobs *blobs,
                 const uint8_t book[WIRE_BOOK_ID_BYTES],
                 struct book_export_info *info)
{
  return collect(db, blobs, book, NULL, info, NULL);
}

static int
fetch_piece(void *arg, size_t i, struct buf *out)
{
  struct plan *p = arg;

  return blobs_get(p->blobs, p->hashes + i * WIRE_HASH_BYTES, out);
}

struct book_export {
  struct plan p;
  struct book_export_opts o;
  char *title;
};

int
book_export_open(struct db *db, struct blobs *blobs,
                 const uint8_t book[WIRE_BOOK_ID_BYTES],
                 const struct book_export_opts *o,
                 struct book_export_info *info, struct book_export **out)
{
  struct book_export_info local;
  struct book_export *x = xcalloc(1, sizeof(*x));
  int err;

  *out = NULL;
  if (info == NULL)
    info = &local;
  x->p.blobs = blobs;
  x->o = *o;
  x->title = o->title ? xstrdup(o->title) : NULL;
  x->o.title = x->title;
  err = collect(db, blobs, book, o, info, &x->p);
  if (!err && x->p.n == 0)
    err = ERR_NOT_FOUND;
  if (err) {
    book_export_free(&x);
    return err;
  }
  *out = x;
  return 0;
}

int
book_export_write(struct book_export *x, audio_write_cb cb, void *arg,
                  char *errbuf, size_t errlen)
{
  struct audio_tags tags = {NULL, NULL, NULL};

  tags.title = x->o.title;
  tags.album = x->o.title;
  return audio_join(x->p.pieces, x->p.n, fetch_piece, &x->p, x->o.bitrate,
                    x->o.complexity, &tags, cb, arg, errbuf, errlen);
}

void
book_export_key(const struct book_export *x,
                uint8_t key[BOOK_EXPORT_KEY_BYTES])
{
  struct secure_hash_state *h = secure_hash_new();
  uint8_t out[SECURE_HASH_BYTES];
  char num[64];
  size_t i;

  /* Each field length-prefixed or fixed-size, so no two plans collide. */
#define KEY_STR(str)                                                        \
  do {                                                                      \
    const char *s_ = (str) ? (str) : "";                                    \
    snprintf(num, sizeof(num), "%zu:", strlen(s_));                         \
    secure_hash_update(h, num, strlen(num));                                \
    secure_hash_update(h, s_, strlen(s_));                                  \
  } while (0)
  KEY_STR("glowtalk-export-v1");
  KEY_STR(audio_version());
  snprintf(num, sizeof(num), "%d,%d,%zu;", x->o.bitrate, x->o.complexity,
           x->p.n);
  secure_hash_update(h, num, strlen(num));
  KEY_STR(x->o.title);
  for (i = 0; i < x->p.n; i++) {
    secure_hash_update(h, x->p.hashes + i * WIRE_HASH_BYTES,
                       WIRE_HASH_BYTES);
    snprintf(num, sizeof(num), "%u,%d;", x->p.pieces[i].gap_ms,
             x->p.pieces[i].chapter != NULL);
    secure_hash_update(h, num, strlen(num));
    if (x->p.pieces[i].chapter)
      KEY_STR(x->p.pieces[i].chapter);
  }
#undef KEY_STR
  secure_hash_final(&h, out);
  memcpy(key, out, BOOK_EXPORT_KEY_BYTES);
}

int
book_export_size_get(struct db *db, const uint8_t key[BOOK_EXPORT_KEY_BYTES],
                     int64_t *bytes)
{
  struct db_stmt *s = NULL;
  int err, rc = DB_DONE;

  err = db_prepare(db, "SELECT bytes FROM export_sizes WHERE key = ?1", &s);
  if (!err)
    err = db_bind_blob(s, 1, key, BOOK_EXPORT_KEY_BYTES);
  if (!err && (rc = db_step(s)) == DB_ROW)
    *bytes = db_col_int(s, 0);
  db_finalize(&s);
  if (err)
    return err;
  return rc == DB_ROW ? 0 : rc < 0 ? rc : ERR_NOT_FOUND;
}

int
book_export_size_put(struct db *db, const uint8_t key[BOOK_EXPORT_KEY_BYTES],
                     int64_t bytes)
{
  struct db_stmt *s = NULL;
  int err, rc;

  err = db_prepare(db, "INSERT OR REPLACE INTO export_sizes(key, bytes)"
                   " VALUES (?1, ?2)", &s);
  if (!err)
    err = db_bind_blob(s, 1, key, BOOK_EXPORT_KEY_BYTES);
  if (!err)
    err = db_bind_int(s, 2, bytes);
  if (!err) {
    rc = db_step(s);
    err = rc < 0 ? rc : 0;
  }
  db_finalize(&s);
  return err;
}

static int
count_bytes(void *arg, const void *data, size_t len)
{
  (void)data;
  *(int64_t *)arg += (int64_t)len;
  return 0;
}

int
book_export_measure(struct book_export *x, int64_t *bytes, char *errbuf,
                    size_t errlen)
{
  *bytes = 0;
  return book_export_write(x, count_bytes, bytes, errbuf, errlen);
}

void
book_export_free(struct book_export **x)
{
  if (x == NULL || *x == NULL)
    return;
  plan_free(&(*x)->p);
  xfree((*x)->title);
  xfree(*x);
  *x = NULL;
}

int
book_export(struct db *db, struct blobs *blobs,
            const uint8_t book[WIRE_BOOK_ID_BYTES],
            const struct book_export_opts *o, audio_write_cb cb, void *arg,
            struct book_export_info *info, char *errbuf, size_t errlen)
{
  struct book_export_info local;
  struct book_export *x = NULL;
  int err;

  if (info == NULL)
    info = &local;
  err = book_export_open(db, blobs, book, o, info, &x);
  if (err == ERR_NOT_FOUND && info->total > 0)
    snprintf(errbuf, errlen, "nothing of the book is rendered yet (0 of "
             "%lld sentences)", (long long)info->total);
  else if (err == ERR_NOT_FOUND)
    snprintf(errbuf, errlen, "no such book, or its work is not imported "
             "here");
  else if (err)
    snprintf(errbuf, errlen, "cannot read the book: %s", err_str(err));
  if (err)
    return err;
  err = book_export_write(x, cb, arg, errbuf, errlen);
  book_export_free(&x);
  return err;
}

/* ---- sentences with their state ------------------------------------------
 * A page is three range scans walked side by side, none of them a seek per
 * sentence: the sentences in story order with their text (work_order),
 * their posts (work_post_order) and the state of the requested ones
 * (st_sentence_state, node/sentstate.h: the chosen result, the newest
 * failure newer than the request, the covering claim's holder); a sentence
 * never requested is idle. */
enum {
  P_BOOK, P_DONE, P_POST_RANGE, P_SENT, P_POSTS, P_STATE, P_COUNT_
};

static const char *const pages_sql[P_COUNT_] = {
  [P_BOOK] = "SELECT work_id FROM st_books"
             " WHERE book = ?1 AND created = 1 AND deleted = 0",
  [P_DONE] = "SELECT sentences, posts FROM work_order_done WHERE work_id = ?1",
  /* Posts are contiguous in story order: a page of posts is the range of
   * their sentences. */
  [P_POST_RANGE] = "SELECT min(idx), max(idx) FROM work_order"
                   " INDEXED BY work_order_post"
                   " WHERE work_id = ?1 AND pidx BETWEEN ?2 AND ?3",
  [P_SENT] = "SELECT idx, pidx, sentence_id, post_key, text, para"
             " FROM work_order WHERE work_id = ?1 AND idx BETWEEN ?2 AND ?3"
             " ORDER BY idx",
  [P_POSTS] = "SELECT pidx, char_key, speaker, author, icon_url, icon_keyword"
              " FROM work_post_order WHERE work_id = ?1 AND pidx >= ?2"
              " ORDER BY pidx",
  [P_STATE] = "SELECT sentence, state, blob, duration_ms, error, cl_author"
              " FROM st_sentence_state WHERE book = ?1"
              " AND sentence BETWEEN ?2 AND ?3 ORDER BY sentence",
};

struct book_pages {
  struct db *db;
  struct db_stmt *st[P_COUNT_];
};

int
book_pages_open(struct db *db, struct book_pages **out)
{
  struct book_pages *bp = xcalloc(1, sizeof(*bp));
  int i, err = 0;

  bp->db = db;
  for (i = 0; i < P_COUNT_ && !err; i++)
    err = db_prepare(db, pages_sql[i], &bp->st[i]);
  if (err) {
    book_pages_free(&bp);
    *out = NULL;
    return err;
  }
  *out = bp;
  return 0;
}

void
book_pages_free(struct book_pages **pbp)
{
  struct book_pages *bp = pbp ? *pbp : NULL;
  int i;

  if (bp == NULL)
    return;
  for (i = 0; i < P_COUNT_; i++)
    db_finalize(&bp->st[i]);
  xfree(bp);
  *pbp = NULL;
}

/* The book's work and its story-order counts (the order built if it is
 * missing, which writes). ERR_NOT_FOUND as for book_sentences. */
static int
pages_totals(struct book_pages *bp, const uint8_t *book, char **work_id,
             int64_t *nsent, int64_t *nposts)
{
  struct db_stmt *s = bp->st[P_BOOK];
  int err, rc;

  *work_id = NULL;
  err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err && (rc = db_step(s)) == DB_ROW)
    *work_id = xstrdup(db_col_text(s, 0) ? db_col_text(s, 0) : "");
  else if (!err)
    err = rc < 0 ? rc : ERR_NOT_FOUND;
  db_reset(s);
  if (err)
    return err;
  s = bp->st[P_DONE];
  err = db_bind_text(s, 1, *work_id, -1);
  if (!err && (rc = db_step(s)) == DB_ROW) {
    *nsent = db_col_int(s, 0);
    *nposts = db_col_int(s, 1);
  } else if (!err) {
    err = rc < 0 ? rc : 1;
  }
  db_reset(s);
  if (err == 1) /* not built yet */
    err = storyorder_ensure(bp->db, *work_id, nsent, nposts);
  else if (!err && *nsent == 0)
    err = ERR_NOT_FOUND;
  if (err) {
    xfree(*work_id);
    *work_id = NULL;
  }
  return err;
}

/* Walk [lo, hi] of work_id's story order with the posts and states. */
static int
pages_merge(struct book_pages *bp, const uint8_t *book, const char *work_id,
            int64_t lo, int64_t hi, book_sentence_cb cb, void *arg)
{
  struct db_stmt *s = bp->st[P_SENT], *p = bp->st[P_POSTS],
                 *t = bp->st[P_STATE];
  int64_t post_at = -1, state_at = -1;
  int err = 0, rc = DB_DONE, prc = DB_DONE, trc, posts_bound = 0;
  int states_done = 0;

  if (!err)
    err = db_bind_text(s, 1, work_id, -1);
  if (!err)
    err = db_bind_int(s, 2, lo);
  if (!err)
    err = db_bind_int(s, 3, hi);
  if (!err)
    err = db_bind_text(p, 1, work_id, -1);
  if (!err)
    err = db_bind_blob(t, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err)
    err = db_bind_int(t, 2, lo);
  if (!err)
    err = db_bind_int(t, 3, hi);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    struct book_sentence b;
    size_t len = 0;
    const void *v;

    memset(&b, 0, sizeof(b));
    b.index = db_col_int(s, 0);
    b.post_index = db_col_int(s, 1);
    b.id = db_col_text(s, 2);
    b.post_key = db_col_text(s, 3);
    b.text = db_col_text(s, 4);
    b.para = db_col_int(s, 5);
    if (!posts_bound) {
      err = db_bind_int(p, 2, b.post_index);
      posts_bound = 1;
    }
    while (!err && post_at < b.post_index &&
           (prc = db_step(p)) == DB_ROW)
      post_at = db_col_int(p, 0);
    if (!err && prc < 0)
      err = prc;
    if (!err && post_at != b.post_index)
      err = ERR_DB_CORRUPT; /* every sentence's post has a row */
    while (!err && !states_done && state_at < b.index) {
      trc = db_step(t);
      if (trc == DB_ROW)
        state_at = db_col_int(t, 0);
      else if (trc < 0)
        err = trc;
      else
        states_done = 1; /* no more requested sentences */
    }
    if (err)
      break;
    b.char_key = db_col_text(p, 1);
    b.speaker = db_col_text(p, 2);
    b.author = db_col_text(p, 3);
    b.icon_url = db_col_text(p, 4);
    b.icon_keyword = db_col_text(p, 5);
    if (!states_done && state_at == b.index) {
      b.state = (int)db_col_int(t, 1);
      v = db_col_blob(t, 2, &len);
      if (v && len == WIRE_HASH_BYTES) {
        b.has_blob = 1;
        memcpy(b.blob, v, WIRE_HASH_BYTES);
        b.duration_ms = db_col_int(t, 3);
      }
      b.error = db_col_text(t, 4);
      v = db_col_blob(t, 5, &len);
      if (v && len == WIRE_KEY_BYTES) {
        b.has_node = 1;
        memcpy(b.node, v, WIRE_KEY_BYTES);
      }
    }
    err = cb(arg, &b);
  }
  db_reset(s);
  db_reset(p);
  db_reset(t);
  return err ? err : rc < 0 ? rc : 0;
}

int
book_pages_walk(struct book_pages *bp, const uint8_t book[WIRE_BOOK_ID_BYTES],
                int by, int64_t from, int64_t limit, book_sentence_cb cb,
                void *arg, int64_t *total)
{
  char *work_id = NULL;
  int64_t nsent = 0, nposts = 0, lo = from, hi = from + limit - 1;
  int err, rc;

  err = pages_totals(bp, book, &work_id, &nsent, &nposts);
  if (err)
    return err;
  if (total)
    *total = by == BOOK_BY_POST ? nposts : nsent;
  if (by == BOOK_BY_POST) {
    struct db_stmt *s = bp->st[P_POST_RANGE];
    lo = 0;
    hi = -1;
    err = db_bind_text(s, 1, work_id, -1);
    if (!err)
      err = db_bind_int(s, 2, from);
    if (!err)
      err = db_bind_int(s, 3, from + limit - 1);
    if (!err && (rc = db_step(s)) == DB_ROW && !db_col_is_null(s, 0)) {
      lo = db_col_int(s, 0);
      hi = db_col_int(s, 1);
    } else if (!err && rc < 0) {
      err = rc;
    }
    db_reset(s);
  }
  if (!err && limit > 0 && lo <= hi)
    err = pages_merge(bp, book, work_id, lo, hi, cb, arg);
  xfree(work_id);
  return err;
}

static const char *const totals_sql =
  "SELECT work_id FROM st_books"
  " WHERE book = ?1 AND created = 1 AND deleted = 0";

static int
totals(struct db *db, const uint8_t *book, int64_t *sentences,
       int64_t *posts)
{
  struct db_stmt *s = NULL;
  char *work_id = NULL;
  int err, rc = DB_DONE;

  *sentences = *posts = 0;
  err = db_prepare(db, totals_sql, &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err && (rc = db_step(s)) == DB_ROW)
    work_id = xstrdup(db_col_text(s, 0) ? db_col_text(s, 0) : "");
  db_finalize(&s);
  if (!err && rc < 0)
    err = rc;
  if (!err)
    err = work_id ? storyorder_ensure(db, work_id, sentences, posts)
                  : ERR_NOT_FOUND;
  xfree(work_id);
  return err;
}

int
book_story_ready(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES])
{
  int64_t n, np;

  return totals(db, book, &n, &np);
}

int
book_sentences(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES],
               int by, int64_t from, int64_t limit, book_sentence_cb cb,
               void *arg, int64_t *total)
{
  struct book_pages *bp = NULL;
  int err = book_pages_open(db, &bp);

  if (!err)
    err = book_pages_walk(bp, book, by, from, limit, cb, arg, total);
  book_pages_free(&bp);
  return err;
}

/* Run q (?1 = book, ?2 = key) and read one integer into *index.
 * ERR_NOT_FOUND when it gives no row. */
static int
index_query(struct db *db, const char *q,
            const uint8_t book[WIRE_BOOK_ID_BYTES], const char *key,
            int64_t *index)
{
  struct db_stmt *s = NULL;
  int err, rc = DB_DONE;

  err = db_prepare(db, q, &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err)
    err = db_bind_text(s, 2, key, -1);
  if (!err) {
    rc = db_step(s);
    if (rc == DB_ROW)
      *index = db_col_int(s, 0);
  }
  db_finalize(&s);
  if (err)
    return err;
  return rc == DB_ROW ? 0 : rc < 0 ? rc : ERR_NOT_FOUND;
}

int
book_sentence_index(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES],
                    const char *id, int64_t *index)
{
  static const char *const q =
    "SELECT w.idx FROM st_books b JOIN work_order w ON w.work_id = b.work_id"
    " WHERE b.book = ?1 AND b.created = 1 AND b.deleted = 0"
    " AND w.sentence_id = ?2";
  int64_t n, np;
  int err = totals(db, book, &n, &np);

  if (err)
    return err;
  return index_query(db, q, book, id, index);
}

int
book_post_index(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES],
                const char *post_key, int64_t *index)
{
  static const char *const q =
    "SELECT w.pidx FROM st_books b JOIN work_order w ON w.work_id = b.work_id"
    " WHERE b.book = ?1 AND b.created = 1 AND b.deleted = 0"
    " AND w.post_key = ?2 LIMIT 1";
  int64_t n, np;
  int err = totals(db, book, &n, &np);

  if (err)
    return err;
  return index_query(db, q, book, post_key, index);
}

int
book_progress(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES],
              struct book_progress *p)
{
  /* Only requested sentences can be other than idle: count their rows
   * of st_sentence_state by state; the rest of the book is idle. */
  static const char *const q =
    "SELECT state, count(*), coalesce(sum(duration_ms), 0)"
    " FROM st_sentence_state WHERE book = ?1 AND sentence < ?2"
    " GROUP BY state";
  struct db_stmt *s = NULL;
  int64_t nposts;
  int err, rc = DB_DONE;

  memset(p, 0, sizeof(*p));
  err = totals(db, book, &p->total, &nposts);
  if (!err)
    err = db_prepare(db, q, &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err)
    err = db_bind_int(s, 2, p->total);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    int64_t n = db_col_int(s, 1);
    switch ((int)db_col_int(s, 0)) {
    case BOOK_READY:
      p->done = n;
      p->ms_done = db_col_int(s, 2);
      break;
    case BOOK_PENDING: p->pending = n; break;
    case BOOK_RENDERING: p->rendering = n; break;
    case BOOK_FAILED: p->failed = n; break;
    default: break;
    }
  }
  db_finalize(&s);
  p->idle = p->total - p->done - p->pending - p->rendering - p->failed;
  return err ? err : rc < 0 ? rc : 0;
}

/* ---- parts: posts or threads with their rendered share ------------------ */

static const char *const parts_sql =
  "WITH b AS (SELECT book, work_id FROM st_books"
  " WHERE book = ?1 AND created = 1 AND deleted = 0),"
  " x AS (SELECT w.idx AS idx, w.post_key AS post_key,"
  " p.thread_pos AS tpos,"
  " coalesce(nullif(p.character, ''), nullif(p.screenname, ''),"
  "  nullif(p.author, ''), 'Narrator') AS speaker,"
  " d.blob AS res, d.size AS size, d.duration_ms AS ms"
  " FROM b JOIN work_order w ON w.work_id = b.work_id"
  " JOIN work_posts p ON p.work_id = w.work_id AND p.post_key = w.post_key"
  " LEFT JOIN st_sentence_state d ON d.book = ?1 AND d.sentence = w.idx)"
  " SELECT CASE WHEN ?2 THEN CAST(x.tpos AS TEXT) ELSE x.post_key END"
  "  AS part, min(x.idx) AS first, x.tpos,"
  " (SELECT th.subject FROM b JOIN work_threads th"
  "  ON th.work_id = b.work_id AND th.position = x.tpos),"
  " count(*), count(x.res), sum(x.size), sum(x.ms),"
  " x.speaker" /* bare: from the row of min(x.idx), the only min() */
  " FROM x GROUP BY part ORDER BY first";

int
book_parts(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES],
           int per_thread, book_part_cb cb, void *arg)
{
  struct db_stmt *s = NULL;
  int64_t n, np;
  int err, rc = DB_DONE;

  err = totals(db, book, &n, &np);
  if (!err)
    err = db_prepare(db, parts_sql, &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err)
    err = db_bind_int(s, 2, per_thread ? 1 : 0);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    struct book_part p;

    memset(&p, 0, sizeof(p));
    p.key = db_col_text(s, 0);
    p.first_index = db_col_int(s, 1);
    p.thread = db_col_int(s, 2);
    p.thread_title = db_col_text(s, 3);
    p.sentences = db_col_int(s, 4);
    p.ready = db_col_int(s, 5);
    p.bytes = db_col_int(s, 6);
    p.ms = db_col_int(s, 7);
    p.speaker = db_col_text(s, 8);
    err = cb(arg, &p);
  }
  db_finalize(&s);
  return err ? err : rc < 0 ? rc : 0;
}
