/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Log replication (node/repl.c) between two and three swarms in one
 * process on 127.0.0.1, each with a real feed in its own temp store. */
#include "tests/unit/task.h"

#include <stdio.h>
#include <unistd.h>

#include <uv.h>
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define T_VALGRIND RUNNING_ON_VALGRIND
#else
#define T_VALGRIND 0
#endif

#include "crypto/identity.h"
#include "node/alloc.h"
#include "node/feed.h"
#include "node/invites.h"
#include "node/json.h"
#include "node/peer.h"
#include "node/repl.h"
#include "node/state.h"
#include "node/swarm.h"
#include "tests/support/swarmh.h"
#include "tests/unit/logtest.h"

#define T_WAIT_MS 20000 /* longest wait for any condition */
#define T_POLL_MS 5     /* conditions are looked at this often */

struct rnode {
  struct tauthor au;          /* identity (and hand-signing) */
  char *dir;
  struct db *db;
  struct feed *f;
  struct repl *r;
  struct repl_options ro;
  struct swarmh_node h;       /* its swarm (h.opts: change before start) */
  int no_repl;                /* a bare swarm (a hand-driven relay) */
  int started;
};

static int
t_member(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  struct rnode *n = arg;
  return n->r ? repl_is_member(n->r, pub) : 1;
}

static void
t_link(const uint8_t pub[IDENTITY_PUBLIC_BYTES], int up, void *arg)
{
  struct rnode *n = arg;
  if (n->r)
    repl_link(n->r, pub, up);
}

static void
t_drained(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  struct rnode *n = arg;
  if (n->r)
    repl_drained(n->r, pub);
}

/* A node with identity number idx in its own dir, store pinned to
 * founder (NULL: itself). */
static void
rnode_init(struct rnode *n, int idx, const uint8_t *founder)
{
  memset(n, 0, sizeof(*n));
  n->dir = test_mkdtemp();
  lt_author(&n->au, n->dir, idx);
  lt_store(n->dir, "glowtalk.db", founder ? founder : n->au.key, n->au.id,
           &n->db, &n->f);
  feed_set_head_dir(n->f, n->dir);
  swarmh_node_init_as(&n->h, n->au.id, 0x5a);
  n->h.hooks.is_member = t_member;
  n->h.hooks.on_link = t_link;
  n->h.hooks.on_drained = t_drained;
  n->h.hooks.arg = n;
  n->h.opts.ping_ms = 500;
  n->h.opts.idle_ms = 5000;
  n->h.opts.handshake_ms = 2000;
  n->ro.heads_ms = 300;
  n->ro.tick_ms = 20;
  n->ro.stall_ms = 2000;
}

static void
rnode_start(struct rnode *n)
{
  if (!n->no_repl)
    ASSERT_OK(repl_new(swarmh_loop(), n->f, n->au.id, &n->ro, &n->r));
  swarmh_start(&n->h);
  if (n->r)
    repl_attach(n->r, n->h.sw);
  n->started = 1;
}

static void
rnode_stop(struct rnode *n)
{
  if (!n->started)
    return;
  swarmh_stop(&n->h);
  repl_close(&n->r);
  swarmh_sleep(30); /* let the handles close */
  n->started = 0;
}

static void
rnode_free(struct rnode *n)
{
  rnode_stop(n);
  feed_free(&n->f);
  db_close(&n->db);
  swarmh_node_free(&n->h);
  lt_author_free(&n->au);
  test_rmdir(n->dir);
}

/* Append a BookCreate as n (its own feed). */
static int
append_book(struct rnode *n, int i)
{
  struct wire_entry e;
  char name[32];
  int err;
  memset(&e, 0, sizeof(e));
  snprintf(name, sizeof(name), "book %d", i);
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("glowfic:post:1");
  e.name = xstrdup(name);
  err = feed_append(n->f, &e, NULL);
  wire_entry_clear(&e);
  return err;
}

