/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Blob exchange over the swarm; see blobx.h and node/SWARM.md section 10.
 * Wanted set: a hash table of wants, each in one of three priority FIFOs,
 * in flight, or parked (no connected peer is believed to hold it). */
#define LOG_MODULE "blobx"
#include "node/blobx.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/fileio.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/log.h"
#include "node/peer.h"

#define HASHB SECURE_HASH_BYTES
#define SCAN_MAX 64          /* queued wants looked at per pick */
#define PENDING_MAX 256      /* blobx_fetch() requests not yet on the loop */
#define BUCKETS_MIN 1024     /* initial hash table size (power of two) */
#define GONE_MAX 64          /* playback wants parked, seen by waiters */

enum wstate { W_QUEUED, W_PARKED, W_INFLIGHT };

struct miss {
  uint8_t pub[IDENTITY_PUBLIC_BYTES];
  uint64_t until;            /* uv_now() ms; 0 = free slot */
  int bad;                   /* it sent wrong bytes: no BlobHave clears it */
};

struct xfer;

struct want {
  uint8_t hash[HASHB];
  uint64_t size;             /* 0 = unknown */
  int prio;
  enum wstate state;
  struct want *prev, *next;  /* in a queue or the parked list */
  struct want *hnext;        /* hash chain */
  struct xfer *xfer;         /* while W_INFLIGHT */
  int fetch_only;            /* only blobx_fetch() asked: dropped when
                              * no peer has it (its waiters are told) */
  struct miss miss[BLOBX_MISS_SLOTS];
};

struct wlist {
  struct want *head, *tail;
  size_t n;
};

struct bpeer;

struct xfer {
  struct want *w;
  struct bpeer *bp;
  struct xfer *next;         /* in bp->xfers */
  int fd;
  char *tmp;
  struct secure_hash_state *hs;
  int have_total;
  uint64_t total, received, asked_end, last_ms;
  uint64_t reserved;         /* bytes counted against the quota */
};

struct job {                 /* a get being served */
  uint8_t hash[HASHB];
  uint64_t off, end, size;
  uint32_t prio;
};

struct bpeer {
  uint8_t pub[IDENTITY_PUBLIC_BYTES];
  int closing;               /* we dropped it; wait for the link to go */
  int inflight;
  struct xfer *xfers;
  struct job jobs[BLOBX_SERVE_QUEUE_MAX];
  int njobs;
  uint8_t have[WIRE_BLOB_LIST_MAX * HASHB];
  size_t nhave;
  uint64_t bytes_in, bytes_out;
};

struct pending {
  uint8_t hash[HASHB];
  uint64_t size;
};

struct blobx {
  uv_loop_t *loop;
  struct swarm *sw;
  struct blobs *store;
  struct blobx_options opts;
  uv_timer_t tick;
  uv_timer_t kick;
  uv_async_t async;
  int handles;               /* open handles, freed at 0 */
  int closing;
  struct want **buckets;
  size_t nbuckets, nwants;
  struct wlist queue[BLOBX_PRIOS];
  struct wlist parked;
  struct bpeer *peers[SWARM_NODES_MAX];
  int npeers;
  unsigned rr;               /* round-robin start among peers */
  int inflight;
  uint64_t reserved;         /* sizes of the blobs in flight */
  uint64_t last_park_ms;
  int corrupt;               /* test hook */
  struct blobx_stats st;
  /* blobx_fetch() from other threads */
  pthread_mutex_t lock;
  pthread_cond_t cond;       /* a blob was stored, or closing */
  pthread_cond_t idle;       /* waiters fell to 0 */
  int waiters;
  struct pending pend[PENDING_MAX];
  int npend;
  uint8_t gone[GONE_MAX][HASHB]; /* playback wants no peer could serve */
  int ngone, gone_pos;
};

/* The daemon's blobx for HTTP threads (blobx_playback_fetch). */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static struct blobx *g_bx;   /* guarded by g_lock */
static int g_users;          /* threads inside blobx_fetch via g_bx */

static void pump(struct blobx *bx);
static void want_free(struct blobx *bx, struct want *w);
static int want_add(struct blobx *bx, const uint8_t hash[SECURE_HASH_BYTES],
                    uint64_t size, enum blobx_prio prio, int fetch_only);

/* ---- the wanted set -------------------------------------------------- */

static size_t
bucket_of(const struct blobx *bx, const uint8_t hash[HASHB])
{
  uint64_t h;
  memcpy(&h, hash, sizeof(h)); /* the hash is already uniform */
  return (size_t)(h & (bx->nbuckets - 1));
}

static struct want *
lookup(const struct blobx *bx, const uint8_t hash[HASHB])
{
  struct want *w = bx->buckets[bucket_of(bx, hash)];
  while (w && memcmp(w->hash, hash, HASHB) != 0)
    w = w->hnext;
  return w;
}

static void
grow(struct blobx *bx)
{
  struct want **old = bx->buckets;
  size_t i, n = bx->nbuckets;

  bx->nbuckets = n * 2;
  bx->buckets = xcalloc(bx->nbuckets, sizeof(*bx->buckets));
  for (i = 0; i < n; i++) {
    struct want *w = old[i], *next;
    for (; w; w = next) {
      size_t b = bucket_of(bx, w->hash);
      next = w->hnext;
      w->hnext = bx->buckets[b];
      bx->buckets[b] = w;
    }
  }
  xfree(old);
}

