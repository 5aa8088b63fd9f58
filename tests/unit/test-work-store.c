/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Storing works: counts, re-import merges that keep unchanged sentence
 * rows, and all-or-nothing transactions. */
#include "glowfic_page.h"
#include "task.h"

#include "node/alloc.h"
#include "node/db.h"
#include "node/importer.h"
#include "node/work_store.h"

static struct work *
load(const char *html)
{
  struct importer_opts o = {0, 300, 1u << 20};
  struct work *w = NULL;
  char errbuf[256];
  int err = importer_from_bytes("test", html, strlen(html), &o, &w, errbuf,
                                sizeof(errbuf));
  if (err)
    fprintf(stderr, "# %s\n", errbuf);
  ASSERT_OK(err);
  return w;
}

static int64_t
count_rows(struct db *db, const char *sql)
{
  int64_t v = -1;
  ASSERT_OK(db_query_int(db, sql, &v));
  return v;
}

TEST_IMPL(work_store_reimport_keeps_sentences)
{
  char *dir = test_mkdtemp();
  char *path = NULL;
  struct db *db = NULL;
  struct work *w;
  struct work_store_counts c;
  char errbuf[256];
  int64_t rowid_kept;

  path = malloc(strlen(dir) + 16);
  snprintf(path, strlen(dir) + 16, "%s/t.db", dir);
  ASSERT_OK(db_open_store(path, &db, errbuf, sizeof(errbuf)));
  w = load(GT_REPLY(1, "Ann", "<p>One. Two.</p>")
           GT_REPLY(2, "Bo", "<p>Three.</p>"));
  ASSERT_OK(work_store_save(db, w, 100, &c, errbuf, sizeof(errbuf)));
  ASSERT_EQ(c.posts, 2);
  ASSERT_EQ(c.sentences, 3);
  ASSERT_EQ(c.characters, 2);
  ASSERT_EQ(c.words, 3);
  ASSERT_EQ(c.new_sentences, 3);
  work_free(w);
  rowid_kept = count_rows(db, "SELECT count(*) FROM work_sentences WHERE "
                              "text = 'Two.' AND position = 1");
  ASSERT_EQ(rowid_kept, 1);
  /* Edit reply 1 (a sentence inserted first), add reply 3. */
  w = load(GT_REPLY(1, "Ann", "<p>Zero. One. Two.</p>")
           GT_REPLY(2, "Bo", "<p>Three.</p>")
           GT_REPLY(3, "Ann", "<p>Four.</p>"));
  ASSERT_OK(work_store_save(db, w, 200, &c, errbuf, sizeof(errbuf)));
  ASSERT_EQ(c.posts, 3);
  ASSERT_EQ(c.sentences, 5);
  ASSERT_EQ(c.new_posts, 1);
  ASSERT_EQ(c.changed_posts, 1);
  ASSERT_EQ(c.new_sentences, 2);
  ASSERT_EQ(c.removed_sentences, 0);
  /* "Two." moved to position 2 but kept its row and id. */
  ASSERT_EQ(count_rows(db, "SELECT count(*) FROM work_sentences WHERE "
                           "text = 'Two.' AND position = 2"), 1);
  ASSERT_EQ(count_rows(db, "SELECT posts FROM work_characters WHERE "
                           "name = 'Ann'"), 2);
  ASSERT_EQ(count_rows(db, "SELECT imports FROM works"), 2);
  work_free(w);
  /* A save clears the work's story-order mark (readers rebuild the
   * order), in the save's own transaction. */
  ASSERT_OK(db_exec(db, "INSERT INTO work_order_done SELECT work_id, 5, 3 "
                        "FROM works"));
  /* A sentence removed by an edit goes away. */
  w = load(GT_REPLY(1, "Ann", "<p>Zero. Two.</p>"));
  ASSERT_OK(work_store_save(db, w, 300, &c, errbuf, sizeof(errbuf)));
  ASSERT_EQ(c.removed_sentences, 1);
  ASSERT_EQ(count_rows(db, "SELECT count(*) FROM work_order_done"), 0);
  ASSERT_EQ(c.posts, 3); /* a partial page deletes no post */
  ASSERT_EQ(count_rows(db, "SELECT count(*) FROM work_sentences WHERE "
                           "text = 'One.'"), 0);
  work_free(w);
  db_close(&db);
  free(path);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(work_store_failure_writes_nothing)
{
  char *dir = test_mkdtemp();
  char path[512];
  struct db *db = NULL;
  struct work *w;
  struct work_store_counts c;
  char errbuf[256];

  snprintf(path, sizeof(path), "%s/t.db", dir);
  ASSERT_OK(db_open_store(path, &db, errbuf, sizeof(errbuf)));
  w = load(GT_REPLY(1, "Ann", "<p>One. Two.</p>"));
  /* Make the last step (characters) fail: the whole import rolls back. */
  ASSERT_OK(db_exec(db, "CREATE TRIGGER no_chars BEFORE INSERT ON "
                        "work_characters BEGIN SELECT RAISE(ABORT, "
                        "'refused'); END"));
  ASSERT(work_store_save(db, w, 1, &c, errbuf, sizeof(errbuf)) < 0);
  ASSERT_CONTAINS(errbuf, "refused");
  ASSERT_EQ(count_rows(db, "SELECT count(*) FROM works"), 0);
  ASSERT_EQ(count_rows(db, "SELECT count(*) FROM work_posts"), 0);
  ASSERT_EQ(count_rows(db, "SELECT count(*) FROM work_sentences"), 0);
  work_free(w);
  db_close(&db);
  test_rmdir(dir);
  return 0;
}

static void
expect_order(struct db *db, const char *want)
{
  struct db_stmt *st = NULL;
  char got[256] = "";
  ASSERT_OK(db_prepare(db, "SELECT group_concat(post_key, ' ') FROM (SELECT "
                           "post_key FROM work_posts ORDER BY thread_pos, "
                           "position)", &st));
  ASSERT_EQ(db_step(st), DB_ROW);
  snprintf(got, sizeof(got), "%s", db_col_text(st, 0));
  db_finalize(&st);
  ASSERT_STR_EQ(got, want);
}

#define OPB(text)                                                           \
  "<div class=\"post-container post-post\"><div class=\"padding-10\">"     \
  "<div class=\"post-info-box\"><div class=\"post-info-text\"><div "       \
  "class=\"post-author\">bo</div></div></div><div class=\"post-edit-box\">"\
  "<a rel=\"alternate\" href=\"/posts/42\"></a></div><div "                \
  "class=\"post-content\">" text "</div></div><div class=\"post-footer\">"  \
  "x</div></div>"

TEST_IMPL(work_store_pages_in_any_order)
{
  char *dir = test_mkdtemp();
  char path[512], errbuf[256];
  struct db *db = NULL;
  struct work_store_counts c;
  struct work *w;

  snprintf(path, sizeof(path), "%s/t.db", dir);
  ASSERT_OK(db_open_store(path, &db, errbuf, sizeof(errbuf)));
  /* Saved page 2 first (its OP hidden, kept), then page 1. */
  w = load("<div class=\"post-expander\">" OPB("<p>Op.</p>") "</div>"
           GT_REPLY(3, "Ann", "<p>C.</p>") GT_REPLY(4, "Bo", "<p>D.</p>"));
  ASSERT_OK(work_store_save(db, w, 1, &c, errbuf, sizeof(errbuf)));
  work_free(w);
  expect_order(db, "p42 r3 r4");
  w = load(OPB("<p>Op.</p>") GT_REPLY(1, "Ann", "<p>A.</p>")
           GT_REPLY(2, "Bo", "<p>B.</p>"));
  ASSERT_OK(work_store_save(db, w, 2, &c, errbuf, sizeof(errbuf)));
  ASSERT_EQ(c.posts, 5);
  work_free(w);
  expect_order(db, "p42 r1 r2 r3 r4");
  /* Page 3 after them; then the whole thread, reordered, decides. */
  w = load(GT_REPLY(4, "Bo", "<p>D.</p>") GT_REPLY(5, "Ann", "<p>E.</p>"));
  ASSERT_OK(work_store_save(db, w, 3, &c, errbuf, sizeof(errbuf)));
  work_free(w);
  expect_order(db, "p42 r1 r2 r3 r4 r5");
  w = load(OPB("<p>Op.</p>") GT_REPLY(2, "Bo", "<p>B.</p>")
           GT_REPLY(1, "Ann", "<p>A.</p>") GT_REPLY(3, "Ann", "<p>C.</p>")
           GT_REPLY(4, "Bo", "<p>D.</p>") GT_REPLY(5, "Ann", "<p>E.</p>"));
  ASSERT_OK(work_store_save(db, w, 4, &c, errbuf, sizeof(errbuf)));
  work_free(w);
  expect_order(db, "p42 r2 r1 r3 r4 r5");
  db_close(&db);
  test_rmdir(dir);
  /* A slice of replies first, then page 1 with the OP. */
  dir = test_mkdtemp();
  snprintf(path, sizeof(path), "%s/t.db", dir);
  ASSERT_OK(db_open_store(path, &db, errbuf, sizeof(errbuf)));
  w = load(GT_REPLY(3, "Ann", "<p>C.</p>") GT_REPLY(4, "Bo", "<p>D.</p>"));
  ASSERT_OK(work_store_save(db, w, 1, &c, errbuf, sizeof(errbuf)));
  work_free(w);
  w = load(OPB("<p>Op.</p>") GT_REPLY(1, "Ann", "<p>A.</p>")
           GT_REPLY(2, "Bo", "<p>B.</p>"));
  ASSERT_OK(work_store_save(db, w, 2, &c, errbuf, sizeof(errbuf)));
  work_free(w);
  expect_order(db, "p42 r1 r2 r3 r4");
  db_close(&db);
  test_rmdir(dir);
  return 0;
}
