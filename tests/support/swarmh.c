/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The in-process test swarm; see swarmh.h. */
#include "tests/support/swarmh.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secure.h"
#include "tests/unit/task.h"

static uv_loop_t loop;
static uint64_t poll_every = 5;
static struct wire_hello hello = {0, NULL, 0, NULL, 0, NULL, 0,
                                  "glowtalk test"};

static void
die(const char *what, const char *why)
{
  fprintf(stderr, "swarmh: %s: %s\n", what, why);
  abort();
}

void
swarmh_setup(uint64_t poll_ms)
{
  signal(SIGPIPE, SIG_IGN); /* as the daemon does: EPIPE, not death */
  if (secure_init() != 0)
    die(__func__, "no libsodium");
  if (uv_loop_init(&loop) != 0)
    die(__func__, "no loop");
  poll_every = poll_ms ? poll_ms : 1;
}

uv_loop_t *
swarmh_loop(void)
{
  return &loop;
}

struct waiter {
  uv_timer_t t;
  swarmh_cond_cb cond;
  void *arg;
  uint64_t deadline;
  int met;
};

static void
on_poll(uv_timer_t *h)
{
  struct waiter *w = h->data;
  if ((w->cond && w->cond(w->arg)) || uv_now(&loop) >= w->deadline) {
    w->met = w->cond ? w->cond(w->arg) : 1;
    uv_stop(&loop);
  }
}

int
swarmh_run_until(swarmh_cond_cb cond, void *arg, uint64_t ms)
{
  struct waiter w;
  memset(&w, 0, sizeof(w));
  w.cond = cond;
  w.arg = arg;
  uv_update_time(&loop);
  w.deadline = uv_now(&loop) + ms;
  uv_timer_init(&loop, &w.t);
  w.t.data = &w;
  uv_timer_start(&w.t, on_poll, poll_every, poll_every);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_close((uv_handle_t *)&w.t, NULL);
  uv_run(&loop, UV_RUN_NOWAIT);
  return w.met;
}

void
swarmh_sleep(uint64_t ms)
{
  (void)swarmh_run_until(NULL, NULL, ms);
}

/* ---- the swarm's callbacks ------------------------------------------- */

static int
is_member(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  struct swarmh_node *n = arg;
  n->member_calls++;
  if (n->refuse_all)
    return 0;
  return n->hooks.is_member ? n->hooks.is_member(pub, n->hooks.arg) : 1;
}

static void
on_link(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES], int up,
        void *arg)
{
  struct swarmh_node *n = arg;
  (void)s;
  if (up)
    n->ups++;
  else
    n->downs++;
  if (n->hooks.on_link)
    n->hooks.on_link(pub, up, n->hooks.arg);
  if (n->bx)
    blobx_link(n->bx, pub, up);
}

static void
on_drained(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
           void *arg)
{
  struct swarmh_node *n = arg;
  (void)s;
  n->drained++;
  if (n->hooks.on_drained)
    n->hooks.on_drained(pub, n->hooks.arg);
  if (n->bx)
    blobx_drained(n->bx, pub);
}

/* ---- nodes ----------------------------------------------------------- */

void
swarmh_node_init_as(struct swarmh_node *n, const struct identity *id,
                    uint8_t net_byte)
{
  uint8_t key[NETKEY_BYTES];

  memset(n, 0, sizeof(*n));
  memset(key, net_byte, sizeof(key));
  n->net = netkey_from_bytes(key);
  if (n->net == NULL)
    die(__func__, "no network key");
  n->opts.id = id;
  n->opts.net = n->net;
  n->opts.listen = "127.0.0.1:0";
  n->opts.is_member = is_member;
  n->opts.member_arg = n;
  n->opts.hello = &hello;
  n->opts.on_link = on_link;
  n->opts.link_arg = n;
  n->opts.on_drained = on_drained;
  n->opts.backoff_min_ms = SWARMH_BACKOFF_MIN_MS;
  n->opts.backoff_max_ms = SWARMH_BACKOFF_MAX_MS;
}

void
swarmh_node_init(struct swarmh_node *n, uint8_t seed_byte, uint8_t net_byte)
{
  uint8_t seed[IDENTITY_SEED_BYTES];
  struct identity *id = NULL;

  memset(seed, seed_byte, sizeof(seed));
  if (identity_from_seed(seed, &id) != 0)
    die(__func__, "no identity");
  swarmh_node_init_as(n, id, net_byte);
  n->id = id;
}

void
swarmh_start(struct swarmh_node *n)
{
  char err[256];
  if (swarm_start(&loop, &n->opts, &n->sw, err, sizeof(err)) != 0)
    die(__func__, err);
  snprintf(n->addr, sizeof(n->addr), "127.0.0.1:%d", swarm_port(n->sw));
}

void
swarmh_blobs_start(struct swarmh_node *n, const struct blobx_options *bo)
{
  struct blobx_options def;

  memset(&def, 0, sizeof(def));
  def.replicate = 1;
  n->dir = test_mkdtemp();
  if (blobs_open(n->dir, &n->store) != 0)
    die(__func__, n->dir);
  if (blobx_start(&loop, n->sw, n->store, bo ? bo : &def, &n->bx) != 0)
    die(__func__, "cannot start the blob exchange");
}

void
swarmh_stop(struct swarmh_node *n)
{
  blobx_close(&n->bx);
  swarm_close(&n->sw);
}

void
swarmh_node_free(struct swarmh_node *n)
{
  blobs_close(&n->store);
  if (n->dir)
    test_rmdir(n->dir);
  n->dir = NULL;
  identity_free(&n->id);
  netkey_free(&n->net);
}

void
swarmh_finish(struct swarmh_node **nodes, int n)
{
  int i;
  for (i = 0; i < n; i++)
    swarmh_stop(nodes[i]);
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0)
    die(__func__, "handles left on the loop");
  for (i = 0; i < n; i++)
    swarmh_node_free(nodes[i]);
}

const uint8_t *
swarmh_pub(const struct swarmh_node *n)
{
  return identity_public_key(n->opts.id);
}

int
swarmh_linked(void *arg)
{
  struct swarmh_pair *p = arg;
  return swarm_connected(p->a->sw) >= 1 && swarm_connected(p->b->sw) >= 1;
}

int
swarmh_connect(struct swarmh_node *from, struct swarmh_node *to,
               uint64_t ms)
{
  struct swarmh_pair p = {from, to};
  if (swarm_add_peer(from->sw, swarmh_pub(to), to->addr) != 0)
    return 0;
  return swarmh_run_until(swarmh_linked, &p, ms);
}

void
swarmh_fill(uint8_t *p, size_t len, uint32_t seed)
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