static void
unhash(struct blobx *bx, struct want *w)
{
  struct want **pp = &bx->buckets[bucket_of(bx, w->hash)];
  while (*pp != w)
    pp = &(*pp)->hnext;
  *pp = w->hnext;
  bx->nwants--;
}

static void
list_remove(struct wlist *l, struct want *w)
{
  if (w->prev)
    w->prev->next = w->next;
  else
    l->head = w->next;
  if (w->next)
    w->next->prev = w->prev;
  else
    l->tail = w->prev;
  w->prev = w->next = NULL;
  l->n--;
}

static void
list_push(struct wlist *l, struct want *w, int front)
{
  w->prev = w->next = NULL;
  if (l->head == NULL) {
    l->head = l->tail = w;
  } else if (front) {
    w->next = l->head;
    l->head->prev = w;
    l->head = w;
  } else {
    w->prev = l->tail;
    l->tail->next = w;
    l->tail = w;
  }
  l->n++;
}

/* Take w out of whichever list holds it. */
static void
detach(struct blobx *bx, struct want *w)
{
  if (w->state == W_QUEUED)
    list_remove(&bx->queue[w->prio], w);
  else if (w->state == W_PARKED)
    list_remove(&bx->parked, w);
}

static int
missed(const struct want *w, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
       uint64_t now)
{
  int i;
  for (i = 0; i < BLOBX_MISS_SLOTS; i++) {
    if (w->miss[i].until > now &&
        memcmp(w->miss[i].pub, pub, IDENTITY_PUBLIC_BYTES) == 0)
      return 1;
  }
  return 0;
}

static void
mark_miss(struct want *w, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
          uint64_t until, int bad)
{
  int i, slot = 0;
  for (i = 0; i < BLOBX_MISS_SLOTS; i++) {
    if (memcmp(w->miss[i].pub, pub, IDENTITY_PUBLIC_BYTES) == 0) {
      slot = i;
      break;
    }
    if (w->miss[i].until < w->miss[slot].until)
      slot = i;
  }
  memcpy(w->miss[slot].pub, pub, IDENTITY_PUBLIC_BYTES);
  w->miss[slot].until = until;
  w->miss[slot].bad = bad;
}

static void
clear_miss(struct want *w, const uint8_t pub[IDENTITY_PUBLIC_BYTES])
{
  int i;
  for (i = 0; i < BLOBX_MISS_SLOTS; i++) {
    if (memcmp(w->miss[i].pub, pub, IDENTITY_PUBLIC_BYTES) == 0 &&
        !w->miss[i].bad)
      w->miss[i].until = 0;
  }
}

static int
usable(struct blobx *bx, struct bpeer *bp)
{
  return !bp->closing && swarm_peer(bx->sw, bp->pub) != NULL;
}

/* Could some connected peer serve w? */
static int
has_source(struct blobx *bx, const struct want *w)
{
  uint64_t now = uv_now(bx->loop);
  int i;
  for (i = 0; i < bx->npeers; i++) {
    if (usable(bx, bx->peers[i]) && !missed(w, bx->peers[i]->pub, now))
      return 1;
  }
  return 0;
}

/* A playback want no connected peer can serve: its waiters give up. */
static void
note_gone(struct blobx *bx, const uint8_t hash[HASHB])
{
  pthread_mutex_lock(&bx->lock);
  if (bx->waiters > 0) {
    memcpy(bx->gone[bx->gone_pos], hash, HASHB);
    bx->gone_pos = (bx->gone_pos + 1) % GONE_MAX;
    if (bx->ngone < GONE_MAX)
      bx->ngone++;
    pthread_cond_broadcast(&bx->cond);
  }
  pthread_mutex_unlock(&bx->lock);
}

/* With bx->lock held. */
static int
gone_find(struct blobx *bx, const uint8_t hash[HASHB], int forget)
{
  int i;
  for (i = 0; i < bx->ngone; i++) {
    if (memcmp(bx->gone[i], hash, HASHB) == 0) {
      if (forget)
        memset(bx->gone[i], 0, HASHB);
      return 1;
    }
  }
  return 0;
}

/* Put a want that is in no list back in line: at the front of its queue
 * when some peer may hold it, else parked. */
static void
requeue(struct blobx *bx, struct want *w, int front)
{
  if (has_source(bx, w)) {
    w->state = W_QUEUED;
    list_push(&bx->queue[w->prio], w, front);
  } else {
    w->state = W_PARKED;
    list_push(&bx->parked, w, 0);
    if (w->prio == BLOBX_PLAYBACK)
      note_gone(bx, w->hash);
    if (w->fetch_only)
      want_free(bx, w);
  }
}

static void
want_free(struct blobx *bx, struct want *w)
{
  detach(bx, w);
  unhash(bx, w);
  bx->st.wanted_prio[w->prio]--;
  xfree(w);
}

/* ---- peers and frames ------------------------------------------------ */

static struct bpeer *
find_peer(struct blobx *bx, const uint8_t pub[IDENTITY_PUBLIC_BYTES])
{
  int i;
  for (i = 0; i < bx->npeers; i++) {
    if (memcmp(bx->peers[i]->pub, pub, IDENTITY_PUBLIC_BYTES) == 0)
      return bx->peers[i];
  }
  return NULL;
}