static void
append_books(struct rnode *n, int count)
{
  int i;
  ASSERT_OK(feed_begin(n->f));
  for (i = 0; i < count; i++)
    ASSERT_OK(append_book(n, i));
  ASSERT_OK(feed_commit(n->f));
}

/* founder admits who through its own feed (InviteCreate + Admit). */
static void
admit(struct rnode *founder, const uint8_t *who, uint8_t tag)
{
  struct wire_entry e;
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_INVITE_CREATE;
  memset(e.invite_id, tag, sizeof(e.invite_id));
  memset(e.key, tag, sizeof(e.key));
  e.max_uses = 1;
  ASSERT_OK(feed_append(founder->f, &e, NULL));
  e.op = WIRE_OP_ADMIT;
  memcpy(e.key, who, WIRE_KEY_BYTES);
  ASSERT_OK(feed_append(founder->f, &e, NULL));
}

static int64_t
entries(struct rnode *n)
{
  return lt_count(n->db, "SELECT count(*) FROM log_entries");
}

static int
same_hash(struct rnode *a, struct rnode *b)
{
  char ha[65], hb[65];
  lt_hash(a->f, ha);
  lt_hash(b->f, hb);
  return strcmp(ha, hb) == 0 && entries(a) == entries(b);
}

struct two {
  struct rnode *a, *b, *c;
};

static int
two_same(void *arg)
{
  struct two *t = arg;
  return same_hash(t->a, t->b);
}

static int
three_same(void *arg)
{
  struct two *t = arg;
  return same_hash(t->a, t->b) && same_hash(t->a, t->c);
}

static int
a_alone(void *arg)
{
  struct two *t = arg;
  return swarm_connected(t->a->h.sw) == 0;
}

static int
both_up(void *arg)
{
  struct two *t = arg;
  return swarm_connected(t->a->h.sw) == 1 && swarm_connected(t->b->h.sw) == 1;
}

/* Catch-up of N entries, then live push of a new one. */
TEST_IMPL(repl_catch_up_and_live_push)
{
  struct rnode a, b;
  struct two t = {&a, &b, NULL};
  struct repl_peer_stats ps;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&b, 1, a.au.key);
  admit(&a, b.au.key, 1);
  append_books(&a, 500);
  rnode_start(&a);
  rnode_start(&b);
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  ASSERT_EQ(entries(&b), 502);
  /* Live: a new entry of A reaches B without waiting for anti-entropy. */
  ASSERT_OK(append_book(&a, 999));
  ASSERT(swarmh_run_until(two_same, &t, 250));
  ASSERT_EQ(entries(&b), 503);
  /* B is a member now: its own entries flow back. */
  ASSERT_OK(append_book(&b, 1));
  ASSERT(swarmh_run_until(two_same, &t, 250));
  ASSERT_OK(repl_peer_stats(a.r, b.au.key, &ps));
  ASSERT_EQ(ps.entries_out, 503);
  ASSERT_EQ(ps.entries_in, 1);
  ASSERT_EQ(ps.lag, 0);
  ASSERT_EQ(repl_behind(b.r), 0);
  rnode_free(&b);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

