/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The scheduler's pure parts: rendezvous hashing, queue order, claim
 * settlement in any delivery order, batching, the per-node cap and stale
 * claim takeover. */
#include <string.h>

#include "logtest.h"
#include "node/alloc.h"
#include "node/sched.h"
#include "task.h"

TEST_IMPL(sched_rendezvous_spreads_and_is_stable)
{
  uint8_t live[4][WIRE_KEY_BYTES], book[WIRE_BOOK_ID_BYTES];
  int count[4] = {0}, moved = 0, k, top3;
  uint32_t s;

  memset(book, 3, sizeof(book));
  for (k = 0; k < 4; k++)
    memset(live[k], 0x10 * (k + 1), WIRE_KEY_BYTES);
  for (s = 0; s < 3000; s++) {
    int tops = 0, who = -1;
    for (k = 0; k < 3; k++)
      if (sched_is_top(book, s, live[k], (const uint8_t(*)[32])live, 3)) {
        tops++;
        who = k;
      }
    ASSERT_EQ(tops, 1); /* exactly one top node per sentence */
    count[who]++;
    /* A fourth member only takes sentences; the others keep theirs. */
    top3 = who;
    for (k = 0; k < 4; k++)
      if (sched_is_top(book, s, live[k], (const uint8_t(*)[32])live, 4) &&
          k != top3) {
        ASSERT_EQ(k, 3);
        moved++;
      }
  }
  for (k = 0; k < 3; k++) {
    ASSERT_GT(count[k], 850); /* 1000 each, +-15% */
    ASSERT_LT(count[k], 1150);
  }
  ASSERT_GT(moved, 600); /* about a quarter moves to the newcomer */
  ASSERT_LT(moved, 900);
  /* Not in the live set: never top. */
  ASSERT_EQ(sched_is_top(book, 1, live[3], (const uint8_t(*)[32])live, 3),
            0);
  ASSERT_EQ(sched_score(book, 7, live[0]), sched_score(book, 7, live[0]));
  return 0;
}

struct fx {
  char *dir;
  struct tauthor a, b, c;
  struct db *db;
  struct feed *f;
  uint8_t book[WIRE_BOOK_ID_BYTES], book2[WIRE_BOOK_ID_BYTES];
  uint8_t live[3][WIRE_KEY_BYTES];
};

static void
put(struct fx *x, struct tauthor *t, struct wire_entry *e, uint64_t seen,
    uint8_t id[32])
{
  struct feed_result res;
  uint8_t *buf, tmp[32];
  size_t len;

  buf = lt_next(t, e, seen, &len, id ? id : tmp);
  if (lt_recv(x->f, buf, len, &res) != FEED_ACCEPTED)
    ASSERT_FAIL_("%s", res.text);
  xfree(buf);
  wire_entry_clear(e);
}

static void
fx_open(struct fx *x)
{
  struct wire_entry e;
  uint8_t id[32];
  int k;

  memset(x, 0, sizeof(*x));
  x->dir = test_mkdtemp();
  lt_author(&x->a, x->dir, 0);
  lt_author(&x->b, x->dir, 1);
  lt_author(&x->c, x->dir, 2);
  lt_store(x->dir, "s.db", x->a.key, x->a.id, &x->db, &x->f);
  memset(&e, 0, sizeof(e));
  for (k = 1; k <= 2; k++) {
    e.op = WIRE_OP_INVITE_CREATE;
    memset(e.invite_id, k, sizeof(e.invite_id));
    memset(e.key, k, sizeof(e.key));
    put(x, &x->a, &e, 0, NULL);
    e.op = WIRE_OP_ADMIT;
    memset(e.invite_id, k, sizeof(e.invite_id));
    memcpy(e.key, k == 1 ? x->b.key : x->c.key, 32);
    put(x, &x->a, &e, 0, NULL);
  }
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w");
  put(x, &x->a, &e, 0, id);
  memcpy(x->book, id, WIRE_BOOK_ID_BYTES);
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w2");
  put(x, &x->a, &e, 0, id);
  memcpy(x->book2, id, WIRE_BOOK_ID_BYTES);
  lt_work_stored(x->db, "w");
  lt_work_stored(x->db, "w2");
  memcpy(x->live[0], x->a.key, 32);
  memcpy(x->live[1], x->b.key, 32);
  memcpy(x->live[2], x->c.key, 32);
}

