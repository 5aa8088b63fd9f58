/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The reducer's per-sentence state table; see sentstate.h. Every update
 * below is the incremental form of COMPUTE for the rows an operation can
 * change; the property tests (tests/unit/test-state.c) compare the result
 * with COMPUTE over the whole store after every delivery order. */
#include "node/sentstate.h"

#include "node/alloc.h"
#include "node/db.h"

#define CHECK(x)                                                          \
  do {                                                                    \
    err = (x);                                                            \
    if (err)                                                              \
      goto fail;                                                          \
  } while (0)

/* The best unreleased claim covering t.sentence newer than its request:
 * the lowest (first, author, seq); covering claims start at most the
 * book's longest run before it (st_claim_span). */
#define BEST_CLAIM(t)                                                       \
  "SELECT c2.first, c2.author, c2.seq FROM st_claims c2"                    \
  " WHERE c2.book = " t ".book AND c2.released = 0"                         \
  " AND c2.first BETWEEN " t ".sentence - coalesce((SELECT s.span"          \
  "  FROM st_claim_span s WHERE s.book = " t ".book), 0)"                   \
  "  AND " t ".sentence"                                                    \
  " AND c2.last >= " t ".sentence"                                          \
  " AND (c2.lamport, c2.author) > (" t ".req_lamport, " t ".req_author)"    \
  " ORDER BY c2.first, c2.author, c2.seq LIMIT 1"

#define COLUMNS                                                             \
  "(book, sentence, take, req_lamport, req_author, live, res_lamport,"      \
  " res_author, blob, size, duration_ms, fail_lamport, fail_author, error," \
  " cl_first, cl_author, cl_seq)"

/* Every row of st_tasks matching where, computed from scratch (the same
 * computation as migration 0007's). */
#define COMPUTE(where)                                                      \
  "INSERT OR REPLACE INTO st_sentence_state" COLUMNS                        \
  " SELECT t.book, t.sentence, t.take, t.req_lamport, t.req_author,"        \
  " (t.req_lamport, t.req_author) >"                                        \
  "  (coalesce(b.cancel_lamport, 0), coalesce(b.cancel_author, x'')),"      \
  " r.lamport, r.author, r.blob, r.size, r.duration_ms,"                    \
  " f.lamport, f.author, f.error, c.first, c.author, c.seq"                 \
  " FROM st_tasks t"                                                        \
  " LEFT JOIN st_books b ON b.book = t.book"                                \
  " LEFT JOIN st_results r ON r.book = t.book AND r.sentence = t.sentence"  \
  "  AND r.take = t.take AND (r.author, r.seq) = ("                         \
  "  SELECT r2.author, r2.seq FROM st_results r2"                           \
  "  WHERE r2.book = t.book AND r2.sentence = t.sentence"                   \
  "  AND r2.take = t.take"                                                  \
  "  AND (r2.lamport, r2.author) > (t.req_lamport, t.req_author)"           \
  "  ORDER BY r2.lamport, r2.author LIMIT 1)"                               \
  " LEFT JOIN st_failures f ON f.book = t.book AND f.sentence = t.sentence" \
  "  AND (f.author, f.seq) = ("                                             \
  "  SELECT f2.author, f2.seq FROM st_failures f2"                          \
  "  WHERE f2.book = t.book AND f2.sentence = t.sentence"                   \
  "  AND (f2.lamport, f2.author) > (t.req_lamport, t.req_author)"           \
  "  ORDER BY f2.lamport DESC, f2.author DESC LIMIT 1)"                     \
  " LEFT JOIN st_claims c ON (c.first, c.author, c.seq) = ("                \
  BEST_CLAIM("t") ")"                                                       \
  " WHERE " where

enum {
  S_TASKS, S_TASKS_NEW, S_ANY, S_RESULTS, S_FAILURES, S_SPAN, S_CLAIM,
  S_CLAIM_RUNS, S_RELEASE, S_CANCEL, S_COUNT_
};

