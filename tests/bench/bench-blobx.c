/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Blob replication throughput (node/blobx.c): two in-process nodes on
 * 127.0.0.1, real blob stores in temp dirs. Usage: bench-blobx N SIZE
 * [BIG_MB]. Prints "LABEL N BYTES SECONDS blobs_per_s MB_per_s" for N
 * blobs of SIZE bytes, then for one BIG_MB blob; each preceded by a
 * LABEL-local line: storing the same blobs locally with blobs_put (the
 * disk's own speed, for comparison). BENCH_TRACE=1 prints progress. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/blobs.h"
#include "node/blobx.h"
#include "node/swarm.h"

#define BENCH_WAIT_MS 600000 /* give up after this long */

struct node {
  struct identity *id;
  struct netkey *net;
  struct swarm *sw;
  struct blobs *store;
  struct blobx *bx;
  char dir[64];
  char addr[64];
};

static uv_loop_t loop;
static struct wire_hello hello = {0, NULL, 0, NULL, 0, NULL, 0, "bench"};

static int
is_member(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  (void)pub;
  (void)arg;
  return 1;
}

static void
on_link(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES], int up,
        void *arg)
{
  struct node *n = arg;
  (void)s;
  blobx_link(n->bx, pub, up);
}

static void
on_drained(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
           void *arg)
{
  struct node *n = arg;
  (void)s;
  blobx_drained(n->bx, pub);
}

static int
node_start(struct node *n, uint8_t seed_byte)
{
  uint8_t seed[IDENTITY_SEED_BYTES], key[NETKEY_BYTES];
  struct swarm_options o;
  struct blobx_options bo;
  char err[256];

  memset(n, 0, sizeof(*n));
  memset(seed, seed_byte, sizeof(seed));
  memset(key, 9, sizeof(key));
  snprintf(n->dir, sizeof(n->dir), "/tmp/bench-blobx-XXXXXX");
  if (mkdtemp(n->dir) == NULL || identity_from_seed(seed, &n->id) != 0)
    return -1;
  n->net = netkey_from_bytes(key);
  if (blobs_open(n->dir, &n->store) != 0)
    return -1;
  memset(&o, 0, sizeof(o));
  o.id = n->id;
  o.net = n->net;
  o.listen = "127.0.0.1:0";
  o.is_member = is_member;
  o.hello = &hello;
  o.on_link = on_link;
  o.on_drained = on_drained;
  o.link_arg = n;
  if (swarm_start(&loop, &o, &n->sw, err, sizeof(err)) != 0) {
    fprintf(stderr, "%s\n", err);
    return -1;
  }
  snprintf(n->addr, sizeof(n->addr), "127.0.0.1:%d", swarm_port(n->sw));
  memset(&bo, 0, sizeof(bo));
  bo.replicate = 1;
  return blobx_start(&loop, n->sw, n->store, &bo, &n->bx);
}

static void
node_close(struct node *n)
{
  blobx_close(&n->bx);
  swarm_close(&n->sw);
}

/* After node_close() of every node and a run of the loop. */
static void
node_free(struct node *n)
{
  char cmd[128];
  blobs_close(&n->store);
  identity_free(&n->id);
  netkey_free(&n->net);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", n->dir);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", n->dir);
}

struct wait {
  uv_timer_t t;
  struct node *n;
  uint64_t fetched, deadline;
  int connected;
};

static void
on_poll(uv_timer_t *h)
{
  struct wait *w = h->data;
  struct blobx_stats st;
  blobx_get_stats(w->n->bx, &st);
  static unsigned polls;
  if (getenv("BENCH_TRACE") && ++polls % 50 == 0)
    fprintf(stderr, "t %llu fetched %llu fetching %llu parked %llu missing %llu\n",
            (unsigned long long)uv_now(&loop), (unsigned long long)st.fetched,
            (unsigned long long)st.fetching, (unsigned long long)st.parked,
            (unsigned long long)st.missing);
  if ((w->connected ? swarm_connected(w->n->sw) >= 1
                    : st.fetched >= w->fetched) ||
      uv_now(&loop) >= w->deadline)
    uv_stop(&loop);
}