static void
fx_close(struct fx *x)
{
  feed_free(&x->f);
  db_close(&x->db);
  lt_author_free(&x->a);
  lt_author_free(&x->b);
  lt_author_free(&x->c);
  test_rmdir(x->dir);
}

static void
render(struct fx *x, const uint8_t *book, uint32_t first, uint32_t n,
       int interactive, uint64_t seen)
{
  struct wire_entry e;
  memset(&e, 0, sizeof(e));
  e.op = interactive ? WIRE_OP_RERENDER : WIRE_OP_START_RENDER;
  e.take = interactive ? 1 : 0;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, first, n);
  put(x, &x->a, &e, seen, NULL);
}

TEST_IMPL(sched_queue_order)
{
  struct fx x;
  struct sched_task q[300];
  size_t n;

  fx_open(&x);
  render(&x, x.book, 0, 100, 0, 0);
  render(&x, x.book2, 50, 10, 1, 0);
  ASSERT_OK(sched_queue(feed_state(x.f), NULL, NULL, q, 300, &n));
  ASSERT_EQ(n, 110);
  /* Interactive first, then story order. */
  ASSERT_EQ(q[0].priority, WIRE_PRIORITY_INTERACTIVE);
  ASSERT_EQ(q[0].sentence, 50);
  ASSERT_EQ(q[9].sentence, 59);
  ASSERT_EQ(q[10].priority, WIRE_PRIORITY_BULK);
  ASSERT_EQ(q[10].sentence, 0);
  ASSERT_EQ(q[109].sentence, 99);
  /* Cancel empties the book's queue. */
  {
    struct wire_entry e;
    memset(&e, 0, sizeof(e));
    e.op = WIRE_OP_CANCEL_PENDING;
    memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
    put(&x, &x.b, &e, 100, NULL);
  }
  ASSERT_OK(sched_queue(feed_state(x.f), NULL, NULL, q, 300, &n));
  ASSERT_EQ(n, 10);
  fx_close(&x);
  return 0;
}

static int
all_stale(const struct sched_claim *c, void *arg)
{
  const uint8_t *who = arg;
  return memcmp(c->author, who, WIRE_KEY_BYTES) == 0;
}

