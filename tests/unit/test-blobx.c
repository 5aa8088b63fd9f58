/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Blob exchange (node/blobx.c) between swarms in one process over real
 * loopback sockets, each node with its own blob store in a temp dir. */
#include "tests/unit/task.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>

#include <uv.h>

#include "crypto/identity.h"
#include "node/alloc.h"
#include "node/blobs.h"
#include "node/blobx.h"
#include "node/json.h"
#include "node/peer.h"
#include "node/swarm.h"
#include "tests/support/swarmh.h"

#define T_WAIT_MS 20000   /* longest wait for any condition */
#define T_SOFT (256u << 10) /* a small soft cap so back-pressure matters */
#define T_POLL_MS 2       /* conditions are looked at this often */

static struct blobx_options *next_opts; /* tnode_start uses it once */

/* A node of these tests: a small soft cap, its own blob store, blob
 * exchange with a 2 s stall timeout (or *next_opts). */
static void
tnode_start(struct swarmh_node *t, uint8_t seed_byte)
{
  struct blobx_options bo;

  swarmh_node_init(t, seed_byte, 7);
  t->opts.queue_soft = T_SOFT;
  swarmh_start(t);
  memset(&bo, 0, sizeof(bo));
  bo.replicate = 1;
  bo.stall_ms = 2000;
  if (next_opts)
    bo = *next_opts;
  next_opts = NULL;
  swarmh_blobs_start(t, &bo);
}

/* Store n blobs of len bytes (seeds base..base+n-1) in t; hashes out. */
static void
put_blobs(struct swarmh_node *t, int n, size_t len, uint32_t base,
          uint8_t *hashes)
{
  uint8_t *buf = xmalloc(len);
  int i;
  for (i = 0; i < n; i++) {
    swarmh_fill(buf, len, base + (uint32_t)i);
    ASSERT_OK(blobs_put(t->store, buf, len, hashes + i * SECURE_HASH_BYTES));
  }
  xfree(buf);
}

struct count_arg {
  struct swarmh_node *t;
  uint64_t fetched;        /* wait for this many */
  size_t max_queued;       /* sampled queue of the server side */
  struct swarmh_node *server;
};

static int
fetched_n(void *arg)
{
  struct count_arg *c = arg;
  struct blobx_stats st;
  if (c->server) {
    struct peer *p = swarm_peer(c->server->sw, swarmh_pub(c->t));
    if (p) {
      struct peer_stats ps;
      peer_get_stats(p, &ps);
      if (ps.queued > c->max_queued)
        c->max_queued = ps.queued;
    }
  }
  blobx_get_stats(c->t->bx, &st);
  return st.fetched >= c->fetched;
}

/* b dials a; both links up. */
static void
connect_pair(struct swarmh_node *a, struct swarmh_node *b)
{
  ASSERT(swarmh_connect(b, a, T_WAIT_MS));
}

/* Files in a store whose name starts with ".tmp-". */
static int
temp_files(const char *dir)
{
  DIR *d = opendir(dir), *s;
  struct dirent *e, *f;
  int n = 0;
  char sub[4096];

  ASSERT_NOT_NULL(d);
  while ((e = readdir(d)) != NULL) {
    if (strlen(e->d_name) != 2 || e->d_name[0] == '.')
      continue;
    snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
    s = opendir(sub);
    while (s && (f = readdir(s)) != NULL)
      n += strncmp(f->d_name, ".tmp-", 5) == 0;
    if (s)
      closedir(s);
  }
  closedir(d);
  return n;
}