static const char *const sql_text[S_COUNT_] = {
  [S_TASKS] = COMPUTE("t.book = ?1 AND t.sentence BETWEEN ?2 AND ?3"
                      " AND t.req_lamport = ?4 AND t.req_author = ?5"),
  /* The same when no result, failure or claim can reach the run (the
   * common case: a request for sentences nobody has touched yet). */
  [S_TASKS_NEW] =
    "INSERT OR REPLACE INTO st_sentence_state(book, sentence, take,"
    " req_lamport, req_author, live)"
    " SELECT t.book, t.sentence, t.take, t.req_lamport, t.req_author,"
    " (t.req_lamport, t.req_author) >"
    "  (coalesce(b.cancel_lamport, 0), coalesce(b.cancel_author, x''))"
    " FROM st_tasks t LEFT JOIN st_books b ON b.book = t.book"
    " WHERE t.book = ?1 AND t.sentence BETWEEN ?2 AND ?3"
    " AND t.req_lamport = ?4 AND t.req_author = ?5",
  /* 1 when a result, failure or claim of book may reach [?2, ?3]. */
  [S_ANY] =
    "SELECT EXISTS (SELECT 1 FROM st_results WHERE book = ?1"
    "  AND sentence BETWEEN ?2 AND ?3)"
    " OR EXISTS (SELECT 1 FROM st_failures WHERE book = ?1"
    "  AND sentence BETWEEN ?2 AND ?3)"
    " OR EXISTS (SELECT 1 FROM st_claims INDEXED BY st_claims_book"
    "  WHERE book = ?1 AND first BETWEEN ?2 - coalesce((SELECT span"
    "  FROM st_claim_span WHERE book = ?1), 0) AND ?3)",
  /* The entry's rows are in st_results already: take them from there. */
  [S_RESULTS] =
    "UPDATE st_sentence_state SET res_lamport = ?4, res_author = ?5,"
    " blob = ?6, size = ?7, duration_ms = ?8"
    " WHERE book = ?1 AND sentence = ?2 AND take = ?3"
    " AND (?4, ?5) > (req_lamport, req_author)"
    " AND (res_lamport IS NULL OR (?4, ?5) < (res_lamport, res_author))",
  [S_FAILURES] =
    "UPDATE st_sentence_state SET fail_lamport = ?4, fail_author = ?5,"
    " error = ?6 WHERE book = ?1 AND sentence BETWEEN ?2 AND ?3"
    " AND (?4, ?5) > (req_lamport, req_author)"
    " AND (fail_lamport IS NULL OR (?4, ?5) > (fail_lamport, fail_author))",
  [S_SPAN] =
    "INSERT INTO st_claim_span(book, span) VALUES (?1, ?2)"
    " ON CONFLICT(book) DO UPDATE SET span = excluded.span"
    " WHERE excluded.span > st_claim_span.span",
  [S_CLAIM] =
    "UPDATE st_sentence_state SET cl_first = ?2, cl_author = ?5,"
    " cl_seq = ?6 WHERE book = ?1 AND sentence BETWEEN ?2 AND ?3"
    " AND (?4, ?5) > (req_lamport, req_author)"
    " AND (cl_author IS NULL OR (?2, ?5, ?6) < (cl_first, cl_author, cl_seq))",
  [S_CLAIM_RUNS] =
    "SELECT book, first, last FROM st_claims WHERE author = ?1 AND seq = ?2",
  [S_RELEASE] =
    "UPDATE st_sentence_state AS t SET (cl_first, cl_author, cl_seq) = ("
    BEST_CLAIM("t") ") WHERE t.book = ?3 AND t.sentence BETWEEN ?4 AND ?5"
    " AND t.cl_author = ?1 AND t.cl_seq = ?2",
  /* The cancel key only grows: requests at or below it stop being live. */
  [S_CANCEL] =
    "UPDATE st_sentence_state SET live = 0 WHERE book = ?1 AND live = 1"
    " AND (req_lamport, req_author) <= (?2, ?3)",
};

static const char *const rebuild_sql[] = {
  "DELETE FROM st_sentence_state",
  "DELETE FROM st_claim_span",
  "INSERT INTO st_claim_span(book, span)"
  " SELECT book, max(last - first) FROM st_claims GROUP BY book",
  COMPUTE("1"),
};

struct sentstate {
  struct db *db;
  struct db_stmt *st[S_COUNT_];
};

int
sentstate_open(struct db *db, struct sentstate **out)
{
  struct sentstate *ss = xcalloc(1, sizeof(*ss));
  int err = 0, i;

  ss->db = db;
  for (i = 0; i < S_COUNT_; i++)
    CHECK(db_prepare(db, sql_text[i], &ss->st[i]));
  *out = ss;
  return 0;

fail:
  sentstate_free(&ss);
  *out = NULL;
  return err;
}

void
sentstate_free(struct sentstate **pss)
{
  struct sentstate *ss = pss ? *pss : NULL;
  int i;

  if (ss == NULL)
    return;
  for (i = 0; i < S_COUNT_; i++)
    db_finalize(&ss->st[i]);
  xfree(ss);
  *pss = NULL;
}

/* Run a prepared statement to completion and reset it. */
static int
run(struct db_stmt *s)
{
  int rc = db_step(s);
  db_reset(s);
  return rc < 0 ? rc : 0;
}

