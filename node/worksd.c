/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Materialising arrived work documents on a timer; see worksd.h. */
#define LOG_MODULE "works"
#include "node/worksd.h"

#include <stdio.h>

#include "node/alloc.h"
#include "node/blobs.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/log.h"
#include "node/storewatch.h"
#include "node/works.h"

struct worksd {
  uv_loop_t *loop;
  struct storewatch *watch; /* borrowed: app->watch */
  struct db *db;     /* own connection */
  struct blobs *blobs;
  int again;         /* the last pass left documents awaited */
  int dirty;         /* written since the last checkpoint */
  uint64_t last_checkpoint;
};

int
worksd_pass(struct worksd *w)
{
  size_t done = 0, waiting = 0;
  int err = works_materialise_pending(w->db, w->blobs, &done, &waiting);

  if (err)
    log_error("cannot materialise works: %s", err_str(err));
  /* More than one pass's worth, or blobs still to come: look again. */
  w->again = err != 0 || waiting > 0 || done == WORKS_MATERIALISE_MAX;
  return err;
}

/* Every store watcher tick. */
static void
on_tick(int changed, void *arg)
{
  struct worksd *w = arg;

  if (!changed && !w->again) {
    /* Quiet for a tick: move the WAL into the database here, off the
     * log's receive path (its connection checkpoints only when the WAL
     * is large, feed.h FEED_WAL_PAGES_STR). */
    uint64_t now = uv_now(w->loop);
    if (w->dirty && now - w->last_checkpoint >= WORKSD_CHECKPOINT_MS) {
      if (db_exec(w->db, "PRAGMA wal_checkpoint(PASSIVE)") != 0)
        log_warn("WAL checkpoint failed: %s", db_errmsg(w->db));
      w->dirty = 0;
      w->last_checkpoint = now;
    }
    return;
  }
  w->dirty = 1;
  if (worksd_pass(w) != 0)
    return; /* logged; the next tick tries again */
}

int
worksd_start(uv_loop_t *loop, struct app *app, struct worksd **out,
             char *errbuf, size_t errlen)
{
  struct worksd *w = xcalloc(1, sizeof(*w));
  char *path = datadir_file(app->dir, "glowtalk.db");
  int err;

  *out = NULL;
  if (app->watch == NULL) {
    snprintf(errbuf, errlen, "works: no store watcher");
    err = ERR_INVAL;
    xfree(path);
    goto fail;
  }
  err = db_open_store(path, &w->db, errbuf, errlen);
  xfree(path);
  if (err)
    goto fail;
  path = datadir_file(app->dir, "blobs");
  err = blobs_open(path, &w->blobs);
  if (err)
    snprintf(errbuf, errlen, "cannot open the blob store %s: %s", path,
             err_str(err));
  xfree(path);
  if (err)
    goto fail;
  w->loop = loop;
  w->watch = app->watch;
  w->again = 1; /* a first pass at the first tick */
  err = storewatch_subscribe(w->watch, on_tick, w);
  if (err) {
    snprintf(errbuf, errlen, "works: %s", err_str(err));
    goto fail;
  }
  *out = w;
  return 0;
fail:
  blobs_close(&w->blobs);
  db_close(&w->db);
  xfree(w);
  return err;
}

void
worksd_close(struct worksd **wp)
{
  struct worksd *w = wp ? *wp : NULL;
  if (w == NULL)
    return;
  *wp = NULL;
  storewatch_unsubscribe(w->watch, on_tick, w);
  blobs_close(&w->blobs);
  db_close(&w->db);
  xfree(w);
}