TEST_IMPL(blobx_big_blob_in_chunks)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  size_t big = 5u << 20, mid = 300000;
  uint8_t h[2 * SECURE_HASH_BYTES];
  struct count_arg c;
  struct blobx_stats st;
  struct peer_stats ps;
  struct buf got;
  uint8_t *want = xmalloc(big);

  swarmh_setup(T_POLL_MS);
  tnode_start(&a, 1);
  tnode_start(&b, 2);
  put_blobs(&a, 1, big, 100, h);
  put_blobs(&a, 1, mid, 200, h + SECURE_HASH_BYTES);
  connect_pair(&a, &b);
  /* One with its size known (from the log), one without. */
  ASSERT_OK(blobx_want(b.bx, h, big, BLOBX_REPLICATE));
  ASSERT_OK(blobx_want(b.bx, h + SECURE_HASH_BYTES, 0, BLOBX_PLAYBACK));
  ASSERT_EQ(blobx_is_wanted(b.bx, h), 1);
  memset(&c, 0, sizeof(c));
  c.t = &b;
  c.fetched = 2;
  ASSERT(swarmh_run_until(fetched_n, &c, T_WAIT_MS));
  buf_init(&got, BLOBS_MAX_BYTES);
  ASSERT_OK(blobs_get(b.store, h, &got));
  ASSERT_EQ(got.len, big);
  swarmh_fill(want, big, 100);
  ASSERT_OK(memcmp(got.data, want, big));
  buf_free(&got);
  ASSERT_EQ(blobs_size(b.store, h + SECURE_HASH_BYTES), (int64_t)mid);
  blobx_get_stats(b.bx, &st);
  ASSERT_EQ(st.wanted, 0);
  ASSERT_EQ(st.fetching, 0);
  ASSERT_EQ(st.bytes_in, big + mid);
  ASSERT_EQ(st.bad, 0);
  ASSERT_EQ(blobx_is_wanted(b.bx, h), 0);
  /* 5 MiB in chunks of at most 64 KiB: at least 80 data frames. */
  peer_get_stats(swarm_peer(b.sw, swarmh_pub(&a)), &ps);
  ASSERT_GE(ps.frames_in, big / BLOBX_CHUNK_BYTES);
  blobx_get_stats(a.bx, &st);
  ASSERT_EQ(st.bytes_out, big + mid);
  ASSERT_EQ(temp_files(b.dir), 0);
  /* Wanting what is stored queues nothing. */
  ASSERT_OK(blobx_want(b.bx, h, big, BLOBX_PLAYBACK));
  ASSERT_EQ(blobx_is_wanted(b.bx, h), 0);
  ASSERT_EQ(blobx_want(b.bx, h, (uint64_t)BLOBS_MAX_BYTES + 1,
                       BLOBX_PLAYBACK), ERR_TOO_BIG);
  xfree(want);
  swarmh_finish(all, 2);
  return 0;
}

#define T_SMALL_N 2000
#define T_SMALL_LEN 3000

TEST_IMPL(blobx_many_small_under_soft_cap)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  uint8_t *h = xmalloc(T_SMALL_N * SECURE_HASH_BYTES);
  struct count_arg c;
  struct blobx_stats st;
  struct json *j;
  char *text;
  int i;

  swarmh_setup(T_POLL_MS);
  tnode_start(&a, 1);
  tnode_start(&b, 2);
  put_blobs(&a, T_SMALL_N, T_SMALL_LEN, 1000, h);
  connect_pair(&a, &b);
  for (i = 0; i < T_SMALL_N; i++)
    ASSERT_OK(blobx_want(b.bx, h + i * SECURE_HASH_BYTES, T_SMALL_LEN,
                         BLOBX_REPLICATE));
  blobx_get_stats(b.bx, &st);
  ASSERT_EQ(st.wanted, T_SMALL_N);
  ASSERT_EQ(st.wanted_prio[BLOBX_REPLICATE], T_SMALL_N);
  memset(&c, 0, sizeof(c));
  c.t = &b;
  c.server = &a;
  c.fetched = T_SMALL_N;
  ASSERT(swarmh_run_until(fetched_n, &c, T_WAIT_MS));
  for (i = 0; i < T_SMALL_N; i++)
    ASSERT_EQ(blobs_size(b.store, h + i * SECURE_HASH_BYTES), T_SMALL_LEN);
  blobx_get_stats(b.bx, &st);
  ASSERT_EQ(st.wanted, 0);
  ASSERT_EQ(st.bytes_in, (uint64_t)T_SMALL_N * T_SMALL_LEN);
  /* A chunk is sent only while the queue is under the soft cap. */
  ASSERT_LT(c.max_queued, T_SOFT + BLOBX_CHUNK_BYTES + 1024);
  j = blobx_json(b.bx);
  text = json_print(j, 0);
  ASSERT_CONTAINS(text, "\"fetched\":2000");
  ASSERT_CONTAINS(text, "\"peers\":[{\"node_id\":");
  xfree(text);
  json_free(j);
  xfree(h);
  swarmh_finish(all, 2);
  return 0;
}

struct bad_arg {
  struct swarmh_node *t;
  uint64_t bad;
};

static int
bad_seen(void *arg)
{
  struct bad_arg *b = arg;
  struct blobx_stats st;
  blobx_get_stats(b->t->bx, &st);
  return st.bad >= b->bad && b->t->downs >= 1;
}