static int
send_frame(struct blobx *bx, struct bpeer *bp, const struct wire_frame *f)
{
  struct peer *p = swarm_peer(bx->sw, bp->pub);
  if (p == NULL || bp->closing)
    return ERR_NOT_FOUND;
  return peer_send(p, f);
}

static void
send_missing(struct blobx *bx, struct bpeer *bp, const uint8_t hash[HASHB])
{
  struct wire_frame f;
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_BLOB_MISSING;
  f.u.blob_missing.hash = hash;
  (void)send_frame(bx, bp, &f);
}

static void
send_list(struct blobx *bx, struct bpeer *bp, enum wire_kind kind,
          const uint8_t *hashes, size_t n)
{
  struct wire_frame f;
  memset(&f, 0, sizeof(f));
  f.kind = kind;
  f.u.blob_list.hashes = hashes;
  f.u.blob_list.n = n;
  (void)send_frame(bx, bp, &f);
}

static void
flush_have(struct blobx *bx, struct bpeer *bp)
{
  if (bp->nhave == 0)
    return;
  send_list(bx, bp, WIRE_BLOB_HAVE, bp->have, bp->nhave);
  bp->nhave = 0;
}

/* Tell every peer but from (may be NULL) that we hold hash. */
static void
announce(struct blobx *bx, const uint8_t hash[HASHB], struct bpeer *from)
{
  int i;
  for (i = 0; i < bx->npeers; i++) {
    struct bpeer *bp = bx->peers[i];
    if (bp == from)
      continue;
    memcpy(bp->have + bp->nhave * HASHB, hash, HASHB);
    if (++bp->nhave == WIRE_BLOB_LIST_MAX)
      flush_have(bx, bp);
  }
}

static void
wake_waiters(struct blobx *bx)
{
  pthread_mutex_lock(&bx->lock);
  if (bx->waiters > 0)
    pthread_cond_broadcast(&bx->cond);
  pthread_mutex_unlock(&bx->lock);
}

/* Drop bp (it broke the protocol): it is skipped until the link goes. */
static void
drop_peer(struct blobx *bx, struct bpeer *bp, const char *why)
{
  struct peer *p = swarm_peer(bx->sw, bp->pub);
  char id[IDENTITY_ID_HEX];

  hex_encode(id, bp->pub, IDENTITY_PUBLIC_BYTES);
  log_warn("dropping %.16s: %s", id, why);
  if (p)
    peer_close(p, WIRE_BYE_PROTOCOL, why, ERR_PARSE);
  bp->closing = 1;
}

/* ---- fetching -------------------------------------------------------- */

static void
xfer_unlink(struct blobx *bx, struct xfer *x)
{
  struct xfer **pp = &x->bp->xfers;
  uint8_t dummy[HASHB];

  while (*pp != x)
    pp = &(*pp)->next;
  *pp = x->next;
  x->bp->inflight--;
  bx->inflight--;
  bx->reserved -= x->reserved;
  if (x->fd >= 0)
    close(x->fd);
  if (x->hs)
    secure_hash_final(&x->hs, dummy);
  x->w->xfer = NULL;
}

/* Give up on x (temp file removed); skip its peer for the want until
 * miss_until (0: do not skip) and put the want back in line. */
static void
xfer_abort(struct blobx *bx, struct xfer *x, uint64_t miss_until)
{
  struct want *w = x->w;

  xfer_unlink(bx, x);
  if (x->tmp)
    unlink(x->tmp);
  if (miss_until)
    mark_miss(w, x->bp->pub, miss_until, x->bp->closing);
  xfree(x->tmp);
  xfree(x);
  if (!bx->closing)
    requeue(bx, w, 1);
}

static int
send_get(struct blobx *bx, struct xfer *x)
{
  struct wire_frame f;
  uint64_t len = BLOBX_WINDOW_BYTES;

  if (x->have_total && x->total - x->received < len)
    len = x->total - x->received;
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_BLOB_GET;
  f.u.blob_get.hash = x->w->hash;
  f.u.blob_get.offset = x->received;
  f.u.blob_get.length = (uint32_t)len;
  f.u.blob_get.priority = (uint32_t)x->w->prio;
  x->asked_end = x->received + len;
  x->last_ms = uv_now(bx->loop);
  return send_frame(bx, x->bp, &f);
}

static int
start_xfer(struct blobx *bx, struct bpeer *bp, struct want *w)
{
  struct xfer *x = xcalloc(1, sizeof(*x));
  int fd;

  fd = blobs_tmp_open(bx->store, w->hash, &x->tmp);
  if (fd < 0) {
    log_warn("cannot create a temp file in the store: %s", err_str(fd));
    xfree(x);
    return fd;
  }
  detach(bx, w);
  w->state = W_INFLIGHT;
  w->xfer = x;
  x->w = w;
  x->bp = bp;
  x->fd = fd;
  x->hs = secure_hash_new();
  x->have_total = w->size > 0;
  x->total = w->size;
  x->reserved = w->size;
  bx->reserved += w->size;
  x->next = bp->xfers;
  bp->xfers = x;
  bp->inflight++;
  bx->inflight++;
  if (send_get(bx, x) != 0) {
    xfer_abort(bx, x, uv_now(bx->loop) + BLOBX_MISS_MS);
    return ERR_NOT_FOUND;
  }
  return 0;
}

static int
over_quota(const struct blobx *bx)
{
  return bx->opts.quota_bytes > 0 &&
         bx->st.stored_bytes + bx->reserved >= bx->opts.quota_bytes;
}

