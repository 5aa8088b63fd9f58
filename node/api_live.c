/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Progress of audiobooks for the API: counts kept per store generation,
 * throughput and time left from node/live.h, a publisher thread that
 * sends a "progress" event for each book with news, and GET /metrics in
 * the Prometheus text format. See docs/API.md. */
#define LOG_MODULE "api"
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "node/alloc.h"
#include "node/api_cache.h"
#include "node/api_internal.h"
#include "node/app.h"
#include "node/book.h"
#include "node/buf.h"
#include "node/datadir.h"
#include "node/events.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/live.h"
#include "node/log.h"
#include "node/statecache.h"
#include "node/status.h"

#define LIVE_PROGRESS_MS 1000  /* a book's progress events at most this
                                * often */
#define LIVE_PROGRESS_SHARE 10 /* wait at least 10x the counting time */
#define METRICS_DU_MS 10000    /* storage use is walked at most this often */
#define METRICS_DU_FDS 16      /* directories nftw keeps open */
#define METRICS_MAX (64u << 10) /* bytes of the /metrics text */

struct progress_slot {
  uint8_t book[WIRE_BOOK_ID_BYTES];
  uint64_t gen;
  struct book_progress p;
};

struct api_live {
  struct progress_slot slots[LIVE_DIRTY_MAX]; /* guarded by the API lock */
  size_t next;                                /* slot to replace */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int stop, started;
  int64_t du_bytes, du_files;                 /* guarded by lock */
  int64_t du_at_ms;
};

static int64_t
mono_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
api_live__progress(struct api *api, struct db *db, const uint8_t *book,
                   struct book_progress *p)
{
  struct api_live *lv = api->live;
  uint64_t gen = api_cache_gen(db);
  size_t i;
  int err;

  for (i = 0; gen && i < LIVE_DIRTY_MAX; i++)
    if (lv->slots[i].gen == gen &&
        memcmp(lv->slots[i].book, book, WIRE_BOOK_ID_BYTES) == 0) {
      *p = lv->slots[i].p;
      return 0;
    }
  err = book_progress(db, book, p);
  if (err)
    return err;
  /* The count itself may have built the story order: read again. */
  gen = api_cache_gen(db);
  for (i = 0; i < LIVE_DIRTY_MAX; i++)
    if (memcmp(lv->slots[i].book, book, WIRE_BOOK_ID_BYTES) == 0)
      break;
  if (i == LIVE_DIRTY_MAX) {
    i = lv->next;
    lv->next = (lv->next + 1) % LIVE_DIRTY_MAX;
  }
  memcpy(lv->slots[i].book, book, WIRE_BOOK_ID_BYTES);
  lv->slots[i].gen = gen;
  lv->slots[i].p = *p;
  return 0;
}

void
api_live__progress_set(struct json *o, const struct book_progress *p)
{
  double per_minute = 0, left;
  struct json *tp = live_throughput_json(&per_minute);

  json_set_int(o, "total", p->total);
  json_set_int(o, "done", p->done);
  json_set_int(o, "pending", p->pending);
  json_set_int(o, "rendering", p->rendering);
  json_set_int(o, "failed", p->failed);
  json_set_int(o, "idle", p->idle);
  json_set_num(o, "seconds_done", (double)p->ms_done / 1000.0);
  json_set_num(o, "per_minute", per_minute);
  json_set(o, "nodes", tp);
  left = (double)(p->pending + p->rendering);
  if (left == 0)
    json_set_num(o, "seconds_left_estimate", 0);
  else if (per_minute > 0)
    json_set_num(o, "seconds_left_estimate", left / per_minute * 60.0);
  else
    json_set_null(o, "seconds_left_estimate");
}

struct json *
api_live__progress_json(struct api *api, struct db *db, const uint8_t *book,
                        int *err)
{
  struct book_progress p;
  struct json *o;
  char hex[2 * WIRE_BOOK_ID_BYTES + 1];

  *err = api_live__progress(api, db, book, &p);
  if (*err)
    return NULL;
  o = json_new_object();
  hex_encode(hex, book, WIRE_BOOK_ID_BYTES);
  json_set_str(o, "book_id", hex);
  api_live__progress_set(o, &p);
  return o;
}

void
api_live__publish(struct api *api, struct db *db, const uint8_t *book)
{
  struct json *o;
  int err;

  o = api_live__progress_json(api, db, book, &err);
  if (o)
    events_publish(api->events, "progress", o);
  json_free(o);
}