/* Three authors write concurrently; C's entries reach B through A. */
TEST_IMPL(repl_three_authors_converge)
{
  struct rnode a, b, c;
  struct two t = {&a, &b, &c};
  int i;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&b, 1, a.au.key);
  rnode_init(&c, 2, a.au.key);
  admit(&a, b.au.key, 1);
  admit(&a, c.au.key, 2);
  rnode_start(&a);
  rnode_start(&b);
  rnode_start(&c);
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT_OK(swarm_add_peer(c.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(three_same, &t, T_WAIT_MS));
  for (i = 0; i < 40; i++) {
    ASSERT_OK(append_book(&a, i));
    ASSERT_OK(append_book(&b, 100 + i));
    ASSERT_OK(append_book(&c, 200 + i));
    if (i % 10 == 0)
      swarmh_sleep(5);
  }
  ASSERT(swarmh_run_until(three_same, &t, T_WAIT_MS));
  ASSERT_EQ(entries(&c), 4 + 120);
  rnode_free(&c);
  rnode_free(&b);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

/* A member relaying an entry with a bad signature is dropped; nothing of
 * it is stored. */
TEST_IMPL(repl_forged_entry_drops_relay)
{
  struct rnode a, b;
  struct two t = {&a, &b, NULL};
  struct wire_entry e;
  struct wire_frame fr;
  struct wire_bytes item;
  struct tauthor fake;
  uint8_t *buf, id[WIRE_HASH_BYTES];
  size_t len;
  int64_t before;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&b, 1, a.au.key);
  admit(&a, b.au.key, 1);
  rnode_start(&a);
  rnode_start(&b);
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  ASSERT(swarmh_run_until(both_up, &t, T_WAIT_MS));
  /* An entry claiming to be A's next, signed by another key. */
  lt_author(&fake, b.dir, 9);
  memcpy(fake.key, a.au.key, WIRE_KEY_BYTES);
  fake.seq = 2;
  {
    /* prev = id of A's seq 2 (its Admit), so only the signature is bad */
    struct tauthor *fa = &fake;
    uint8_t *b3;
    size_t l3;
    uint8_t *ent;
    size_t elen;
    uint8_t sig[WIRE_SIG_BYTES];
    ASSERT_OK(feed_get(a.f, a.au.key, 2, &b3, &l3));
    ASSERT_OK(wire_signed_decode(b3, l3, &ent, &elen, sig));
    feed_entry_id(ent, elen, fa->last);
    xfree(ent);
    xfree(b3);
    fa->lamport = 100;
  }
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w");
  e.name = xstrdup("forged");
  buf = lt_next(&fake, &e, 0, &len, id);
  wire_entry_clear(&e);
  before = entries(&a);
  item.data = buf;
  item.len = len;
  memset(&fr, 0, sizeof(fr));
  fr.kind = WIRE_REPL_ENTRIES;
  fr.u.entries.items = &item;
  fr.u.entries.n = 1;
  ASSERT_OK(peer_send(swarm_peer(b.h.sw, a.au.key), &fr));
  xfree(buf);
  ASSERT(swarmh_run_until(a_alone, &t, T_WAIT_MS));
  ASSERT_EQ(entries(&a), before);
  ASSERT_EQ(lt_count(a.db, "SELECT count(*) FROM log_forks"), 0);
  lt_author_free(&fake);
  rnode_free(&b);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

/* A node the log does not admit is refused; a removed member is dropped
 * and stays out. */
TEST_IMPL(repl_non_member_refused_and_removed_dropped)
{
  struct rnode a, b, c;
  struct two t = {&a, &b, NULL};
  struct wire_entry e;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&b, 1, a.au.key);
  rnode_init(&c, 2, a.au.key);
  admit(&a, b.au.key, 1);
  rnode_start(&a);
  rnode_start(&b);
  rnode_start(&c);
  ASSERT_OK(swarm_add_peer(c.h.sw, a.au.key, a.h.addr));
  swarmh_sleep(300);
  ASSERT_EQ(swarm_connected(a.h.sw), 0);
  ASSERT_EQ(entries(&c), 0);
  rnode_stop(&c);
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  ASSERT(swarmh_run_until(both_up, &t, T_WAIT_MS));
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_REMOVE;
  memcpy(e.key, b.au.key, WIRE_KEY_BYTES);
  ASSERT_OK(feed_append(a.f, &e, NULL));
  ASSERT(swarmh_run_until(a_alone, &t, T_WAIT_MS));
  swarmh_sleep(400); /* B redials: refused */
  ASSERT_EQ(swarm_connected(a.h.sw), 0);
  rnode_free(&c);
  rnode_free(&b);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

/* A removed founder is out too: its being the founder no longer admits
 * it (the founder is otherwise a member before its Found arrives). */
TEST_IMPL(repl_removed_founder_refused)
{
  struct rnode a, b;
  struct two t = {&a, &b, NULL};
  struct wire_entry e;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&b, 1, a.au.key);
  admit(&a, b.au.key, 1);
  rnode_start(&a);
  rnode_start(&b);
  ASSERT_EQ(repl_is_member(b.r, a.au.key), 1); /* the founder, by rule */
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  ASSERT(swarmh_run_until(both_up, &t, T_WAIT_MS));
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_REMOVE;
  memcpy(e.key, a.au.key, WIRE_KEY_BYTES);
  ASSERT_OK(feed_append(b.f, &e, NULL));
  ASSERT_EQ(invites_is_removed(b.db, a.au.key), 1);
  ASSERT_EQ(invites_is_removed(b.db, b.au.key), 0);
  ASSERT_EQ(repl_is_member(b.r, a.au.key), 0);
  ASSERT(swarmh_run_until(a_alone, &t, T_WAIT_MS));
  swarmh_sleep(400); /* no redial from B; A's are refused */
  ASSERT_EQ(swarm_connected(b.h.sw), 0);
  rnode_free(&b);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

#define T_SOFT (64u << 10) /* a small soft cap: back-pressure is hit */

/* 20,000 entries (~2 MB; 2,000 under valgrind, still 3 soft caps' worth):
 * the write queue reaches the soft cap and never passes it by more than
 * one frame; on_drained resumes the stream. */
TEST_IMPL(repl_big_catch_up_respects_soft_cap)
{
  struct rnode a, b;
  struct two t = {&a, &b, NULL};
  struct repl_peer_stats ps;
  int i, rounds = T_VALGRIND ? 1 : 10;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&b, 1, a.au.key);
  admit(&a, b.au.key, 1);
  for (i = 0; i < rounds; i++)
    append_books(&a, 2000);
  a.h.opts.queue_soft = T_SOFT;
  a.h.opts.queue_hard = 4 * T_SOFT;
  rnode_start(&a);
  rnode_start(&b);
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(two_same, &t, 120000));
  ASSERT_EQ(entries(&b), 2000 * rounds + 2);
  ASSERT_OK(repl_peer_stats(a.r, b.au.key, &ps));
  ASSERT_GE(ps.max_queued, T_SOFT / 2);
  ASSERT_LE(ps.max_queued, T_SOFT + REPL_BATCH_BYTES);
  ASSERT_EQ(ps.entries_out, 2000 * rounds + 2);
  rnode_free(&b);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

