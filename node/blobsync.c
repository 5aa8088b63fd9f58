/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* State -> wanted blobs, and garbage collection; see blobsync.h. One job
 * (sweep or gc) at a time runs on libuv's thread pool with this module's
 * own store connection; the loop thread touches that connection only
 * between jobs. */
#define LOG_MODULE "blobs"
#include "node/blobsync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "node/alloc.h"
#include "node/db.h"
#include "node/log.h"

#define HASHB SECURE_HASH_BYTES
#define KNOWN_MIN 4096 /* slots of the known set (power of two) */

enum job { JOB_NONE, JOB_SWEEP, JOB_GC };

struct cand {
  uint8_t hash[HASHB];
  uint64_t size;
  int doc;                   /* a work document, else a rendered sentence */
};

struct blobsync {
  uv_loop_t *loop;
  struct blobx *bx;
  struct blobs *store;
  struct db *db;
  struct blobsync_options opts;
  uv_timer_t timer;
  uv_work_t work;
  enum job running;
  int closing;
  int timer_closed;          /* its close callback ran */
  int want_sweep, want_gc;
  int64_t data_version;
  int64_t works_mark;        /* st_works count + highest lamport */
  uint64_t last_sweep_ms, next_gc_ms;
  /* Stored blobs seen by sweeps: 8-byte hash prefixes, open addressing.
   * Touched by the job thread during a job, by nobody else. */
  uint64_t *known;
  size_t known_cap, known_n;
  /* A sweep's output. */
  struct cand *cands;
  size_t ncands;
  int job_err;
  /* A collection's input and output. */
  uint8_t *refs;
  size_t nrefs;
  size_t removed;
  struct blobsync_stats st;
};

/* ---- the known set --------------------------------------------------- */

static uint64_t
prefix(const uint8_t hash[HASHB])
{
  uint64_t v;
  memcpy(&v, hash, sizeof(v));
  return v ? v : 1; /* 0 marks an empty slot */
}

static int
known_has(const struct blobsync *bs, uint64_t k)
{
  size_t i = (size_t)k & (bs->known_cap - 1);
  while (bs->known[i]) {
    if (bs->known[i] == k)
      return 1;
    i = (i + 1) & (bs->known_cap - 1);
  }
  return 0;
}

static void known_add(struct blobsync *bs, uint64_t k);

static void
known_grow(struct blobsync *bs)
{
  uint64_t *old = bs->known;
  size_t i, cap = bs->known_cap;

  bs->known_cap = cap * 2;
  bs->known = xcalloc(bs->known_cap, sizeof(*bs->known));
  bs->known_n = 0;
  for (i = 0; i < cap; i++) {
    if (old[i])
      known_add(bs, old[i]);
  }
  xfree(old);
}

static void
known_add(struct blobsync *bs, uint64_t k)
{
  size_t i;
  if ((bs->known_n + 1) * 2 > bs->known_cap)
    known_grow(bs);
  i = (size_t)k & (bs->known_cap - 1);
  while (bs->known[i]) {
    if (bs->known[i] == k)
      return;
    i = (i + 1) & (bs->known_cap - 1);
  }
  bs->known[i] = k;
  bs->known_n++;
}

/* ---- sweep ----------------------------------------------------------- */

static int
sweep_query(struct blobsync *bs, const char *sql, int doc)
{
  struct db_stmt *s = NULL;
  int rc;

  rc = db_prepare(bs->db, sql, &s);
  if (rc)
    return rc;
  while ((rc = db_step(s)) == DB_ROW &&
         bs->ncands < BLOBSYNC_CANDIDATES_MAX) {
    size_t len = 0;
    const uint8_t *h = db_col_blob(s, 0, &len);
    int64_t size = db_col_int(s, 1);
    uint64_t k;
    struct cand *c;

    if (h == NULL || len != HASHB || size < 0)
      continue;
    k = prefix(h);
    if (known_has(bs, k))
      continue;
    if (blobs_has(bs->store, h) == 1) {
      known_add(bs, k);
      continue;
    }
    c = &bs->cands[bs->ncands++];
    memcpy(c->hash, h, HASHB);
    c->size = (uint64_t)size;
    c->doc = doc;
  }
  db_finalize(&s);
  return rc < 0 ? rc : 0;
}

static void
sweep_work(uv_work_t *w)
{
  struct blobsync *bs = w->data;

  bs->ncands = 0;
  bs->cands = try_malloc(BLOBSYNC_CANDIDATES_MAX * sizeof(*bs->cands));
  if (bs->cands == NULL) {
    bs->job_err = -ENOMEM;
    return;
  }
  /* Work documents first: they rank above replication anyway. */
  bs->job_err =
      sweep_query(bs, "SELECT doc_hash, doc_size FROM st_works", 1);
  if (!bs->job_err && !bs->opts.skip_results)
    bs->job_err =
        sweep_query(bs, "SELECT blob, size FROM st_results", 0);
}

