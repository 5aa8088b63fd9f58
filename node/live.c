/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Live render news: per-thread gathering, published after commit; see
 * live.h. */
#include "node/live.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/alloc.h"
#include "node/events.h"
#include "node/hex.h"
#include "node/json.h"

struct news {
  char type[16];
  struct json *data;
};

/* What this thread's open transaction produced. */
struct gathered {
  struct news *items;
  size_t n, cap;
};

struct node_rate {
  uint8_t node[WIRE_KEY_BYTES];
  int64_t first_s;                /* first completion seen */
  int64_t stamp[LIVE_WINDOW_S];   /* second of each bucket */
  uint32_t count[LIVE_WINDOW_S];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct events *bus;       /* guarded by lock */
static uint8_t dirty[LIVE_DIRTY_MAX][WIRE_BOOK_ID_BYTES];
static size_t ndirty;
static struct node_rate rates[LIVE_NODES_MAX];
static size_t nrates;
static struct live_stats totals;
static _Thread_local struct gathered tl;

static int64_t
now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec;
}

static int
attached(void)
{
  int yes;
  pthread_mutex_lock(&lock);
  yes = bus != NULL;
  pthread_mutex_unlock(&lock);
  return yes;
}

void
live_attach(struct events *ev)
{
  pthread_mutex_lock(&lock);
  bus = ev;
  ndirty = 0;
  pthread_mutex_unlock(&lock);
}

static void
add(const char *type, struct json *data)
{
  if (tl.n == LIVE_PENDING_MAX) {
    json_free(data);
    return;
  }
  if (tl.n == tl.cap) {
    tl.cap = tl.cap ? 2 * tl.cap : 16;
    tl.items = xrealloc(tl.items, tl.cap * sizeof(*tl.items));
  }
  memset(tl.items[tl.n].type, 0, sizeof(tl.items[tl.n].type));
  memcpy(tl.items[tl.n].type, type, strlen(type));
  tl.items[tl.n].data = data;
  tl.n++;
}

static struct json *
base(const struct wire_entry *e, uint32_t index)
{
  struct json *o = json_new_object();
  char hex[2 * WIRE_KEY_BYTES + 1];

  hex_encode(hex, e->book, WIRE_BOOK_ID_BYTES);
  json_set_str(o, "book_id", hex);
  json_set_int(o, "index", index);
  hex_encode(hex, e->author, WIRE_KEY_BYTES);
  json_set_str(o, "node", hex);
  return o;
}

/* A marker news item: the book has changed (progress). */
static void
mark(const struct wire_entry *e, int reload)
{
  struct json *o = json_new_object();
  char hex[2 * WIRE_BOOK_ID_BYTES + 1];

  hex_encode(hex, e->book, WIRE_BOOK_ID_BYTES);
  json_set_str(o, "book_id", hex);
  json_set_bool(o, "reload", reload);
  add(reload ? "book" : "", o);
}

/* Wall clock, ms: only to tell fresh Completes from old ones. */
static int64_t
wall_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
note_completes(const struct wire_entry *e, uint32_t n)
{
  int64_t t = now_s();
  size_t i;
  struct node_rate *r = NULL;
  int b;

  /* Catching up an old log replays Completes made long ago: they are no
   * one's throughput now (the advisory wall time is good enough for a
   * display figure; the reducer never reads it). */
  if (e->wall_ms < wall_now_ms() - LIVE_WINDOW_S * 1000)
    return;
  pthread_mutex_lock(&lock);
  totals.completes += n;
  for (i = 0; i < nrates; i++)
    if (memcmp(rates[i].node, e->author, WIRE_KEY_BYTES) == 0)
      r = &rates[i];
  if (r == NULL && nrates < LIVE_NODES_MAX) {
    r = &rates[nrates++];
    memset(r, 0, sizeof(*r));
    memcpy(r->node, e->author, WIRE_KEY_BYTES);
    r->first_s = t;
  }
  if (r) {
    b = (int)(t % LIVE_WINDOW_S);
    if (r->stamp[b] != t) {
      r->stamp[b] = t;
      r->count[b] = 0;
    }
    r->count[b] += n;
  }
  pthread_mutex_unlock(&lock);
}

void
live_entry(const struct wire_entry *e)
{
  struct wire_iter it;
  uint32_t s, i = 0;
  char hex[2 * WIRE_HASH_BYTES + 1];
  struct json *o;
  char *url;

  /* Throughput is kept with or without a UI: status --json and
   * headless nodes show it too. */
  if (e->op == WIRE_OP_COMPLETE)
    note_completes(e, (uint32_t)e->sent.count);
  if (!attached())
    return;
  switch (e->op) {
  case WIRE_OP_CLAIM:
  case WIRE_OP_FAIL:
  case WIRE_OP_RERENDER:
    if (e->op == WIRE_OP_FAIL) {
      pthread_mutex_lock(&lock);
      totals.failures += e->sent.count;
      pthread_mutex_unlock(&lock);
    }
    wire_iter_init(&it, &e->sent);
    while (wire_iter_next(&it, &s)) {
      if (i++ == LIVE_SENTENCES_PER_ENTRY) {
        mark(e, 1);
        break;
      }
      o = base(e, s);
      json_set_str(o, "state", e->op == WIRE_OP_CLAIM ? "rendering"
                   : e->op == WIRE_OP_FAIL ? "failed" : "pending");
      if (e->op == WIRE_OP_FAIL)
        json_set_str(o, "error", e->text ? e->text : "");
      add("sentence", o);
    }
    mark(e, 0);
    break;
  case WIRE_OP_COMPLETE:
    wire_iter_init(&it, &e->sent);
    while (wire_iter_next(&it, &s)) {
      if (i == LIVE_SENTENCES_PER_ENTRY) {
        mark(e, 1);
        break;
      }
      o = base(e, s);
      hex_encode(hex, e->audio + (size_t)i * WIRE_HASH_BYTES,
                 WIRE_HASH_BYTES);
      url = xasprintf("/audio/%s.opus", hex);
      json_set_str(o, "state", "ready");
      json_set_str(o, "audio", url);
      xfree(url);
      json_set_num(o, "duration", e->durations_ms[i] / 1000.0);
      json_set_int(o, "take", e->take);
      add("audio", o);
      i++;
    }
    mark(e, 0);
    break;
  case WIRE_OP_START_RENDER:
  case WIRE_OP_CAST_CHARACTER:
  case WIRE_OP_CAST_DEFAULT:
  case WIRE_OP_CAST_POST:
  case WIRE_OP_CAST_SNIPPET:
  case WIRE_OP_LEXICON:
    mark(e, 0);
    break;
  case WIRE_OP_CANCEL_PENDING:
    mark(e, 1);
    break;
  default:
    break;
  }
}

