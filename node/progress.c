/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's periodic progress line; see progress.h. The store is read
 * on libuv's thread pool (own connection), the swarm's snapshots on the
 * loop thread, and the line is logged back on the loop thread. */
#define LOG_MODULE "progress"
#include "node/progress.h"

#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/app.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/json.h"
#include "node/log.h"
#include "node/state.h"
#include "node/statecache.h"
#include "node/status.h"
#include "node/swarm_node.h"

#define HASH_SHOWN 16 /* hex digits of the state hash in the line */

/* What one line says; a line is logged only when it differs. */
struct snap {
  struct state_counts q;
  int64_t peers, connected, entries_in, entries_out;
  char hash[2 * STATE_HASH_BYTES + 1];
};

struct progress {
  uv_loop_t *loop;
  uv_timer_t timer;
  uv_work_t work;
  struct db *db;               /* used only by the work */
  struct swarm_node *sn;
  uint64_t period_ms;
  int busy, closing, timer_closed;
  int err;                     /* of the last read */
  struct snap cur, last;
  int have_last;
};

static void
maybe_free(struct progress *p)
{
  if (!p->closing || p->busy || !p->timer_closed)
    return;
  db_close(&p->db);
  xfree(p);
}

/* Thread pool: the queue counts and the state hash. */
static void
read_store(uv_work_t *w)
{
  struct progress *p = w->data;
  struct state *st = NULL;

  p->err = statecache_hash_hex(p->db, p->cur.hash, NULL);
  if (!p->err)
    p->err = state_open(p->db, &st);
  if (!p->err)
    p->err = state_counts(st, &p->cur.q);
  state_free(&st);
}

static int
same(const struct snap *a, const struct snap *b)
{
  return a->q.pending == b->q.pending && a->q.claimed == b->q.claimed &&
         a->q.done == b->q.done && a->q.failed == b->q.failed &&
         a->connected == b->connected && a->peers == b->peers &&
         a->entries_in == b->entries_in &&
         a->entries_out == b->entries_out &&
         strcmp(a->hash, b->hash) == 0;
}

static void
read_done(uv_work_t *w, int status)
{
  struct progress *p = w->data;
  const struct snap *c = &p->cur;
  int64_t since;

  p->busy = 0;
  if (p->closing) {
    maybe_free(p);
    return;
  }
  if (status != 0 || p->err) {
    log_warn("cannot read the store: %s",
             err_str(status ? status : p->err));
    return;
  }
  if (p->have_last && same(c, &p->last))
    return;
  since = p->have_last ? c->q.done - p->last.q.done : 0;
  log_info("%lld done (%+lld), %lld pending, %lld claimed, %lld failed; "
           "peers %lld of %lld connected; log entries %lld in, %lld out; "
           "state %.*s", (long long)c->q.done, (long long)since,
           (long long)c->q.pending, (long long)c->q.claimed,
           (long long)c->q.failed, (long long)c->connected,
           (long long)c->peers, (long long)c->entries_in,
           (long long)c->entries_out, HASH_SHOWN, c->hash);
  p->last = *c;
  p->have_last = 1;
}

static int64_t
get_int(const struct json *o, const char *key)
{
  int64_t v = 0;
  if (json_int(json_get(o, key), &v) != 0)
    v = 0;
  return v;
}

/* Loop thread: the swarm's snapshots, then the store on the pool. */
static void
on_tick(uv_timer_t *t)
{
  struct progress *p = t->data;
  struct json *peers, *repl;
  size_t i, n;

  if (p->busy || p->closing)
    return;
  peers = status_daemon_peers();
  n = json_len(peers);
  p->cur.peers = (int64_t)n;
  p->cur.connected = 0;
  for (i = 0; i < n; i++)
    p->cur.connected += json_is_true(json_get(json_at(peers, i),
                                              "connected"));
  json_free(peers);
  repl = p->sn ? swarm_node_replication(p->sn) : NULL;
  p->cur.entries_in = repl ? get_int(repl, "entries_in") : 0;
  p->cur.entries_out = repl ? get_int(repl, "entries_out") : 0;
  json_free(repl);
  p->work.data = p;
  if (uv_queue_work(p->loop, &p->work, read_store, read_done) == 0)
    p->busy = 1;
}

int
progress_start(uv_loop_t *loop, struct app *app, struct swarm_node *sn,
               uint64_t period_ms, struct progress **out, char *errbuf,
               size_t errlen)
{
  struct progress *p = xcalloc(1, sizeof(*p));
  char *path = datadir_file(app->dir, "glowtalk.db");
  int err = db_open_store(path, &p->db, errbuf, errlen);

  xfree(path);
  *out = NULL;
  if (err) {
    xfree(p);
    return err;
  }
  p->loop = loop;
  p->sn = sn;
  p->period_ms = period_ms;
  uv_timer_init(loop, &p->timer);
  p->timer.data = p;
  uv_timer_start(&p->timer, on_tick, period_ms, period_ms);
  *out = p;
  return 0;
}

static void
timer_closed(uv_handle_t *h)
{
  struct progress *p = h->data;
  p->timer_closed = 1;
  maybe_free(p);
}

void
progress_close(struct progress **pp)
{
  struct progress *p = pp ? *pp : NULL;
  if (p == NULL)
    return;
  *pp = NULL;
  p->closing = 1;
  p->sn = NULL;
  uv_close((uv_handle_t *)&p->timer, timer_closed);
}
