/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The render worker pool (see workers.h): fork, a framed request/reply
 * protocol over a socketpair per worker, and supervision (crash, hang,
 * retry limit). The child side renders with render.c. */
#define LOG_MODULE "workers"

#include "node/workers.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/blobs.h"
#include "node/db.h"
#include "node/log.h"
#include "node/tts.h"
#include "node/voice.h"

/* Reply: id, err, key, blob, size, duration, cached, msg length, context,
 * msg.
 * Small enough (< PIPE_BUF) that one write sends it whole. */
#define REPLY_FIXED (8 + 4 + 32 + 32 + 8 + 8 + 4 + 2 + 32)
#define REPLY_MAX (REPLY_FIXED + 255)
#define CHILD_FD 3 /* the worker's end of its socket */

struct job {
  uint64_t id;
  char *req;        /* encoded request, with its length prefix */
  size_t len;       /* bytes of req */
  int attempts;     /* tries started */
  struct job *next; /* queue link */
};

/* A bulk worker also holds the job after its running one, already in its
 * socket: it starts the moment the running one ends instead of waiting
 * for the parent's next poll (5-25 ms on a busy node, a quarter of a
 * sleep:100 render). */
struct worker {
  pid_t pid;        /* 0 = not running */
  int fd;           /* our end of the socketpair */
  struct job *job;  /* running job, or NULL when idle */
  struct job *next; /* sent after it, not started; only with job */
  int64_t deadline; /* ms (monotonic) when the job overruns */
};

struct workers {
  struct worker ws[WORKERS_MAX];
  int n;
  int lane;                /* the urgent lane's index, or -1 */
  struct job *head, *tail; /* waiting jobs */
  size_t queued;           /* jobs in the queue */
  size_t nfirst;           /* leading jobs that were put first */
  size_t pending;          /* submitted, not reported */
  unsigned spawned;
  char *blobs_dir, *db_path;
  int bitrate, complexity, timeout_ms;
};

static int64_t
now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- framing ----------------------------------------------------------- */

