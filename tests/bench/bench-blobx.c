/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Blob replication throughput (node/blobx.c): two in-process nodes on
 * 127.0.0.1, real blob stores in temp dirs. Usage: bench-blobx N SIZE
 * [BIG_MB]. Prints "LABEL N BYTES SECONDS blobs_per_s MB_per_s" for N
 * blobs of SIZE bytes, then for one BIG_MB blob; each preceded by a
 * LABEL-local line: storing the same blobs locally with blobs_put (the
 * disk's own speed, for comparison). BENCH_TRACE=1 prints progress. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "node/alloc.h"
#include "node/blobs.h"
#include "node/blobx.h"
#include "tests/support/swarmh.h"

#define BENCH_WAIT_MS 600000 /* give up after this long */
#define BENCH_POLL_MS 1       /* look at the progress this often */

struct wait {
  struct swarmh_node *n;
  uint64_t fetched;
};

/* swarmh_run_until's condition: n fetched w->fetched blobs. */
static int
fetched(void *arg)
{
  struct wait *w = arg;
  struct blobx_stats st;
  static unsigned polls;

  blobx_get_stats(w->n->bx, &st);
  if (getenv("BENCH_TRACE") && ++polls % 50 == 0)
    fprintf(stderr, "t %llu fetched %llu fetching %llu parked %llu "
            "missing %llu\n", (unsigned long long)uv_now(swarmh_loop()),
            (unsigned long long)st.fetched,
            (unsigned long long)st.fetching, (unsigned long long)st.parked,
            (unsigned long long)st.missing);
  return st.fetched >= w->fetched;
}

/* Replicate n blobs of size bytes from a to b; print the figures. */
static int
measure(struct swarmh_node *a, struct swarmh_node *b, const char *label,
        size_t n, size_t size, uint32_t base)
{
  uint8_t *h = xmalloc(n * SECURE_HASH_BYTES), *buf = xmalloc(size);
  struct blobx_stats st0, st;
  struct wait w;
  uint64_t t0, t1;
  double s;
  size_t i;

  t0 = uv_hrtime();
  for (i = 0; i < n; i++) {
    swarmh_fill(buf, size, base + (uint32_t)i);
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
  w.n = b;
  w.fetched = st0.fetched + n;
  (void)swarmh_run_until(fetched, &w, BENCH_WAIT_MS);
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
  struct swarmh_node a, b, *all[] = {&a, &b};
  size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 2000;
  size_t size = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 4000;
  size_t big = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) << 20 : 0;
  int rc = 0, i;

  swarmh_setup(BENCH_POLL_MS);
  for (i = 0; i < 2; i++) {
    swarmh_node_init(all[i], (uint8_t)(i + 1), 9);
    swarmh_start(all[i]);
    swarmh_blobs_start(all[i], NULL);
  }
  if (!swarmh_connect(&b, &a, BENCH_WAIT_MS))
    return 1;
  if (measure(&a, &b, "small", n, size, 1) != 0)
    rc = 1;
  if (!rc && big && measure(&a, &b, "big", 1, big, 1000000) != 0)
    rc = 1;
  swarmh_finish(all, 2);
  return rc;
}