static void
clear(void)
{
  size_t i;
  for (i = 0; i < tl.n; i++)
    json_free(tl.items[i].data);
  xfree(tl.items);
  memset(&tl, 0, sizeof(tl));
}

static void
mark_dirty(const char *book_hex)
{
  uint8_t b[WIRE_BOOK_ID_BYTES];
  size_t i;

  if (book_hex == NULL || hex_decode(b, sizeof(b), book_hex))
    return;
  for (i = 0; i < ndirty; i++)
    if (memcmp(dirty[i], b, sizeof(b)) == 0)
      return;
  if (ndirty < LIVE_DIRTY_MAX)
    memcpy(dirty[ndirty++], b, sizeof(b));
}

void
live_commit(void)
{
  size_t i;

  if (tl.n == 0)
    return;
  pthread_mutex_lock(&lock);
  for (i = 0; bus && i < tl.n; i++) {
    mark_dirty(json_get_str(tl.items[i].data, "book_id"));
    if (tl.items[i].type[0])
      events_publish(bus, tl.items[i].type, tl.items[i].data);
  }
  pthread_mutex_unlock(&lock);
  clear();
}

void
live_drop(void)
{
  clear();
}

void
live_render_done(int ok, uint64_t ms)
{
  pthread_mutex_lock(&lock);
  if (ok) {
    totals.renders++;
    totals.render_ms += ms;
  } else {
    totals.render_fails++;
  }
  pthread_mutex_unlock(&lock);
}

size_t
live_take_dirty(uint8_t (*books)[WIRE_BOOK_ID_BYTES], size_t max)
{
  size_t n, i;

  pthread_mutex_lock(&lock);
  n = ndirty < max ? ndirty : max;
  for (i = 0; i < n; i++)
    memcpy(books[i], dirty[i], WIRE_BOOK_ID_BYTES);
  memmove(dirty, dirty + n, (ndirty - n) * sizeof(dirty[0]));
  ndirty -= n;
  pthread_mutex_unlock(&lock);
  return n;
}

/* Completions per second of r over the window ending at t (locked). */
static double
rate_of(const struct node_rate *r, int64_t t)
{
  uint64_t sum = 0;
  int64_t span = t - r->first_s + 1;
  int b;

  for (b = 0; b < LIVE_WINDOW_S; b++)
    if (r->stamp[b] > t - LIVE_WINDOW_S && r->stamp[b] <= t)
      sum += r->count[b];
  if (span > LIVE_WINDOW_S)
    span = LIVE_WINDOW_S;
  if (span < LIVE_WINDOW_MIN_S)
    span = LIVE_WINDOW_MIN_S;
  return (double)sum / (double)span;
}

void
live_stats(struct live_stats *out)
{
  int64_t t = now_s();
  size_t i;

  pthread_mutex_lock(&lock);
  *out = totals;
  out->per_second = 0;
  for (i = 0; i < nrates; i++)
    out->per_second += rate_of(&rates[i], t);
  pthread_mutex_unlock(&lock);
}

static int
cmp_rate(const void *a, const void *b)
{
  double x = json_num(json_get(*(struct json *const *)a, "per_minute"));
  double y = json_num(json_get(*(struct json *const *)b, "per_minute"));
  return x < y ? 1 : x > y ? -1 : 0;
}

double
live_node_per_minute(const uint8_t node[WIRE_KEY_BYTES])
{
  int64_t t = now_s();
  double r = 0;
  size_t i;

  pthread_mutex_lock(&lock);
  for (i = 0; i < nrates; i++)
    if (memcmp(rates[i].node, node, WIRE_KEY_BYTES) == 0)
      r = rate_of(&rates[i], t) * 60.0;
  pthread_mutex_unlock(&lock);
  return r;
}

struct json *
live_throughput_json(double *per_minute)
{
  struct json *items[LIVE_NODES_MAX], *list = json_new_array();
  char hex[2 * WIRE_KEY_BYTES + 1];
  int64_t t = now_s();
  double sum = 0, r;
  size_t i, n = 0;

  pthread_mutex_lock(&lock);
  for (i = 0; i < nrates; i++) {
    r = rate_of(&rates[i], t) * 60.0;
    if (r <= 0)
      continue;
    items[n] = json_new_object();
    hex_encode(hex, rates[i].node, WIRE_KEY_BYTES);
    json_set_str(items[n], "node_id", hex);
    json_set_num(items[n], "per_minute", r);
    sum += r;
    n++;
  }
  pthread_mutex_unlock(&lock);
  qsort(items, n, sizeof(items[0]), cmp_rate);
  for (i = 0; i < n; i++)
    json_push(list, items[i]);
  if (per_minute)
    *per_minute = sum;
  return list;
}
