/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Stale claims of other nodes: two feeds in one process. B claims; when
 * its renewals stop, A takes the claim over after the lease by A's clock;
 * while B's renewals arrive in time, A does not. */
#include "task.h"
#include "logtest.h"

#include "node/alloc.h"
#include "node/leases.h"
#include "node/sched.h"

struct pair {
  char *dir;
  struct tauthor a, b;
  struct db *dba, *dbb;
  struct feed *fa, *fb;
  uint64_t a_to_b, b_to_a; /* entries copied so far */
  uint8_t book[WIRE_BOOK_ID_BYTES];
};

static void
copy(struct feed *from, struct feed *to, const uint8_t *author,
     uint64_t *done)
{
  struct feed_result res;
  uint8_t *buf;
  size_t len;

  for (;;) {
    int err = feed_get(from, author, *done + 1, &buf, &len);
    if (err == ERR_NOT_FOUND)
      return;
    ASSERT_OK(err);
    if (lt_recv(to, buf, len, &res) != FEED_ACCEPTED)
      ASSERT_FAIL_("%s", res.text);
    xfree(buf);
    (*done)++;
  }
}

static void
sync2(struct pair *p)
{
  copy(p->fa, p->fb, p->a.key, &p->a_to_b);
  copy(p->fb, p->fa, p->b.key, &p->b_to_a);
}

static void
append(struct feed *f, struct wire_entry *e, uint8_t id[WIRE_HASH_BYTES])
{
  ASSERT_OK(feed_append(f, e, id));
}

static void
pair_open(struct pair *p)
{
  struct wire_entry e;
  uint8_t id[WIRE_HASH_BYTES];

  memset(p, 0, sizeof(*p));
  p->dir = test_mkdtemp();
  lt_author(&p->a, p->dir, 0);
  lt_author(&p->b, p->dir, 1);
  lt_store(p->dir, "a.db", p->a.key, p->a.id, &p->dba, &p->fa);
  lt_store(p->dir, "b.db", p->a.key, p->b.id, &p->dbb, &p->fb);
  lt_work_stored(p->dba, "w");
  lt_work_stored(p->dbb, "w");
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  e.name = xstrdup("s");
  append(p->fa, &e, id);
  wire_entry_clear(&e);
  e.op = WIRE_OP_INVITE_CREATE;
  memset(e.invite_id, 7, sizeof(e.invite_id));
  memset(e.key, 8, sizeof(e.key));
  e.max_uses = 1;
  append(p->fa, &e, id);
  wire_entry_clear(&e);
  e.op = WIRE_OP_ADMIT;
  memset(e.invite_id, 7, sizeof(e.invite_id));
  memcpy(e.key, p->b.key, WIRE_KEY_BYTES);
  append(p->fa, &e, id);
  wire_entry_clear(&e);
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w");
  e.name = xstrdup("b");
  append(p->fa, &e, id);
  wire_entry_clear(&e);
  memcpy(p->book, id, WIRE_BOOK_ID_BYTES);
  e.op = WIRE_OP_START_RENDER;
  memcpy(e.book, p->book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, 0, 10);
  append(p->fa, &e, id);
  wire_entry_clear(&e);
  sync2(p);
}

static void
pair_close(struct pair *p)
{
  feed_free(&p->fa);
  feed_free(&p->fb);
  db_close(&p->dba);
  db_close(&p->dbb);
  lt_author_free(&p->a);
  lt_author_free(&p->b);
  test_rmdir(p->dir);
}

/* B claims every sentence (it alone is live to itself); returns the id. */
static void
b_claims(struct pair *p, uint8_t id[WIRE_HASH_BYTES])
{
  struct wire_entry e;

  ASSERT_OK(sched_plan_claim(feed_state(p->fb), p->b.key,
                             (const uint8_t(*)[WIRE_KEY_BYTES])p->b.key, 1,
                             0, NULL, NULL, &e));
  ASSERT_EQ(e.sent.count, 10);
  append(p->fb, &e, id);
  wire_entry_clear(&e);
}

/* B renews its claims; the entry (header filled) goes to *out. */
static void
b_renews(struct pair *p, struct wire_entry *out)
{
  ASSERT_OK(sched_plan_renew(feed_state(p->fb), p->b.key, out));
  append(p->fb, out, NULL);
}

/* What A would claim at now: ERR_NOT_FOUND or 0 with *ref the stale
 * claim named. */
static int
a_plans(struct pair *p, struct leases *l, uint64_t now,
        uint8_t ref[WIRE_HASH_BYTES])
{
  struct wire_entry e;
  int err;

  leases_set_now(l, now);
  err = sched_plan_claim(feed_state(p->fa), p->a.key,
                         (const uint8_t(*)[WIRE_KEY_BYTES])p->a.key, 1, 0,
                         leases_stale, l, &e);
  if (err == 0) {
    ASSERT(e.has_ref);
    ASSERT_EQ(e.sent.count, 10);
    memcpy(ref, e.ref, WIRE_HASH_BYTES);
  }
  wire_entry_clear(&e);
  return err;
}

#define T0 5000u
#define LEASE SCHED_LEASE_MS