/* Every LIVE_PROGRESS_MS: a progress event for each book with news. */
static void *
publisher(void *arg)
{
  struct api *api = arg;
  struct api_live *lv = api->live;
  uint8_t books[LIVE_DIRTY_MAX][WIRE_BOOK_ID_BYTES];
  struct timespec until;
  int64_t wait_ms = LIVE_PROGRESS_MS, t0;
  size_t n, i;

  pthread_mutex_lock(&lv->lock);
  while (!lv->stop) {
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    while (!lv->stop &&
           pthread_cond_timedwait(&lv->cond, &lv->lock, &until) != ETIMEDOUT)
      ;
    if (lv->stop)
      break;
    pthread_mutex_unlock(&lv->lock);
    t0 = mono_ms();
    n = live_take_dirty(books, LIVE_DIRTY_MAX);
    for (i = 0; i < n; i++) {
      struct db *db = api__db_lock(api);
      api_live__publish(api, db, books[i]);
      api__db_unlock(api);
    }
    /* Counting a big book holds the store: keep it to a tenth of the
     * time, so requests are not starved while it renders. */
    wait_ms = (mono_ms() - t0) * LIVE_PROGRESS_SHARE;
    if (wait_ms < LIVE_PROGRESS_MS)
      wait_ms = LIVE_PROGRESS_MS;
    pthread_mutex_lock(&lv->lock);
  }
  pthread_mutex_unlock(&lv->lock);
  return NULL;
}

void
api_live__start(struct api *api)
{
  struct api_live *lv = xcalloc(1, sizeof(*lv));
  pthread_condattr_t attr;

  pthread_mutex_init(&lv->lock, NULL);
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&lv->cond, &attr);
  pthread_condattr_destroy(&attr);
  lv->du_at_ms = -METRICS_DU_MS;
  api->live = lv;
  api->cache = api_cache_new();
  if (api->events) {
    live_attach(api->events);
    lv->started = pthread_create(&lv->thread, NULL, publisher, api) == 0;
    if (!lv->started)
      log_warn("no progress publisher: cannot start a thread");
  }
}

void
api_live__stop(struct api *api)
{
  struct api_live *lv = api->live;

  if (lv == NULL)
    return;
  if (api->events)
    live_attach(NULL);
  pthread_mutex_lock(&lv->lock);
  lv->stop = 1;
  pthread_cond_broadcast(&lv->cond);
  pthread_mutex_unlock(&lv->lock);
  if (lv->started)
    pthread_join(lv->thread, NULL);
  pthread_cond_destroy(&lv->cond);
  pthread_mutex_destroy(&lv->lock);
  xfree(lv);
  api->live = NULL;
  api_cache_free(&api->cache);
}

/* ---- GET /metrics ------------------------------------------------------- */

static _Thread_local int64_t du_bytes_acc, du_files_acc;

static int
du_visit(const char *path, const struct stat *st, int type, struct FTW *f)
{
  (void)path;
  (void)f;
  if (type == FTW_F) {
    du_bytes_acc += (int64_t)st->st_size;
    du_files_acc++;
  }
  return 0;
}

/* Bytes and files under the blob store, walked at most every
 * METRICS_DU_MS. */
static void
storage_used(struct api *api, int64_t *bytes, int64_t *files)
{
  struct api_live *lv = api->live;
  int64_t now = mono_ms();
  char *dir;

  pthread_mutex_lock(&lv->lock);
  if (now - lv->du_at_ms >= METRICS_DU_MS) {
    du_bytes_acc = du_files_acc = 0;
    dir = datadir_file(api->app->dir, "blobs");
    if (nftw(dir, du_visit, METRICS_DU_FDS, FTW_PHYS) == 0 ||
        errno == ENOENT) {
      lv->du_bytes = du_bytes_acc;
      lv->du_files = du_files_acc;
      lv->du_at_ms = now;
    }
    xfree(dir);
  }
  *bytes = lv->du_bytes;
  *files = lv->du_files;
  pthread_mutex_unlock(&lv->lock);
}

static int
metric(struct buf *b, const char *name, const char *type, const char *help)
{
  return buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                    type);
}