int
sentstate_tasks(struct sentstate *ss, const uint8_t *book, uint32_t first,
                uint32_t last, uint64_t lamport, const uint8_t *author)
{
  struct db_stmt *s = ss->st[S_ANY];
  int err, rc;

  CHECK(db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 2, first));
  CHECK(db_bind_int(s, 3, last));
  rc = db_step(s);
  err = rc < 0 ? rc : 0;
  s = ss->st[rc == DB_ROW && db_col_int(s, 0) ? S_TASKS : S_TASKS_NEW];
  db_reset(ss->st[S_ANY]);
  if (err)
    goto fail;
  CHECK(db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 2, first));
  CHECK(db_bind_int(s, 3, last));
  CHECK(db_bind_int(s, 4, (int64_t)lamport));
  CHECK(db_bind_blob(s, 5, author, WIRE_KEY_BYTES));
  err = run(s);
fail:
  return err;
}

int
sentstate_result(struct sentstate *ss, const uint8_t *book, uint32_t sentence,
                 uint32_t take, uint64_t lamport, const uint8_t *author,
                 const uint8_t *blob, uint32_t size, uint32_t duration_ms)
{
  struct db_stmt *s = ss->st[S_RESULTS];
  int err;

  CHECK(db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 2, sentence));
  CHECK(db_bind_int(s, 3, take));
  CHECK(db_bind_int(s, 4, (int64_t)lamport));
  CHECK(db_bind_blob(s, 5, author, WIRE_KEY_BYTES));
  CHECK(db_bind_blob(s, 6, blob, WIRE_HASH_BYTES));
  CHECK(db_bind_int(s, 7, size));
  CHECK(db_bind_int(s, 8, duration_ms));
  err = run(s);
fail:
  return err;
}

int
sentstate_failures(struct sentstate *ss, const uint8_t *book,
                   uint32_t first, uint32_t last, uint64_t lamport,
                   const uint8_t *author, const char *error)
{
  struct db_stmt *s = ss->st[S_FAILURES];
  int err;

  CHECK(db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 2, first));
  CHECK(db_bind_int(s, 3, last));
  CHECK(db_bind_int(s, 4, (int64_t)lamport));
  CHECK(db_bind_blob(s, 5, author, WIRE_KEY_BYTES));
  CHECK(db_bind_text(s, 6, error ? error : "", -1));
  err = run(s);
fail:
  return err;
}

int
sentstate_claim(struct sentstate *ss, const uint8_t *book, uint32_t first,
                uint32_t last, uint64_t lamport, const uint8_t *author,
                uint64_t seq)
{
  struct db_stmt *s = ss->st[S_SPAN];
  int err;

  CHECK(db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)last - first));
  CHECK(run(s));
  s = ss->st[S_CLAIM];
  CHECK(db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 2, first));
  CHECK(db_bind_int(s, 3, last));
  CHECK(db_bind_int(s, 4, (int64_t)lamport));
  CHECK(db_bind_blob(s, 5, author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 6, (int64_t)seq));
  err = run(s);
fail:
  return err;
}

int
sentstate_release(struct sentstate *ss, const uint8_t *author, uint64_t seq)
{
  struct db_stmt *runs = ss->st[S_CLAIM_RUNS], *s = ss->st[S_RELEASE];
  int err, rc = DB_DONE;

  /* Each run of the claim: its sentences that show it get the next. */
  CHECK(db_bind_blob(runs, 1, author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(runs, 2, (int64_t)seq));
  CHECK(db_bind_blob(s, 1, author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)seq));
  while ((rc = db_step(runs)) == DB_ROW) {
    size_t len = 0;
    const void *book = db_col_blob(runs, 0, &len);
    CHECK(db_bind_blob(s, 3, book, len));
    CHECK(db_bind_int(s, 4, db_col_int(runs, 1)));
    CHECK(db_bind_int(s, 5, db_col_int(runs, 2)));
    CHECK(run(s));
  }
  err = rc < 0 ? rc : 0;
fail:
  db_reset(runs);
  return err;
}

int
sentstate_cancel(struct sentstate *ss, const uint8_t *book,
                 uint64_t lamport, const uint8_t *author)
{
  struct db_stmt *s = ss->st[S_CANCEL];
  int err;

  CHECK(db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)lamport));
  CHECK(db_bind_blob(s, 3, author, WIRE_KEY_BYTES));
  err = run(s);
fail:
  return err;
}

int
sentstate_rebuild(struct sentstate *ss)
{
  size_t i;
  int err = 0;

  for (i = 0; !err && i < sizeof(rebuild_sql) / sizeof(rebuild_sql[0]); i++)
    err = db_exec(ss->db, rebuild_sql[i]);
  return err;
}