/* Per-author quota: over it the rest is deferred and asked again, not
 * lost. */
TEST_IMPL(repl_quota_defers_not_loses)
{
  struct rnode a, b;
  struct two t = {&a, &b, NULL};
  uint64_t t0;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&b, 1, a.au.key);
  admit(&a, b.au.key, 1);
  append_books(&a, 600);
  b.ro.quota = 100;
  b.ro.quota_ms = 100;
  rnode_start(&a);
  rnode_start(&b);
  uv_update_time(swarmh_loop());
  t0 = uv_now(swarmh_loop());
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  uv_update_time(swarmh_loop());
  /* 602 entries at 100 per 100 ms take at least five windows. */
  ASSERT_GE(uv_now(swarmh_loop()) - t0, 500);
  rnode_free(&b);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

/* Entries of a member whose Admit has not arrived wait in quarantine and
 * are applied when it does. A hand-driven relay (A's key, no replicator)
 * sends B's entries first. */
TEST_IMPL(repl_quarantine_until_admitted)
{
  struct rnode a, d;
  struct tauthor b;
  struct wire_entry e;
  struct wire_frame fr;
  struct wire_bytes items[8];
  uint8_t id[WIRE_HASH_BYTES];
  size_t i;
  int k;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&d, 3, a.au.key);
  lt_author(&b, a.dir, 1);
  a.no_repl = 1;
  rnode_start(&a);
  rnode_start(&d);
  /* A's membership entries, signed by hand: InviteCreate, Admit(B). */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_INVITE_CREATE;
  memset(e.invite_id, 4, sizeof(e.invite_id));
  memset(e.key, 4, sizeof(e.key));
  e.max_uses = 1;
  items[0].data = lt_next(&a.au, &e, 0, &items[0].len, id);
  e.op = WIRE_OP_ADMIT;
  memcpy(e.key, b.key, WIRE_KEY_BYTES);
  items[1].data = lt_next(&a.au, &e, 0, &items[1].len, id);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w");
  e.name = xstrdup("b");
  for (i = 2; i < 8; i++)
    items[i].data = lt_next(&b, &e, a.au.lamport, &items[i].len, id);
  wire_entry_clear(&e);
  ASSERT_OK(swarm_add_peer(a.h.sw, d.au.key, d.h.addr));
  for (k = 0; k < 200 && !swarm_peer(a.h.sw, d.au.key); k++)
    swarmh_sleep(10);
  ASSERT_NOT_NULL(swarm_peer(a.h.sw, d.au.key));
  memset(&fr, 0, sizeof(fr));
  fr.kind = WIRE_REPL_ENTRIES;
  fr.u.entries.items = items + 2;
  fr.u.entries.n = 6;
  ASSERT_OK(peer_send(swarm_peer(a.h.sw, d.au.key), &fr));
  for (k = 0; k < 200 && repl_quarantined(d.r) < 6; k++)
    swarmh_sleep(10);
  ASSERT_EQ(repl_quarantined(d.r), 6);
  ASSERT_EQ(entries(&d), 0);
  fr.u.entries.items = items;
  fr.u.entries.n = 2;
  ASSERT_OK(peer_send(swarm_peer(a.h.sw, d.au.key), &fr));
  for (k = 0; k < 200 && entries(&d) < 8; k++)
    swarmh_sleep(10);
  ASSERT_EQ(entries(&d), 8);
  ASSERT_EQ(repl_quarantined(d.r), 0);
  for (i = 0; i < 8; i++)
    xfree((void *)items[i].data);
  lt_author_free(&b);
  rnode_free(&d);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