static void
put_u32(uint8_t *p, uint32_t v)
{
  int i;

  for (i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get_u32(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static void
put_u64(uint8_t *p, uint64_t v)
{
  put_u32(p, (uint32_t)v);
  put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t
get_u64(const uint8_t *p)
{
  return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static int
read_full(int fd, void *buf, size_t len)
{
  char *p = buf;

  while (len > 0) {
    ssize_t r = read(fd, p, len);

    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return r == 0 ? ERR_NOT_FOUND : -errno;
    p += r;
    len -= (size_t)r;
  }
  return 0;
}

static int
write_full(int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0) {
    ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -errno;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

/* ---- the child --------------------------------------------------------- */

/* Request payload: id u64, flags u32, then voice, text, lexicon as
 * (u32 length, bytes). Returns pointers into payload (NUL-terminated in
 * place: each string is followed by room for the NUL, see encode). */
static int
decode_req(uint8_t *p, size_t len, uint64_t *id, unsigned *flags,
           uint32_t *take, char **str)
{
  size_t off = 16;
  int i;

  if (len < off)
    return ERR_PARSE;
  *id = get_u64(p);
  *flags = get_u32(p + 8);
  *take = get_u32(p + 12);
  for (i = 0; i < 3; i++) {
    uint32_t n;

    if (len - off < 4)
      return ERR_PARSE;
    n = get_u32(p + off);
    off += 4;
    if (n + 1 > len - off)
      return ERR_PARSE;
    str[i] = (char *)p + off;
    str[i][n] = '\0'; /* the byte after each string is a spare NUL */
    off += n + 1;
  }
  return 0;
}

static void
reply(int fd, uint64_t id, int err, const struct render_result *r,
      const char *msg)
{
  uint8_t out[REPLY_MAX];
  size_t mlen = strlen(msg) > 255 ? 255 : strlen(msg);

  memset(out, 0, sizeof(out));
  put_u64(out, id);
  put_u32(out + 8, (uint32_t)err);
  if (r != NULL) {
    memcpy(out + 12, r->key, 32);
    memcpy(out + 44, r->blob, 32);
    put_u64(out + 76, (uint64_t)r->size);
    put_u64(out + 84, (uint64_t)r->duration_ms);
    put_u32(out + 92, (uint32_t)r->cached);
    memcpy(out + 98, r->context, 32);
  }
  out[96] = (uint8_t)mlen;
  out[97] = 0;
  memcpy(out + REPLY_FIXED, msg, mlen);
  if (write_full(fd, out, REPLY_FIXED + mlen) != 0)
    _exit(1);
}

static void
child_loop(struct workers *w, int fd)
{
  char errbuf[256];
  struct tts *t = NULL;
  struct blobs *b = NULL;
  struct db *db = NULL;
  struct render *r;
  uint8_t *req = xmalloc(WORKERS_MSG_MAX + 1);
  uint8_t lenb[4];

  if (tts_open(&t, errbuf, sizeof(errbuf)) != 0 ||
      blobs_open(w->blobs_dir, &b) != 0 ||
      (w->db_path != NULL &&
       db_open_store(w->db_path, &db, errbuf, sizeof(errbuf)) != 0))
    _exit(3);
  r = render_new(t, b, db, w->bitrate, w->complexity);
  for (;;) {
    struct render_result res;
    struct render_job job = {NULL, NULL, NULL, 0, 0};
    struct voice v;
    uint64_t id = 0;
    uint32_t len;
    char *str[3];
    int err;

    if (read_full(fd, lenb, 4) != 0)
      break; /* parent gone or closed: finish */
    len = get_u32(lenb);
    if (len > WORKERS_MSG_MAX || read_full(fd, req, len) != 0 ||
        decode_req(req, len, &id, &job.flags, &job.take, str) != 0)
      _exit(4);
    errbuf[0] = '\0';
    err = voice_parse(str[0], &v, errbuf, sizeof(errbuf));
    if (err == 0) {
      job.voice = &v;
      job.text = str[1];
      job.lexicon = str[2][0] ? str[2] : NULL;
      err = render_run(r, &job, NULL, &res, errbuf, sizeof(errbuf));
    }
    reply(fd, id, err, err == 0 ? &res : NULL, err ? errbuf : "");
  }
  render_free(&r);
  db_close(&db);
  blobs_close(&b);
  tts_close(&t);
  xfree(req);
  _exit(0);
}

/* ---- the parent -------------------------------------------------------- */

static int
spawn(struct workers *w, int i)
{
  int sv[2], j;
  pid_t pid, parent;

  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return -errno;
  fflush(NULL); /* no stdio buffer is written twice */
  parent = getpid();
  pid = fork();
  if (pid < 0) {
    int err = -errno;

    close(sv[0]);
    close(sv[1]);
    return err;
  }
  if (pid == 0) {
    /* The child keeps stdio and its socket (as fd 3) only: no listening
     * socket, database or sibling's socket of the parent stays open. */
    close(sv[0]);
    for (j = 0; j < w->n; j++)
      if (w->ws[j].pid > 0)
        close(w->ws[j].fd);
    /* Die with the parent: a worker outliving a killed daemon would
     * keep its data dir lock (a flock on an inherited descriptor). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(0); /* it died before prctl */
    child_loop(w, sv[1]);
  }
  close(sv[1]);
  w->ws[i].pid = pid;
  w->ws[i].fd = sv[0];
  w->ws[i].job = NULL;
  w->ws[i].next = NULL;
  w->spawned++;
  return 0;
}

static void
job_free(struct job *j)
{
  if (j != NULL) {
    xfree(j->req);
    xfree(j);
  }
}

static void
stop(struct worker *k, int sig)
{
  if (k->pid <= 0)
    return;
  close(k->fd);
  if (sig != 0)
    kill(k->pid, sig);
  while (waitpid(k->pid, NULL, 0) < 0 && errno == EINTR)
    ;
  k->pid = 0;
  k->fd = -1;
}

void
workers_free(struct workers **wp)
{
  struct workers *w = wp ? *wp : NULL;
  struct job *j, *next;
  int i;

  if (w == NULL)
    return;
  for (i = 0; i < w->n; i++) {
    /* closing the socket ends an idle child; a busy one gets SIGTERM */
    stop(&w->ws[i], w->ws[i].job ? SIGTERM : 0);
    job_free(w->ws[i].job);
    job_free(w->ws[i].next);
  }
  for (j = w->head; j != NULL; j = next) {
    next = j->next;
    job_free(j);
  }
  xfree(w->blobs_dir);
  xfree(w->db_path);
  xfree(w);
  *wp = NULL;
}

int
workers_new(const struct workers_opts *o, struct workers **out)
{
  struct workers *w;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int i, err = 0, n = o->n > 0 ? o->n : (cpus > 0 ? (int)cpus : 1);

  *out = NULL;
  if (n + (o->urgent_lane != 0) > WORKERS_MAX || o->blobs_dir == NULL ||
      o->complexity < 0 || o->complexity > 10)
    return ERR_INVAL;
  w = xcalloc(1, sizeof(*w));
  w->blobs_dir = xstrdup(o->blobs_dir);
  w->db_path = o->db_path ? xstrdup(o->db_path) : NULL;
  w->bitrate = o->bitrate;
  w->complexity = o->complexity;
  w->timeout_ms = o->job_timeout_ms > 0 ? o->job_timeout_ms
                                        : WORKERS_JOB_TIMEOUT_MS;
  w->lane = o->urgent_lane ? n : -1;
  if (o->urgent_lane)
    n++;
  for (i = 0; i < n; i++)
    w->ws[i].fd = -1;
  for (i = 0; i < n && err == 0; i++) {
    err = spawn(w, i);
    w->n = i + (err == 0);
  }
  if (err != 0) {
    workers_free(&w);
    return err;
  }
  *out = w;
  return 0;
}

enum place { PLACE_BACK, PLACE_FIRST, PLACE_BULK_FRONT };

/* PLACE_FIRST: after the jobs put first before it (they keep their
 * order), counted with them; PLACE_BULK_FRONT: at the same spot, but an
 * ordinary job (a prefetched one given back). */
static void
enqueue(struct workers *w, struct job *j, enum place where)
{
  j->next = NULL;
  if (w->head == NULL) {
    w->head = w->tail = j;
    w->nfirst = where == PLACE_FIRST ? 1 : 0;
  } else if (where != PLACE_BACK) {
    struct job **at = &w->head;
    size_t k;
    for (k = 0; k < w->nfirst && *at != NULL; k++)
      at = &(*at)->next;
    j->next = *at;
    *at = j;
    if (j->next == NULL)
      w->tail = j;
    if (where == PLACE_FIRST)
      w->nfirst++;
  } else {
    w->tail->next = j;
    w->tail = j;
  }
  w->queued++;
}

static int
submit(struct workers *w, uint64_t id, const char *voice, const char *text,
       const char *lexicon, unsigned flags, uint32_t take, int front)
{
  const char *s[3] = {voice, text, lexicon ? lexicon : ""};
  size_t len = 4 + 16, off, i;
  struct job *j;

  for (i = 0; i < 3; i++)
    len += 4 + strlen(s[i]) + 1;
  if (len - 4 > WORKERS_MSG_MAX || w->queued >= WORKERS_QUEUE_MAX)
    return ERR_TOO_BIG;
  j = xcalloc(1, sizeof(*j));
  j->id = id;
  j->len = len;
  j->req = xcalloc(1, len);
  put_u32((uint8_t *)j->req, (uint32_t)(len - 4));
  put_u64((uint8_t *)j->req + 4, id);
  put_u32((uint8_t *)j->req + 12, flags);
  put_u32((uint8_t *)j->req + 16, take);
  off = 20;
  for (i = 0; i < 3; i++) {
    size_t n = strlen(s[i]);

    put_u32((uint8_t *)j->req + off, (uint32_t)n);
    memcpy(j->req + off + 4, s[i], n);
    off += 4 + n + 1; /* and a spare byte the child makes NUL */
  }
  enqueue(w, j, front ? PLACE_FIRST : PLACE_BACK);
  w->pending++;
  return 0;
}

int
workers_submit(struct workers *w, uint64_t id, const char *voice,
               const char *text, const char *lexicon, unsigned flags,
               uint32_t take)
{
  return submit(w, id, voice, text, lexicon, flags, take, 0);
}

int
workers_submit_first(struct workers *w, uint64_t id, const char *voice,
                     const char *text, const char *lexicon, unsigned flags,
                     uint32_t take)
{
  return submit(w, id, voice, text, lexicon, flags, take, 1);
}

size_t
workers_pending(const struct workers *w)
{
  return w->pending;
}

unsigned
workers_spawned(const struct workers *w)
{
  return w->spawned;
}

int
workers_pid(const struct workers *w, int i)
{
  return i >= 0 && i < w->n ? (int)w->ws[i].pid : 0;
}

static void
finish(struct workers *w, struct job *j, struct workers_result *r,
       workers_done_cb cb, void *arg)
{
  r->id = j->id;
  r->attempts = j->attempts;
  xfree(j->req);
  xfree(j);
  w->pending--;
  cb(arg, r);
}

/* The worker died or hung: restart it, retry or fail its job. */
static int
recover(struct workers *w, int i, int err, workers_done_cb cb, void *arg)
{
  struct worker *k = &w->ws[i];
  struct job *j = k->job;
  int reported = 0;

  /* The job after it never started: it goes back, ahead of the rest. */
  if (k->next != NULL) {
    k->next->attempts--;
    enqueue(w, k->next, PLACE_BULK_FRONT);
    k->next = NULL;
  }
  log_warn("worker %d (pid %d) %s; restarting", i, (int)k->pid,
           err == ERR_TIMEOUT ? "hung" : "died");
  k->job = NULL;
  stop(k, SIGKILL);
  if (j != NULL && j->attempts >= WORKERS_ATTEMPTS_MAX) {
    struct workers_result r;

    memset(&r, 0, sizeof(r));
    r.err = err;
    snprintf(r.msg, sizeof(r.msg), "worker %s %d times on this job",
             err == ERR_TIMEOUT ? "timed out" : "crashed", j->attempts);
    finish(w, j, &r, cb, arg);
    reported = 1;
  } else if (j != NULL) {
    enqueue(w, j, PLACE_FIRST);
  }
  err = spawn(w, i);
  return err != 0 ? err : reported;
}

static int
read_reply(struct workers *w, int i, workers_done_cb cb, void *arg)
{
  struct worker *k = &w->ws[i];
  uint8_t in[REPLY_MAX];
  struct workers_result r;

  /* One reply at a time: with a job prefetched, the next reply can be
   * right behind this one in the stream. Each is written whole (< PIPE_BUF),
   * so once poll says readable these reads do not block. */
  if (k->job == NULL || read_full(k->fd, in, REPLY_FIXED) != 0 ||
      get_u64(in) != k->job->id || read_full(k->fd, in + REPLY_FIXED, in[96]))
    return recover(w, i, ERR_ENGINE, cb, arg);
  memset(&r, 0, sizeof(r));
  r.err = (int32_t)get_u32(in + 8);
  memcpy(r.res.key, in + 12, 32);
  memcpy(r.res.blob, in + 44, 32);
  r.res.size = (int64_t)get_u64(in + 76);
  r.res.duration_ms = (int64_t)get_u64(in + 84);
  r.res.cached = (int)get_u32(in + 92);
  memcpy(r.res.context, in + 98, 32);
  memcpy(r.msg, in + REPLY_FIXED, in[96]);
  r.msg[in[96]] = '\0';
  finish(w, k->job, &r, cb, arg);
  k->job = k->next;
  k->next = NULL;
  if (k->job != NULL)
    k->deadline = now_ms() + w->timeout_ms;
  return 1;
}

/* Idle workers get a job first; then each busy bulk worker gets its next
 * one (struct worker). The urgent lane only takes jobs put first. */
static int
dispatch(struct workers *w, workers_done_cb cb, void *arg)
{
  int i, pass, reported = 0;

  for (pass = 0; pass < 2; pass++)
    for (i = 0; i < w->n && w->head != NULL; i++) {
      struct worker *k = &w->ws[i];
      struct job *j;

      if (pass == 0 ? k->job != NULL || (i == w->lane && w->nfirst == 0)
                    : k->job == NULL || k->next != NULL || i == w->lane)
        continue;
      j = w->head;
      w->head = j->next;
      if (w->head == NULL)
        w->tail = NULL;
      if (w->nfirst > 0)
        w->nfirst--;
      w->queued--;
      j->attempts++;
      if (pass == 0) {
        k->job = j;
        k->deadline = now_ms() + w->timeout_ms;
      } else {
        k->next = j;
      }
      if (write_full(k->fd, j->req, j->len) != 0) {
        int r = recover(w, i, ERR_ENGINE, cb, arg);

        if (r < 0)
          return r;
        reported += r;
      }
    }
  return reported;
}

int
workers_poll(struct workers *w, int timeout_ms, workers_done_cb cb,
             void *arg)
{
  struct pollfd pfd[WORKERS_MAX];
  int64_t now, wait = timeout_ms;
  int i, n, reported, r;

  reported = dispatch(w, cb, arg);
  if (reported < 0)
    return reported;
  now = now_ms();
  for (i = 0; i < w->n; i++) {
    pfd[i].fd = w->ws[i].job ? w->ws[i].fd : -1;
    pfd[i].events = POLLIN;
    pfd[i].revents = 0;
    if (w->ws[i].job && w->ws[i].deadline - now < wait)
      wait = w->ws[i].deadline - now;
  }
  if (wait < 0)
    wait = 0;
  n = poll(pfd, (nfds_t)w->n, (int)wait);
  if (n < 0 && errno != EINTR)
    return -errno;
  now = now_ms();
  for (i = 0; i < w->n; i++) {
    r = 0;
    if (w->ws[i].job == NULL)
      continue;
    if (n > 0 && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
      r = read_reply(w, i, cb, arg);
    else if (now >= w->ws[i].deadline)
      r = recover(w, i, ERR_TIMEOUT, cb, arg);
    if (r < 0)
      return r;
    reported += r;
  }
  return reported;
}

int
workers_drain(struct workers *w, workers_done_cb cb, void *arg)
{
  while (w->pending > 0) {
    int r = workers_poll(w, 1000, cb, arg);

    if (r < 0)
      return r;
  }
  return 0;
}
