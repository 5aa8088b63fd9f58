/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* An in-process swarm for unit tests and benchmarks: nodes with keys made
 * from a seed byte, each a swarm on 127.0.0.1 (port 0) on one libuv loop,
 * counters of what the swarm reported, hooks that hand its callbacks on to
 * the module under test, a blob store and exchange per node when asked,
 * and a loop driver that runs until a condition holds. Setup failures
 * abort with a message: tests and benchmarks only. Needs tests/unit/task.c
 * (temp dirs). */
#ifndef GLOWTALK_SWARMH_H
#define GLOWTALK_SWARMH_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "node/blobs.h"
#include "node/blobx.h"
#include "node/swarm.h"

#define SWARMH_ADDR_MAX 64        /* "127.0.0.1:PORT" */
#define SWARMH_BACKOFF_MIN_MS 20  /* redial fast in tests */
#define SWARMH_BACKOFF_MAX_MS 200

/* The module under test, told of what the swarm reports; each optional
 * (is_member unset: everyone is a member unless refuse_all). */
struct swarmh_hooks {
  int (*is_member)(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg);
  void (*on_link)(const uint8_t pub[IDENTITY_PUBLIC_BYTES], int up,
                  void *arg);
  void (*on_drained)(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg);
  void *arg;
};

struct swarmh_node {
  struct identity *id;        /* made from the seed (NULL when borrowed) */
  struct netkey *net;         /* owned */
  struct swarm *sw;           /* while started */
  struct swarm_options opts;  /* set by init; change them before start */
  struct swarmh_hooks hooks;
  int refuse_all;             /* is_member says no to everyone */
  int member_calls;           /* is_member asked */
  int ups, downs, drained;    /* links up, links down, queues drained */
  char addr[SWARMH_ADDR_MAX]; /* where it listens, once started */
  /* swarmh_blobs_start(): */
  char *dir;                  /* temp dir of the blob store */
  struct blobs *store;
  struct blobx *bx;           /* gets the links and drains */
};

/* The shared loop. swarmh_setup() ignores SIGPIPE (as the daemon does),
 * initialises libsodium and the loop; swarmh_run_until() then looks at
 * its condition every poll_ms. One setup per test, one finish. */
void swarmh_setup(uint64_t poll_ms);
uv_loop_t *swarmh_loop(void);

typedef int (*swarmh_cond_cb)(void *arg);
/* Run the loop until cond(arg) holds or ms pass; returns cond's last
 * answer (1 when cond is NULL: just run for ms). */
int swarmh_run_until(swarmh_cond_cb cond, void *arg, uint64_t ms);
void swarmh_sleep(uint64_t ms);

/* A node whose identity is made from seed_byte (swarmh_node_init) or
 * borrowed (swarmh_node_init_as; outlives the node), on the network key
 * of net_byte, not started. opts: listen on 127.0.0.1:0, our callbacks,
 * backoff SWARMH_BACKOFF_*, a test Hello, everything else the swarm's
 * defaults. */
void swarmh_node_init(struct swarmh_node *n, uint8_t seed_byte,
                      uint8_t net_byte);
void swarmh_node_init_as(struct swarmh_node *n, const struct identity *id,
                         uint8_t net_byte);
/* Start the swarm with n->opts; fills n->addr. Again after a stop. */
void swarmh_start(struct swarmh_node *n);
/* Give the node a blob store in a temp dir and start blob exchange with
 * bo (NULL: replicate, all else default) on its swarm. */
void swarmh_blobs_start(struct swarmh_node *n,
                        const struct blobx_options *bo);
/* Close the blob exchange and the swarm (the loop must run to release
 * them). Started or not. */
void swarmh_stop(struct swarmh_node *n);
/* After stop and a run of the loop: release the rest, remove the temp
 * dir. */
void swarmh_node_free(struct swarmh_node *n);
/* Stop all n nodes, run the loop until it is empty, close it (aborting
 * when handles are left), free the nodes. */
void swarmh_finish(struct swarmh_node **nodes, int n);

const uint8_t *swarmh_pub(const struct swarmh_node *n);
/* A condition for swarmh_run_until (arg: a struct swarmh_pair): both
 * nodes have at least one link up. */
struct swarmh_pair {
  struct swarmh_node *a, *b;
};
int swarmh_linked(void *arg);
/* from dials to; runs until both have a link up (at most ms). Returns
 * whether they did. */
int swarmh_connect(struct swarmh_node *from, struct swarmh_node *to,
                   uint64_t ms);

/* Deterministic bytes for seed (blob contents). */
void swarmh_fill(uint8_t *p, size_t len, uint32_t seed);

#endif