static int
b_caught_up(void *arg)
{
  struct two *t = arg;
  return t->b->r && repl_behind(t->b->r) == 0 && same_hash(t->a, t->b);
}

static int
b_fenced(void *arg)
{
  struct two *t = arg;
  return repl_behind(t->b->r) > 0;
}

/* B loses its database but keeps its key: fenced (by its head file, and
 * by A's report when the files are gone too) until it has its own feed
 * back; then it appends after it, never forking it. */
TEST_IMPL(repl_wiped_db_is_fenced_then_catches_up)
{
  struct rnode a, b;
  struct two t = {&a, &b, NULL};
  char path[600];
  uint64_t n = 0;
  int round;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&b, 1, a.au.key);
  admit(&a, b.au.key, 1);
  rnode_start(&a);
  rnode_start(&b);
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  append_books(&b, 5);
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  for (round = 0; round < 2; round++) {
    /* Wipe B's store; round 1 also loses the head file. */
    rnode_stop(&b);
    feed_free(&b.f);
    db_close(&b.db);
    snprintf(path, sizeof(path), "%s/glowtalk.db", b.dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/glowtalk.db-wal", b.dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/glowtalk.db-shm", b.dir);
    unlink(path);
    if (round == 1) {
      snprintf(path, sizeof(path), "%s/%s", b.dir, FEED_HEAD_FILE);
      ASSERT_OK(unlink(path));
      /* and the fence A's report left in round 0 */
      snprintf(path, sizeof(path), "%s/%s", b.dir, FEED_FENCE_FILE);
      (void)unlink(path);
    }
    lt_store(b.dir, "glowtalk.db", a.au.key, b.au.id, &b.db, &b.f);
    feed_set_head_dir(b.f, b.dir);
    ASSERT_OK(feed_behind(b.f, &n));
    ASSERT_EQ(n, round == 0 ? 5 : 0);
    if (round == 0)
      ASSERT_EQ(append_book(&b, 77), ERR_BEHIND);
    /* Round 1: a slow catch-up, so A's report fences B meanwhile. */
    b.ro.quota = round == 1 ? 1 : 0;
    b.ro.quota_ms = round == 1 ? 300 : 0;
    rnode_start(&b);
    ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
    if (round == 1) {
      ASSERT(swarmh_run_until(b_fenced, &t, T_WAIT_MS));
      ASSERT_EQ(append_book(&b, 77), ERR_BEHIND);
    }
    ASSERT(swarmh_run_until(b_caught_up, &t, T_WAIT_MS));
    ASSERT_EQ(lt_count(b.db, "SELECT count(*) FROM log_entries"),
              lt_count(a.db, "SELECT count(*) FROM log_entries"));
    ASSERT_OK(append_book(&b, 78 + round));
    ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  }
  ASSERT_EQ(lt_count(a.db, "SELECT count(*) FROM log_forks"), 0);
  ASSERT_EQ(lt_count(a.db, "SELECT count(*) FROM log_frozen"), 0);
  /* B's feed at A: 5 + 1 + 1 entries, seqs 1..7, no gap, no fork. */
  ASSERT_EQ(lt_count(a.db, "SELECT max(seq) FROM log_entries"), 7);
  ASSERT_EQ(lt_count(a.db, "SELECT count(*) FROM log_entries GROUP BY "
                           "author ORDER BY 1 DESC LIMIT 1"), 7);
  rnode_free(&b);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

