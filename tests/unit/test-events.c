/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The live-update bus: ordering, resume by id, reset when too far behind,
 * waking on publish and on close. */
#include "tests/unit/task.h"

#include <pthread.h>
#include <unistd.h>

#include "node/events.h"
#include "node/json.h"

static void
publish_n(struct events *ev, const char *type, int n)
{
  int i;
  for (i = 0; i < n; i++) {
    struct json *o = json_new_object();
    json_set_int(o, "i", i);
    events_publish(ev, type, o);
    json_free(o);
  }
}

TEST_IMPL(events_order_and_resume)
{
  struct events *ev = events_new();
  struct buf out;
  uint64_t last;

  buf_init(&out, 1 << 20);
  ASSERT_EQ(events_wait(ev, 0, 10, &out, &last), ERR_TIMEOUT);
  ASSERT_EQ(last, 0);
  publish_n(ev, "progress", 3);
  ASSERT_EQ(events_last_id(ev), 3);
  ASSERT_OK(events_wait(ev, 0, 10, &out, &last));
  ASSERT_EQ(last, 3);
  ASSERT_STR_EQ(out.data, "id: 1\nevent: progress\ndata: {\"i\":0}\n\n"
                          "id: 2\nevent: progress\ndata: {\"i\":1}\n\n"
                          "id: 3\nevent: progress\ndata: {\"i\":2}\n\n");
  buf_reset(&out);
  /* Resume after id 2 (Last-Event-ID): only the third. */
  ASSERT_OK(events_wait(ev, 2, 10, &out, &last));
  ASSERT_STR_EQ(out.data, "id: 3\nevent: progress\ndata: {\"i\":2}\n\n");
  buf_reset(&out);
  /* Too far behind: a reset. */
  publish_n(ev, "audio", EVENTS_RING + 5);
  ASSERT_OK(events_wait(ev, 1, 10, &out, &last));
  ASSERT_CONTAINS(out.data, "event: reset");
  ASSERT_EQ(last, events_last_id(ev));
  buf_free(&out);
  events_free(&ev);
  ASSERT_NULL(ev);
  return 0;
}

struct waiter {
  struct events *ev;
  int result;
  uint64_t last;
};

static void *
wait_thread(void *arg)
{
  struct waiter *w = arg;
  struct buf out;
  buf_init(&out, 1 << 20);
  w->result = events_wait(w->ev, events_last_id(w->ev), 10000, &out,
                          &w->last);
  buf_free(&out);
  return NULL;
}

TEST_IMPL(events_wake_on_publish_and_close)
{
  struct waiter w = {events_new(), 99, 0};
  pthread_t t;
  struct json *o = json_new_object();

  ASSERT_OK(pthread_create(&t, NULL, wait_thread, &w));
  usleep(50000);
  events_publish(w.ev, "peers", o);
  pthread_join(t, NULL);
  ASSERT_OK(w.result);
  ASSERT_EQ(w.last, 1);
  ASSERT_OK(pthread_create(&t, NULL, wait_thread, &w));
  usleep(50000);
  events_close(w.ev);
  pthread_join(t, NULL);
  ASSERT_EQ(w.result, ERR_CANCELLED);
  json_free(o);
  events_free(&w.ev);
  return 0;
}