TEST_IMPL(blobx_wrong_bytes_drop_the_peer)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  uint8_t h[2 * SECURE_HASH_BYTES];
  struct swarmh_pair pr = {&a, &b};
  struct blobx_stats st;
  struct bad_arg ba = {&b, 1};

  swarmh_setup(T_POLL_MS);
  tnode_start(&a, 1);
  tnode_start(&b, 2);
  put_blobs(&a, 1, 200000, 7, h);
  put_blobs(&a, 1, 5000, 8, h + SECURE_HASH_BYTES);
  connect_pair(&a, &b);
  /* Corrupted bytes: the hash does not match at the end. */
  blobx_test_corrupt(a.bx, 1);
  ASSERT_OK(blobx_want(b.bx, h, 200000, BLOBX_PLAYBACK));
  ASSERT(swarmh_run_until(bad_seen, &ba, T_WAIT_MS));
  ASSERT_EQ(blobs_has(b.store, h), 0);
  ASSERT_EQ(temp_files(b.dir), 0);
  /* The want stays; the bad peer is skipped for it after reconnecting. */
  ASSERT_EQ(blobx_is_wanted(b.bx, h), 1);
  ASSERT(swarmh_run_until(swarmh_linked, &pr, T_WAIT_MS));
  blobx_test_corrupt(a.bx, 0);
  /* A size other than the one the log names: dropped at the first chunk. */
  ASSERT(swarmh_run_until(NULL, NULL, 300)); /* a stays skipped for h */
  blobx_get_stats(b.bx, &st);
  ASSERT_EQ(st.bad, 1);
  ASSERT_EQ(st.parked, 1);
  b.downs = 0;
  ba.bad = 2;
  ASSERT_OK(blobx_want(b.bx, h + SECURE_HASH_BYTES, 5001, BLOBX_PLAYBACK));
  ASSERT(swarmh_run_until(bad_seen, &ba, T_WAIT_MS));
  ASSERT_EQ(blobs_has(b.store, h + SECURE_HASH_BYTES), 0);
  ASSERT_EQ(temp_files(b.dir), 0);
  blobx_get_stats(b.bx, &st);
  ASSERT_EQ(st.bad, 2);
  ASSERT_EQ(st.fetched, 0);
  swarmh_finish(all, 2);
  return 0;
}

TEST_IMPL(blobx_missing_here_fetched_there)
{
  struct swarmh_node a, b, c, *all[] = {&a, &b, &c};
  uint8_t h[SECURE_HASH_BYTES];
  struct count_arg ca;
  struct blobx_stats st;

  swarmh_setup(T_POLL_MS);
  tnode_start(&a, 1);
  tnode_start(&b, 2);
  tnode_start(&c, 3);
  put_blobs(&c, 1, 40000, 55, h);
  /* b knows only a, which lacks the blob: a says missing, the want is
   * parked. */
  connect_pair(&a, &b);
  ASSERT_OK(blobx_want(b.bx, h, 40000, BLOBX_REPLICATE));
  ASSERT(swarmh_run_until(NULL, NULL, 300));
  blobx_get_stats(b.bx, &st);
  ASSERT_EQ(st.missing, 1);
  ASSERT_EQ(st.parked, 1);
  ASSERT_EQ(st.fetched, 0);
  /* c connects: b asks it with a BlobWant, c answers BlobHave, b fetches
   * from c. */
  connect_pair(&c, &b);
  memset(&ca, 0, sizeof(ca));
  ca.t = &b;
  ca.fetched = 1;
  ASSERT(swarmh_run_until(fetched_n, &ca, T_WAIT_MS));
  ASSERT_EQ(blobs_size(b.store, h), 40000);
  blobx_get_stats(b.bx, &st);
  ASSERT_EQ(st.parked, 0);
  ASSERT_EQ(st.missing, 1);
  /* b announced it: a, which never wanted it, ignores the BlobHave. */
  blobx_get_stats(a.bx, &st);
  ASSERT_EQ(st.wanted, 0);
  swarmh_finish(all, 3);
  return 0;
}

struct prio_arg {
  struct swarmh_node *b;
  const uint8_t *play;
  uint64_t fetched_at_play;
  int done;
};