TEST_IMPL(sched_plan_batches_caps_and_takes_over)
{
  struct fx x;
  struct wire_entry e;
  struct sched_claim held;
  struct wire_iter it;
  uint8_t bclaim[32], only[1][32];
  uint32_t s;
  size_t got = 0;
  int found, i;

  fx_open(&x);
  render(&x, x.book, 0, 1000, 0, 0);
  /* B plans: only sentences where B is the rendezvous top. */
  ASSERT_OK(sched_plan_claim(feed_state(x.f), x.b.key,
                             (const uint8_t(*)[32])x.live, 3, 0, NULL, NULL,
                             &e));
  ASSERT_EQ(e.op, WIRE_OP_CLAIM);
  ASSERT_EQ(e.sent.count, SCHED_CLAIM_BATCH);
  ASSERT_EQ(e.lease_ms, SCHED_LEASE_MS);
  wire_iter_init(&it, &e.sent);
  while (wire_iter_next(&it, &s)) {
    ASSERT(sched_is_top(x.book, s, x.b.key, (const uint8_t(*)[32])x.live,
                        3));
    got++;
  }
  ASSERT_EQ(got, SCHED_CLAIM_BATCH);
  wire_entry_clear(&e);
  /* With grace (its own share done, the others slow) B takes unclaimed
   * work from the queue's back, where its owners come last: 936..999. */
  ASSERT_OK(sched_plan_claim(feed_state(x.f), x.b.key,
                             (const uint8_t(*)[32])x.live, 3, 1, NULL, NULL,
                             &e));
  ASSERT_EQ(e.sent.count, SCHED_CLAIM_BATCH);
  wire_iter_init(&it, &e.sent);
  ASSERT(wire_iter_next(&it, &s));
  ASSERT_EQ(s, 1000 - SCHED_CLAIM_BATCH);
  while (wire_iter_next(&it, &s))
    ;
  ASSERT_EQ(s, 999);
  put(&x, &x.b, &e, 10, NULL);
  /* B, alone in its live set, has the whole queue as its share: it
   * claims the head, 0..63. */
  memcpy(only[0], x.b.key, 32);
  ASSERT_OK(sched_plan_claim(feed_state(x.f), x.b.key,
                             (const uint8_t(*)[32])only, 1, 0, NULL, NULL,
                             &e));
  wire_iter_init(&it, &e.sent);
  ASSERT(wire_iter_next(&it, &s));
  ASSERT_EQ(s, 0);
  put(&x, &x.b, &e, 10, bclaim);
  ASSERT_OK(sched_active_claim(feed_state(x.f), x.book, 0, &held, &found));
  /* Claimed sentences leave the queue for everyone. */
  ASSERT_OK(sched_plan_claim(feed_state(x.f), x.b.key,
                             (const uint8_t(*)[32])x.live, 3, 0, NULL, NULL,
                             &e));
  wire_iter_init(&it, &e.sent);
  while (wire_iter_next(&it, &s)) {
    ASSERT_OK(sched_active_claim(feed_state(x.f), x.book, s, &held,
                                 &found));
    ASSERT_EQ(found, 0);
  }
  put(&x, &x.b, &e, 10, NULL);
  /* The cap on open claims. */
  for (i = 3; i < SCHED_CLAIMS_PER_NODE; i++) {
    ASSERT_OK(sched_plan_claim(feed_state(x.f), x.b.key,
                               (const uint8_t(*)[32])x.live, 3, 0, NULL,
                               NULL, &e));
    put(&x, &x.b, &e, 10, NULL);
  }
  ASSERT_EQ(sched_plan_claim(feed_state(x.f), x.b.key,
                             (const uint8_t(*)[32])x.live, 3, 0, NULL, NULL,
                             &e), ERR_FORBIDDEN);
  /* B renews its open claims in one entry; C holds none. */
  ASSERT_OK(sched_plan_renew(feed_state(x.f), x.b.key, &e));
  ASSERT_EQ(e.op, WIRE_OP_RENEW);
  ASSERT_EQ(e.nclaims, SCHED_CLAIMS_PER_NODE);
  put(&x, &x.b, &e, 10, NULL);
  ASSERT_EQ(lt_count(x.db, "SELECT count(DISTINCT seq) FROM st_claims "
                           "WHERE renew_lamport > lamport"),
            SCHED_CLAIMS_PER_NODE);
  ASSERT_EQ(sched_plan_renew(feed_state(x.f), x.c.key, &e), ERR_NOT_FOUND);
  /* C, after the grace period, judges B's claims stale and takes the
   * first one over, from the front: the new claim names it and outranks
   * it. */
  ASSERT_OK(sched_plan_claim(feed_state(x.f), x.c.key,
                             (const uint8_t(*)[32])x.live, 3, 1, all_stale,
                             x.b.key, &e));
  ASSERT_EQ(e.has_ref, 1);
  ASSERT_EQ(memcmp(e.ref, bclaim, 32), 0);
  ASSERT_EQ(e.sent.count, SCHED_CLAIM_BATCH);
  wire_iter_init(&it, &e.sent);
  ASSERT(wire_iter_next(&it, &s));
  ASSERT_EQ(s, 0);
  put(&x, &x.c, &e, 20, NULL);
  ASSERT_OK(sched_active_claim(feed_state(x.f), x.book, s, &held, &found));
  ASSERT_EQ(found, 1);
  ASSERT_EQ(memcmp(held.author, x.c.key, 32), 0);
  ASSERT_EQ(held.epoch, 1);
  /* Nothing left when everything is claimed and nothing is stale. */
  fx_close(&x);
  return 0;
}

/* Two concurrent claims on the same sentences settle the same way in both
 * delivery orders; a claim superseding an unknown claim is void. */
