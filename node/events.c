/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The event bus; see events.h. A ring of preformatted SSE records under
 * one mutex and condition variable: publishers are rare compared with the
 * cost of formatting, so each event is formatted once, not per client. */
#include "node/events.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node/alloc.h"
#include "node/json.h"

struct record {
  uint64_t id;
  char *text; /* complete SSE record */
  size_t len;
};

struct events {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct record ring[EVENTS_RING];
  uint64_t last; /* id of the newest event */
  int closed;
};

struct events *
events_new(void)
{
  struct events *ev = xcalloc(1, sizeof(*ev));
  pthread_condattr_t attr;

  pthread_mutex_init(&ev->lock, NULL);
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&ev->cond, &attr);
  pthread_condattr_destroy(&attr);
  return ev;
}

void
events_free(struct events **evp)
{
  size_t i;
  if (evp == NULL || *evp == NULL)
    return;
  for (i = 0; i < EVENTS_RING; i++)
    xfree((*evp)->ring[i].text);
  pthread_cond_destroy(&(*evp)->cond);
  pthread_mutex_destroy(&(*evp)->lock);
  xfree(*evp);
  *evp = NULL;
}

void
events_publish(struct events *ev, const char *type, const struct json *data)
{
  char *json = json_print(data, 0);
  struct record *r;
  char *text;

  pthread_mutex_lock(&ev->lock);
  ev->last++;
  /* JSON printed unformatted has no newlines, so one data: line holds it. */
  text = xasprintf("id: %llu\nevent: %s\ndata: %s\n\n",
                   (unsigned long long)ev->last, type, json);
  r = &ev->ring[ev->last % EVENTS_RING];
  xfree(r->text);
  r->id = ev->last;
  r->text = text;
  r->len = strlen(text);
  pthread_cond_broadcast(&ev->cond);
  pthread_mutex_unlock(&ev->lock);
  xfree(json);
}

uint64_t
events_last_id(struct events *ev)
{
  uint64_t id;
  pthread_mutex_lock(&ev->lock);
  id = ev->last;
  pthread_mutex_unlock(&ev->lock);
  return id;
}

static int
copy_out(struct events *ev, uint64_t after, struct buf *out, uint64_t *last)
{
  uint64_t id = after;

  if (ev->last > after && ev->last - after > EVENTS_RING - 1) {
    /* Fell too far behind: the client must reload its view. */
    if (buf_printf(out, "id: %llu\nevent: reset\ndata: {}\n\n",
                   (unsigned long long)ev->last))
      return ERR_TOO_BIG;
    *last = ev->last;
    return 0;
  }
  while (id < ev->last) {
    const struct record *r = &ev->ring[(id + 1) % EVENTS_RING];
    if (out->len + r->len > EVENTS_BATCH_MAX && id > after)
      break; /* the rest next time */
    if (buf_append(out, r->text, r->len))
      break;
    id++;
  }
  *last = id;
  return 0;
}

int
events_wait(struct events *ev, uint64_t after, int timeout_ms,
            struct buf *out, uint64_t *last)
{
  struct timespec deadline;
  int err = 0, rc = 0;

  *last = after;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += timeout_ms / 1000;
  deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&ev->lock);
  while (!ev->closed && ev->last <= after && rc != ETIMEDOUT)
    rc = pthread_cond_timedwait(&ev->cond, &ev->lock, &deadline);
  if (ev->closed)
    err = ERR_CANCELLED;
  else if (ev->last <= after)
    err = ERR_TIMEOUT;
  else
    err = copy_out(ev, after, out, last);
  pthread_mutex_unlock(&ev->lock);
  return err;
}

void
events_close(struct events *ev)
{
  pthread_mutex_lock(&ev->lock);
  ev->closed = 1;
  pthread_cond_broadcast(&ev->cond);
  pthread_mutex_unlock(&ev->lock);
}
