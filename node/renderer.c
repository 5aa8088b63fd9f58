/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's render loop; see renderer.h. Claims, results, failures,
 * renewals and releases all go through this node's feed. */
#define LOG_MODULE "render"
#include "node/renderer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/netkey.h"
#include "node/alloc.h"
#include "node/app.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/feed.h"
#include "node/leases.h"
#include "node/live.h"
#include "node/log.h"
#include "node/rsource.h"
#include "node/sched.h"
#include "node/workers.h"

#define CLAIMS_MAX SCHED_CLAIMS_PER_NODE
#define JOBS_MAX (SCHED_CLAIMS_PER_NODE * SCHED_CLAIM_BATCH)
#define PLAN_IDLE_MS 1000 /* plan at least this often with no news */
#define PLAN_RETRY_MS 100 /* least time between plans that find nothing */

/* A claim this process made and works on. */
struct lclaim {
  int used;
  uint64_t seq;                     /* the Claim entry's seq */
  uint8_t book[WIRE_BOOK_ID_BYTES];
  uint32_t take;
  int outstanding;                  /* sentences not yet reported */
  int failed;                       /* sentences that failed */
};

/* A sentence in the workers. */
struct job {
  int used;
  int claim;                        /* index into claims */
  uint32_t sentence;
  uint64_t start_ms;                /* dispatched (loop time) */
};

/* A finished sentence waiting for its batch. */
struct outcome {
  int claim;
  uint32_t sentence;
  int ok;
  uint8_t blob[WIRE_HASH_BYTES];
  uint32_t size, duration_ms;
  uint8_t context[WIRE_HASH_BYTES];
  char msg[160];
};

struct renderer {
  uv_loop_t *loop;
  uv_timer_t timer;
  struct app *app;
  struct db *db;                     /* own connection */
  struct feed *feed;
  struct rsource *src;
  struct workers *w;
  struct workers_opts wo;
  char *blobs_dir, *db_path;         /* wo's strings, owned */
  int nworkers;
  uint8_t me[WIRE_KEY_BYTES];
  struct lclaim claims[CLAIMS_MAX];
  struct job jobs[JOBS_MAX];
  struct outcome *done;              /* JOBS_MAX */
  size_t ndone;
  uint64_t first_done_ms;            /* when the oldest outcome arrived */
  uint64_t last_plan_ms, last_renew_ms;
  int dirty;                         /* plan at the next tick */
  renderer_live_fn live_fn;          /* who else renders, or NULL */
  void *live_arg;
  uint64_t idle_since_ms;            /* none of our own work since, or 0 */
  uint64_t retry_at_ms;              /* no full plan before (found none) */
  uint32_t lease_ms;                 /* written into our claims */
  struct leases *leases;             /* other nodes' claims, our clock */
};

static void
add_outcome(struct renderer *r, int claim, uint32_t sentence, int ok,
            const char *msg)
{
  struct outcome *o;

  if (r->ndone == JOBS_MAX)
    return; /* cannot happen: one outcome per job slot */
  if (r->ndone == 0)
    r->first_done_ms = uv_now(r->loop);
  o = &r->done[r->ndone++];
  memset(o, 0, sizeof(*o));
  o->claim = claim;
  o->sentence = sentence;
  o->ok = ok;
  snprintf(o->msg, sizeof(o->msg), "%s", msg ? msg : "");
  r->claims[claim].outstanding--;
  if (!ok)
    r->claims[claim].failed++;
}

static void
on_done(void *arg, const struct workers_result *res)
{
  struct renderer *r = arg;
  struct job *j;
  struct outcome *o;

  if (res->id >= JOBS_MAX || !r->jobs[res->id].used)
    return;
  j = &r->jobs[res->id];
  j->used = 0;
  live_render_done(res->err == 0, uv_now(r->loop) - j->start_ms);
  add_outcome(r, j->claim, j->sentence, res->err == 0,
              res->err ? res->msg : NULL);
  if (res->err) {
    log_warn("sentence %u failed: %s", j->sentence, res->msg);
    return;
  }
  o = &r->done[r->ndone - 1];
  memcpy(o->blob, res->res.blob, WIRE_HASH_BYTES);
  o->size = (uint32_t)res->res.size;
  o->duration_ms = (uint32_t)res->res.duration_ms;
  /* The worker's render context: exactly what its cache key hashes, so
   * any node recomputes the key from the log and the work (rcache.h). */
  memcpy(o->context, res->res.context, WIRE_HASH_BYTES);
}

