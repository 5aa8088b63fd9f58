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
 * (lamport, author), as state_result_get chooses. */
static const char *const story_sql =
  "WITH ord AS (SELECT s.post_key AS post_key, s.para AS para,"
  " coalesce(nullif(p.character, ''), nullif(p.screenname, ''),"
  "  nullif(p.author, ''), 'Narrator') AS speaker,"
  " row_number() OVER (ORDER BY p.thread_pos, p.position, s.position) - 1"
  "  AS idx, p.thread_pos AS tpos"
  " FROM st_books b JOIN work_sentences s ON s.work_id = b.work_id"
  " JOIN work_posts p ON p.work_id = s.work_id AND p.post_key = s.post_key"
  " WHERE b.book = ?1 AND b.created = 1 AND b.deleted = 0)"
  " SELECT o.idx, o.post_key, o.para, o.speaker,"
  " (SELECT r.blob FROM st_tasks t JOIN st_results r ON r.book = t.book"
  "  AND r.sentence = t.sentence AND r.take = t.take"
  "  AND (r.lamport, r.author) > (t.req_lamport, t.req_author)"
  "  WHERE t.book = ?1 AND t.sentence = o.idx"
  "  ORDER BY r.lamport, r.author LIMIT 1)"
  " FROM ord o WHERE (?2 IS NULL OR o.post_key = ?2)"
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
 * ?1 book. Every sentence of the book in story order with the chosen
 * result (as above), the newest failure newer than the request, an
 * unreleased claim newer than the request, and whether the request is
 * live (newer than the book's latest cancel). */
/* The first or last sentence index of a page of posts (?2, ?3). */
#define PAGE_IDX(fn)                                                        \
  "(SELECT " fn "(w2.idx) FROM work_order w2 WHERE w2.work_id ="            \
  " (SELECT work_id FROM b) AND w2.pidx >= ?2 AND w2.pidx < ?2 + ?3)"
#define STATES_CTE(where, lo, hi)                                           \
  "WITH b AS (SELECT book, work_id, cancel_lamport, cancel_author"          \
  " FROM st_books WHERE book = ?1 AND created = 1 AND deleted = 0),"        \
  " ord AS (SELECT w.sentence_id AS sid, w.post_key AS post_key,"         \
  " s.para AS para, s.text AS text,"                                      \
  " coalesce(p.char_key, 'narrator:' || coalesce(p.author, ''))"          \
  "  AS char_key,"                                                        \
  " coalesce(nullif(p.character, ''), nullif(p.screenname, ''),"            \
  "  nullif(p.author, ''), 'Narrator') AS speaker, p.author AS author,"     \
  " p.icon_url AS icon_url, p.icon_keyword AS icon_keyword,"                \
  " w.idx AS idx, w.pidx AS pidx"                                           \
  " FROM b JOIN work_order w ON w.work_id = b.work_id AND " where           \
  " JOIN work_sentences s ON s.work_id = w.work_id"                         \
  "  AND s.sentence_id = w.sentence_id"                                     \
  " JOIN work_posts p ON p.work_id = w.work_id"                             \
  "  AND p.post_key = w.post_key),"                                         \
  /* The unreleased claims that reach the page, found once per page. */     \
  " pc AS MATERIALIZED (SELECT c.author, c.first, c.last, c.lamport"         \
  "  FROM st_claims c WHERE c.book = ?1 AND c.released = 0"                 \
  "  AND c.first <= " hi " AND c.last >= " lo "),"                           \
  " st AS (SELECT o.*,"                                                     \
  " (SELECT r.blob || x'' FROM st_results r WHERE r.book = ?1"              \
  "  AND r.sentence = o.idx AND r.take = t.take"                            \
  "  AND (r.lamport, r.author) > (t.req_lamport, t.req_author)"             \
  "  ORDER BY r.lamport, r.author LIMIT 1) AS blob,"                        \
  " (SELECT r.duration_ms FROM st_results r WHERE r.book = ?1"              \
  "  AND r.sentence = o.idx AND r.take = t.take"                            \
  "  AND (r.lamport, r.author) > (t.req_lamport, t.req_author)"             \
  "  ORDER BY r.lamport, r.author LIMIT 1) AS dur,"                         \
  " (SELECT f.error FROM st_failures f WHERE f.book = ?1"                   \
  "  AND f.sentence = o.idx"                                                \
  "  AND (f.lamport, f.author) > (t.req_lamport, t.req_author)"             \
  "  ORDER BY f.lamport DESC LIMIT 1) AS error,"                            \
  " (SELECT c.author FROM pc c"                                              \
  "  WHERE o.idx BETWEEN c.first AND c.last"                                \
  "  AND (c.lamport, c.author) > (t.req_lamport, t.req_author)"             \
  "  LIMIT 1) AS claimer,"                                                  \
  " coalesce((t.req_lamport, t.req_author)"                                 \
  "  > (b.cancel_lamport, b.cancel_author), 0) AS live"                     \
  " FROM ord o CROSS JOIN b LEFT JOIN st_tasks t ON t.book = ?1"            \
  "  AND t.sentence = o.idx),"                                              \
  " ss AS (SELECT st.*, CASE WHEN blob IS NOT NULL THEN 3"                  \
  "  WHEN live AND error IS NOT NULL THEN 4"                                \
  "  WHEN live AND claimer IS NOT NULL THEN 2"                              \
  "  WHEN live THEN 1 ELSE 0 END AS state FROM st) "

static const char *const sentences_sql[2] = {
  STATES_CTE("w.idx >= ?2 AND w.idx < ?2 + ?3", "?2", "(?2 + ?3 - 1)")
  "SELECT idx, pidx, sid, post_key, text, char_key, speaker, author,"
  " icon_url, icon_keyword, para, state, blob, dur, error, claimer"
  " FROM ss ORDER BY idx",
  STATES_CTE("w.pidx >= ?2 AND w.pidx < ?2 + ?3", PAGE_IDX("min"),
             PAGE_IDX("max"))
  "SELECT idx, pidx, sid, post_key, text, char_key, speaker, author,"
  " icon_url, icon_keyword, para, state, blob, dur, error, claimer"
  " FROM ss ORDER BY idx"};

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
  /* Only requested sentences (st_tasks) can be other than idle: the
   * states of STATES_CTE over them, the rest of the book is idle. */
  static const char *const q =
    "WITH b AS (SELECT book, cancel_lamport, cancel_author FROM st_books"
    " WHERE book = ?1 AND created = 1 AND deleted = 0),"
    /* The sentences under an unreleased claim newer than their request,
     * found once from the claims' runs (each a range of st_tasks), not
     * by scanning every claim for every sentence. */
    " cl AS MATERIALIZED (SELECT DISTINCT t.sentence AS s FROM st_claims c"
    "  CROSS JOIN st_tasks t ON t.book = c.book"
    "  AND t.sentence BETWEEN c.first AND c.last"
    "  WHERE c.book = ?1 AND c.released = 0"
    "  AND (c.lamport, c.author) > (t.req_lamport, t.req_author)),"
    " st AS (SELECT t.sentence AS s,"
    " (SELECT r.duration_ms FROM st_results r WHERE r.book = ?1"
    "  AND r.sentence = t.sentence AND r.take = t.take"
    "  AND (r.lamport, r.author) > (t.req_lamport, t.req_author)"
    "  ORDER BY r.lamport, r.author LIMIT 1) AS dur,"
    " EXISTS (SELECT 1 FROM st_failures f WHERE f.book = ?1"
    "  AND f.sentence = t.sentence"
    "  AND (f.lamport, f.author) > (t.req_lamport, t.req_author)) AS failed,"
    " coalesce((t.req_lamport, t.req_author)"
    "  > (b.cancel_lamport, b.cancel_author), 0) AS live"
    " FROM b JOIN st_tasks t ON t.book = b.book WHERE t.sentence < ?2)"
    " SELECT CASE WHEN dur IS NOT NULL THEN 3 WHEN live AND failed THEN 4"
    "  WHEN live AND s IN (SELECT s FROM cl) THEN 2 WHEN live THEN 1"
    "  ELSE 0 END AS state,"
    " count(*), coalesce(sum(dur), 0) FROM st GROUP BY state";
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
  " (SELECT r.size || ',' || r.duration_ms FROM st_results r"
  "  WHERE r.book = ?1 AND r.sentence = w.idx AND r.take = t.take"
  "  AND (r.lamport, r.author) > (t.req_lamport, t.req_author)"
  "  ORDER BY r.lamport, r.author LIMIT 1) AS res"
  " FROM b JOIN work_order w ON w.work_id = b.work_id"
  " JOIN work_posts p ON p.work_id = w.work_id AND p.post_key = w.post_key"
  " LEFT JOIN st_tasks t ON t.book = ?1 AND t.sentence = w.idx)"
  " SELECT CASE WHEN ?2 THEN CAST(x.tpos AS TEXT) ELSE x.post_key END"
  "  AS part, min(x.idx) AS first, x.tpos,"
  " (SELECT th.subject FROM b JOIN work_threads th"
  "  ON th.work_id = b.work_id AND th.position = x.tpos),"
  " count(*), count(x.res),"
  " sum(CAST(substr(x.res, 1, instr(x.res, ',') - 1) AS INTEGER)),"
  " sum(CAST(substr(x.res, instr(x.res, ',') + 1) AS INTEGER)),"
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
