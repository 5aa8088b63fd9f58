/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The store change notifier (node/storewatch.c): one look a tick, every
 * subscriber told, commits by other connections seen. */
#include "tests/unit/task.h"

#include <uv.h>

#include "node/alloc.h"
#include "node/blobsync.h"
#include "node/db.h"
#include "node/storewatch.h"

#define T_TICK_MS 20

struct seen {
  int ticks, changed;
  struct storewatch *w; /* set: unsubscribe at the 2nd tick */
};

static void
on_tick(int changed, void *arg)
{
  struct seen *s = arg;
  s->ticks++;
  s->changed += changed;
  if (s->w && s->ticks == 2)
    storewatch_unsubscribe(s->w, on_tick, s);
}

static void
stop_loop(uv_timer_t *t)
{
  uv_stop(t->loop);
}

/* Run loop for about ms. */
static void
run_for(uv_loop_t *loop, uint64_t ms)
{
  uv_timer_t t;
  uv_update_time(loop);
  uv_timer_init(loop, &t);
  uv_timer_start(&t, stop_loop, ms, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  uv_close((uv_handle_t *)&t, NULL);
  uv_run(loop, UV_RUN_NOWAIT);
}

TEST_IMPL(storewatch_tells_every_subscriber_once_a_tick)
{
  uv_loop_t loop;
  struct storewatch *w = NULL;
  struct seen a, b, quitter, many[STOREWATCH_SUBS_MAX];
  struct db *db = NULL;
  char *dir = test_mkdtemp(), *path, errbuf[256];
  int i;

  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  memset(&quitter, 0, sizeof(quitter));
  path = xasprintf("%s/glowtalk.db", dir);
  ASSERT_OK(uv_loop_init(&loop));
  ASSERT_OK(db_open_store(path, &db, errbuf, sizeof(errbuf)));
  uv_update_time(&loop);
  ASSERT_OK(storewatch_start(&loop, path, T_TICK_MS, &w, errbuf,
                             sizeof(errbuf)));
  ASSERT_OK(storewatch_subscribe(w, on_tick, &a));
  ASSERT_OK(storewatch_subscribe(w, on_tick, &b));
  quitter.w = w;
  ASSERT_OK(storewatch_subscribe(w, on_tick, &quitter));
  /* A write before the loop runs (the daemon starting) is not news. */
  ASSERT_OK(db_exec(db, "CREATE TABLE t(x)"));
  /* Quiet: ticks, but nothing changed. */
  run_for(&loop, 10 * T_TICK_MS);
  ASSERT_GE(a.ticks, 2);
  ASSERT_EQ(a.ticks, b.ticks);
  ASSERT_EQ(a.changed, 0);
  ASSERT_EQ(quitter.ticks, 2); /* it left from inside its callback */
  ASSERT_EQ(storewatch_changes(w), 0);
  /* Another connection commits: one tick says so, to everyone. */
  ASSERT_OK(db_exec(db, "BEGIN; INSERT INTO t VALUES (1); "
                    "INSERT INTO t VALUES (2); COMMIT"));
  run_for(&loop, 10 * T_TICK_MS);
  ASSERT_EQ(a.changed, 1);
  ASSERT_EQ(b.changed, 1);
  ASSERT_EQ(storewatch_changes(w), 1);
  ASSERT_OK(db_exec(db, "INSERT INTO t VALUES (3)"));
  run_for(&loop, 10 * T_TICK_MS);
  ASSERT_EQ(a.changed, 2);
  /* Unsubscribed: no more calls. The table is full at SUBS_MAX. */
  storewatch_unsubscribe(w, on_tick, &b);
  i = b.ticks;
  run_for(&loop, 3 * T_TICK_MS);
  ASSERT_EQ(b.ticks, i);
  ASSERT_EQ(quitter.ticks, 2);
  storewatch_unsubscribe(w, on_tick, &a);
  for (i = 0; i < STOREWATCH_SUBS_MAX; i++)
    ASSERT_OK(storewatch_subscribe(w, on_tick, &many[i]));
  ASSERT_EQ(storewatch_subscribe(w, on_tick, &a), ERR_TOO_BIG);
  storewatch_close(&w);
  ASSERT_NULL(w);
  storewatch_close(&w); /* NULL-safe */
  uv_run(&loop, UV_RUN_DEFAULT);
  ASSERT_OK(uv_loop_close(&loop));
  db_close(&db);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(storewatch_bad_store_and_no_watcher_refused)
{
  uv_loop_t loop;
  struct storewatch *w = NULL;
  struct blobsync_options o;
  struct blobsync *bs = NULL;
  char errbuf[256];

  ASSERT_OK(uv_loop_init(&loop));
  ASSERT_NE(storewatch_start(&loop, "/nonexistent/dir/glowtalk.db", 0, &w,
                             errbuf, sizeof(errbuf)), 0);
  ASSERT_NULL(w);
  /* Modules that act on changes need the watcher. */
  memset(&o, 0, sizeof(o));
  o.db_path = "/nonexistent/glowtalk.db";
  o.blobs_dir = "/nonexistent";
  ASSERT_EQ(blobsync_start(&loop, NULL, &o, &bs, errbuf, sizeof(errbuf)),
            ERR_INVAL);
  ASSERT_NULL(bs);
  ASSERT_CONTAINS(errbuf, "store watcher");
  ASSERT_OK(uv_loop_close(&loop));
  return 0;
}