static void
get_metrics(struct http_req *req, void *arg)
{
  struct api *api = arg;
  struct live_stats ls;
  struct json *peers, *p;
  struct state_counts qc;
  int64_t bytes, files, connected = 0, known = 0;
  static const char *const states[] = {"pending", "claimed", "done",
                                       "failed"};
  const int64_t *counts[] = {&qc.pending, &qc.claimed, &qc.done,
                             &qc.failed};
  struct buf b;
  size_t i;
  int err = 0;

  if (http_req_rest(req)[0] != '\0') {
    http_reply_error(req, 404, "no such page: %s", http_req_path(req));
    return;
  }
  /* The queue counts are kept per store generation (statecache.h), and
   * the counting itself reads one row per requested sentence. */
  err = statecache_counts(api__db_lock(api), &qc);
  api__db_unlock(api);
  if (err) {
    http_reply_error(req, 500, "cannot read the store");
    return;
  }
  live_stats(&ls);
  storage_used(api, &bytes, &files);
  buf_init(&b, METRICS_MAX);
  err = metric(&b, "glowtalk_queue_sentences", "gauge",
               "Requested sentences of every book by state.");
  for (i = 0; !err && i < sizeof(states) / sizeof(states[0]); i++)
    err = buf_printf(&b, "glowtalk_queue_sentences{state=\"%s\"} %lld\n",
                     states[i], (long long)*counts[i]);
  if (!err)
    err = metric(&b, "glowtalk_renders_per_second", "gauge",
                 "Sentences completed per second by every node over the "
                 "last minute.");
  if (!err)
    err = buf_printf(&b, "glowtalk_renders_per_second %.3f\n",
                     ls.per_second);
  if (!err)
    err = metric(&b, "glowtalk_completions_total", "counter",
                 "Sentence completions (any node) applied since start.");
  if (!err)
    err = buf_printf(&b, "glowtalk_completions_total %llu\n",
                     (unsigned long long)ls.completes);
  if (!err)
    err = metric(&b, "glowtalk_failures_total", "counter",
                 "Sentence failures (any node) applied since start.");
  if (!err)
    err = buf_printf(&b, "glowtalk_failures_total %llu\n",
                     (unsigned long long)ls.failures);
  if (!err)
    err = metric(&b, "glowtalk_local_renders_total", "counter",
                 "Sentences this node's render loop finished, by result.");
  if (!err)
    err = buf_printf(&b, "glowtalk_local_renders_total{result=\"ok\"} %llu\n"
                     "glowtalk_local_renders_total{result=\"failed\"} "
                     "%llu\n", (unsigned long long)ls.renders,
                     (unsigned long long)ls.render_fails);
  if (!err)
    err = metric(&b, "glowtalk_render_seconds_average", "gauge",
                 "Average time of this node's renders, from dispatch to "
                 "the worker's answer.");
  if (!err)
    err = buf_printf(&b, "glowtalk_render_seconds_average %.4f\n",
                     ls.renders ? (double)ls.render_ms / 1000.0 /
                                  (double)ls.renders : 0.0);
  peers = status_daemon_peers();
  for (p = json_first(peers); p; p = json_next(p)) {
    known++;
    if (json_is_true(json_get(p, "connected")))
      connected++;
  }
  if (!err)
    err = metric(&b, "glowtalk_peers", "gauge",
                 "Swarm nodes this node knows, by connection state.");
  if (!err)
    err = buf_printf(&b, "glowtalk_peers{state=\"connected\"} %lld\n"
                     "glowtalk_peers{state=\"known\"} %lld\n",
                     (long long)connected, (long long)known);
  if (!err)
    err = metric(&b, "glowtalk_storage_bytes", "gauge",
                 "Bytes of audio and other blobs stored on this node.");
  if (!err)
    err = buf_printf(&b, "glowtalk_storage_bytes %lld\n", (long long)bytes);
  if (!err)
    err = metric(&b, "glowtalk_storage_blobs", "gauge",
                 "Blob files stored on this node.");
  if (!err)
    err = buf_printf(&b, "glowtalk_storage_blobs %lld\n", (long long)files);
  json_free(peers);
  if (err)
    http_reply_error(req, 500, "cannot write the metrics");
  else
    http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8",
               b.data, b.len, "Cache-Control: no-store\r\n");
  buf_free(&b);
}

void
api_live__register(struct api *api, struct http_server *srv)
{
  http_route(srv, "GET", "/metrics", 0, get_metrics, api);
}
