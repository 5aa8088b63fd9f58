/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Swarm connection layer bench: connection setup rate (TCP + secret
 * handshake + Hello both ways, then the authenticated close) and bulk
 * throughput through the bounded write queue, two nodes on one loop over
 * 127.0.0.1. Prints figures measured in one run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "node/log.h"
#include "node/peer.h"
#include "node/swarm.h"

#define BENCH_CONNS 200                 /* connections set up in turn */
#define BENCH_BYTES (256u << 20)        /* bulk bytes sent */
#define BENCH_PAD (64u * 1024)          /* bytes per bulk frame */

static uv_loop_t loop;
static struct identity *ida, *idb;
static struct netkey *net;
static struct wire_hello hello = {WIRE_PROTOCOL_VERSION, NULL, 0, NULL, 0,
                                  NULL, 0, "bench"};
static struct swarm *sa;
static struct peer *cur;
static struct sockaddr_in addr;
static int conns_done;
static uint64_t sent, received;
static size_t max_queued;
static uv_idle_t pump;
static uint8_t pad[BENCH_PAD];

static int
member(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  (void)pub;
  (void)arg;
  return 1;
}

static void dial_next(void);

static void
c_ready(struct peer *p, void *arg)
{
  (void)arg;
  peer_close(p, WIRE_BYE_SHUTDOWN, "bench", 0);
}

static void
c_closed(struct peer *p, int reason, void *arg)
{
  (void)p;
  (void)arg;
  if (reason) {
    fprintf(stderr, "bench: connection failed: %s\n", uv_strerror(reason));
    exit(1);
  }
  conns_done++;
  if (conns_done < BENCH_CONNS)
    dial_next();
}

static const struct peer_callbacks ccb = {NULL, c_ready, NULL, NULL,
                                          c_closed};
static struct peer_config pcfg;

static void
dial_next(void)
{
  if (peer_connect(&loop, &pcfg, (struct sockaddr *)&addr,
                   identity_public_key(ida), &ccb, NULL, &cur) != 0) {
    fprintf(stderr, "bench: dial failed\n");
    exit(1);
  }
}

/* Bulk: B's connection to A sends padded pings while it may. */
static void
b_ready(struct peer *p, void *arg)
{
  (void)arg;
  cur = p;
  uv_idle_start(&pump, NULL);
}

static void
on_pump(uv_idle_t *h)
{
  struct wire_frame f;
  struct peer_stats st;
  struct peer *pa = swarm_peer(sa, identity_public_key(idb));

  (void)h;
  if (pa) {
    peer_get_stats(pa, &st);
    received = st.bytes_in;
  }
  if (received >= BENCH_BYTES) {
    uv_idle_stop(&pump);
    peer_close(cur, WIRE_BYE_SHUTDOWN, "done", 0);
    return;
  }
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_PING;
  f.u.ping.padding = pad;
  f.u.ping.padding_len = sizeof(pad);
  while (sent < BENCH_BYTES + BENCH_PAD * 4 && peer_can_send(cur)) {
    if (peer_send(cur, &f) != 0)
      exit(1);
    sent += sizeof(pad);
    peer_get_stats(cur, &st);
    if (st.queued > max_queued)
      max_queued = st.queued;
  }
}

static void
b_closed(struct peer *p, int reason, void *arg)
{
  (void)p;
  (void)reason;
  (void)arg;
}

int
main(void)
{
  uint8_t seed[IDENTITY_SEED_BYTES], key[NETKEY_BYTES];
  struct swarm_options o;
  struct peer_callbacks bcb = {NULL, b_ready, NULL, NULL, b_closed};
  char err[256];
  uint64_t t0, t1;
  double s;

  signal(SIGPIPE, SIG_IGN);
  log_set_level(LOG_LEVEL_WARN);
  if (secure_init() != 0)
    return 1;
  memset(seed, 1, sizeof(seed));
  if (identity_from_seed(seed, &ida) != 0)
    return 1;
  memset(seed, 2, sizeof(seed));
  if (identity_from_seed(seed, &idb) != 0)
    return 1;
  memset(key, 7, sizeof(key));
  net = netkey_from_bytes(key);
  uv_loop_init(&loop);
  memset(&o, 0, sizeof(o));
  o.id = ida;
  o.net = net;
  o.listen = "127.0.0.1:0";
  o.is_member = member;
  o.hello = &hello;
  if (swarm_start(&loop, &o, &sa, err, sizeof(err)) != 0) {
    fprintf(stderr, "bench: %s\n", err);
    return 1;
  }
  uv_ip4_addr("127.0.0.1", swarm_port(sa), &addr);
  pcfg.id = idb;
  pcfg.net = net;
  pcfg.hello = &hello;

  /* 1. Connection setup rate. */
  uv_update_time(&loop);
  t0 = uv_hrtime();
  dial_next();
  while (conns_done < BENCH_CONNS)
    uv_run(&loop, UV_RUN_ONCE);
  t1 = uv_hrtime();
  s = (double)(t1 - t0) / 1e9;
  printf("swarm connect: %d connections (TCP + SHS + Hello + close) in "
         "%.3f s: %.0f/s, %.2f ms each\n", BENCH_CONNS, s,
         BENCH_CONNS / s, s * 1000.0 / BENCH_CONNS);

  /* 2. Bulk throughput with back-pressure. */
  uv_idle_init(&loop, &pump);
  pump.data = NULL;
  uv_idle_start(&pump, on_pump);
  uv_idle_stop(&pump);
  if (peer_connect(&loop, &pcfg, (struct sockaddr *)&addr,
                   identity_public_key(ida), &bcb, NULL, &cur) != 0)
    return 1;
  t0 = 0;
  while (received < BENCH_BYTES) {
    if (!t0 && cur && peer_is_ready(cur)) {
      t0 = uv_hrtime();
      uv_idle_start(&pump, on_pump);
    }
    uv_run(&loop, UV_RUN_ONCE);
  }
  t1 = uv_hrtime();
  s = (double)(t1 - t0) / 1e9;
  printf("swarm bulk: %u MiB in %u KiB frames in %.3f s: %.0f MiB/s, "
         "%.0f frames/s; largest write queue %zu KiB (soft cap %u KiB)\n",
         BENCH_BYTES >> 20, BENCH_PAD >> 10, s,
         (double)(BENCH_BYTES >> 20) / s,
         (double)BENCH_BYTES / BENCH_PAD / s, max_queued >> 10,
         PEER_QUEUE_SOFT >> 10);
  printf("  queue bound held: %s\n",
         max_queued <= PEER_QUEUE_SOFT + BENCH_PAD + 64 ? "yes" : "NO");
  uv_close((uv_handle_t *)&pump, NULL);
  swarm_close(&sa);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  identity_free(&ida);
  identity_free(&idb);
  netkey_free(&net);
  return 0;
}
