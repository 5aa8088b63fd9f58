/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The cached state hash is recomputed exactly when the store changed:
 * through the same connection or through another one. */
#include "task.h"
#include "logtest.h"

#include "node/alloc.h"
#include "node/statecache.h"

TEST_IMPL(statecache_recomputes_on_change)
{
  char *dir = test_mkdtemp(), path[512], errbuf[256];
  char h1[65], h2[65], h3[65], want[65];
  struct tauthor a;
  struct db *db, *other = NULL;
  struct feed *f;
  struct wire_entry e;
  int computed;

  lt_author(&a, dir, 0);
  lt_store(dir, "s.db", a.key, a.id, &db, &f);
  ASSERT_OK(statecache_hash_hex(db, h1, &computed));
  ASSERT_EQ(computed, 1);
  ASSERT_OK(statecache_hash_hex(db, h2, &computed));
  ASSERT_EQ(computed, 0);
  ASSERT_STR_EQ(h1, h2);
  /* A write through this connection. */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  e.name = xstrdup("s");
  ASSERT_OK(feed_append(f, &e, NULL));
  wire_entry_clear(&e);
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w");
  e.name = xstrdup("b");
  ASSERT_OK(feed_append(f, &e, NULL));
  wire_entry_clear(&e);
  ASSERT_OK(statecache_hash_hex(db, h2, &computed));
  ASSERT_EQ(computed, 1);
  lt_hash(f, want);
  ASSERT_STR_EQ(h2, want);
  ASSERT(strcmp(h1, h2) != 0);
  ASSERT_OK(statecache_hash_hex(db, h3, &computed));
  ASSERT_EQ(computed, 0);
  /* A write through another connection (another process, the daemon's
   * render loop). */
  snprintf(path, sizeof(path), "%s/s.db", dir);
  ASSERT_OK(db_open_store(path, &other, errbuf, sizeof(errbuf)));
  ASSERT_OK(db_exec(other, "DELETE FROM st_members"));
  ASSERT_OK(statecache_hash_hex(db, h3, &computed));
  ASSERT_EQ(computed, 1);
  ASSERT(strcmp(h3, h2) != 0);
  /* The other connection has its own slot; both stay cached. */
  ASSERT_OK(statecache_hash_hex(other, h1, &computed));
  ASSERT_EQ(computed, 1);
  ASSERT_STR_EQ(h1, h3);
  ASSERT_OK(statecache_hash_hex(other, h1, &computed));
  ASSERT_EQ(computed, 0);
  ASSERT_OK(statecache_hash_hex(db, h1, &computed));
  ASSERT_EQ(computed, 0);
  db_close(&other);
  feed_free(&f);
  db_close(&db);
  lt_author_free(&a);
  test_rmdir(dir);
  return 0;
}