static int
play_arrived(void *arg)
{
  struct prio_arg *p = arg;
  struct blobx_stats st;
  if (!p->done && blobs_has(p->b->store, p->play) == 1) {
    blobx_get_stats(p->b->bx, &st);
    p->fetched_at_play = st.fetched;
    p->done = 1;
  }
  return p->done;
}

TEST_IMPL(blobx_playback_overtakes_replication)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  uint8_t *h = xmalloc((T_SMALL_N + 1) * SECURE_HASH_BYTES);
  uint8_t *play = h + T_SMALL_N * SECURE_HASH_BYTES;
  struct count_arg c;
  struct prio_arg pa;
  struct blobx_stats st;
  int i;

  swarmh_setup(T_POLL_MS);
  tnode_start(&a, 1);
  tnode_start(&b, 2);
  put_blobs(&a, T_SMALL_N, T_SMALL_LEN, 3000, h);
  put_blobs(&a, 1, 20000, 9999, play);
  connect_pair(&a, &b);
  for (i = 0; i < T_SMALL_N; i++)
    ASSERT_OK(blobx_want(b.bx, h + i * SECURE_HASH_BYTES, T_SMALL_LEN,
                         BLOBX_REPLICATE));
  memset(&c, 0, sizeof(c));
  c.t = &b;
  c.fetched = 100;
  ASSERT(swarmh_run_until(fetched_n, &c, T_WAIT_MS));
  /* Wanted at REPLICATE first (at the back of the line), then raised. */
  ASSERT_OK(blobx_want(b.bx, play, 20000, BLOBX_REPLICATE));
  ASSERT_OK(blobx_want(b.bx, play, 20000, BLOBX_PLAYBACK));
  blobx_get_stats(b.bx, &st);
  ASSERT_EQ(st.wanted_prio[BLOBX_PLAYBACK], 1);
  memset(&pa, 0, sizeof(pa));
  pa.b = &b;
  pa.play = play;
  ASSERT(swarmh_run_until(play_arrived, &pa, T_WAIT_MS));
  /* It arrived behind at most the fetches in flight when it was asked
   * and those started while its get travelled, not the 1,900 queued. */
  ASSERT_LE(pa.fetched_at_play, st.fetched + 2 * BLOBX_PEER_INFLIGHT);
  ASSERT_LT(pa.fetched_at_play, T_SMALL_N / 2);
  c.fetched = T_SMALL_N + 1;
  ASSERT(swarmh_run_until(fetched_n, &c, T_WAIT_MS));
  xfree(h);
  swarmh_finish(all, 2);
  return 0;
}

TEST_IMPL(blobx_replicate_off_and_quota)
{
  struct swarmh_node a, b, c, *all[] = {&a, &b, &c};
  uint8_t h[11 * SECURE_HASH_BYTES];
  struct blobx_options off, quota;
  struct count_arg ca;
  struct blobx_stats st;
  int i;

  swarmh_setup(T_POLL_MS);
  memset(&off, 0, sizeof(off));
  memset(&quota, 0, sizeof(quota));
  quota.replicate = 1;
  quota.quota_bytes = 10000;
  quota.stored_bytes = 1000;
  tnode_start(&a, 1);
  next_opts = &off;
  tnode_start(&b, 2);
  next_opts = &quota;
  tnode_start(&c, 3);
  put_blobs(&a, 11, 3000, 77, h);
  connect_pair(&a, &b);
  connect_pair(&a, &c);
  /* replicate-audio = no: replication wants are ignored, playback is
   * fetched. */
  ASSERT_OK(blobx_want(b.bx, h, 3000, BLOBX_REPLICATE));
  ASSERT_EQ(blobx_is_wanted(b.bx, h), 0);
  ASSERT_OK(blobx_want(b.bx, h, 3000, BLOBX_PLAYBACK));
  memset(&ca, 0, sizeof(ca));
  ca.t = &b;
  ca.fetched = 1;
  ASSERT(swarmh_run_until(fetched_n, &ca, T_WAIT_MS));
  /* A quota of 10,000 B with 1,000 stored: replication stops once what
   * is stored plus what is in flight reaches it; playback still works. */
  for (i = 0; i < 10; i++)
    ASSERT_OK(blobx_want(c.bx, h + i * SECURE_HASH_BYTES, 3000,
                         BLOBX_REPLICATE));
  ASSERT(swarmh_run_until(NULL, NULL, 500));
  blobx_get_stats(c.bx, &st);
  ASSERT_EQ(st.fetched, 3);
  ASSERT_EQ(st.stored_bytes, 10000);
  ASSERT_EQ(st.wanted, 7);
  ASSERT_OK(blobx_want(c.bx, h + 10 * SECURE_HASH_BYTES, 3000,
                       BLOBX_PLAYBACK));
  ca.t = &c;
  ca.fetched = st.fetched + 1;
  ASSERT(swarmh_run_until(fetched_n, &ca, T_WAIT_MS));
  ASSERT_EQ(blobs_has(c.store, h + 10 * SECURE_HASH_BYTES), 1);
  swarmh_finish(all, 3);
  return 0;
}