/* Start one fetch from bp if it has room: the first want, highest
 * priority first, that bp has not said it lacks. 1 if one started. */
static int
try_start(struct blobx *bx, struct bpeer *bp)
{
  struct peer *p = swarm_peer(bx->sw, bp->pub);
  uint64_t now = uv_now(bx->loop);
  int prio, scanned;
  struct want *w;

  if (p == NULL || bp->closing || !peer_can_send(p) ||
      bp->inflight >= BLOBX_PEER_INFLIGHT)
    return 0;
  for (prio = BLOBX_PRIOS - 1; prio >= 0; prio--) {
    if (prio == BLOBX_REPLICATE &&
        (bp->inflight >= BLOBX_PEER_INFLIGHT_REPL || over_quota(bx)))
      continue;
    for (w = bx->queue[prio].head, scanned = 0; w && scanned < SCAN_MAX;
         w = w->next, scanned++) {
      if (!missed(w, bp->pub, now))
        return start_xfer(bx, bp, w) == 0;
    }
  }
  return 0;
}

static void
pump(struct blobx *bx)
{
  int progress = 1, k;

  if (bx->closing)
    return;
  while (progress && bx->inflight < BLOBX_INFLIGHT_MAX && bx->npeers > 0) {
    progress = 0;
    for (k = 0; k < bx->npeers && bx->inflight < BLOBX_INFLIGHT_MAX; k++) {
      struct bpeer *bp = bx->peers[(bx->rr + (unsigned)k) % bx->npeers];
      if (try_start(bx, bp))
        progress = 1;
    }
    bx->rr++;
  }
}

static void
on_kick(uv_timer_t *t)
{
  pump(t->data);
}

/* Pump soon (not from inside the caller's stack). */
static void
kick(struct blobx *bx)
{
  if (!bx->closing && !uv_is_active((uv_handle_t *)&bx->kick))
    uv_timer_start(&bx->kick, on_kick, 0, 0);
}

/* All bytes in: verify and store, or drop the peer. */
static void
xfer_finish(struct blobx *bx, struct xfer *x)
{
  struct bpeer *bp = x->bp;
  struct want *w = x->w;
  uint8_t got[HASHB];
  int err;

  secure_hash_final(&x->hs, got);
  if (close(x->fd) != 0) {
    x->fd = -1;
    xfer_abort(bx, x, uv_now(bx->loop) + BLOBX_MISS_MS);
    return;
  }
  x->fd = -1;
  if (memcmp(got, w->hash, HASHB) != 0) {
    bx->st.bad++;
    drop_peer(bx, bp, "blob bytes do not match their hash");
    xfer_abort(bx, x, uv_now(bx->loop) + BLOBX_BAD_MS);
    return;
  }
  err = blobs_tmp_commit(bx->store, w->hash, x->tmp);
  if (err) {
    log_warn("cannot store a fetched blob: %s", err_str(err));
    xfer_abort(bx, x, 0);
    return;
  }
  xfer_unlink(bx, x);
  bx->st.fetched++;
  bx->st.stored_bytes += x->total;
  announce(bx, w->hash, bp);
  xfree(x->tmp);
  xfree(x);
  want_free(bx, w);
  wake_waiters(bx);
}

static struct xfer *
find_xfer(struct bpeer *bp, const uint8_t hash[HASHB])
{
  struct xfer *x;
  for (x = bp->xfers; x; x = x->next) {
    if (memcmp(x->w->hash, hash, HASHB) == 0)
      return x;
  }
  return NULL;
}

static void
on_chunk(struct blobx *bx, struct bpeer *bp, const struct wire_frame *f)
{
  struct xfer *x = find_xfer(bp, f->u.blob_chunk.hash);
  uint64_t off = f->u.blob_chunk.offset, total = f->u.blob_chunk.total;
  size_t len = f->u.blob_chunk.len;
  const char *bad = NULL;

  if (x == NULL)
    return; /* a fetch we gave up on */
  if (total > BLOBS_MAX_BYTES)
    bad = "blob larger than the cap";
  else if (x->have_total && total != x->total)
    bad = "blob size differs from the one asked for";
  else if (off != x->received || off + len > x->asked_end ||
           off + len > total || (len == 0 && total > 0))
    bad = "blob chunk out of order or out of range";
  if (bad) {
    uint64_t until = uv_now(bx->loop) + BLOBX_BAD_MS;
    bx->st.bad++;
    drop_peer(bx, bp, bad);
    xfer_abort(bx, x, until);
    kick(bx);
    return;
  }
  if (!x->have_total) {
    x->have_total = 1;
    x->total = total;
    if (x->asked_end > total)
      x->asked_end = total;
  }
  bx->st.bytes_in += len;
  bp->bytes_in += len;
  x->last_ms = uv_now(bx->loop);
  if (fileio_write_all(x->fd, f->u.blob_chunk.data, len) != 0) {
    log_warn("cannot write a temp blob: %s", strerror(errno));
    xfer_abort(bx, x, 0);
    kick(bx);
    return;
  }
  secure_hash_update(x->hs, f->u.blob_chunk.data, len);
  x->received += len;
  if (x->received == x->total) {
    xfer_finish(bx, x);
    pump(bx);
  } else if (x->received == x->asked_end && send_get(bx, x) != 0) {
    xfer_abort(bx, x, 0);
    kick(bx);
  }
}