TEST_IMPL(sched_concurrent_claims_settle)
{
  struct tauthor a, b, c;
  char *dir = test_mkdtemp();
  uint8_t *bufs[8], id[32], book[WIRE_BOOK_ID_BYTES], winner[2][32];
  size_t lens[8], nb = 0, i;
  struct wire_entry e;
  int order, found;

  lt_author(&a, dir, 0);
  lt_author(&b, dir, 1);
  lt_author(&c, dir, 2);
  memset(&e, 0, sizeof(e));
  /* A admits B and C, creates a book and queues 10 sentences. */
  e.op = WIRE_OP_INVITE_CREATE;
  memset(e.invite_id, 1, 16);
  bufs[nb] = lt_next(&a, &e, 0, &lens[nb], id); nb++;
  e.op = WIRE_OP_ADMIT;
  memcpy(e.key, b.key, 32);
  bufs[nb] = lt_next(&a, &e, 0, &lens[nb], id); nb++;
  e.op = WIRE_OP_INVITE_CREATE;
  memset(e.invite_id, 2, 16);
  bufs[nb] = lt_next(&a, &e, 0, &lens[nb], id); nb++;
  e.op = WIRE_OP_ADMIT;
  memcpy(e.key, c.key, 32);
  bufs[nb] = lt_next(&a, &e, 0, &lens[nb], id); nb++;
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w");
  bufs[nb] = lt_next(&a, &e, 0, &lens[nb], id); nb++;
  wire_entry_clear(&e);
  memcpy(book, id, WIRE_BOOK_ID_BYTES);
  e.op = WIRE_OP_START_RENDER;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, 0, 10);
  bufs[nb] = lt_next(&a, &e, 0, &lens[nb], id); nb++;
  /* B and C claim 0..9 concurrently (same lamport). */
  e.op = WIRE_OP_CLAIM;
  e.lease_ms = 1000;
  bufs[nb] = lt_next(&b, &e, a.lamport, &lens[nb], id); nb++;
  bufs[nb] = lt_next(&c, &e, a.lamport, &lens[nb], id); nb++;
  wire_entry_clear(&e);
  for (order = 0; order < 2; order++) {
    struct db *db;
    struct feed *f;
    struct feed_result res;
    struct sched_claim held;
    char name[32];
    snprintf(name, sizeof(name), "o%d.db", order);
    lt_store(dir, name, a.key, a.id, &db, &f);
    for (i = 0; i < 6; i++)
      ASSERT_EQ(lt_recv(f, bufs[i], lens[i], &res), FEED_ACCEPTED);
    ASSERT_EQ(lt_recv(f, bufs[order ? 7 : 6], lens[order ? 7 : 6], &res),
              FEED_ACCEPTED);
    ASSERT_EQ(lt_recv(f, bufs[order ? 6 : 7], lens[order ? 6 : 7], &res),
              FEED_ACCEPTED);
    ASSERT_OK(sched_active_claim(feed_state(f), book, 4, &held, &found));
    ASSERT_EQ(found, 1);
    ASSERT_EQ(held.epoch, 0);
    memcpy(winner[order], held.author, 32);
    feed_free(&f);
    db_close(&db);
  }
  ASSERT_EQ(memcmp(winner[0], winner[1], 32), 0);
  for (i = 0; i < nb; i++)
    xfree(bufs[i]);
  lt_author_free(&a);
  lt_author_free(&b);
  lt_author_free(&c);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(sched_waits_for_the_work_document)
{
  struct fx x;
  struct sched_task q[16];
  struct wire_entry e;
  size_t n;

  fx_open(&x);
  ASSERT_OK(db_exec(x.db, "DELETE FROM works WHERE work_id='w2'"));
  render(&x, x.book2, 0, 5, 0, 0);
  /* The tasks are in the log, the work's text is not here yet. */
  ASSERT_OK(sched_queue(feed_state(x.f), NULL, NULL, q, 16, &n));
  ASSERT_EQ(n, 0);
  ASSERT_EQ(sched_plan_claim(feed_state(x.f), x.a.key,
                             (const uint8_t(*)[32])x.live, 1, 1, NULL, NULL,
                             &e), ERR_NOT_FOUND);
  wire_entry_clear(&e);
  lt_work_stored(x.db, "w2");
  ASSERT_OK(sched_queue(feed_state(x.f), NULL, NULL, q, 16, &n));
  ASSERT_EQ(n, 5);
  fx_close(&x);
  return 0;
}

