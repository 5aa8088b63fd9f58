/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* One timer, one PRAGMA data_version a tick, every subscriber told; see
 * storewatch.h. Loop thread only. */
#define LOG_MODULE "store"
#include "node/storewatch.h"

#include "node/alloc.h"
#include "node/db.h"
#include "node/log.h"

struct sub {
  storewatch_cb cb; /* NULL: a free slot */
  void *arg;
};

struct storewatch {
  uv_timer_t timer;
  struct db *db;       /* own connection: sees every other one's commits */
  int64_t version;     /* PRAGMA data_version at the last tick */
  uint64_t tick_ms;
  int based;           /* the first (silent) tick ran */
  uint64_t changes;
  struct sub subs[STOREWATCH_SUBS_MAX];
};

static void
on_tick(uv_timer_t *t)
{
  struct storewatch *w = t->data;
  int64_t v = 0;
  int changed, i;

  if (!w->based) {
    /* The loop's first turn: where the store stands once the daemon has
     * started. Nobody is told; the periodic ticks follow. */
    w->based = 1;
    if (db_query_int(w->db, "PRAGMA data_version", &w->version) != 0)
      w->version = -1; /* the next tick looks */
    uv_timer_start(&w->timer, on_tick, w->tick_ms, w->tick_ms);
    return;
  }
  if (db_query_int(w->db, "PRAGMA data_version", &v) != 0) {
    log_warn("%s: cannot read the store's version", __func__);
    changed = 1; /* cannot tell: look */
  } else {
    changed = v != w->version;
    w->version = v;
  }
  w->changes += (uint64_t)changed;
  /* By index: a callback may unsubscribe (clearing its own slot). */
  for (i = 0; i < STOREWATCH_SUBS_MAX; i++) {
    if (w->subs[i].cb)
      w->subs[i].cb(changed, w->subs[i].arg);
  }
}

int
storewatch_start(uv_loop_t *loop, const char *db_path, uint64_t tick_ms,
                 struct storewatch **out, char *errbuf, size_t errlen)
{
  struct storewatch *w = xcalloc(1, sizeof(*w));
  int err;

  *out = NULL;
  err = db_open_store(db_path, &w->db, errbuf, errlen);
  if (err) {
    xfree(w);
    return err;
  }
  w->tick_ms = tick_ms ? tick_ms : STOREWATCH_TICK_MS;
  uv_timer_init(loop, &w->timer);
  w->timer.data = w;
  uv_timer_start(&w->timer, on_tick, 0, 0); /* the baseline, then ticks */
  *out = w;
  return 0;
}

int
storewatch_subscribe(struct storewatch *w, storewatch_cb cb, void *arg)
{
  int i;
  for (i = 0; i < STOREWATCH_SUBS_MAX; i++) {
    if (w->subs[i].cb == NULL) {
      w->subs[i].cb = cb;
      w->subs[i].arg = arg;
      return 0;
    }
  }
  return ERR_TOO_BIG;
}

void
storewatch_unsubscribe(struct storewatch *w, storewatch_cb cb, void *arg)
{
  int i;
  for (i = 0; i < STOREWATCH_SUBS_MAX; i++) {
    if (w->subs[i].cb == cb && w->subs[i].arg == arg) {
      w->subs[i].cb = NULL;
      w->subs[i].arg = NULL;
    }
  }
}

uint64_t
storewatch_changes(const struct storewatch *w)
{
  return w->changes;
}

static void
on_closed(uv_handle_t *h)
{
  struct storewatch *w = h->data;
  db_close(&w->db);
  xfree(w);
}

void
storewatch_close(struct storewatch **wp)
{
  struct storewatch *w;
  if (wp == NULL || *wp == NULL)
    return;
  w = *wp;
  *wp = NULL;
  uv_timer_stop(&w->timer);
  uv_close((uv_handle_t *)&w->timer, on_closed);
}
