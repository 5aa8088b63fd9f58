/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The migration runner: empty db, already migrated, newer than known, a
 * failing migration rolled back whole, corrupt files left untouched. */
#include "tests/unit/task.h"

#include <pthread.h>

#include "node/alloc.h"
#include "node/db.h"

static const struct db_migration two[] = {
  {1, "0001_a", "CREATE TABLE a (x INTEGER);"},
  {2, "0002_b", "CREATE TABLE b (y TEXT); INSERT INTO a VALUES (1);"},
};

static int64_t
count(struct db *db, const char *sql)
{
  int64_t n = -1;
  ASSERT_OK(db_query_int(db, sql, &n));
  return n;
}

static int
has_table(struct db *db, const char *name)
{
  char sql[256];
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master WHERE "
           "type='table' AND name='%s'", name);
  return (int)count(db, sql);
}

TEST_IMPL(db_migrate_empty_and_again)
{
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/t.db", dir);
  struct db *db = NULL;
  char err[256];
  int v = -1;

  ASSERT_OK(db_open(path, 0, &db, err, sizeof(err)));
  ASSERT_OK(db_schema_version(db, &v));
  ASSERT_EQ(v, 0);
  ASSERT_OK(db_migrate(db, two, 2, err, sizeof(err)));
  ASSERT_OK(db_schema_version(db, &v));
  ASSERT_EQ(v, 2);
  ASSERT(has_table(db, "a") && has_table(db, "b"));
  ASSERT_EQ(count(db, "SELECT count(*) FROM a"), 1);
  /* WAL and foreign keys are on. */
  ASSERT_EQ(count(db, "PRAGMA foreign_keys"), 1);
  db_close(&db);
  /* Already migrated: nothing runs twice. */
  ASSERT_OK(db_open(path, 0, &db, err, sizeof(err)));
  ASSERT_OK(db_migrate(db, two, 2, err, sizeof(err)));
  ASSERT_EQ(count(db, "SELECT count(*) FROM a"), 1);
  ASSERT_EQ(count(db, "SELECT count(*) FROM schema_migrations"), 2);
  db_close(&db);
  ASSERT_NULL(db);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(db_migrate_in_steps)
{
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/t.db", dir);
  struct db *db = NULL;
  char err[256];
  int v;

  ASSERT_OK(db_open(path, 0, &db, err, sizeof(err)));
  ASSERT_OK(db_migrate(db, two, 1, err, sizeof(err)));
  ASSERT_OK(db_schema_version(db, &v));
  ASSERT_EQ(v, 1);
  ASSERT(!has_table(db, "b"));
  ASSERT_OK(db_migrate(db, two, 2, err, sizeof(err)));
  ASSERT_OK(db_schema_version(db, &v));
  ASSERT_EQ(v, 2);
  db_close(&db);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(db_refuses_newer_and_leaves_it_untouched)
{
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/t.db", dir);
  struct db *db = NULL;
  char err[256], *before, *after;
  size_t blen, alen;
  int v;

  ASSERT_OK(db_open(path, 0, &db, err, sizeof(err)));
  ASSERT_OK(db_migrate(db, two, 2, err, sizeof(err)));
  ASSERT_OK(db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"));
  db_close(&db);
  before = test_read_file(path, &blen);
  ASSERT_OK(db_open(path, 0, &db, err, sizeof(err)));
  ASSERT_EQ(db_migrate(db, two, 1, err, sizeof(err)), ERR_SCHEMA_NEWER);
  ASSERT_CONTAINS(err, "newer than this glowtalk knows");
  ASSERT_OK(db_schema_version(db, &v));
  ASSERT_EQ(v, 2);
  db_close(&db);
  after = test_read_file(path, &alen);
  ASSERT_EQ(alen, blen);
  ASSERT_OK(memcmp(before, after, blen));
  free(before);
  free(after);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(db_failing_migration_rolls_back_fully)
{
  static const struct db_migration bad[] = {
    {1, "0001_a", "CREATE TABLE a (x INTEGER);"},
    {2, "0002_bad", "CREATE TABLE c (z INTEGER); INSERT INTO a VALUES (7);"
                    " CREATE TABLE oops (;"},
  };
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/t.db", dir);
  struct db *db = NULL;
  char err[256];
  int v;

  ASSERT_OK(db_open(path, 0, &db, err, sizeof(err)));
  ASSERT_NE(db_migrate(db, bad, 2, err, sizeof(err)), 0);
  ASSERT_CONTAINS(err, "migration 0002_bad failed");
  ASSERT_OK(db_schema_version(db, &v));
  ASSERT_EQ(v, 1);
  ASSERT(!has_table(db, "c"));
  ASSERT_EQ(count(db, "SELECT count(*) FROM a"), 0);
  /* Not left inside a transaction: the next write works. */
  ASSERT_OK(db_exec(db, "INSERT INTO a VALUES (1)"));
  db_close(&db);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(db_refuses_corrupt_file_untouched)
{
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/t.db", dir);
  struct db *db = NULL;
  char err[256], junk[4096], *after;
  size_t i, alen;

  for (i = 0; i < sizeof(junk); i++)
    junk[i] = (char)(i * 7 + 3);
  test_write_file(path, junk, sizeof(junk));
  ASSERT_EQ(db_open_store(path, &db, err, sizeof(err)), ERR_DB_CORRUPT);
  ASSERT_NULL(db);
  ASSERT_CONTAINS(err, "corrupt");
  after = test_read_file(path, &alen);
  ASSERT_EQ(alen, sizeof(junk));
  ASSERT_OK(memcmp(after, junk, sizeof(junk)));
  free(after);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(db_builtin_migrations_are_contiguous)
{
  size_t n, i;
  const struct db_migration *m = db_builtin_migrations(&n);
  ASSERT_GE(n, 1);
  for (i = 0; i < n; i++) {
    /* Increasing; gaps only while branches are unmerged (db.c). */
    ASSERT_GT(m[i].version, i ? m[i - 1].version : 0);
    ASSERT_NOT_NULL(m[i].sql);
  }
  ASSERT_STR_EQ(m[0].name, "0001_base");
  return 0;
}

TEST_IMPL(db_statements)
{
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/t.db", dir);
  struct db *db = NULL;
  struct db_stmt *st = NULL;
  char err[256];
  size_t len;

  ASSERT_OK(db_open_store(path, &db, err, sizeof(err)));
  ASSERT_OK(db_prepare(db, "INSERT INTO node_meta(key, value) VALUES (?,?)",
                       &st));
  ASSERT_OK(db_bind_text(st, 1, "k", -1));
  ASSERT_OK(db_bind_text(st, 2, "v\xc3\xa9", -1));
  ASSERT_EQ(db_step(st), DB_DONE);
  db_reset(st);
  ASSERT(db_step(st) < 0); /* duplicate key */
  db_finalize(&st);
  ASSERT_OK(db_prepare(db, "SELECT value, length(value), ? FROM node_meta",
                       &st));
  ASSERT_OK(db_bind_blob(st, 1, "\0\1", 2));
  ASSERT_EQ(db_step(st), DB_ROW);
  ASSERT_STR_EQ(db_col_text(st, 0), "v\xc3\xa9");
  ASSERT_EQ(db_col_int(st, 1), 2);
  ASSERT_NOT_NULL(db_col_blob(st, 2, &len));
  ASSERT_EQ(len, 2);
  ASSERT_EQ(db_step(st), DB_DONE);
  db_finalize(&st);
  db_close(&db);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

struct pool_arg {
  struct db_pool *p;
  int rounds;
  int64_t sum;
};

static void *
pool_reader(void *a)
{
  struct pool_arg *pa = a;
  int i;

  for (i = 0; i < pa->rounds; i++) {
    struct db *db = db_pool_get(pa->p);
    int64_t v = 0;
    if (db_query_int(db, "SELECT count(*) FROM sqlite_master", &v) == 0)
      pa->sum += v > 0;
    db_pool_put(pa->p, db);
  }
  return NULL;
}

/* A pool of read-only connections: it sees what the writer committed,
 * cannot write, and is shared by threads (more threads than
 * connections: they wait). */
TEST_IMPL(db_pool_readers)
{
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/t.db", dir);
  struct db *w = NULL, *r;
  struct db_pool *p = NULL;
  struct pool_arg args[4];
  pthread_t t[4];
  char err[256];
  int i;

  ASSERT_OK(db_open_store(path, &w, err, sizeof(err)));
  ASSERT_EQ(db_pool_open(path, 0, &p, err, sizeof(err)), ERR_INVAL);
  ASSERT_EQ(db_pool_open(path, DB_POOL_MAX + 1, &p, err, sizeof(err)),
            ERR_INVAL);
  ASSERT_OK(db_pool_open(path, 2, &p, err, sizeof(err)));
  ASSERT_OK(db_exec(w, "CREATE TABLE x (v INTEGER);"
                    " INSERT INTO x VALUES (7)"));
  r = db_pool_get(p);
  ASSERT_EQ(count(r, "SELECT v FROM x"), 7);
  ASSERT(db_exec(r, "INSERT INTO x VALUES (8)") != 0);
  db_pool_put(p, r);
  ASSERT_EQ(count(w, "SELECT count(*) FROM x"), 1);
  for (i = 0; i < 4; i++) {
    args[i].p = p;
    args[i].rounds = 200;
    args[i].sum = 0;
    ASSERT_EQ(pthread_create(&t[i], NULL, pool_reader, &args[i]), 0);
  }
  for (i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    ASSERT_EQ(args[i].sum, 200);
  }
  db_pool_close(&p);
  ASSERT_NULL(p);
  db_close(&w);
  xfree(path);
  test_rmdir(dir);
  return 0;
}
