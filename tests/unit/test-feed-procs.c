/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Two processes appending to one node's feed (the daemon and a CLI
 * command) produce one linear feed: every append reads the head inside
 * its write transaction, and a feed whose cache is old notices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "logtest.h"
#include "node/alloc.h"
#include "task.h"

#define PROCS_APPENDS 40 /* entries each process appends */

/* Child: its own connection and feed, PROCS_APPENDS book creations. */
static int
append_many(const char *path, const struct identity *me)
{
  struct db *db = NULL;
  struct feed *f = NULL;
  struct wire_entry e;
  char errbuf[256];
  int i, err = 0;

  if (db_open_store(path, &db, errbuf, sizeof(errbuf)))
    return 1;
  if (feed_open(db, me, lt_net, &f)) {
    db_close(&db);
    return 1;
  }
  for (i = 0; i < PROCS_APPENDS && !err; i++) {
    memset(&e, 0, sizeof(e));
    e.op = WIRE_OP_BOOK_CREATE;
    e.work_id = xasprintf("w%d-%d", (int)getpid(), i);
    e.name = xstrdup("n");
    err = feed_append(f, &e, NULL);
    wire_entry_clear(&e);
  }
  feed_free(&f);
  db_close(&db);
  return err ? 1 : 0;
}

TEST_IMPL(feed_two_processes_one_linear_feed)
{
  char *dir = test_mkdtemp(), path[512];
  struct tauthor me, other;
  struct db *db, *db2;
  struct feed *f, *f2;
  struct wire_entry e;
  struct feed_result res;
  uint8_t *buf;
  size_t len;
  uint64_t seq, total = 2 * PROCS_APPENDS + 2;
  pid_t kids[2];
  int i, status;

  lt_author(&me, dir, 0);
  lt_author(&other, dir, 1);
  lt_store(dir, "me.db", me.key, me.id, &db, &f);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  e.name = xstrdup("test swarm");
  ASSERT_OK(feed_append(f, &e, NULL));
  wire_entry_clear(&e);
  snprintf(path, sizeof(path), "%s/me.db", dir);
  fflush(NULL); /* no buffered output is written twice */
  for (i = 0; i < 2; i++) {
    kids[i] = fork();
    ASSERT(kids[i] >= 0);
    if (kids[i] == 0) {
      status = append_many(path, me.id);
      free(dir); /* valgrind checks the children for leaks too */
      _exit(status);
    }
  }
  for (i = 0; i < 2; i++) {
    ASSERT_EQ(waitpid(kids[i], &status, 0), kids[i]);
    ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  /* This feed's cache predates the children's entries: it notices. */
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("last");
  e.name = xstrdup("n");
  ASSERT_OK(feed_append(f, &e, NULL));
  wire_entry_clear(&e);
  ASSERT_EQ(lt_count(db, "SELECT count(*) FROM log_entries"), (int64_t)total);
  ASSERT_EQ(lt_count(db, "SELECT max(seq) FROM log_entries"), (int64_t)total);
  ASSERT_EQ(lt_count(db, "SELECT count(*) FROM log_forks"), 0);
  /* Another node takes the whole feed in order: every prev and lamport
   * links, so it is one linear feed. */
  lt_store(dir, "other.db", me.key, other.id, &db2, &f2);
  for (seq = 1; seq <= total; seq++) {
    ASSERT_OK(feed_get(f, me.key, seq, &buf, &len));
    ASSERT_EQ(lt_recv(f2, buf, len, &res), FEED_ACCEPTED);
    xfree(buf);
  }
  feed_free(&f);
  feed_free(&f2);
  db_close(&db);
  db_close(&db2);
  lt_author_free(&me);
  lt_author_free(&other);
  test_rmdir(dir);
  return 0;
}
