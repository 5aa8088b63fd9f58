/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for node/workers.c: parallel renders in real forked workers,
 * restart after a crash, a hung job failing after its retries, engine
 * errors reported at once. */
#include "tests/unit/task.h"

#include <signal.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/audio.h"
#include "node/rcache.h"
#include "node/voice.h"
#include "node/workers.h"

#define NJOBS 6

struct seen {
  int n;
  struct workers_result r[NJOBS + 4];
};

static void
done(void *arg, const struct workers_result *r)
{
  struct seen *s = arg;

  ASSERT_LT(s->n, NJOBS + 4);
  s->r[s->n++] = *r;
}

static const struct workers_result *
find(const struct seen *s, uint64_t id)
{
  int i;

  for (i = 0; i < s->n; i++)
    if (s->r[i].id == id)
      return &s->r[i];
  return NULL;
}

static struct workers *
pool(const char *dir, int n, int timeout_ms)
{
  struct workers_opts o = {n, dir, NULL, AUDIO_BITRATE_DEFAULT,
                           AUDIO_COMPLEXITY_DEFAULT, timeout_ms, 0};
  struct workers *w = NULL;

  ASSERT_OK(workers_new(&o, &w));
  return w;
}

TEST_IMPL(workers_render_in_parallel)
{
  char *dir = test_mkdtemp();
  struct workers *w = pool(dir, 2, 0);
  struct seen s;
  int i;

  memset(&s, 0, sizeof(s));
  for (i = 0; i < NJOBS; i++) {
    char text[64];

    snprintf(text, sizeof(text), "Sentence number %d.", i);
    ASSERT_OK(workers_submit(w, 100 + (uint64_t)i, "espeak:en-us+m3", text,
                             NULL, 0, 0));
  }
  ASSERT_OK(workers_submit(w, 7, "espeak:en+nobody", "Hi.", NULL, 0, 0));
  ASSERT_OK(workers_submit(w, 8, "espeak:en", "", NULL, 0, 0));
  ASSERT_EQ(workers_pending(w), NJOBS + 2);
  ASSERT_OK(workers_drain(w, done, &s));
  ASSERT_EQ(s.n, NJOBS + 2);
  for (i = 0; i < NJOBS; i++) {
    const struct workers_result *r = find(&s, 100 + (uint64_t)i);

    ASSERT_NOT_NULL(r);
    ASSERT_OK(r->err);
    ASSERT_GT(r->res.duration_ms, 300);
    ASSERT_GT(r->res.size, 100);
  }
  /* engine errors come back at once, with their message */
  ASSERT_EQ(find(&s, 7)->err, ERR_NOT_FOUND);
  ASSERT_EQ(find(&s, 7)->attempts, 1);
  ASSERT_CONTAINS(find(&s, 7)->msg, "nobody");
  ASSERT_EQ(find(&s, 8)->err, ERR_INVAL);
  ASSERT_EQ(workers_spawned(w), 2);
  workers_free(&w);
  ASSERT_NULL(w);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(workers_restart_after_crash)
{
  char *dir = test_mkdtemp();
  struct workers *w = pool(dir, 1, 0);
  char *text = xcalloc(1, 601);
  struct seen s;
  int i;

  /* a long job, so the worker is busy when it is killed */
  for (i = 0; i < 600; i++)
    text[i] = i % 6 == 5 ? ' ' : 'a';
  memset(&s, 0, sizeof(s));
  ASSERT_OK(workers_submit(w, 1, "espeak:en", text, NULL, 0, 0));
  ASSERT_EQ(workers_poll(w, 0, done, &s), 0); /* dispatched */
  ASSERT_GT(workers_pid(w, 0), 0);
  ASSERT_OK(kill(workers_pid(w, 0), SIGKILL));
  ASSERT_OK(workers_drain(w, done, &s));
  ASSERT_EQ(s.n, 1);
  ASSERT_OK(s.r[0].err);
  ASSERT_EQ(s.r[0].attempts, 2);
  ASSERT_EQ(workers_spawned(w), 2);
  workers_free(&w);
  xfree(text);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(workers_hung_job_fails)
{
  char *dir = test_mkdtemp();
  struct workers *w = pool(dir, 1, 1); /* 1 ms: every render overruns */
  struct seen s;

  memset(&s, 0, sizeof(s));
  ASSERT_OK(workers_submit(w, 9, "espeak:en", "This takes longer than a "
                           "millisecond to say.", NULL, 0, 0));
  ASSERT_OK(workers_drain(w, done, &s));
  ASSERT_EQ(s.n, 1);
  ASSERT_EQ(s.r[0].err, ERR_TIMEOUT);
  ASSERT_EQ(s.r[0].attempts, WORKERS_ATTEMPTS_MAX);
  ASSERT_CONTAINS(s.r[0].msg, "timed out 3 times");
  ASSERT_EQ(workers_spawned(w), 1 + WORKERS_ATTEMPTS_MAX);
  workers_free(&w);
  test_rmdir(dir);
  return 0;
}

/* The result carries the render context its key is made of, and the take
 * the job was submitted with is part of that key. */
TEST_IMPL(workers_result_context_makes_key)
{
  char *dir = test_mkdtemp();
  struct workers *w = pool(dir, 1, 0);
  const char *text = "A context travels back.";
  uint8_t key[32];
  struct seen s;
  const struct workers_result *a, *b;

  memset(&s, 0, sizeof(s));
  ASSERT_OK(workers_submit(w, 1, "espeak:en", text, NULL, 0, 0));
  ASSERT_OK(workers_submit(w, 2, "espeak:en", text, NULL, 0, 3));
  ASSERT_OK(workers_drain(w, done, &s));
  a = find(&s, 1);
  b = find(&s, 2);
  ASSERT(a != NULL && b != NULL);
  ASSERT_OK(a->err);
  ASSERT_OK(b->err);
  ASSERT(memcmp(a->res.context, b->res.context, 32) == 0);
  rcache_key_from(a->res.context, text, 0, key);
  ASSERT(memcmp(key, a->res.key, 32) == 0);
  rcache_key_from(b->res.context, text, 3, key);
  ASSERT(memcmp(key, b->res.key, 32) == 0);
  ASSERT(memcmp(a->res.key, b->res.key, 32) != 0);
  workers_free(&w);
  test_rmdir(dir);
  return 0;
}

/* A job put first runs at once on the urgent lane, however busy the pool
 * is; the lane never takes bulk jobs. */
TEST_IMPL(workers_urgent_lane)
{
  char *dir = test_mkdtemp();
  struct workers_opts o = {1, dir, NULL, AUDIO_BITRATE_DEFAULT,
                           AUDIO_COMPLEXITY_DEFAULT, 0, 1};
  struct workers *w = NULL;
  struct seen s;

  memset(&s, 0, sizeof(s));
  voice_set_test_engines(1); /* inherited by the forked workers */
  ASSERT_OK(workers_new(&o, &w));
  ASSERT_EQ(workers_spawned(w), 2);
  ASSERT_OK(workers_submit(w, 1, "sleep:600", "Bulk one.", NULL, 0, 0));
  ASSERT_OK(workers_submit(w, 2, "sleep:600", "Bulk two.", NULL, 0, 0));
  ASSERT(workers_poll(w, 0, done, &s) >= 0); /* bulk one starts */
  ASSERT_OK(workers_submit_first(w, 3, "sleep:50", "Now, please.", NULL, 0,
                                 1));
  ASSERT_OK(workers_drain(w, done, &s));
  voice_set_test_engines(0);
  ASSERT_EQ(s.n, 3);
  ASSERT_EQ(s.r[0].id, 3); /* did not wait for bulk one */
  ASSERT_EQ(s.r[1].id, 1);
  ASSERT_EQ(s.r[2].id, 2); /* the lane did not take bulk two */
  ASSERT_OK(s.r[0].err);
  workers_free(&w);
  test_rmdir(dir);
  return 0;
}

/* A busy worker already holds its next job: it starts when the running
 * one ends, even while the parent does not poll; a worker killed with a
 * job waiting behind its running one gives that job back unstarted. */
TEST_IMPL(workers_next_job_waits_in_the_worker)
{
  char *dir = test_mkdtemp();
  struct workers *w;
  struct seen s;

  memset(&s, 0, sizeof(s));
  voice_set_test_engines(1); /* inherited by the forked workers */
  w = pool(dir, 1, 0);
  ASSERT_OK(workers_submit(w, 1, "sleep:100", "First.", NULL, 0, 0));
  ASSERT_OK(workers_submit(w, 2, "sleep:100", "Second.", NULL, 0, 0));
  ASSERT_EQ(workers_poll(w, 0, done, &s), 0); /* both sent */
  usleep(1000 * 1000); /* the parent is busy elsewhere */
  ASSERT_EQ(workers_poll(w, 0, done, &s), 1);
  ASSERT_EQ(workers_poll(w, 0, done, &s), 1); /* already rendered */
  ASSERT_EQ(s.r[0].id, 1);
  ASSERT_EQ(s.r[1].id, 2);

  ASSERT_OK(workers_submit(w, 3, "sleep:400", "Third.", NULL, 0, 0));
  ASSERT_OK(workers_submit(w, 4, "sleep:50", "Fourth.", NULL, 0, 0));
  ASSERT_EQ(workers_poll(w, 0, done, &s), 0);
  ASSERT_OK(kill(workers_pid(w, 0), SIGKILL));
  ASSERT_OK(workers_drain(w, done, &s));
  voice_set_test_engines(0);
  ASSERT_EQ(s.n, 4);
  ASSERT_EQ(s.r[2].id, 3); /* retried first, then the one behind it */
  ASSERT_EQ(s.r[2].attempts, 2);
  ASSERT_EQ(s.r[3].id, 4);
  ASSERT_EQ(s.r[3].attempts, 1);
  ASSERT_OK(s.r[2].err);
  ASSERT_OK(s.r[3].err);
  ASSERT_EQ(workers_spawned(w), 2);
  workers_free(&w);
  test_rmdir(dir);
  return 0;
}