static int
reconnected(void *arg)
{
  struct rnode *a = arg;
  struct json *j = swarm_peers_json(a->h.sw);
  char *text = json_print(j, 0);
  int yes = strstr(text, "\"connects\":2") != NULL &&
            swarm_connected(a->h.sw) == 1;
  json_free(j);
  xfree(text);
  return yes;
}

/* A peer whose heads promise entries and that sends none is asked again,
 * then dropped (and redialled). A is a bare swarm driven by hand. */
TEST_IMPL(repl_stalled_peer_is_dropped)
{
  struct rnode a, d;
  struct wire_repl_head h;
  struct wire_frame fr;
  int k;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&d, 3, a.au.key);
  d.ro.stall_ms = 50;
  a.no_repl = 1;
  rnode_start(&a);
  rnode_start(&d);
  ASSERT_OK(swarm_add_peer(a.h.sw, d.au.key, d.h.addr));
  for (k = 0; k < 200 && !swarm_peer(a.h.sw, d.au.key); k++)
    swarmh_sleep(10);
  ASSERT_NOT_NULL(swarm_peer(a.h.sw, d.au.key));
  memset(&h, 0, sizeof(h));
  h.author = a.au.key; /* the founder: a member, so D expects entries */
  h.seq = 10;
  memset(&fr, 0, sizeof(fr));
  fr.kind = WIRE_REPL_HEADS;
  fr.u.heads.heads = &h;
  fr.u.heads.n = 1;
  ASSERT_OK(peer_send(swarm_peer(a.h.sw, d.au.key), &fr));
  ASSERT(swarmh_run_until(reconnected, &a, T_WAIT_MS));
  ASSERT_EQ(entries(&d), 0);
  rnode_free(&d);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