static void
on_missing(struct blobx *bx, struct bpeer *bp, const struct wire_frame *f)
{
  struct xfer *x = find_xfer(bp, f->u.blob_missing.hash);
  if (x == NULL)
    return;
  bx->st.missing++;
  xfer_abort(bx, x, uv_now(bx->loop) + BLOBX_MISS_MS);
  pump(bx);
}

static void
on_have(struct blobx *bx, struct bpeer *bp, const struct wire_frame *f)
{
  uint64_t now = uv_now(bx->loop);
  size_t i;
  for (i = 0; i < f->u.blob_list.n; i++) {
    struct want *w = lookup(bx, f->u.blob_list.hashes + i * HASHB);
    if (w == NULL)
      continue;
    clear_miss(w, bp->pub);
    if (w->state == W_PARKED && !missed(w, bp->pub, now)) {
      list_remove(&bx->parked, w);
      w->state = W_QUEUED;
      list_push(&bx->queue[w->prio], w, 1);
    }
  }
  pump(bx);
}

/* ---- serving --------------------------------------------------------- */

static void
on_want(struct blobx *bx, struct bpeer *bp, const struct wire_frame *f)
{
  uint8_t *have = xmalloc(f->u.blob_list.n * HASHB + 1);
  size_t i, n = 0;

  for (i = 0; i < f->u.blob_list.n; i++) {
    const uint8_t *h = f->u.blob_list.hashes + i * HASHB;
    if (blobs_has(bx->store, h) == 1)
      memcpy(have + HASHB * n++, h, HASHB);
  }
  send_list(bx, bp, WIRE_BLOB_HAVE, have, n);
  xfree(have);
}

/* Read up to len bytes at off of a stored blob. Bytes read or -1. */
static ssize_t
read_at(struct blobx *bx, const uint8_t hash[HASHB], uint64_t off,
        uint8_t *buf, size_t len)
{
  char *path = blobs_path(bx->store, hash);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = -1;

  xfree(path);
  if (fd < 0)
    return -1;
  n = pread(fd, buf, len, (off_t)off);
  close(fd);
  return n;
}

/* Send chunks of queued gets while the peer's queue has room. */
static void
serve_pump(struct blobx *bx, struct bpeer *bp)
{
  static uint8_t buf[BLOBX_CHUNK_BYTES]; /* loop thread only */
  struct peer *p = swarm_peer(bx->sw, bp->pub);

  while (p && !bp->closing && bp->njobs > 0 && peer_can_send(p)) {
    struct job *j = &bp->jobs[0];
    struct wire_frame f;
    uint64_t want = j->end - j->off;
    ssize_t n = 0;

    if (want > BLOBX_CHUNK_BYTES)
      want = BLOBX_CHUNK_BYTES;
    if (want > 0)
      n = read_at(bx, j->hash, j->off, buf, (size_t)want);
    if (n < 0 || (uint64_t)n != want) {
      send_missing(bx, bp, j->hash);
      j->off = j->end = 0;
    } else {
      if (bx->corrupt && n > 0)
        buf[0] ^= 0x5a;
      memset(&f, 0, sizeof(f));
      f.kind = WIRE_BLOB_CHUNK;
      f.u.blob_chunk.hash = j->hash;
      f.u.blob_chunk.offset = j->off;
      f.u.blob_chunk.total = j->size;
      f.u.blob_chunk.data = buf;
      f.u.blob_chunk.len = (size_t)n;
      if (peer_send(p, &f) != 0)
        return;
      j->off += (uint64_t)n;
      bx->st.bytes_out += (uint64_t)n;
      bp->bytes_out += (uint64_t)n;
    }
    if (j->off >= j->end) {
      bx->st.served++;
      bp->njobs--;
      memmove(&bp->jobs[0], &bp->jobs[1], (size_t)bp->njobs * sizeof(*j));
    }
  }
}

static void
on_get(struct blobx *bx, struct bpeer *bp, const struct wire_frame *f)
{
  const uint8_t *hash = f->u.blob_get.hash;
  uint64_t off = f->u.blob_get.offset, len = f->u.blob_get.length;
  int64_t size;
  struct job *j;
  int at;

  if (bp->njobs >= BLOBX_SERVE_QUEUE_MAX) {
    drop_peer(bx, bp, "too many blob gets in flight");
    return;
  }
  size = blobs_size(bx->store, hash);
  if (size < 0 || off > (uint64_t)size ||
      (off == (uint64_t)size && size > 0)) {
    send_missing(bx, bp, hash);
    return;
  }
  if (len == 0 || len > BLOBX_WINDOW_BYTES)
    len = BLOBX_WINDOW_BYTES;
  /* Playback jumps the queue (behind other playback gets). */
  at = bp->njobs;
  if (f->u.blob_get.priority >= BLOBX_PLAYBACK) {
    for (at = 0; at < bp->njobs && bp->jobs[at].prio >= BLOBX_PLAYBACK;)
      at++;
    if (at == 0 && bp->njobs > 0 && bp->jobs[0].off > 0)
      at = 1; /* do not split the chunk stream of the job in progress */
  }
  memmove(&bp->jobs[at + 1], &bp->jobs[at],
          (size_t)(bp->njobs - at) * sizeof(*j));
  bp->njobs++;
  j = &bp->jobs[at];
  memcpy(j->hash, hash, HASHB);
  j->off = off;
  j->size = (uint64_t)size;
  j->end = (uint64_t)size - off < len ? (uint64_t)size : off + len;
  j->prio = f->u.blob_get.priority;
  serve_pump(bx, bp);
}

