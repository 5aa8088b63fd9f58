/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* An audiobook's sentences in story order and its export; see book.h. */
#include "node/book.h"

#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/blobs.h"
#include "node/buf.h"
#include "node/db.h"
#include "node/storyorder.h"

/* Every sentence of a created, undeleted book in story order: index,
 * post, paragraph, speaker and the chosen result's blob (NULL if none):
 * among results for the task's take newer than its request, the lowest
 * (lamport, author), as state_result_get chooses (kept in
 * st_sentence_state, node/sentstate.h). */
static const char *const story_sql =
  "WITH ord AS (SELECT s.post_key AS post_key, s.para AS para,"
  " coalesce(nullif(p.character, ''), nullif(p.screenname, ''),"
  "  nullif(p.author, ''), 'Narrator') AS speaker,"
  " row_number() OVER (ORDER BY p.thread_pos, p.position, s.position) - 1"
  "  AS idx, p.thread_pos AS tpos"
  " FROM st_books b JOIN work_sentences s ON s.work_id = b.work_id"
  " JOIN work_posts p ON p.work_id = s.work_id AND p.post_key = s.post_key"
  " WHERE b.book = ?1 AND b.created = 1 AND b.deleted = 0)"
  " SELECT o.idx, o.post_key, o.para, o.speaker, d.blob"
  " FROM ord o LEFT JOIN st_sentence_state d ON d.book = ?1"
  "  AND d.sentence = o.idx WHERE (?2 IS NULL OR o.post_key = ?2)"
  " AND (?3 IS NULL OR o.tpos = ?3) ORDER BY o.idx";

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
  int64_t last_para = -1;
  int err, rc = DB_DONE;

  memset(info, 0, sizeof(*info));
  err = db_prepare(db, story_sql, &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err)
    err = o && o->post_key ? db_bind_text(s, 2, o->post_key, -1)
                           : db_bind_null(s, 2);
  if (!err)
    err = o && o->has_thread ? db_bind_int(s, 3, o->thread)
                             : db_bind_null(s, 3);
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
 * ?1 book, ?2 from, ?3 limit. A page of the book's sentences in story order
 * with their state as st_sentence_state keeps it (node/sentstate.h):
 * the chosen result, the newest failure newer than the request, the
 * covering claim's holder; a sentence never requested is idle. One range
 * of work_order, one row of the state table per sentence. */
#define PAGE_SQL(where)                                                     \
  "WITH b AS (SELECT book, work_id FROM st_books"                           \
  " WHERE book = ?1 AND created = 1 AND deleted = 0)"                       \
  " SELECT w.idx, w.pidx, w.sentence_id, w.post_key, w.text, p.char_key,"   \
  " p.speaker, p.author, p.icon_url, p.icon_keyword, w.para,"               \
  " coalesce(d.state, 0), d.blob, d.duration_ms, d.error, d.cl_author"      \
  " FROM b JOIN work_order w ON w.work_id = b.work_id AND " where           \
  " JOIN work_post_order p ON p.work_id = w.work_id AND p.pidx = w.pidx"    \
  " LEFT JOIN st_sentence_state d ON d.book = ?1 AND d.sentence = w.idx"    \
  " ORDER BY w.idx"

/* A page of posts is the range of sentence indices of those posts (posts
 * are contiguous in story order): so both pages scan work_order by its
 * key, in the order they are given. */
#define POST_IDX(fn)                                                        \
  "(SELECT " fn "(w2.idx) FROM work_order w2 INDEXED BY work_order_post"   \
  " WHERE w2.work_id = b.work_id"                                           \
  " AND w2.pidx >= ?2 AND w2.pidx < ?2 + ?3)"

static const char *const sentences_sql[2] = {
  PAGE_SQL("w.idx >= ?2 AND w.idx < ?2 + ?3"),
  PAGE_SQL("w.idx BETWEEN " POST_IDX("min") " AND " POST_IDX("max"))};

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
  struct db_stmt *s = NULL;
  int64_t nsent, nposts;
  int err, rc = DB_DONE;

  err = totals(db, book, &nsent, &nposts);
  if (err)
    return err;
  if (total)
    *total = by == BOOK_BY_POST ? nposts : nsent;
  err = db_prepare(db, sentences_sql[by == BOOK_BY_POST], &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err)
    err = db_bind_int(s, 2, from);
  if (!err)
    err = db_bind_int(s, 3, limit);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    struct book_sentence b;
    size_t len = 0;
    const void *p;

    memset(&b, 0, sizeof(b));
    b.index = db_col_int(s, 0);
    b.post_index = db_col_int(s, 1);
    b.id = db_col_text(s, 2);
    b.post_key = db_col_text(s, 3);
    b.text = db_col_text(s, 4);
    b.char_key = db_col_text(s, 5);
    b.speaker = db_col_text(s, 6);
    b.author = db_col_text(s, 7);
    b.icon_url = db_col_text(s, 8);
    b.icon_keyword = db_col_text(s, 9);
    b.para = db_col_int(s, 10);
    b.state = (int)db_col_int(s, 11);
    p = db_col_blob(s, 12, &len);
    if (p && len == WIRE_HASH_BYTES) {
      b.has_blob = 1;
      memcpy(b.blob, p, WIRE_HASH_BYTES);
      b.duration_ms = db_col_int(s, 13);
    }
    b.error = db_col_text(s, 14);
    p = db_col_blob(s, 15, &len);
    if (p && len == WIRE_KEY_BYTES) {
      b.has_node = 1;
      memcpy(b.node, p, WIRE_KEY_BYTES);
    }
    err = cb(arg, &b);
  }
  db_finalize(&s);
  return err ? err : rc < 0 ? rc : 0;
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