/* The replication frames round-trip and their caps hold both ways. */
TEST_IMPL(repl_frames_roundtrip_and_caps)
{
  struct wire_repl_head hv[2];
  struct wire_bytes items[2];
  struct wire_frame f, g;
  uint8_t k1[32], k2[32], *buf;
  size_t len;

  memset(k1, 1, sizeof(k1));
  memset(k2, 2, sizeof(k2));
  memset(hv, 0, sizeof(hv));
  hv[0].author = k1;
  hv[0].seq = 7;
  hv[1].author = k2;
  hv[1].seq = 1ull << 40;
  hv[1].id = k1;
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_REPL_HEADS;
  f.u.heads.heads = hv;
  f.u.heads.n = 2;
  f.u.heads.want = 1;
  ASSERT_OK(wire_frame_encode(&f, &buf, &len));
  ASSERT_OK(wire_frame_decode(buf, len, &g));
  xfree(buf);
  ASSERT_EQ(g.kind, WIRE_REPL_HEADS);
  ASSERT_EQ(g.u.heads.n, 2);
  ASSERT_EQ(g.u.heads.want, 1);
  ASSERT_EQ(g.u.heads.heads[1].seq, 1ull << 40);
  ASSERT(memcmp(g.u.heads.heads[0].author, k1, 32) == 0);
  ASSERT_NULL(g.u.heads.heads[0].id);
  ASSERT(memcmp(g.u.heads.heads[1].id, k1, 32) == 0);
  wire_frame_free(&g);
  items[0].data = k1;
  items[0].len = 32;
  items[1].data = k2;
  items[1].len = 5;
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_REPL_ENTRIES;
  f.u.entries.items = items;
  f.u.entries.n = 2;
  ASSERT_OK(wire_frame_encode(&f, &buf, &len));
  ASSERT_OK(wire_frame_decode(buf, len, &g));
  xfree(buf);
  ASSERT_EQ(g.kind, WIRE_REPL_ENTRIES);
  ASSERT_EQ(g.u.entries.n, 2);
  ASSERT_EQ(g.u.entries.items[1].len, 5);
  ASSERT(memcmp(g.u.entries.items[1].data, k2, 5) == 0);
  wire_frame_free(&g);
  /* Over the count caps: refused on encode. */
  f.u.entries.n = WIRE_REPL_ENTRIES_MAX + 1;
  ASSERT_EQ(wire_frame_encode(&f, &buf, &len), ERR_INVAL);
  f.kind = WIRE_REPL_HEADS;
  f.u.heads.heads = hv;
  f.u.heads.n = WIRE_REPL_HEADS_MAX + 1;
  ASSERT_EQ(wire_frame_encode(&f, &buf, &len), ERR_INVAL);
  {
    /* A head whose author is not 32 bytes, and too many entries, built
     * by hand (field 16: heads{1: author(3 B), 2: seq}). */
    static const uint8_t bad_head[] = {0x82, 0x01, 0x07, 0x0a, 0x05, 0x0a,
                                       0x03, 1, 2, 3};
    uint8_t *many;
    size_t i, n = WIRE_REPL_ENTRIES_MAX + 1, pos = 0;
    ASSERT_EQ(wire_frame_decode(bad_head, sizeof(bad_head), &g), ERR_PARSE);
    /* field 17 (ReplEntries) of n empty entries: 0x8a 0x01 len, then
     * n x (0x0a 0x00) */
    many = xmalloc(8 + 2 * n);
    many[pos++] = 0x8a;
    many[pos++] = 0x01;
    many[pos++] = (uint8_t)(0x80 | ((2 * n) & 0x7f));
    many[pos++] = (uint8_t)((2 * n) >> 7);
    for (i = 0; i < n; i++) {
      many[pos++] = 0x0a;
      many[pos++] = 0x00;
    }
    ASSERT_EQ(wire_frame_decode(many, pos, &g), ERR_TOO_BIG);
    xfree(many);
  }
  return 0;
}

static int
both_frozen(void *arg)
{
  struct two *t = arg;
  return lt_count(t->a->db, "SELECT count(*) FROM log_frozen") == 1 &&
         lt_count(t->b->db, "SELECT count(*) FROM log_frozen") == 1 &&
         same_hash(t->a, t->b);
}

/* Receive buf into n's store through a second connection. */
static int
side_recv(struct rnode *n, const uint8_t *buf, size_t len)
{
  struct feed_result res;
  struct db *db;
  struct feed *f;
  char path[600], errbuf[256];

  snprintf(path, sizeof(path), "%s/glowtalk.db", n->dir);
  if (db_open_store(path, &db, errbuf, sizeof(errbuf)))
    ASSERT_FAIL_("%s", errbuf);
  ASSERT_OK(feed_open(db, n->au.id, lt_net, &f));
  ASSERT_OK(feed_receive(f, buf, len, NULL, &res));
  feed_free(&f);
  db_close(&db);
  return res.verdict;
}

/* A member signs two entries at one seq and gives one to A, the other to
 * C: the head ids differ, the nodes swap their entries, both keep the
 * proof and freeze the author, and their states agree. */