static void
run_until(struct node *n, uint64_t fetched, int connected)
{
  struct wait w;
  memset(&w, 0, sizeof(w));
  w.n = n;
  w.fetched = fetched;
  w.connected = connected;
  uv_update_time(&loop);
  w.deadline = uv_now(&loop) + BENCH_WAIT_MS;
  uv_timer_init(&loop, &w.t);
  w.t.data = &w;
  uv_timer_start(&w.t, on_poll, 1, 1);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_close((uv_handle_t *)&w.t, NULL);
  uv_run(&loop, UV_RUN_NOWAIT);
}

static void
fill(uint8_t *p, size_t len, uint32_t seed)
{
  uint32_t x = seed * 2654435761u + 1;
  size_t i;
  for (i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    p[i] = (uint8_t)x;
  }
}

/* Replicate n blobs of size bytes from a to b; print the figures. */
static int
measure(struct node *a, struct node *b, const char *label, size_t n,
        size_t size, uint32_t base)
{
  uint8_t *h = xmalloc(n * SECURE_HASH_BYTES), *buf = xmalloc(size);
  struct blobx_stats st0, st;
  uint64_t t0, t1;
  double s;
  size_t i;

  t0 = uv_hrtime();
  for (i = 0; i < n; i++) {
    fill(buf, size, base + (uint32_t)i);
    if (blobs_put(a->store, buf, size, h + i * SECURE_HASH_BYTES) != 0)
      return -1;
  }
  t1 = uv_hrtime();
  /* The reference: writing the same blobs into a local store. */
  printf("%s-local %zu %zu %.3f %.0f %.1f\n", label, n, size,
         (double)(t1 - t0) / 1e9, (double)n / ((double)(t1 - t0) / 1e9),
         (double)n * (double)size / ((double)(t1 - t0) / 1e9) / 1e6);
  blobx_get_stats(b->bx, &st0);
  t0 = uv_hrtime();
  for (i = 0; i < n; i++) {
    if (blobx_want(b->bx, h + i * SECURE_HASH_BYTES, size,
                   BLOBX_REPLICATE) != 0)
      return -1;
  }
  run_until(b, st0.fetched + n, 0);
  t1 = uv_hrtime();
  blobx_get_stats(b->bx, &st);
  if (st.fetched != st0.fetched + n) {
    fprintf(stderr, "only %llu of %zu arrived\n",
            (unsigned long long)(st.fetched - st0.fetched), n);
    return -1;
  }
  s = (double)(t1 - t0) / 1e9;
  printf("%s %zu %zu %.3f %.0f %.1f\n", label, n, size, s, (double)n / s,
         (double)n * (double)size / s / 1e6);
  fflush(stdout);
  xfree(h);
  xfree(buf);
  return 0;
}

int
main(int argc, char **argv)
{
  struct node a, b;
  size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 2000;
  size_t size = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 4000;
  size_t big = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) << 20 : 0;
  int rc = 0;

  signal(SIGPIPE, SIG_IGN);
  if (secure_init() != 0 || uv_loop_init(&loop) != 0)
    return 1;
  if (node_start(&a, 1) != 0 || node_start(&b, 2) != 0)
    return 1;
  if (swarm_add_peer(b.sw, identity_public_key(a.id), a.addr) != 0)
    return 1;
  run_until(&b, 0, 1);
  if (measure(&a, &b, "small", n, size, 1) != 0)
    rc = 1;
  if (!rc && big && measure(&a, &b, "big", 1, big, 1000000) != 0)
    rc = 1;
  node_close(&b);
  node_close(&a);
  uv_run(&loop, UV_RUN_DEFAULT);
  node_free(&b);
  node_free(&a);
  if (uv_loop_close(&loop) != 0)
    rc = 1;
  return rc;
}
