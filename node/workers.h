/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Render worker processes. libespeak-ng is not thread-safe, so parallel
 * renders run in forked children, each with its own espeak-ng, talking to
 * the parent over a pipe pair. The pool is supervised: a worker that
 * crashes or overruns WORKERS_JOB_TIMEOUT_MS is killed and restarted and
 * its job retried; a job that fails WORKERS_ATTEMPTS_MAX times is reported
 * failed with its last error, never retried forever. Engine errors (bad
 * voice, empty text) are reported at once without a retry. This is the
 * API the scheduler calls: submit jobs, then poll for results. */
#ifndef GLOWTALK_WORKERS_H
#define GLOWTALK_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"
#include "node/render.h"

#define WORKERS_MAX 64                /* processes in one pool */
#define WORKERS_JOB_TIMEOUT_MS 60000  /* ms one job may take */
#define WORKERS_ATTEMPTS_MAX 3        /* tries before a job fails */
#define WORKERS_QUEUE_MAX 1000000     /* jobs waiting */
#define WORKERS_MSG_MAX (64u << 10)   /* bytes of one request or reply */

struct workers;

struct workers_opts {
  int n;                  /* processes; 0 = one per online CPU */
  const char *blobs_dir;  /* blob store each worker writes to */
  const char *db_path;    /* store with the render cache, or NULL */
  int bitrate;            /* bit/s */
  int complexity;         /* Opus complexity 0-10 */
  int job_timeout_ms;     /* 0 = WORKERS_JOB_TIMEOUT_MS */
};

/* One finished job. err is 0 (res valid) or the job's error, with a
 * one-line message. */
struct workers_result {
  uint64_t id;                 /* as submitted */
  int err;
  int attempts;                /* 1 unless a worker died or hung */
  struct render_result res;
  char msg[256];
};

/* Called once per submitted job, from workers_poll(). */
typedef void (*workers_done_cb)(void *arg, const struct workers_result *r);

/* Start the pool (forks the workers). ERR_INVAL for bad options, a
 * negated errno if fork or pipe fail (nothing is left running). Owes one
 * workers_free(). */
int workers_new(const struct workers_opts *o, struct workers **out)
    WARN_UNUSED;
/* Stop every worker (SIGTERM, then wait) and free the pool. Jobs not yet
 * reported are dropped without a callback. NULL is ok. */
void workers_free(struct workers **w);

/* Queue a job: id (the caller's, e.g. a sentence id), voice spec, prepared
 * text, lexicon (for the key; NULL = none), flags (TTS_*), take (for the
 * key). The result carries the render context and key (render.h). Copies
 * the strings. ERR_TOO_BIG if the request exceeds WORKERS_MSG_MAX or the queue
 * is full. */
int workers_submit(struct workers *w, uint64_t id, const char *voice,
                   const char *text, const char *lexicon, unsigned flags,
                   uint32_t take) WARN_UNUSED;
/* The same, but the job goes ahead of every queued one (an interactive
 * render someone is waiting for). */
int workers_submit_first(struct workers *w, uint64_t id, const char *voice,
                         const char *text, const char *lexicon,
                         unsigned flags, uint32_t take) WARN_UNUSED;
/* Jobs submitted and not yet reported. */
size_t workers_pending(const struct workers *w);
/* Hand jobs to idle workers, wait up to timeout_ms for replies, report
 * finished jobs through cb, and restart dead or hung workers. Returns the
 * number of jobs reported, or a negative error. */
int workers_poll(struct workers *w, int timeout_ms, workers_done_cb cb,
                 void *arg) WARN_UNUSED;
/* Poll until every submitted job is reported. */
int workers_drain(struct workers *w, workers_done_cb cb, void *arg)
    WARN_UNUSED;
/* Number of worker processes (re)started so far (for tests and status). */
unsigned workers_spawned(const struct workers *w);
/* Process id of worker i (0 <= i < the pool size), 0 if it is not
 * running (for status and tests). */
int workers_pid(const struct workers *w, int i);

#endif