static int
cmp_outcome(const void *a, const void *b)
{
  const struct outcome *x = a, *y = b;
  if (x->claim != y->claim)
    return x->claim < y->claim ? -1 : 1;
  if (x->ok != y->ok)
    return x->ok ? -1 : 1;
  return x->sentence < y->sentence ? -1 : x->sentence > y->sentence;
}

/* One Complete for outcomes o[0..n) (one claim, all ok, sorted). */
static int
append_complete(struct renderer *r, const struct lclaim *c,
                const struct outcome *o, size_t n)
{
  struct wire_entry e;
  uint32_t *idx = xmalloc(n * sizeof(*idx));
  size_t i, k;
  int err;

  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_COMPLETE;
  memcpy(e.book, c->book, WIRE_BOOK_ID_BYTES);
  e.take = c->take;
  e.claim = c->seq;
  e.audio = xmalloc(n * WIRE_HASH_BYTES);
  e.sizes = xmalloc(n * sizeof(*e.sizes));
  e.durations_ms = xmalloc(n * sizeof(*e.durations_ms));
  e.context_index = xcalloc(n, sizeof(*e.context_index));
  e.contexts = xmalloc(n * WIRE_HASH_BYTES);
  for (i = 0; i < n; i++) {
    idx[i] = o[i].sentence;
    memcpy(e.audio + i * WIRE_HASH_BYTES, o[i].blob, WIRE_HASH_BYTES);
    e.sizes[i] = o[i].size;
    e.durations_ms[i] = o[i].duration_ms;
    for (k = 0; k < e.ncontexts; k++)
      if (memcmp(e.contexts + k * WIRE_HASH_BYTES, o[i].context,
                 WIRE_HASH_BYTES) == 0)
        break;
    if (k == e.ncontexts)
      memcpy(e.contexts + e.ncontexts++ * WIRE_HASH_BYTES, o[i].context,
             WIRE_HASH_BYTES);
    e.context_index[i] = (uint32_t)k;
  }
  err = wire_sentences_from(&e.sent, idx, n);
  if (!err)
    err = feed_append(r->feed, &e, NULL);
  wire_entry_clear(&e);
  xfree(idx);
  return err;
}

/* One Fail for outcomes o[0..n) (one claim, all failed, sorted). */
static int
append_fail(struct renderer *r, const struct lclaim *c,
            const struct outcome *o, size_t n)
{
  struct wire_entry e;
  uint32_t *idx = xmalloc(n * sizeof(*idx));
  size_t i;
  int err;

  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FAIL;
  memcpy(e.book, c->book, WIRE_BOOK_ID_BYTES);
  e.claim = c->seq;
  e.text = xstrdup(o[0].msg[0] ? o[0].msg : "render failed");
  for (i = 0; i < n; i++)
    idx[i] = o[i].sentence;
  err = wire_sentences_from(&e.sent, idx, n);
  if (!err)
    err = feed_append(r->feed, &e, NULL);
  wire_entry_clear(&e);
  xfree(idx);
  return err;
}

static int
append_release(struct renderer *r, const uint64_t *seqs, size_t n)
{
  struct wire_entry e;
  int err;

  if (n == 0)
    return 0;
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_RELEASE;
  e.claims = xmalloc(n * sizeof(*e.claims));
  memcpy(e.claims, seqs, n * sizeof(*seqs));
  e.nclaims = n;
  err = feed_append(r->feed, &e, NULL);
  wire_entry_clear(&e);
  return err;
}

/* Record every finished outcome in one transaction: a Complete and a Fail
 * per claim, and a Release for finished claims with failures (a failed
 * sentence keeps its claim open otherwise). On error nothing is recorded
 * and the outcomes stay for the next try. */