static void
on_frame(struct swarm *s, struct peer *p,
         const uint8_t pub[IDENTITY_PUBLIC_BYTES],
         const struct wire_frame *f, void *arg)
{
  struct blobx *bx = arg;
  struct bpeer *bp = find_peer(bx, pub);

  (void)s;
  (void)p;
  if (bp == NULL || bp->closing || bx->closing)
    return;
  switch (f->kind) {
  case WIRE_BLOB_HAVE:
    on_have(bx, bp, f);
    break;
  case WIRE_BLOB_WANT:
    on_want(bx, bp, f);
    break;
  case WIRE_BLOB_GET:
    on_get(bx, bp, f);
    break;
  case WIRE_BLOB_CHUNK:
    on_chunk(bx, bp, f);
    break;
  case WIRE_BLOB_MISSING:
    on_missing(bx, bp, f);
    break;
  default:
    break;
  }
}

/* ---- links, timers --------------------------------------------------- */

/* Ask a new peer which parked blobs it holds. */
static void
query_parked(struct blobx *bx, struct bpeer *bp)
{
  uint8_t *list = xmalloc(WIRE_BLOB_LIST_MAX * HASHB);
  struct want *w = bx->parked.head;
  int frames = 0;

  while (w && frames < BLOBX_WANT_FRAMES_MAX) {
    size_t n = 0;
    for (; w && n < WIRE_BLOB_LIST_MAX; w = w->next)
      memcpy(list + HASHB * n++, w->hash, HASHB);
    send_list(bx, bp, WIRE_BLOB_WANT, list, n);
    frames++;
  }
  xfree(list);
}

static void
peer_gone(struct blobx *bx, struct bpeer *bp)
{
  int i;

  while (bp->xfers)
    xfer_abort(bx, bp->xfers, 0);
  for (i = 0; i < bx->npeers; i++) {
    if (bx->peers[i] == bp) {
      bx->peers[i] = bx->peers[--bx->npeers];
      break;
    }
  }
  xfree(bp);
}

void
blobx_link(struct blobx *bx, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
           int up)
{
  struct bpeer *bp = find_peer(bx, pub);

  if (bx->closing)
    return;
  if (!up) {
    if (bp)
      peer_gone(bx, bp);
    kick(bx);
    return;
  }
  if (bp) /* a new connection replaced the old one */
    peer_gone(bx, bp);
  if (bx->npeers >= SWARM_NODES_MAX)
    return;
  bp = xcalloc(1, sizeof(*bp));
  memcpy(bp->pub, pub, IDENTITY_PUBLIC_BYTES);
  bx->peers[bx->npeers++] = bp;
  query_parked(bx, bp);
  kick(bx);
}

void
blobx_drained(struct blobx *bx, const uint8_t pub[IDENTITY_PUBLIC_BYTES])
{
  struct bpeer *bp = find_peer(bx, pub);
  if (bx->closing || bp == NULL)
    return;
  serve_pump(bx, bp);
  pump(bx);
}

/* Parked wants that some connected peer may now hold go back in line. */
static void
retry_parked(struct blobx *bx)
{
  struct want *w = bx->parked.head, *next;
  for (; w; w = next) {
    next = w->next;
    if (has_source(bx, w)) {
      list_remove(&bx->parked, w);
      w->state = W_QUEUED;
      list_push(&bx->queue[w->prio], w, 0);
    }
  }
}

static void
on_tick(uv_timer_t *t)
{
  struct blobx *bx = t->data;
  uint64_t now = uv_now(bx->loop);
  uint64_t stall = bx->opts.stall_ms ? bx->opts.stall_ms : BLOBX_STALL_MS;
  int i;

  for (i = 0; i < bx->npeers; i++) {
    struct bpeer *bp = bx->peers[i];
    struct xfer *x = bp->xfers, *next;
    for (; x; x = next) {
      next = x->next;
      if (now - x->last_ms > stall)
        xfer_abort(bx, x, now + BLOBX_MISS_MS);
    }
    flush_have(bx, bp);
    serve_pump(bx, bp);
  }
  if (now - bx->last_park_ms >= BLOBX_PARK_RETRY_MS) {
    bx->last_park_ms = now;
    retry_parked(bx);
  }
  pump(bx);
}

static void
on_async(uv_async_t *a)
{
  struct blobx *bx = a->data;
  struct pending pend[PENDING_MAX];
  int i, n;

  pthread_mutex_lock(&bx->lock);
  n = bx->npend;
  memcpy(pend, bx->pend, (size_t)n * sizeof(pend[0]));
  bx->npend = 0;
  pthread_mutex_unlock(&bx->lock);
  for (i = 0; i < n; i++) {
    struct want *w;
    if (want_add(bx, pend[i].hash, pend[i].size, BLOBX_PLAYBACK, 1) != 0)
      log_warn("cannot queue a playback fetch");
    w = lookup(bx, pend[i].hash);
    if (w && w->state == W_PARKED)
      note_gone(bx, w->hash);
  }
  if (n > 0)
    wake_waiters(bx); /* some may be stored already */
  pump(bx);
}

/* ---- public ---------------------------------------------------------- */