static void
sweep_done(struct blobsync *bs)
{
  size_t i;

  bs->st.sweeps++;
  if (bs->job_err)
    log_warn("blob sweep: %s", err_str(bs->job_err));
  for (i = 0; i < bs->ncands; i++) {
    struct cand *c = &bs->cands[i];
    int err = blobx_want(bs->bx, c->hash, c->size,
                         c->doc ? BLOBX_WORK_DOC : BLOBX_REPLICATE);
    if (err) {
      log_warn("blob sweep: %s (the rest waits for the next sweep)",
               err_str(err));
      break;
    }
    bs->st.queued++;
  }
  xfree(bs->cands);
  bs->cands = NULL;
  bs->ncands = 0;
}

/* ---- garbage collection ---------------------------------------------- */

static int
cmp_hash(const void *a, const void *b)
{
  return memcmp(a, b, HASHB);
}

static int
load_refs(struct blobsync *bs)
{
  static const char sql[] = "SELECT blob FROM st_results "
                            "UNION SELECT doc_hash FROM st_works "
                            "UNION SELECT blob FROM render_cache";
  struct db_stmt *s = NULL;
  size_t cap = 0;
  int rc = db_prepare(bs->db, sql, &s);

  if (rc)
    return rc;
  while ((rc = db_step(s)) == DB_ROW) {
    size_t len = 0;
    const void *h = db_col_blob(s, 0, &len);
    if (h == NULL || len != HASHB)
      continue;
    if (bs->nrefs == cap) {
      uint8_t *grown;
      if (cap >= BLOBSYNC_REFS_MAX) {
        rc = ERR_TOO_BIG;
        break;
      }
      cap = cap ? cap * 2 : 4096;
      grown = try_malloc(cap * HASHB);
      if (grown == NULL) {
        rc = -ENOMEM;
        break;
      }
      if (bs->nrefs)
        memcpy(grown, bs->refs, bs->nrefs * HASHB);
      xfree(bs->refs);
      bs->refs = grown;
    }
    memcpy(bs->refs + bs->nrefs++ * HASHB, h, HASHB);
  }
  db_finalize(&s);
  if (rc < 0)
    return rc;
  if (bs->nrefs)
    qsort(bs->refs, bs->nrefs, HASHB, cmp_hash);
  return 0;
}

static int
gc_ref(void *arg, const uint8_t hash[SECURE_HASH_BYTES])
{
  struct blobsync *bs = arg;
  int64_t grace = bs->opts.gc_grace_s == 0 ? BLOBSYNC_GC_GRACE_S
                                           : bs->opts.gc_grace_s;
  struct stat sb;
  char *path;
  int young;

  if (bs->nrefs && bsearch(hash, bs->refs, bs->nrefs, HASHB, cmp_hash))
    return 1;
  if (grace < 0)
    return 0;
  /* A render in flight: stored, its Complete not applied yet. */
  path = blobs_path(bs->store, hash);
  young = stat(path, &sb) != 0 || time(NULL) - sb.st_mtime < grace;
  xfree(path);
  return young;
}

static void
gc_work(uv_work_t *w)
{
  struct blobsync *bs = w->data;

  bs->refs = NULL;
  bs->nrefs = 0;
  bs->removed = 0;
  bs->job_err = load_refs(bs);
  if (!bs->job_err)
    bs->job_err = blobs_gc(bs->store, gc_ref, bs, &bs->removed);
  xfree(bs->refs);
  bs->refs = NULL;
}

static void
gc_done(struct blobsync *bs)
{
  bs->st.gcs++;
  bs->st.gc_removed += bs->removed;
  if (bs->job_err)
    log_warn("blob gc: %s (removed %zu before it)", err_str(bs->job_err),
             bs->removed);
  else
    log_info("blob gc: removed %zu unreferenced files (%zu referenced)",
             bs->removed, bs->nrefs);
}

/* ---- scheduling ------------------------------------------------------ */

static void maybe_start(struct blobsync *bs);

static void
job_after(uv_work_t *w, int status)
{
  struct blobsync *bs = w->data;
  enum job j = bs->running;

  (void)status;
  bs->running = JOB_NONE;
  bs->st.known = bs->known_n;
  if (bs->closing) {
    /* blobx may be gone already: hand it nothing. */
    xfree(bs->cands);
    db_close(&bs->db);
    blobs_close(&bs->store);
    xfree(bs->known);
    if (bs->timer_closed)
      xfree(bs); /* the timer closed first */
    return;
  }
  if (j == JOB_SWEEP)
    sweep_done(bs);
  else
    gc_done(bs);
  maybe_start(bs);
}

