/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's blob sharing glue; see blobnode.h. */
#define LOG_MODULE "blobs"
#include "node/blobnode.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/app.h"
#include "node/blobs.h"
#include "node/blobsync.h"
#include "node/blobx.h"
#include "node/config.h"
#include "node/control.h"
#include "node/datadir.h"
#include "node/json.h"
#include "node/log.h"
#include "node/status.h"

#define BLOBNODE_SNAP_MS 1000 /* status snapshot period */

struct blobnode {
  uv_timer_t snap_timer;
  struct blobs *store;
  struct blobx *bx;
  struct blobsync *sync;
  pthread_mutex_t lock;       /* guards snapshot */
  char *snapshot;             /* JSON text */
};

static struct json *
live_json(struct blobnode *bn)
{
  struct json *o = blobx_json(bn->bx), *s = json_new_object();
  struct blobsync_stats st;

  blobsync_get_stats(bn->sync, &st);
  json_set_int(s, "sweeps", (int64_t)st.sweeps);
  json_set_int(s, "queued", (int64_t)st.queued);
  json_set_int(s, "known", (int64_t)st.known);
  json_set_int(s, "gcs", (int64_t)st.gcs);
  json_set_int(s, "gc_removed", (int64_t)st.gc_removed);
  json_set(o, "sync", s);
  return o;
}

static void
snapshot(struct blobnode *bn)
{
  struct json *o = live_json(bn);
  char *text = json_print(o, 0), *old;

  json_free(o);
  pthread_mutex_lock(&bn->lock);
  old = bn->snapshot;
  bn->snapshot = text;
  pthread_mutex_unlock(&bn->lock);
  xfree(old);
}

static void
on_snap(uv_timer_t *t)
{
  snapshot(t->data);
}

struct json *
blobnode_json(struct blobnode *bn)
{
  struct json *j = NULL;
  char errbuf[128];

  pthread_mutex_lock(&bn->lock);
  if (bn->snapshot)
    j = json_parse(bn->snapshot, strlen(bn->snapshot), errbuf,
                   sizeof(errbuf));
  pthread_mutex_unlock(&bn->lock);
  return j ? j : json_new_object();
}

static struct json *
status_blobs(void *arg)
{
  return blobnode_json(arg);
}

/* control op "blobs": the live stats (loop thread). */
static struct json *
op_blobs(const struct json *args, void *arg, char *errbuf, size_t errlen)
{
  (void)args;
  (void)errbuf;
  (void)errlen;
  return live_json(arg);
}

static void
snap_closed(uv_handle_t *h)
{
  struct blobnode *bn = h->data;
  blobs_close(&bn->store);
  pthread_mutex_destroy(&bn->lock);
  xfree(bn->snapshot);
  xfree(bn);
}

int
blobnode_start(uv_loop_t *loop, struct app *app, struct swarm *sw,
               struct control_server *control, struct blobnode **out,
               char *errbuf, size_t errlen)
{
  struct blobnode *bn = xcalloc(1, sizeof(*bn));
  struct blobx_options xo;
  struct blobsync_options so;
  char *dir = datadir_file(app->dir, "blobs");
  char *db = datadir_file(app->dir, "glowtalk.db");
  int err;

  *out = NULL;
  pthread_mutex_init(&bn->lock, NULL);
  uv_timer_init(loop, &bn->snap_timer);
  bn->snap_timer.data = bn;
  err = blobs_open(dir, &bn->store);
  if (err) {
    snprintf(errbuf, errlen, "cannot open the audio store %s: %s", dir,
             err_str(err));
    goto fail;
  }
  memset(&xo, 0, sizeof(xo));
  xo.replicate = config_get_bool(app->cfg, "replicate-audio");
  xo.quota_bytes = (uint64_t)config_get_int(app->cfg, "blob-quota-mb") << 20;
  if (xo.quota_bytes && blobs_usage(bn->store, &xo.stored_bytes) != 0)
    log_warn("cannot measure the audio store; counting from 0");
  err = blobx_start(loop, sw, bn->store, &xo, &bn->bx);
  if (err) {
    snprintf(errbuf, errlen, "blob exchange: %s", err_str(err));
    goto fail;
  }
  memset(&so, 0, sizeof(so));
  so.db_path = db;
  so.blobs_dir = dir;
  so.watch = app->watch;
  so.skip_results = !xo.replicate;
  err = blobsync_start(loop, bn->bx, &so, &bn->sync, errbuf,
                       errlen);
  if (err)
    goto fail;
  if (control)
    control_server_register(control, "blobs", op_blobs, bn);
  blobx_playback_set(bn->bx);
  snapshot(bn);
  status_set_blobs(status_blobs, bn);
  uv_timer_start(&bn->snap_timer, on_snap, BLOBNODE_SNAP_MS,
                 BLOBNODE_SNAP_MS);
  log_info("blob sharing on: replicate-audio %s, quota %s",
           xo.replicate ? "yes" : "no", xo.quota_bytes ? "set" : "none");
  xfree(dir);
  xfree(db);
  *out = bn;
  return 0;

fail:
  blobx_close(&bn->bx);
  xfree(dir);
  xfree(db);
  uv_close((uv_handle_t *)&bn->snap_timer, snap_closed);
  return err;
}

void
blobnode_close(struct blobnode **bnp)
{
  struct blobnode *bn;

  if (bnp == NULL || *bnp == NULL)
    return;
  bn = *bnp;
  *bnp = NULL;
  status_set_blobs(NULL, NULL);
  blobsync_close(&bn->sync);
  blobx_close(&bn->bx);
  uv_close((uv_handle_t *)&bn->snap_timer, snap_closed);
}

void
blobnode_link(struct blobnode *bn, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
              int up)
{
  if (bn)
    blobx_link(bn->bx, pub, up);
}

void
blobnode_drained(struct blobnode *bn,
                 const uint8_t pub[IDENTITY_PUBLIC_BYTES])
{
  if (bn)
    blobx_drained(bn->bx, pub);
}