TEST_IMPL(leases_take_over_silent_claim)
{
  struct pair p;
  struct leases *l;
  uint8_t claim[WIRE_HASH_BYTES], ref[WIRE_HASH_BYTES];
  struct wire_entry e;

  pair_open(&p);
  l = leases_new(p.a.key);
  b_claims(&p, claim);
  sync2(&p);
  /* A's clock starts B's lease when it first sees the claim. */
  ASSERT_EQ(a_plans(&p, l, T0, ref), ERR_NOT_FOUND);
  ASSERT_EQ(a_plans(&p, l, T0 + LEASE - 1, ref), ERR_NOT_FOUND);
  ASSERT_EQ(a_plans(&p, l, T0 + LEASE, ref), 0);
  ASSERT(memcmp(ref, claim, WIRE_HASH_BYTES) == 0);
  /* A's takeover, appended and replicated, is the active claim on both. */
  leases_set_now(l, T0 + LEASE);
  ASSERT_OK(sched_plan_claim(feed_state(p.fa), p.a.key,
                             (const uint8_t(*)[WIRE_KEY_BYTES])p.a.key, 1, 0,
                             leases_stale, l, &e));
  append(p.fa, &e, NULL);
  wire_entry_clear(&e);
  sync2(&p);
  {
    struct sched_claim c;
    int found;
    ASSERT_OK(sched_active_claim(feed_state(p.fb), p.book, 3, &c, &found));
    ASSERT(found);
    ASSERT(memcmp(c.author, p.a.key, WIRE_KEY_BYTES) == 0);
    ASSERT_EQ(c.epoch, 1);
  }
  /* Its own claim is never stale to A. */
  ASSERT_EQ(a_plans(&p, l, T0 + 10 * LEASE, ref), ERR_NOT_FOUND);
  leases_free(&l);
  pair_close(&p);
  return 0;
}

TEST_IMPL(leases_renewal_keeps_claim)
{
  struct pair p;
  struct leases *l, *l2;
  uint8_t claim[WIRE_HASH_BYTES], ref[WIRE_HASH_BYTES];
  struct wire_entry e;

  pair_open(&p);
  l = leases_new(p.a.key);
  l2 = leases_new(p.a.key);
  b_claims(&p, claim);
  sync2(&p);
  ASSERT_EQ(a_plans(&p, l, T0, ref), ERR_NOT_FOUND);
  ASSERT_EQ(a_plans(&p, l2, T0, ref), ERR_NOT_FOUND);
  /* B renews at half the lease; A receives it then (leases_note). */
  b_renews(&p, &e);
  sync2(&p);
  leases_set_now(l, T0 + LEASE / 2);
  leases_note(l, &e);
  wire_entry_clear(&e);
  ASSERT_EQ(a_plans(&p, l, T0 + LEASE, ref), ERR_NOT_FOUND);
  ASSERT_EQ(a_plans(&p, l, T0 + LEASE / 2 + LEASE - 1, ref), ERR_NOT_FOUND);
  ASSERT_EQ(a_plans(&p, l, T0 + LEASE / 2 + LEASE, ref), 0);
  ASSERT(memcmp(ref, claim, WIRE_HASH_BYTES) == 0);
  /* Without the note, the raised renew_lamport in the state restarts the
   * lease at the first look after it arrived. */
  ASSERT_EQ(a_plans(&p, l2, T0 + LEASE / 2, ref), ERR_NOT_FOUND);
  ASSERT_EQ(a_plans(&p, l2, T0 + LEASE, ref), ERR_NOT_FOUND);
  ASSERT_EQ(a_plans(&p, l2, T0 + LEASE / 2 + LEASE, ref), 0);
  leases_free(&l);
  leases_free(&l2);
  pair_close(&p);
  return 0;
}

/* Many claims: the table stays bounded, the ones seen lately keep their
 * leases, and every answer is by this node's clock. */
TEST_IMPL(leases_table_bounded)
{
  uint8_t me[WIRE_KEY_BYTES], other[WIRE_KEY_BYTES];
  struct leases *l;
  struct sched_claim c;
  uint64_t i;

  memset(me, 1, sizeof(me));
  memset(other, 2, sizeof(other));
  l = leases_new(me);
  memset(&c, 0, sizeof(c));
  memcpy(c.author, other, WIRE_KEY_BYTES);
  c.lease_ms = 1000;
  for (i = 1; i <= 3 * LEASES_MAX; i++) {
    leases_set_now(l, i);
    c.seq = i;
    ASSERT_EQ(leases_stale(&c, l), 0); /* first sight starts the lease */
  }
  /* The latest claim: not stale within its lease, stale after it. */
  c.seq = 3 * LEASES_MAX;
  leases_set_now(l, 3 * LEASES_MAX + 999);
  ASSERT_EQ(leases_stale(&c, l), 0);
  leases_set_now(l, 3 * LEASES_MAX + 1000);
  ASSERT_EQ(leases_stale(&c, l), 1);
  /* Its renewal (a higher renew_lamport in the state) restarts it. */
  c.renew_lamport = 7;
  ASSERT_EQ(leases_stale(&c, l), 0);
  leases_set_now(l, 3 * LEASES_MAX + 1999);
  ASSERT_EQ(leases_stale(&c, l), 0);
  leases_set_now(l, 3 * LEASES_MAX + 2000);
  ASSERT_EQ(leases_stale(&c, l), 1);
  /* Our own claims never are. */
  memcpy(c.author, me, WIRE_KEY_BYTES);
  leases_set_now(l, UINT64_C(1) << 40);
  ASSERT_EQ(leases_stale(&c, l), 0);
  leases_free(&l);
  return 0;
}