int
blobx_start(uv_loop_t *loop, struct swarm *sw, struct blobs *store,
            const struct blobx_options *opts, struct blobx **out)
{
  struct blobx *bx = xcalloc(1, sizeof(*bx));
  pthread_condattr_t ca;
  int kind;

  bx->loop = loop;
  bx->sw = sw;
  bx->store = store;
  if (opts)
    bx->opts = *opts;
  bx->st.stored_bytes = bx->opts.stored_bytes;
  bx->nbuckets = BUCKETS_MIN;
  bx->buckets = xcalloc(bx->nbuckets, sizeof(*bx->buckets));
  pthread_mutex_init(&bx->lock, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&bx->cond, &ca);
  pthread_cond_init(&bx->idle, NULL);
  pthread_condattr_destroy(&ca);
  uv_timer_init(loop, &bx->tick);
  uv_timer_init(loop, &bx->kick);
  uv_async_init(loop, &bx->async, on_async);
  bx->tick.data = bx->kick.data = bx->async.data = bx;
  bx->handles = 3;
  uv_timer_start(&bx->tick, on_tick, BLOBX_TICK_MS, BLOBX_TICK_MS);
  for (kind = WIRE_BLOB_HAVE; kind <= WIRE_BLOB_MISSING; kind++)
    swarm_set_handler(sw, (enum wire_kind)kind, on_frame, bx);
  *out = bx;
  return 0;
}

static void
handle_closed(uv_handle_t *h)
{
  struct blobx *bx = h->data;
  if (--bx->handles > 0)
    return;
  pthread_mutex_destroy(&bx->lock);
  pthread_cond_destroy(&bx->cond);
  pthread_cond_destroy(&bx->idle);
  xfree(bx->buckets);
  xfree(bx);
}

void
blobx_close(struct blobx **bxp)
{
  struct blobx *bx;
  size_t i;
  int kind;

  if (bxp == NULL || *bxp == NULL)
    return;
  bx = *bxp;
  *bxp = NULL;
  pthread_mutex_lock(&g_lock);
  if (g_bx == bx)
    g_bx = NULL; /* no new HTTP waiters */
  pthread_mutex_unlock(&g_lock);
  pthread_mutex_lock(&bx->lock);
  bx->closing = 1;
  pthread_cond_broadcast(&bx->cond);
  while (bx->waiters > 0)
    pthread_cond_wait(&bx->idle, &bx->lock);
  pthread_mutex_unlock(&bx->lock);
  /* Threads that took g_bx before it was cleared leave blobx_fetch at
   * once now (closing); wait until none is left inside. */
  pthread_mutex_lock(&g_lock);
  while (g_users > 0)
    pthread_cond_wait(&g_cond, &g_lock);
  pthread_mutex_unlock(&g_lock);
  for (kind = WIRE_BLOB_HAVE; kind <= WIRE_BLOB_MISSING; kind++)
    swarm_set_handler(bx->sw, (enum wire_kind)kind, NULL, NULL);
  while (bx->npeers > 0)
    peer_gone(bx, bx->peers[bx->npeers - 1]);
  for (i = 0; i < bx->nbuckets; i++) {
    while (bx->buckets[i])
      want_free(bx, bx->buckets[i]);
  }
  uv_close((uv_handle_t *)&bx->tick, handle_closed);
  uv_close((uv_handle_t *)&bx->kick, handle_closed);
  uv_close((uv_handle_t *)&bx->async, handle_closed);
}

int
blobx_want(struct blobx *bx, const uint8_t hash[SECURE_HASH_BYTES],
           uint64_t size, enum blobx_prio prio)
{
  return want_add(bx, hash, size, prio, 0);
}

static int
want_add(struct blobx *bx, const uint8_t hash[SECURE_HASH_BYTES],
         uint64_t size, enum blobx_prio prio, int fetch_only)
{
  struct want *w;

  if ((int)prio < 0 || prio >= BLOBX_PRIOS)
    return ERR_INVAL;
  if (size > BLOBS_MAX_BYTES)
    return ERR_TOO_BIG;
  if (bx->closing || (prio == BLOBX_REPLICATE && !bx->opts.replicate))
    return 0;
  w = lookup(bx, hash);
  if (w) {
    if (!fetch_only)
      w->fetch_only = 0; /* the state wants it too: keep it */
    if ((int)prio > w->prio) {
      int queued = w->state == W_QUEUED;
      detach(bx, w);
      bx->st.wanted_prio[w->prio]--;
      w->prio = (int)prio;
      bx->st.wanted_prio[w->prio]++;
      if (queued)
        list_push(&bx->queue[w->prio], w, 0);
      else if (w->state == W_PARKED)
        list_push(&bx->parked, w, 0);
      kick(bx);
    }
    return 0;
  }
  if (blobs_has(bx->store, hash) == 1)
    return 0;
  if (bx->nwants >= BLOBX_WANTED_MAX)
    return ERR_TOO_BIG;
  if (bx->nwants >= bx->nbuckets)
    grow(bx);
  w = xcalloc(1, sizeof(*w));
  memcpy(w->hash, hash, HASHB);
  w->size = size;
  w->prio = (int)prio;
  w->fetch_only = fetch_only;
  w->hnext = bx->buckets[bucket_of(bx, hash)];
  bx->buckets[bucket_of(bx, hash)] = w;
  bx->nwants++;
  bx->st.wanted_prio[prio]++;
  requeue(bx, w, 0);
  kick(bx);
  return 0;
}