static int
flush(struct renderer *r)
{
  uint64_t rel[CLAIMS_MAX];
  size_t i = 0, j, nrel = 0;
  int err = 0, c;

  if (r->ndone == 0)
    return 0;
  qsort(r->done, r->ndone, sizeof(*r->done), cmp_outcome);
  err = feed_begin(r->feed);
  if (err)
    goto fail;
  while (!err && i < r->ndone) {
    for (j = i; j < r->ndone && r->done[j].claim == r->done[i].claim &&
                r->done[j].ok == r->done[i].ok; j++)
      ;
    c = r->done[i].claim;
    err = r->done[i].ok ? append_complete(r, &r->claims[c], r->done + i,
                                          j - i)
                        : append_fail(r, &r->claims[c], r->done + i, j - i);
    i = j;
  }
  for (c = 0; c < CLAIMS_MAX; c++)
    if (r->claims[c].used && r->claims[c].outstanding == 0 &&
        r->claims[c].failed)
      rel[nrel++] = r->claims[c].seq;
  if (!err)
    err = append_release(r, rel, nrel);
  if (err) {
    feed_rollback(r->feed);
    goto fail;
  }
  err = feed_commit(r->feed);
  if (err)
    goto fail;
  for (c = 0; c < CLAIMS_MAX; c++)
    if (r->claims[c].used && r->claims[c].outstanding == 0)
      r->claims[c].used = 0;
  log_debug("recorded %zu sentences", r->ndone);
  r->ndone = 0;
  r->dirty = 1;
  return 0;
fail:
  log_error("cannot record results: %s", err_str(err));
  return err;
}

/* Release every open claim of this node (ours from a run that died, or
 * ours at shutdown). */
static int
release_open(struct renderer *r)
{
  struct wire_entry e;
  int err = 0, round;

  for (round = 0; round < RENDERER_RELEASE_ROUNDS; round++) {
    err = sched_plan_renew(feed_state(r->feed), r->me, &e);
    if (err == ERR_NOT_FOUND)
      return 0;
    if (err)
      return err;
    e.op = WIRE_OP_RELEASE;
    log_info("releasing %zu open claims", e.nclaims);
    err = feed_append(r->feed, &e, NULL);
    wire_entry_clear(&e);
    if (err == ERR_BEHIND) {
      log_warn("catching up with the swarm: claims are released later");
      return 0;
    }
    if (err)
      return err;
  }
  return 0;
}

static int
free_claim_slot(struct renderer *r)
{
  int c;
  for (c = 0; c < CLAIMS_MAX; c++)
    if (!r->claims[c].used)
      return c;
  return -1;
}

static int
free_job_slot(struct renderer *r)
{
  int i;
  for (i = 0; i < JOBS_MAX; i++)
    if (!r->jobs[i].used)
      return i;
  return -1;
}

/* Hand the sentences of claim c (entry e, appended) to the workers. A
 * sentence that cannot be prepared fails at once. */
static void
submit_claim(struct renderer *r, int c, const struct wire_entry *e,
             int first)
{
  struct wire_iter it;
  struct rsource_item item;
  char errbuf[160];
  uint32_t s;
  int j, err;

  wire_iter_init(&it, &e->sent);
  while (wire_iter_next(&it, &s)) {
    j = free_job_slot(r);
    err = j < 0 ? ERR_TOO_BIG
                : rsource_get(r->src, e->book, s, &item, errbuf,
                              sizeof(errbuf));
    if (!err) {
      err = (first ? workers_submit_first : workers_submit)(
          r->w, (uint64_t)j, item.voice, item.text, item.lexicon, item.flags,
          r->claims[c].take);
      if (!err) {
        r->jobs[j].used = 1;
        r->jobs[j].start_ms = uv_now(r->loop);
        r->jobs[j].claim = c;
        r->jobs[j].sentence = s;
      } else {
        snprintf(errbuf, sizeof(errbuf), "cannot queue: %s", err_str(err));
      }
      rsource_item_clear(&item);
    }
    if (err) {
      if (!errbuf[0])
        snprintf(errbuf, sizeof(errbuf), "%s", err_str(err));
      log_warn("sentence %u: %s", s, errbuf);
      add_outcome(r, c, s, 0, errbuf);
    }
  }
}