struct fetch_arg {
  struct blobx *bx;
  const uint8_t *hash;
  uint64_t size, timeout;
  int rc, done;
};

static void *
fetch_thread(void *arg)
{
  struct fetch_arg *f = arg;
  f->rc = blobx_fetch(f->bx, f->hash, f->size, f->timeout);
  __atomic_store_n(&f->done, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static int
fetch_done(void *arg)
{
  struct fetch_arg *f = arg;
  return __atomic_load_n(&f->done, __ATOMIC_SEQ_CST);
}

TEST_IMPL(blobx_fetch_waits_for_playback)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  uint8_t h[SECURE_HASH_BYTES], none[SECURE_HASH_BYTES];
  struct fetch_arg f;
  pthread_t th;
  uint64_t t0;

  swarmh_setup(T_POLL_MS);
  tnode_start(&a, 1);
  tnode_start(&b, 2);
  put_blobs(&a, 1, 100000, 42, h);
  memset(none, 0xab, sizeof(none));
  connect_pair(&a, &b);
  /* Another thread asks and blocks; the loop fetches; it wakes. */
  memset(&f, 0, sizeof(f));
  f.bx = b.bx;
  f.hash = h;
  f.size = 100000;
  f.timeout = 10000;
  ASSERT_OK(pthread_create(&th, NULL, fetch_thread, &f));
  ASSERT(swarmh_run_until(fetch_done, &f, T_WAIT_MS));
  ASSERT_OK(pthread_join(th, NULL));
  ASSERT_OK(f.rc);
  ASSERT_EQ(blobs_size(b.store, h), 100000);
  /* Nobody holds it: a answers missing and the waiter is told at once,
   * long before its bound. */
  memset(&f, 0, sizeof(f));
  f.bx = b.bx;
  f.hash = none;
  f.timeout = 8000;
  uv_update_time(swarmh_loop());
  t0 = uv_now(swarmh_loop());
  ASSERT_OK(pthread_create(&th, NULL, fetch_thread, &f));
  ASSERT(swarmh_run_until(fetch_done, &f, T_WAIT_MS));
  ASSERT_OK(pthread_join(th, NULL));
  ASSERT_EQ(f.rc, ERR_NOT_FOUND);
  ASSERT_LT(uv_now(swarmh_loop()) - t0, 4000);
  /* Only a listener wanted it: the want is dropped with the answer. */
  ASSERT_EQ(blobx_is_wanted(b.bx, none), 0);
  /* Through the daemon's hook; none set: not found. */
  ASSERT_EQ(blobx_playback_fetch(none, 0, 100), ERR_NOT_FOUND);
  blobx_playback_set(b.bx);
  ASSERT_OK(blobx_playback_fetch(h, 0, 100));
  /* Stored already: at once. */
  ASSERT_OK(blobx_fetch(b.bx, h, 100000, 0));
  swarmh_finish(all, 2);
  return 0;
}

TEST_IMPL(blobx_frames_roundtrip_and_caps)
{
  uint8_t hashes[3 * WIRE_BLOB_HASH_BYTES], data[100], *out;
  struct wire_frame f, g;
  size_t len;

  swarmh_fill(hashes, sizeof(hashes), 1);
  swarmh_fill(data, sizeof(data), 2);
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_BLOB_HAVE;
  f.u.blob_list.hashes = hashes;
  f.u.blob_list.n = 3;
  ASSERT_OK(wire_frame_encode(&f, &out, &len));
  ASSERT_OK(wire_frame_decode(out, len, &g));
  ASSERT_EQ(g.kind, WIRE_BLOB_HAVE);
  ASSERT_EQ(g.u.blob_list.n, 3);
  ASSERT_OK(memcmp(g.u.blob_list.hashes, hashes, sizeof(hashes)));
  ASSERT_STR_EQ(wire_kind_name(g.kind), "blob-have");
  wire_frame_free(&g);
  xfree(out);
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_BLOB_CHUNK;
  f.u.blob_chunk.hash = hashes;
  f.u.blob_chunk.offset = 7;
  f.u.blob_chunk.total = 1000;
  f.u.blob_chunk.data = data;
  f.u.blob_chunk.len = sizeof(data);
  ASSERT_OK(wire_frame_encode(&f, &out, &len));
  ASSERT_OK(wire_frame_decode(out, len, &g));
  ASSERT_EQ(g.kind, WIRE_BLOB_CHUNK);
  ASSERT_EQ(g.u.blob_chunk.offset, 7);
  ASSERT_EQ(g.u.blob_chunk.total, 1000);
  ASSERT_EQ(g.u.blob_chunk.len, sizeof(data));
  ASSERT_OK(memcmp(g.u.blob_chunk.data, data, sizeof(data)));
  wire_frame_free(&g);
  xfree(out);
  /* A hash of the wrong length is refused. */
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_BLOB_GET;
  f.u.blob_get.hash = hashes;
  f.u.blob_get.length = 5;
  f.u.blob_get.priority = BLOBX_PLAYBACK;
  ASSERT_OK(wire_frame_encode(&f, &out, &len));
  ASSERT_OK(wire_frame_decode(out, len, &g));
  ASSERT_EQ(g.u.blob_get.priority, BLOBX_PLAYBACK);
  wire_frame_free(&g);
  /* Frame field 50 (two tag bytes), body length, then the hash: tag
   * 0x0a, length 32. Shorten it by one byte. */
  ASSERT_EQ(out[3], 0x0a);
  ASSERT_EQ(out[4], 32);
  out[4] = 31;
  out[2] -= 1;
  memmove(out + 5 + 31, out + 5 + 32, len - 5 - 32);
  ASSERT_EQ(wire_frame_decode(out, len - 1, &g), ERR_PARSE);
  xfree(out);
  /* Lists over the cap are refused both ways. */
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_BLOB_WANT;
  f.u.blob_list.hashes = hashes;
  f.u.blob_list.n = WIRE_BLOB_LIST_MAX + 1;
  ASSERT_EQ(wire_frame_encode(&f, &out, &len), ERR_INVAL);
  return 0;
}

/* ---- node/blobsync.c: state -> wants, garbage collection ------------- */

#include <utime.h>

#include "node/blobsync.h"
#include "node/db.h"
#include "node/storewatch.h"

#define T_WATCH_MS 100 /* the store watcher's tick in these tests */

static void
add_result(struct db *db, const uint8_t hash[SECURE_HASH_BYTES], int64_t size,
           int sentence)
{
  static const char sql[] =
      "INSERT INTO st_results (book, sentence, take, author, seq, lamport,"
      " blob, size, duration_ms, context, claim_seq)"
      " VALUES (zeroblob(16), ?, 0, zeroblob(32), ?, 1, ?, ?, 10,"
      " zeroblob(32), 0)";
  struct db_stmt *s = NULL;
  ASSERT_OK(db_prepare(db, sql, &s));
  ASSERT_OK(db_bind_int(s, 1, sentence));
  ASSERT_OK(db_bind_int(s, 2, sentence + 1));
  ASSERT_OK(db_bind_blob(s, 3, hash, SECURE_HASH_BYTES));
  ASSERT_OK(db_bind_int(s, 4, size));
  ASSERT_EQ(db_step(s), DB_DONE);
  db_finalize(&s);
}

static void
add_work(struct db *db, const uint8_t hash[SECURE_HASH_BYTES], int64_t size)
{
  static const char sql[] =
      "INSERT INTO st_works (work_id, doc_hash, doc_size, sentences, posts,"
      " source_url, title, lamport, author)"
      " VALUES ('w1', ?, ?, 1, 1, 'u', 't', 1, zeroblob(32))";
  struct db_stmt *s = NULL;
  ASSERT_OK(db_prepare(db, sql, &s));
  ASSERT_OK(db_bind_blob(s, 1, hash, SECURE_HASH_BYTES));
  ASSERT_OK(db_bind_int(s, 2, size));
  ASSERT_EQ(db_step(s), DB_DONE);
  db_finalize(&s);
}

static void
add_rcache(struct db *db, const uint8_t hash[SECURE_HASH_BYTES])
{
  static const char sql[] =
      "INSERT INTO render_cache (key, blob, size, duration_ms, created)"
      " VALUES (?, ?, 1, 1, 1)";
  struct db_stmt *s = NULL;
  ASSERT_OK(db_prepare(db, sql, &s));
  ASSERT_OK(db_bind_blob(s, 1, hash, SECURE_HASH_BYTES));
  ASSERT_OK(db_bind_blob(s, 2, hash, SECURE_HASH_BYTES));
  ASSERT_EQ(db_step(s), DB_DONE);
  db_finalize(&s);
}

struct sync_arg {
  struct blobsync *bs;
  uint64_t sweeps, gcs;
};

static int
sync_jobs(void *arg)
{
  struct sync_arg *a = arg;
  struct blobsync_stats st;
  blobsync_get_stats(a->bs, &st);
  return st.sweeps >= a->sweeps && st.gcs >= a->gcs;
}

#define T_SYNC_N 60

TEST_IMPL(blobsync_state_feeds_wants)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  uint8_t h[(T_SYNC_N + 2) * SECURE_HASH_BYTES];
  struct blobsync_options o;
  struct blobsync *bs = NULL;
  struct storewatch *watch = NULL;
  struct blobsync_stats st;
  struct blobx_stats xs;
  struct sync_arg sa;
  struct count_arg c;
  struct db *db = NULL;
  char errbuf[256], *path;
  uint64_t queued;
  int i;

  swarmh_setup(T_POLL_MS);
  tnode_start(&a, 1);
  tnode_start(&b, 2);
  put_blobs(&a, T_SYNC_N + 2, 2000, 500, h);
  path = xasprintf("%s/glowtalk.db", b.dir);
  ASSERT_OK(db_open_store(path, &db, errbuf, sizeof(errbuf)));
  for (i = 0; i < T_SYNC_N; i++)
    add_result(db, h + i * SECURE_HASH_BYTES, 2000, i);
  add_work(db, h + T_SYNC_N * SECURE_HASH_BYTES, 2000);
  connect_pair(&a, &b);
  ASSERT_OK(storewatch_start(swarmh_loop(), path, T_WATCH_MS, &watch, errbuf,
                             sizeof(errbuf)));
  memset(&o, 0, sizeof(o));
  o.watch = watch;
  o.db_path = path;
  o.blobs_dir = b.dir;
  o.sweep_gap_ms = 100;
  o.gc_first_ms = 3600000;
  ASSERT_OK(blobsync_start(swarmh_loop(), b.bx, &o, &bs, errbuf,
                           sizeof(errbuf)));
  memset(&c, 0, sizeof(c));
  c.t = &b;
  c.fetched = T_SYNC_N + 1;
  ASSERT(swarmh_run_until(fetched_n, &c, T_WAIT_MS));
  ASSERT_EQ(blobs_size(b.store, h + T_SYNC_N * SECURE_HASH_BYTES), 2000);
  blobsync_get_stats(bs, &st);
  /* The results by the sweep; the document by the sweep, or fetched
   * before the sweep looked (blobsync wants documents at once). */
  ASSERT_GE(st.queued, T_SYNC_N);
  ASSERT_LE(st.queued, T_SYNC_N + 1);
  queued = st.queued;
  /* A later commit by another connection (the reducer's) is seen through
   * the store watcher and swept; stored blobs are not asked again. */
  add_result(db, h + (T_SYNC_N + 1) * SECURE_HASH_BYTES, 2000, T_SYNC_N);
  c.fetched = T_SYNC_N + 2;
  ASSERT(swarmh_run_until(fetched_n, &c, T_WAIT_MS));
  memset(&sa, 0, sizeof(sa));
  sa.bs = bs;
  sa.sweeps = st.sweeps + 1;
  ASSERT(swarmh_run_until(sync_jobs, &sa, T_WAIT_MS));
  blobsync_get_stats(bs, &st);
  ASSERT_EQ(st.queued, queued + 1);
  blobx_get_stats(b.bx, &xs);
  ASSERT_EQ(xs.wanted, 0);
  ASSERT_EQ(xs.missing, 0);
  blobsync_close(&bs);
  storewatch_close(&watch);
  db_close(&db);
  xfree(path);
  swarmh_finish(all, 2);
  return 0;
}

