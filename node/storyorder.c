/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The materialised story order of a work; see storyorder.h. */
#include "node/storyorder.h"

#include <stddef.h>

#include "node/db.h"

static const char *const done_sql =
  "SELECT sentences, posts FROM work_order_done WHERE work_id = ?1";

static const char *const build_sql[] = {
  "DELETE FROM work_order WHERE work_id = ?1",
  "DELETE FROM work_post_order WHERE work_id = ?1",
  "INSERT INTO work_order(work_id, idx, pidx, sentence_id, post_key, para,"
  " text)"
  " SELECT s.work_id,"
  " row_number() OVER (ORDER BY p.thread_pos, p.position, s.position) - 1,"
  " dense_rank() OVER (ORDER BY p.thread_pos, p.position) - 1,"
  " s.sentence_id, s.post_key, s.para, s.text"
  " FROM work_sentences s JOIN work_posts p ON p.work_id = s.work_id"
  "  AND p.post_key = s.post_key WHERE s.work_id = ?1",
  /* A narration's character is its author's narrator; the speaker is the
   * first of character, screen name, author that is not empty. */
  "INSERT INTO work_post_order(work_id, pidx, post_key, thread_pos,"
  " char_key, speaker, author, icon_url, icon_keyword)"
  " SELECT w.work_id, w.pidx, w.post_key, p.thread_pos,"
  " coalesce(p.char_key, 'narrator:' || coalesce(p.author, '')),"
  " coalesce(nullif(p.character, ''), nullif(p.screenname, ''),"
  "  nullif(p.author, ''), 'Narrator'),"
  " p.author, p.icon_url, p.icon_keyword"
  " FROM (SELECT work_id, pidx, min(post_key) AS post_key FROM work_order"
  "  WHERE work_id = ?1 GROUP BY pidx) w"
  " JOIN work_posts p ON p.work_id = w.work_id AND p.post_key = w.post_key",
  "INSERT OR REPLACE INTO work_order_done(work_id, sentences, posts)"
  " SELECT ?1, count(*), coalesce(max(pidx) + 1, 0) FROM work_order"
  " WHERE work_id = ?1"};

/* Read the done mark: 1 with the counts, 0 when absent, or an error. */
static int
read_done(struct db *db, const char *work_id, int64_t *sentences,
          int64_t *posts)
{
  struct db_stmt *s = NULL;
  int err, rc = DB_DONE;

  err = db_prepare(db, done_sql, &s);
  if (!err)
    err = db_bind_text(s, 1, work_id, -1);
  if (!err && (rc = db_step(s)) == DB_ROW) {
    *sentences = db_col_int(s, 0);
    *posts = db_col_int(s, 1);
  }
  db_finalize(&s);
  if (err)
    return err;
  return rc == DB_ROW ? 1 : rc < 0 ? rc : 0;
}

static int
run(struct db *db, const char *sql, const char *work_id)
{
  struct db_stmt *s = NULL;
  int err, rc;

  err = db_prepare(db, sql, &s);
  if (!err)
    err = db_bind_text(s, 1, work_id, -1);
  if (!err) {
    rc = db_step(s);
    err = rc < 0 ? rc : 0;
  }
  db_finalize(&s);
  return err;
}

int
storyorder_ensure(struct db *db, const char *work_id, int64_t *sentences,
                  int64_t *posts)
{
  int64_t ns = 0, np = 0;
  size_t i;
  int err;

  err = read_done(db, work_id, &ns, &np);
  if (err == 0) {
    err = db_exec(db, "SAVEPOINT storyorder");
    for (i = 0; !err && i < sizeof(build_sql) / sizeof(build_sql[0]); i++)
      err = run(db, build_sql[i], work_id);
    if (!err)
      err = read_done(db, work_id, &ns, &np);
    if (err >= 0) {
      err = db_exec(db, "RELEASE storyorder");
    } else {
      int e2 = db_exec(db, "ROLLBACK TO storyorder");
      if (!e2)
        e2 = db_exec(db, "RELEASE storyorder");
      (void)e2; /* the first error is the one to report */
    }
  }
  if (err < 0)
    return err;
  if (sentences)
    *sentences = ns;
  if (posts)
    *posts = np;
  return ns > 0 ? 0 : ERR_NOT_FOUND;
}