static int
claims_held(const struct renderer *r)
{
  int c, n = 0;
  for (c = 0; c < CLAIMS_MAX; c++)
    n += r->claims[c].used;
  return n;
}

/* The take requested for sentence of book (0 when unknown). */
static uint32_t
task_take(struct renderer *r, const uint8_t *book, const struct wire_entry *e)
{
  struct db_stmt *q = NULL;
  struct wire_iter it;
  uint32_t s = 0, take = 0;

  wire_iter_init(&it, &e->sent);
  if (!wire_iter_next(&it, &s))
    return 0;
  if (db_prepare(r->db, "SELECT take FROM st_tasks WHERE book=?1 AND "
                 "sentence=?2", &q) == 0 &&
      db_bind_blob(q, 1, book, WIRE_BOOK_ID_BYTES) == 0 &&
      db_bind_int(q, 2, s) == 0 && db_step(q) == DB_ROW)
    take = (uint32_t)db_col_int(q, 0);
  db_finalize(&q);
  return take;
}

/* Append claim e (planned) into slot c and hand its sentences to the
 * workers, interactive ones ahead of the queue. 0 or an error (logged;
 * nothing claimed). */
static int
take_claim(struct renderer *r, int c, struct wire_entry *e)
{
  int first = e->priority == WIRE_PRIORITY_INTERACTIVE;
  int err;

  e->lease_ms = r->lease_ms; /* config lease-ms */
  err = feed_append(r->feed, e, NULL);

  if (err) {
    log_error("cannot append a claim: %s", err_str(err));
    return err;
  }
  if (claims_held(r) == 0)
    r->last_renew_ms = uv_now(r->loop); /* a new claim needs no renewal */
  r->claims[c].used = 1;
  r->claims[c].seq = e->seq;
  memcpy(r->claims[c].book, e->book, WIRE_BOOK_ID_BYTES);
  r->claims[c].take = task_take(r, e->book, e);
  r->claims[c].outstanding = (int)e->sent.count;
  r->claims[c].failed = 0;
  log_info("claimed %llu %ssentences (claim %llu)",
           (unsigned long long)e->sent.count, first ? "interactive " : "",
           (unsigned long long)e->seq);
  submit_claim(r, c, e, first);
  return 0;
}

/* A snippet someone waits for is claimed even while the workers are full
 * of bulk work (and goes ahead of it). */
static void
plan_interactive(struct renderer *r, const uint8_t (*live)[WIRE_KEY_BYTES],
                 size_t nlive)
{
  struct wire_entry e;
  int c, yes = 0, err;

  if (sched_interactive_waiting(feed_state(r->feed), &yes) != 0 || !yes ||
      (c = free_claim_slot(r)) < 0)
    return;
  err = sched_plan_interactive(feed_state(r->feed), r->me, live, nlive,
                               leases_stale, r->leases, &e);
  if (err == 0)
    (void)take_claim(r, c, &e);
  else if (err != ERR_NOT_FOUND && err != ERR_FORBIDDEN)
    log_error("cannot plan a claim: %s", err_str(err));
  wire_entry_clear(&e);
}

static size_t
live_members(struct renderer *r, uint8_t (*live)[WIRE_KEY_BYTES])
{
  size_t n = 1;
  memcpy(live[0], r->me, WIRE_KEY_BYTES);
  if (r->live_fn)
    n += r->live_fn(r->live_arg, live + 1, RENDERER_LIVE_MAX);
  return n;
}

/* Only the interactive look of a plan (the log changed while full plans
 * wait). */
static void
plan_now_interactive(struct renderer *r)
{
  uint8_t live[RENDERER_LIVE_MAX + 1][WIRE_KEY_BYTES];
  size_t nlive = live_members(r, live);

  leases_set_now(r->leases, uv_now(r->loop));
  plan_interactive(r, (const uint8_t(*)[WIRE_KEY_BYTES])live, nlive);
}