TEST_IMPL(blobsync_gc_keeps_referenced)
{
  struct swarmh_node a, *all[] = {&a};
  uint8_t h[6 * SECURE_HASH_BYTES];
  struct blobsync_options o;
  struct blobsync *bs = NULL;
  struct storewatch *watch = NULL;
  struct blobsync_stats st;
  struct sync_arg sa;
  struct utimbuf old;
  struct db *db = NULL;
  char errbuf[256], *path, *bp;
  int i;

  swarmh_setup(T_POLL_MS);
  tnode_start(&a, 1);
  put_blobs(&a, 6, 1000, 900, h);
  path = xasprintf("%s/glowtalk.db", a.dir);
  ASSERT_OK(db_open_store(path, &db, errbuf, sizeof(errbuf)));
  add_result(db, h, 1000, 0);                        /* 0: a result */
  add_work(db, h + 1 * SECURE_HASH_BYTES, 1000);     /* 1: a work doc */
  add_rcache(db, h + 2 * SECURE_HASH_BYTES);         /* 2: render cache */
  /* 3, 4: unreferenced and two hours old; 5: unreferenced but young. */
  old.actime = old.modtime = time(NULL) - 7200;
  for (i = 0; i < 5; i++) {
    bp = blobs_path(a.store, h + i * SECURE_HASH_BYTES);
    ASSERT_OK(utime(bp, &old));
    xfree(bp);
  }
  ASSERT_OK(storewatch_start(swarmh_loop(), path, T_WATCH_MS, &watch, errbuf,
                             sizeof(errbuf)));
  memset(&o, 0, sizeof(o));
  o.watch = watch;
  o.db_path = path;
  o.blobs_dir = a.dir;
  o.gc_first_ms = 3600000;
  ASSERT_OK(blobsync_start(swarmh_loop(), a.bx, &o, &bs, errbuf,
                           sizeof(errbuf)));
  blobsync_gc(bs);
  memset(&sa, 0, sizeof(sa));
  sa.bs = bs;
  sa.gcs = 1;
  ASSERT(swarmh_run_until(sync_jobs, &sa, T_WAIT_MS));
  blobsync_get_stats(bs, &st);
  ASSERT_EQ(st.gc_removed, 2);
  ASSERT_EQ(blobs_has(a.store, h), 1);
  ASSERT_EQ(blobs_has(a.store, h + 1 * SECURE_HASH_BYTES), 1);
  ASSERT_EQ(blobs_has(a.store, h + 2 * SECURE_HASH_BYTES), 1);
  ASSERT_EQ(blobs_has(a.store, h + 3 * SECURE_HASH_BYTES), 0);
  ASSERT_EQ(blobs_has(a.store, h + 4 * SECURE_HASH_BYTES), 0);
  ASSERT_EQ(blobs_has(a.store, h + 5 * SECURE_HASH_BYTES), 1);
  blobsync_close(&bs);
  storewatch_close(&watch);
  db_close(&db);
  xfree(path);
  swarmh_finish(all, 1);
  return 0;
}