TEST_IMPL(sched_interactive_belongs_to_its_requester)
{
  struct fx x;
  struct wire_entry e;
  uint8_t bc[2][32];
  uint32_t s;
  struct wire_iter it;
  size_t got = 0, want = 0;

  fx_open(&x);
  render(&x, x.book2, 50, 10, 1, 0); /* requested by A */
  /* B and C leave it to A while A is live... */
  ASSERT_EQ(sched_plan_claim(feed_state(x.f), x.b.key,
                             (const uint8_t(*)[32])x.live, 3, 0, NULL, NULL,
                             &e), ERR_NOT_FOUND);
  wire_entry_clear(&e);
  /* ...and A takes all of it, whatever the rendezvous says. */
  ASSERT_OK(sched_plan_claim(feed_state(x.f), x.a.key,
                             (const uint8_t(*)[32])x.live, 3, 0, NULL, NULL,
                             &e));
  ASSERT_EQ(e.sent.count, 10);
  wire_entry_clear(&e);
  /* With A gone the rendezvous top among B and C takes each sentence. */
  memcpy(bc[0], x.b.key, 32);
  memcpy(bc[1], x.c.key, 32);
  for (s = 50; s < 60; s++)
    want += (size_t)sched_is_top(x.book2, s, x.b.key,
                                 (const uint8_t(*)[32])bc, 2);
  if (want == 0) {
    ASSERT_EQ(sched_plan_claim(feed_state(x.f), x.b.key,
                               (const uint8_t(*)[32])bc, 2, 0, NULL, NULL,
                               &e), ERR_NOT_FOUND);
  } else {
    ASSERT_OK(sched_plan_claim(feed_state(x.f), x.b.key,
                               (const uint8_t(*)[32])bc, 2, 0, NULL, NULL,
                               &e));
    wire_iter_init(&it, &e.sent);
    while (wire_iter_next(&it, &s)) {
      ASSERT(sched_is_top(x.book2, s, x.b.key, (const uint8_t(*)[32])bc,
                          2));
      got++;
    }
  }
  ASSERT_EQ(got, want);
  wire_entry_clear(&e);
  fx_close(&x);
  return 0;
}

TEST_IMPL(sched_claims_shrink_near_the_end)
{
  struct fx x;
  struct wire_entry e;
  size_t share = 0, want;
  uint32_t s;

  fx_open(&x);
  render(&x, x.book, 0, 100, 0, 0);
  for (s = 0; s < 100; s++)
    share += (size_t)sched_is_top(x.book, s, x.b.key,
                                  (const uint8_t(*)[32])x.live, 3);
  want = (share + 3) / 4 < SCHED_CLAIM_MIN ? SCHED_CLAIM_MIN
                                           : (share + 3) / 4;
  if (want > share)
    want = share;
  ASSERT(share > 0);
  /* B's share of 100 sentences is far below four batches: a quarter. */
  ASSERT_OK(sched_plan_claim(feed_state(x.f), x.b.key,
                             (const uint8_t(*)[32])x.live, 3, 0, NULL, NULL,
                             &e));
  ASSERT_EQ(e.sent.count, want);
  wire_entry_clear(&e);
  /* Alone, B takes a whole batch of what there is. */
  ASSERT_OK(sched_plan_claim(feed_state(x.f), x.b.key,
                             (const uint8_t(*)[32])x.b.key, 1, 0, NULL, NULL,
                             &e));
  ASSERT_EQ(e.sent.count, SCHED_CLAIM_BATCH);
  wire_entry_clear(&e);
  /* Plenty left (about 1,000 of 3,000 for B): whole batches. */
  render(&x, x.book, 100, 2900, 0, 0);
  ASSERT_OK(sched_plan_claim(feed_state(x.f), x.b.key,
                             (const uint8_t(*)[32])x.live, 3, 0, NULL, NULL,
                             &e));
  ASSERT_EQ(e.sent.count, SCHED_CLAIM_BATCH);
  wire_entry_clear(&e);
  fx_close(&x);
  return 0;
}