/* Claim and start work while the workers have room. */
static void
plan(struct renderer *r, int changed)
{
  struct wire_entry e;
  int c, err;
  uint8_t live[RENDERER_LIVE_MAX + 1][WIRE_KEY_BYTES];
  size_t nlive = live_members(r, live);
  uint64_t now = uv_now(r->loop);

  leases_set_now(r->leases, now);
  if (changed)
    plan_interactive(r, (const uint8_t(*)[WIRE_KEY_BYTES])live, nlive);
  while ((size_t)workers_pending(r->w) <
             (size_t)r->nworkers * RENDERER_AHEAD &&
         (c = free_claim_slot(r)) >= 0) {
    err = sched_plan_claim(feed_state(r->feed), r->me,
                           (const uint8_t(*)[WIRE_KEY_BYTES])live, nlive, 0,
                           leases_stale, r->leases, &e);
    if (err == ERR_NOT_FOUND && nlive > 1) {
      /* None of our share is left: after a grace period take what the
       * others have not claimed (a slow node, or one that renders
       * nothing). */
      wire_entry_clear(&e);
      if (r->idle_since_ms == 0)
        r->idle_since_ms = now;
      if (now - r->idle_since_ms >= RENDERER_GRACE_MS)
        err = sched_plan_claim(feed_state(r->feed), r->me,
                               (const uint8_t(*)[WIRE_KEY_BYTES])live, nlive,
                               1, leases_stale, r->leases, &e);
    } else if (err == 0) {
      r->idle_since_ms = 0;
    }
    if (err) {
      if (err == ERR_NOT_FOUND)
        r->retry_at_ms = now + PLAN_RETRY_MS;
      else if (err != ERR_FORBIDDEN)
        log_error("cannot plan a claim: %s", err_str(err));
      wire_entry_clear(&e);
      return;
    }
    err = take_claim(r, c, &e);
    wire_entry_clear(&e);
    if (err)
      return;
  }
}

void
renderer_set_live(struct renderer *r, renderer_live_fn fn, void *arg)
{
  if (r == NULL)
    return;
  r->live_fn = fn;
  r->live_arg = arg;
}

static void
renew(struct renderer *r)
{
  struct wire_entry e;
  int err = sched_plan_renew(feed_state(r->feed), r->me, &e);

  if (err == 0)
    err = feed_append(r->feed, &e, NULL);
  wire_entry_clear(&e);
  if (err && err != ERR_NOT_FOUND)
    log_error("cannot renew claims: %s", err_str(err));
}

static void
on_tick(uv_timer_t *t)
{
  struct renderer *r = t->data;
  uint64_t now = uv_now(r->loop), behind = 0;
  int changed = 0, c, finished = 0;

  if (feed_sync(r->feed, &changed) == 0 && changed) {
    rsource_invalidate(r->src); /* a lexicon edit */
    r->dirty = 1;
  }
  if (workers_poll(r->w, 0, on_done, r) < 0)
    log_error("the worker pool failed");
  for (c = 0; c < CLAIMS_MAX; c++)
    if (r->claims[c].used && r->claims[c].outstanding == 0)
      finished = 1;
  if (r->ndone > 0 &&
      (finished || now - r->first_done_ms >= RENDERER_FLUSH_MS))
    (void)flush(r);
  if (claims_held(r) > 0 && now - r->last_renew_ms >= r->lease_ms / 3) {
    renew(r);
    r->last_renew_ms = now;
  }
  /* After a plan found nothing, the next waits PLAN_RETRY_MS even if the
   * log changed: in a busy swarm it changes every few milliseconds, and
   * each plan scans the queue. Interactive work is looked for at once. */
  if ((r->dirty || now - r->last_plan_ms >= PLAN_IDLE_MS) &&
      feed_behind(r->feed, &behind) == 0 && behind == 0) {
    if (now >= r->retry_at_ms) {
      plan(r, r->dirty);
      r->dirty = 0;
      r->last_plan_ms = now;
    } else if (r->dirty) {
      plan_now_interactive(r);
    }
  }
  /* Each poll hands an idle worker its next job: while jobs are out, tick
   * fast so a worker never waits a whole tick (at RENDERER_TICK_MS two
   * workers did at most 20 sentences a second, however short). */
  uv_timer_set_repeat(t, workers_pending(r->w) > 0 ? RENDERER_BUSY_TICK_MS
                                                   : RENDERER_TICK_MS);
}