static void
start_job(struct blobsync *bs, enum job j)
{
  bs->running = j;
  bs->job_err = 0;
  bs->work.data = bs;
  if (uv_queue_work(bs->loop, &bs->work, j == JOB_SWEEP ? sweep_work
                                                        : gc_work,
                    job_after) != 0)
    bs->running = JOB_NONE;
}

static void
maybe_start(struct blobsync *bs)
{
  uint64_t now = uv_now(bs->loop);
  uint64_t gap = bs->opts.sweep_gap_ms ? bs->opts.sweep_gap_ms
                                       : BLOBSYNC_SWEEP_GAP_MS;
  int64_t dv = 0, works = 0;

  if (bs->running != JOB_NONE || bs->closing)
    return;
  if (now >= bs->next_gc_ms || bs->want_gc) {
    bs->want_gc = 0;
    bs->next_gc_ms = now + (bs->opts.gc_every_ms ? bs->opts.gc_every_ms
                                                 : BLOBSYNC_GC_EVERY_MS);
    start_job(bs, JOB_GC);
    return;
  }
  /* PRAGMA data_version moves when another connection commits. */
  if (db_query_int(bs->db, "PRAGMA data_version", &dv) == 0 &&
      dv != bs->data_version) {
    bs->data_version = dv;
    bs->want_sweep = 1;
    /* A new or re-imported work: its document is wanted now, not after
     * the gap (a node that just joined can render nothing without it). */
    if (db_query_int(bs->db, "SELECT count(*) + coalesce(max(lamport), 0) "
                     "FROM st_works", &works) == 0 &&
        works != bs->works_mark) {
      bs->works_mark = works;
      bs->want_sweep = 2;
    }
  }
  if (bs->want_sweep && (now - bs->last_sweep_ms >= gap ||
                         bs->last_sweep_ms == 0 || bs->want_sweep > 1)) {
    bs->want_sweep = 0;
    bs->last_sweep_ms = now;
    start_job(bs, JOB_SWEEP);
  }
}

static void
on_timer(uv_timer_t *t)
{
  maybe_start(t->data);
}

int
blobsync_start(uv_loop_t *loop, struct blobx *bx,
               const struct blobsync_options *opts, struct blobsync **out,
               char *errbuf, size_t errlen)
{
  struct blobsync *bs = xcalloc(1, sizeof(*bs));
  int err;

  *out = NULL;
  bs->opts = *opts;
  bs->opts.db_path = bs->opts.blobs_dir = NULL;
  err = blobs_open(opts->blobs_dir, &bs->store);
  if (err) {
    snprintf(errbuf, errlen, "cannot open %s: %s", opts->blobs_dir,
             err_str(err));
    xfree(bs);
    return err;
  }
  err = db_open_store(opts->db_path, &bs->db, errbuf, errlen);
  if (err) {
    blobs_close(&bs->store);
    xfree(bs);
    return err;
  }
  bs->loop = loop;
  bs->bx = bx;
  bs->known_cap = KNOWN_MIN;
  bs->known = xcalloc(bs->known_cap, sizeof(*bs->known));
  bs->want_sweep = 2; /* at start */
  bs->next_gc_ms = uv_now(loop) + (opts->gc_first_ms ? opts->gc_first_ms
                                                     : BLOBSYNC_GC_FIRST_MS);
  uv_timer_init(loop, &bs->timer);
  bs->timer.data = bs;
  uv_timer_start(&bs->timer, on_timer, 0, BLOBSYNC_POLL_MS);
  *out = bs;
  return 0;
}

static void
timer_closed(uv_handle_t *h)
{
  struct blobsync *bs = h->data;
  bs->timer_closed = 1;
  if (bs->running == JOB_NONE)
    xfree(bs); /* else job_after frees it */
}

void
blobsync_close(struct blobsync **bsp)
{
  struct blobsync *bs;

  if (bsp == NULL || *bsp == NULL)
    return;
  bs = *bsp;
  *bsp = NULL;
  bs->closing = 1;
  if (bs->running == JOB_NONE) {
    db_close(&bs->db);
    blobs_close(&bs->store);
    xfree(bs->known);
  }
  uv_close((uv_handle_t *)&bs->timer, timer_closed);
}

void
blobsync_sweep(struct blobsync *bs)
{
  bs->want_sweep = 2;
  maybe_start(bs);
}

void
blobsync_gc(struct blobsync *bs)
{
  bs->want_gc = 1;
  maybe_start(bs);
}

void
blobsync_get_stats(struct blobsync *bs, struct blobsync_stats *out)
{
  *out = bs->st;
}