void
blobx_stored(struct blobx *bx, const uint8_t hash[SECURE_HASH_BYTES])
{
  struct want *w = lookup(bx, hash);

  if (bx->closing)
    return;
  if (w && w->state != W_INFLIGHT)
    want_free(bx, w);
  announce(bx, hash, NULL);
  wake_waiters(bx);
}

int
blobx_is_wanted(struct blobx *bx, const uint8_t hash[SECURE_HASH_BYTES])
{
  return lookup(bx, hash) != NULL;
}

int
blobx_fetch(struct blobx *bx, const uint8_t hash[SECURE_HASH_BYTES],
            uint64_t size, uint64_t timeout_ms)
{
  struct timespec dl;
  int queued = 0, gone = 0;

  if (blobs_has(bx->store, hash) == 1)
    return 0;
  clock_gettime(CLOCK_MONOTONIC, &dl);
  dl.tv_sec += (time_t)(timeout_ms / 1000);
  dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (dl.tv_nsec >= 1000000000L) {
    dl.tv_sec++;
    dl.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&bx->lock);
  gone_find(bx, hash, 1);
  if (!bx->closing && bx->npend < PENDING_MAX) {
    memcpy(bx->pend[bx->npend].hash, hash, HASHB);
    bx->pend[bx->npend].size = size;
    bx->npend++;
    queued = 1;
  }
  bx->waiters++;
  pthread_mutex_unlock(&bx->lock);
  if (queued)
    uv_async_send(&bx->async);
  pthread_mutex_lock(&bx->lock);
  while (!bx->closing && blobs_has(bx->store, hash) != 1) {
    if (gone_find(bx, hash, 1)) {
      gone = 1;
      break;
    }
    if (pthread_cond_timedwait(&bx->cond, &bx->lock, &dl) == ETIMEDOUT)
      break;
  }
  if (--bx->waiters == 0 && bx->closing)
    pthread_cond_signal(&bx->idle);
  pthread_mutex_unlock(&bx->lock);
  if (blobs_has(bx->store, hash) == 1)
    return 0;
  return gone ? ERR_NOT_FOUND : ERR_TIMEOUT;
}

void
blobx_playback_set(struct blobx *bx)
{
  pthread_mutex_lock(&g_lock);
  g_bx = bx;
  pthread_mutex_unlock(&g_lock);
}

int
blobx_playback_fetch(const uint8_t hash[SECURE_HASH_BYTES], uint64_t size,
                     uint64_t timeout_ms)
{
  struct blobx *bx;
  int rc;

  pthread_mutex_lock(&g_lock);
  bx = g_bx;
  if (bx)
    g_users++;
  pthread_mutex_unlock(&g_lock);
  if (bx == NULL)
    return ERR_NOT_FOUND;
  rc = blobx_fetch(bx, hash, size, timeout_ms);
  pthread_mutex_lock(&g_lock);
  if (--g_users == 0)
    pthread_cond_broadcast(&g_cond);
  pthread_mutex_unlock(&g_lock);
  return rc;
}

void
blobx_get_stats(struct blobx *bx, struct blobx_stats *out)
{
  *out = bx->st;
  out->wanted = bx->nwants;
  out->parked = bx->parked.n;
  out->fetching = (uint64_t)bx->inflight;
}

struct json *
blobx_json(struct blobx *bx)
{
  struct blobx_stats st;
  struct json *o = json_new_object(), *peers = json_new_array();
  int i;

  blobx_get_stats(bx, &st);
  json_set_int(o, "wanted", (int64_t)st.wanted);
  json_set_int(o, "wanted_playback", (int64_t)st.wanted_prio[BLOBX_PLAYBACK]);
  json_set_int(o, "wanted_work_doc", (int64_t)st.wanted_prio[BLOBX_WORK_DOC]);
  json_set_int(o, "wanted_replicate",
               (int64_t)st.wanted_prio[BLOBX_REPLICATE]);
  json_set_int(o, "parked", (int64_t)st.parked);
  json_set_int(o, "fetching", (int64_t)st.fetching);
  json_set_int(o, "fetched", (int64_t)st.fetched);
  json_set_int(o, "bytes_in", (int64_t)st.bytes_in);
  json_set_int(o, "bytes_out", (int64_t)st.bytes_out);
  json_set_int(o, "served", (int64_t)st.served);
  json_set_int(o, "missing", (int64_t)st.missing);
  json_set_int(o, "bad", (int64_t)st.bad);
  json_set_int(o, "stored_bytes", (int64_t)st.stored_bytes);
  for (i = 0; i < bx->npeers; i++) {
    struct bpeer *bp = bx->peers[i];
    struct json *p = json_new_object();
    char id[IDENTITY_ID_HEX];
    hex_encode(id, bp->pub, IDENTITY_PUBLIC_BYTES);
    json_set_str(p, "node_id", id);
    json_set_int(p, "fetching", bp->inflight);
    json_set_int(p, "serving", bp->njobs);
    json_set_int(p, "bytes_in", (int64_t)bp->bytes_in);
    json_set_int(p, "bytes_out", (int64_t)bp->bytes_out);
    json_push(peers, p);
  }
  json_set(o, "peers", peers);
  return o;
}

void
blobx_test_corrupt(struct blobx *bx, int on)
{
  bx->corrupt = on;
}