TEST_IMPL(repl_fork_is_detected_across_nodes)
{
  struct rnode a, c;
  struct two t = {&a, &c, NULL};
  struct tauthor f, f2;
  struct wire_entry e;
  uint8_t *x, *y, id[WIRE_HASH_BYTES];
  size_t xl, yl;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&c, 2, a.au.key);
  lt_author(&f, a.dir, 5);
  admit(&a, c.au.key, 1);
  admit(&a, f.key, 2);
  rnode_start(&a);
  rnode_start(&c);
  ASSERT_OK(swarm_add_peer(c.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w");
  e.name = xstrdup("one");
  f2 = f; /* the same key and feed position: a second branch */
  x = lt_next(&f, &e, 1000, &xl, id);
  xfree(e.name);
  e.name = xstrdup("two");
  y = lt_next(&f2, &e, 1000, &yl, id);
  wire_entry_clear(&e);
  /* Through another connection, as another process would write. */
  ASSERT_EQ(side_recv(&a, x, xl), FEED_ACCEPTED);
  ASSERT_EQ(side_recv(&c, y, yl), FEED_ACCEPTED);
  ASSERT(swarmh_run_until(both_frozen, &t, T_WAIT_MS));
  ASSERT_EQ(lt_count(a.db, "SELECT count(*) FROM log_forks"), 1);
  ASSERT_EQ(lt_count(c.db, "SELECT count(*) FROM log_forks"), 1);
  xfree(x);
  xfree(y);
  lt_author_free(&f);
  rnode_free(&c);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}

/* A peer's honest report of our feed (a wiped store catching up) keeps
 * the fence while that peer is away: its disconnection is not the
 * watchdog catching a liar (that case: tests/integration/attack.t). */
TEST_IMPL(repl_reported_fence_survives_disconnect)
{
  struct rnode a, b;
  struct two t = {&a, &b, NULL};
  char path[600];
  static const char *const sfx[] = {"", "-wal", "-shm"};
  int i;

  swarmh_setup(T_POLL_MS);
  rnode_init(&a, 0, NULL);
  rnode_init(&b, 1, a.au.key);
  admit(&a, b.au.key, 1);
  rnode_start(&a);
  rnode_start(&b);
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  append_books(&b, 5);
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  /* B loses its store and its head file; a slow catch-up. */
  rnode_stop(&b);
  feed_free(&b.f);
  db_close(&b.db);
  for (i = 0; i < 3; i++) {
    snprintf(path, sizeof(path), "%s/glowtalk.db%s", b.dir, sfx[i]);
    unlink(path);
  }
  snprintf(path, sizeof(path), "%s/%s", b.dir, FEED_HEAD_FILE);
  ASSERT_OK(unlink(path));
  lt_store(b.dir, "glowtalk.db", a.au.key, b.au.id, &b.db, &b.f);
  feed_set_head_dir(b.f, b.dir);
  b.ro.quota = 1;
  b.ro.quota_ms = 300;
  rnode_start(&b);
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(b_fenced, &t, T_WAIT_MS));
  /* A goes away before B has its feed back: B stays fenced, through
   * several fence reviews. */
  rnode_stop(&a);
  (void)swarmh_run_until(NULL, NULL, 5 * b.ro.heads_ms);
  ASSERT(repl_behind(b.r) > 0);
  ASSERT_EQ(append_book(&b, 77), ERR_BEHIND);
  /* A comes back: B catches up, the fence lifts, B appends after it. */
  rnode_start(&a);
  ASSERT_OK(swarm_add_peer(b.h.sw, a.au.key, a.h.addr));
  ASSERT(swarmh_run_until(b_caught_up, &t, T_WAIT_MS));
  ASSERT_OK(append_book(&b, 78));
  ASSERT(swarmh_run_until(two_same, &t, T_WAIT_MS));
  ASSERT_EQ(lt_count(a.db, "SELECT count(*) FROM log_forks"), 0);
  rnode_free(&b);
  rnode_free(&a);
  swarmh_finish(NULL, 0);
  return 0;
}
