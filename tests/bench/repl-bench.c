/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Replication benchmark (tests/bench/bench-repl.sh): the log of a
 * 150,000-sentence fully rendered project (tests/bench/log_bench.c's
 * generator) caught up by a new node over two in-process swarms on
 * 127.0.0.1 (SHS, frames, back-pressure, verify + apply). Prints entries/s
 * and the time until the new node has the same state hash (target: 15 s). */
#define main log_bench_main /* reuse log_bench.c's generator, not its main */
#include "tests/bench/log_bench.c"
#undef main

#include <signal.h>

#include <uv.h>

#include "crypto/netkey.h"
#include "node/repl.h"
#include "node/state.h"
#include "node/swarm.h"

#define REPL_TARGET_S 15.0

struct bnode {
  struct identity *id;
  struct db *db;
  struct feed *f;
  struct repl *r;
  struct swarm *sw;
  struct swarm_options so;
};

static uv_loop_t bloop;
static struct wire_hello bhello = {0, NULL, 0, NULL, 0, NULL, 0, "bench"};
static struct bnode na, nb;
static int64_t want_entries;
static double t_start, t_done;

static int
b_member(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  return repl_is_member(((struct bnode *)arg)->r, pub);
}

static void
b_link(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES], int up,
       void *arg)
{
  (void)s;
  repl_link(((struct bnode *)arg)->r, pub, up);
}

static void
b_drained(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
          void *arg)
{
  (void)s;
  repl_drained(((struct bnode *)arg)->r, pub);
}

static void
start(struct bnode *n, struct netkey *net)
{
  char err[256];
  memset(&n->so, 0, sizeof(n->so));
  n->so.id = n->id;
  n->so.net = net;
  n->so.listen = "127.0.0.1:0";
  n->so.hello = &bhello;
  n->so.is_member = b_member;
  n->so.member_arg = n;
  n->so.on_link = b_link;
  n->so.link_arg = n;
  n->so.on_drained = b_drained;
  if (repl_new(&bloop, n->f, n->id, NULL, &n->r) ||
      swarm_start(&bloop, &n->so, &n->sw, err, sizeof(err))) {
    fprintf(stderr, "repl bench: cannot start: %s\n", err);
    exit(1);
  }
  repl_attach(n->r, n->sw);
}

static void
on_poll(uv_timer_t *t)
{
  int64_t n = 0;
  if (db_query_int(nb.db, "SELECT count(*) FROM log_entries", &n) == 0 &&
      n >= want_entries) {
    t_done = wall_s();
    uv_timer_stop(t);
    uv_stop(&bloop);
  } else if (wall_s() - t_start > 10 * REPL_TARGET_S) {
    fprintf(stderr, "repl bench: gave up after %.0f s (%lld of %lld)\n",
            wall_s() - t_start, (long long)n, (long long)want_entries);
    exit(1);
  }
}

int
main(int argc, char **argv)
{
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  uint8_t net[WIRE_NETWORK_ID_BYTES], book[WIRE_BOOK_ID_BYTES], key[32];
  char path[600], errbuf[256], h1[65], h2[65], addr[64];
  struct netkey *nk;
  struct wire_entry e;
  uv_timer_t poll;
  int64_t bytes = 0;
  double t_hash;
  int err;

  signal(SIGPIPE, SIG_IGN);
  log_set_level(LOG_LEVEL_WARN);
  if (secure_init() || uv_loop_init(&bloop))
    return 1;
  memset(net, 0x42, sizeof(net));
  memset(key, 0x17, sizeof(key));
  nk = netkey_from_bytes(key);
  snprintf(path, sizeof(path), "%s/a.key", dir);
  if (identity_create(path, 1, &na.id, errbuf, sizeof(errbuf)))
    return fprintf(stderr, "%s\n", errbuf), 1;
  snprintf(path, sizeof(path), "%s/b.key", dir);
  if (identity_create(path, 1, &nb.id, errbuf, sizeof(errbuf)))
    return fprintf(stderr, "%s\n", errbuf), 1;
  na.db = open_store(dir, "a.db");
  nb.db = open_store(dir, "b.db");
  if ((err = state_set_founder(na.db, identity_public_key(na.id))) ||
      (err = state_set_founder(nb.db, identity_public_key(na.id))) ||
      (err = feed_open(na.db, na.id, net, &na.f)) ||
      (err = feed_open(nb.db, nb.id, net, &nb.f)))
    die("open", err);
  render_project(na.f, book);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_INVITE_CREATE;
  memset(e.invite_id, 1, sizeof(e.invite_id));
  memset(e.key, 1, sizeof(e.key));
  e.max_uses = 1;
  append(na.f, &e, NULL); /* clears e */
  e.op = WIRE_OP_ADMIT;
  memset(e.invite_id, 1, sizeof(e.invite_id));
  memcpy(e.key, identity_public_key(nb.id), WIRE_KEY_BYTES);
  append(na.f, &e, NULL);
  if ((err = db_query_int(na.db, "SELECT count(*) FROM log_entries",
                          &want_entries)) ||
      (err = db_query_int(na.db, "SELECT sum(length(entry)) + 64 * count(*)"
                          " FROM log_entries", &bytes)))
    die("count", err);

  start(&na, nk);
  start(&nb, nk);
  snprintf(addr, sizeof(addr), "127.0.0.1:%d", swarm_port(na.sw));
  uv_timer_init(&bloop, &poll);
  uv_timer_start(&poll, on_poll, 10, 10);
  t_start = wall_s();
  if ((err = swarm_add_peer(nb.sw, identity_public_key(na.id), addr)))
    die("dial", err);
  uv_run(&bloop, UV_RUN_DEFAULT);
  {
    struct state *sa = feed_state(na.f), *sb = feed_state(nb.f);
    if ((err = state_hash_hex(sa, h1)) || (err = state_hash_hex(sb, h2)))
      die("hash", err);
  }
  t_hash = wall_s() - t_start;
  printf("repl: %lld entries (%.1f MB signed) of a %u-sentence rendered "
         "project caught up over the swarm in %.2f s: %.0f entries/s, "
         "%.0f sentences/s\n", (long long)want_entries, bytes / 1e6,
         SENTENCES, t_done - t_start,
         (double)want_entries / (t_done - t_start),
         SENTENCES / (t_done - t_start));
  printf("repl: same state hash on the new node after %.2f s: %s "
         "(target <= %.0f s)\n", t_hash, strcmp(h1, h2) == 0 ? "yes" : "NO",
         REPL_TARGET_S);
  uv_close((uv_handle_t *)&poll, NULL);
  swarm_close(&na.sw);
  swarm_close(&nb.sw);
  repl_close(&na.r);
  repl_close(&nb.r);
  uv_run(&bloop, UV_RUN_DEFAULT);
  (void)uv_loop_close(&bloop);
  feed_free(&na.f);
  feed_free(&nb.f);
  db_close(&na.db);
  db_close(&nb.db);
  identity_free(&na.id);
  identity_free(&nb.id);
  netkey_free(&nk);
  return strcmp(h1, h2) == 0 && t_hash <= REPL_TARGET_S ? 0 : 1;
}