TEST_IMPL(blobx_silent_peer_stalls_out)
{
  struct swarmh_node s, b, c, *all[] = {&s, &b, &c};
  uint8_t h[SECURE_HASH_BYTES];
  struct blobx_stats st;
  struct count_arg ca;

  swarmh_setup(T_POLL_MS);
  tnode_start(&s, 1);
  tnode_start(&b, 2);
  tnode_start(&c, 3);
  /* s runs no blob exchange: it ignores blob frames (a peer too old or
   * stuck). */
  blobx_close(&s.bx);
  put_blobs(&c, 1, 10000, 31, h);
  connect_pair(&s, &b);
  ASSERT_OK(blobx_want(b.bx, h, 10000, BLOBX_REPLICATE));
  ASSERT(swarmh_run_until(NULL, NULL, 300));
  blobx_get_stats(b.bx, &st);
  ASSERT_EQ(st.fetching, 1);
  /* stall_ms is 2 s in these tests: the fetch is abandoned, s skipped. */
  ASSERT(swarmh_run_until(NULL, NULL, 3500));
  blobx_get_stats(b.bx, &st);
  ASSERT_EQ(st.fetching, 0);
  ASSERT_EQ(st.parked, 1);
  ASSERT_EQ(temp_files(b.dir), 0);
  connect_pair(&c, &b);
  memset(&ca, 0, sizeof(ca));
  ca.t = &b;
  ca.fetched = 1;
  ASSERT(swarmh_run_until(fetched_n, &ca, T_WAIT_MS));
  ASSERT_EQ(blobs_size(b.store, h), 10000);
  swarmh_finish(all, 3);
  return 0;
}
