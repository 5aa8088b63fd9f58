/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for node/anchor.c: the trust anchor survives a lost store; a
 * malformed anchor file changes nothing. */
#include "tests/unit/task.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/anchor.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/state.h"

static struct db *
store(const char *dir)
{
  char *path = datadir_file(dir, "glowtalk.db"), errbuf[256];
  struct db *db = NULL;
  if (db_open_store(path, &db, errbuf, sizeof(errbuf)))
    ASSERT_FAIL_("%s", errbuf);
  xfree(path);
  return db;
}

static int64_t
meta_count(struct db *db)
{
  int64_t n = -1;
  ASSERT_OK(db_query_int(db, "SELECT count(*) FROM node_meta WHERE key IN "
                         "('founder', 'admitted_by', 'join_peer')", &n));
  return n;
}

static void
wipe(const char *dir)
{
  static const char *const sfx[] = {"", "-wal", "-shm"};
  char path[600];
  int i;
  for (i = 0; i < 3; i++) {
    snprintf(path, sizeof(path), "%s/glowtalk.db%s", dir, sfx[i]);
    unlink(path);
  }
}

TEST_IMPL(anchor_restores_a_lost_store)
{
  char *dir = test_mkdtemp(), *path;
  uint8_t founder[32], got[32];
  struct db *db = store(dir);
  FILE *fp;
  int restored = 1;

  /* No founder yet: nothing to save; no file: nothing to restore. */
  ASSERT_EQ(anchor_save(dir, db), ERR_NOT_FOUND);
  ASSERT_OK(anchor_restore(dir, db, &restored));
  ASSERT_EQ(restored, 0);
  memset(founder, 0xab, sizeof(founder));
  ASSERT_OK(state_set_founder(db, founder));
  ASSERT_OK(db_exec(db, "INSERT INTO node_meta VALUES ('admitted_by', "
                        "'cd'), ('join_peer', 'cd@127.0.0.1:9')"));
  ASSERT_OK(anchor_save(dir, db));
  db_close(&db);
  /* The store is lost; the anchor brings the founder and admitter back. */
  wipe(dir);
  db = store(dir);
  ASSERT_EQ(state_get_founder(db, got), ERR_NOT_FOUND);
  ASSERT_OK(anchor_restore(dir, db, &restored));
  ASSERT_EQ(restored, 1);
  ASSERT_OK(state_get_founder(db, got));
  ASSERT_OK(memcmp(got, founder, 32));
  ASSERT_EQ(meta_count(db), 3);
  /* A store that has its founder is left alone. */
  ASSERT_OK(anchor_restore(dir, db, &restored));
  ASSERT_EQ(restored, 0);
  db_close(&db);
  /* A malformed file: an error, the new store unchanged. */
  wipe(dir);
  path = datadir_file(dir, ANCHOR_FILE);
  fp = fopen(path, "w");
  ASSERT_NOT_NULL(fp);
  fputs("founder zz\n", fp);
  fclose(fp);
  db = store(dir);
  ASSERT_EQ(anchor_restore(dir, db, &restored), ERR_PARSE);
  ASSERT_EQ(state_get_founder(db, got), ERR_NOT_FOUND);
  fp = fopen(path, "w");
  fputs("who knows\n", fp);
  fclose(fp);
  ASSERT_EQ(anchor_restore(dir, db, &restored), ERR_PARSE);
  ASSERT_EQ(meta_count(db), 0);
  unlink(path);
  xfree(path);
  db_close(&db);
  test_rmdir(dir);
  return 0;
}
