/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk render BOOK: queue every sentence of the book's work that has
 * no result for its current request, as StartRender entries (runs of
 * sentence indices; several entries when the runs would not fit one). */
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/commands.h"
#include "node/json.h"
#include "node/logcli.h"

#define RENDER_RUNS_PER_ENTRY 1024 /* runs in one StartRender (< cap/2) */

/* Sentences in the book's work, as the importer stored it. */
static int
work_sentences(struct app *app, const uint8_t *book, int64_t *n)
{
  static const char *const q =
    "SELECT count(*) FROM work_sentences WHERE work_id ="
    " (SELECT work_id FROM st_books WHERE book=?1)";
  struct db_stmt *s = NULL;
  int err, rc;

  *n = 0;
  err = db_prepare(app->db, q, &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err) {
    rc = db_step(s);
    err = rc < 0 ? rc : 0;
    if (rc == DB_ROW)
      *n = db_col_int(s, 0);
  }
  db_finalize(&s);
  return err;
}

/* Mark done[i] for every sentence with a satisfying result. */
static int
mark_done(struct app *app, const uint8_t *book, uint8_t *done, int64_t n)
{
  static const char *const q =
    "SELECT t.sentence FROM st_tasks t WHERE t.book=?1 AND EXISTS"
    " (SELECT 1 FROM st_results r WHERE r.book=t.book"
    "  AND r.sentence=t.sentence AND r.take=t.take"
    "  AND (r.lamport, r.author) > (t.req_lamport, t.req_author))";
  struct db_stmt *s = NULL;
  int err, rc = DB_DONE;

  err = db_prepare(app->db, q, &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    int64_t i = db_col_int(s, 0);
    if (i >= 0 && i < n)
      done[i] = 1;
  }
  db_finalize(&s);
  return err ? err : rc < 0 ? rc : 0;
}

static int
queue_slice(struct feed *f, const uint8_t *book, const uint32_t *idx,
            size_t n)
{
  struct wire_entry e;

  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_START_RENDER;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  e.priority = WIRE_PRIORITY_BULK;
  if (wire_sentences_from(&e.sent, idx, n))
    return cli_fail("cannot build the sentence set");
  return logcli_append(f, &e, NULL);
}

int
cmd_render(struct cli *cli)
{
  struct app app;
  struct feed *f = NULL;
  uint8_t book[WIRE_BOOK_ID_BYTES], *done = NULL;
  uint32_t *idx = NULL;
  int64_t n = 0, i;
  size_t k = 0, start = 0, runs = 0;
  int rc, err;

  if (logcli_open(cli, &app, &f))
    return CLI_FAIL;
  rc = logcli_book(&app, cli_arg(cli, 0), book);
  if (rc != CLI_OK)
    goto out;
  err = work_sentences(&app, book, &n);
  if (err || n == 0 || n >= (int64_t)WIRE_SENTENCE_MAX) {
    rc = cli_fail(err ? "cannot read the work: %s"
                      : "the book's work has no sentences here (import "
                        "it on this node first)%s", err ? err_str(err) : "");
    goto out;
  }
  done = xcalloc((size_t)n, 1);
  idx = xmalloc((size_t)n * sizeof(*idx));
  err = mark_done(&app, book, done, n);
  if (err) {
    rc = cli_fail("cannot read the results: %s", err_str(err));
    goto out;
  }
  for (i = 0; i < n; i++)
    if (!done[i])
      idx[k++] = (uint32_t)i;
  rc = feed_begin(f) ? cli_fail("cannot write the log") : CLI_OK;
  for (i = 0; rc == CLI_OK && (size_t)i < k; i++) {
    if (i == 0 || idx[i] != idx[i - 1] + 1)
      runs++;
    if (runs > RENDER_RUNS_PER_ENTRY) {
      rc = queue_slice(f, book, idx + start, (size_t)i - start);
      start = (size_t)i;
      runs = 1;
    }
  }
  if (rc == CLI_OK && k > start)
    rc = queue_slice(f, book, idx + start, k - start);
  if (rc == CLI_OK && feed_commit(f))
    rc = cli_fail("cannot write the log");
  if (rc != CLI_OK)
    feed_rollback(f);
  if (rc == CLI_OK) {
    if (cli_flag(cli, "json"))
      printf("{\"queued\":%zu,\"sentences\":%lld}\n", k, (long long)n);
    else
      printf("queued %zu of %lld sentences\n", k, (long long)n);
  }
out:
  xfree(done);
  xfree(idx);
  logcli_close(&app, &f);
  return rc;
}