int
renderer_start(uv_loop_t *loop, struct app *app,
               const struct renderer_opts *o, struct renderer **out,
               char *errbuf, size_t errlen)
{
  struct renderer *r = xcalloc(1, sizeof(*r));
  uint8_t net[NETKEY_ID_BYTES];
  char *path = NULL, *blobs = NULL;
  int err;

  *out = NULL;
  r->loop = loop;
  r->app = app;
  r->done = xcalloc(JOBS_MAX, sizeof(*r->done));
  memcpy(r->me, identity_public_key(app->id), WIRE_KEY_BYTES);
  r->leases = leases_new(r->me);
  path = datadir_file(app->dir, "glowtalk.db");
  blobs = datadir_file(app->dir, "blobs");
  err = db_open_store(path, &r->db, errbuf, errlen);
  if (err)
    goto fail;
  netkey_id(app->net, net);
  err = feed_open(r->db, app->id, net, &r->feed);
  if (!err)
    feed_set_head_dir(r->feed, app->dir); /* the write fence */
  if (!err)
    err = release_open(r);
  if (err) {
    snprintf(errbuf, errlen, "render loop: cannot open the log: %s",
             err_str(err));
    goto fail;
  }
  r->src = rsource_new(feed_state(r->feed), o->voice, o->announce);
  r->lease_ms = o->lease_ms ? o->lease_ms : SCHED_LEASE_MS;
  r->nworkers = o->workers > 0 ? o->workers
                               : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (r->nworkers < 1)
    r->nworkers = 1;
  if (r->nworkers > WORKERS_MAX - 1)
    r->nworkers = WORKERS_MAX - 1; /* and the urgent lane */
  r->wo.n = r->nworkers;
  r->wo.blobs_dir = r->blobs_dir = blobs;
  r->wo.db_path = r->db_path = path;
  r->wo.bitrate = o->bitrate;
  r->wo.complexity = o->complexity;
  r->wo.job_timeout_ms = 0;
  r->wo.urgent_lane = 1; /* re-renders someone waits for */
  path = blobs = NULL;
  /* Now, before the daemon starts threads: a child forked while another
   * thread holds a library lock (SQLite's, the resolver's) can hang. */
  err = workers_new(&r->wo, &r->w);
  if (err) {
    snprintf(errbuf, errlen, "cannot start the render workers: %s",
             err_str(err));
    goto fail;
  }
  uv_timer_init(loop, &r->timer);
  r->timer.data = r;
  uv_timer_start(&r->timer, on_tick, RENDERER_TICK_MS, RENDERER_TICK_MS);
  r->dirty = 1;
  log_info("render loop: %d workers", r->nworkers);
  xfree(path);
  xfree(blobs);
  *out = r;
  return 0;
fail:
  workers_free(&r->w);
  rsource_free(&r->src);
  feed_free(&r->feed);
  db_close(&r->db);
  xfree(r->done);
  leases_free(&r->leases);
  xfree(r->blobs_dir);
  xfree(r->db_path);
  xfree(r);
  xfree(path);
  xfree(blobs);
  return err;
}

static void
on_closed(uv_handle_t *h)
{
  struct renderer *r = h->data;
  xfree(r->blobs_dir);
  xfree(r->db_path);
  xfree(r->done);
  leases_free(&r->leases);
  xfree(r);
}

void
renderer_close(struct renderer **rp)
{
  struct renderer *r = rp ? *rp : NULL;
  int err;

  if (!r)
    return;
  *rp = NULL;
  uv_timer_stop(&r->timer);
  /* What is finished is recorded; what is not is dropped and released. */
  if (r->w && workers_poll(r->w, 0, on_done, r) < 0)
    log_error("the worker pool failed");
  (void)flush(r);
  workers_free(&r->w);
  err = release_open(r);
  if (err)
    log_error("cannot release claims: %s", err_str(err));
  rsource_free(&r->src);
  feed_free(&r->feed);
  db_close(&r->db);
  uv_close((uv_handle_t *)&r->timer, on_closed);
}
