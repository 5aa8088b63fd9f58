/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The reducer: order independence (random operation sets from 5 authors
 * delivered in 200 orders), incremental == rebuild, duplicates, and the
 * merge rules one by one. */
#include <string.h>

#include "logtest.h"
#include "node/alloc.h"
#include "node/book.h"
#include "node/sentstate.h"
#include "task.h"

/* Under valgrind (make valgrind) the 200 orders take minutes: a tenth of
 * them still checks memory on every path; the full count runs in make test
 * and make asan. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#define NAUTH 5
#define NSENT 40          /* sentences in the test work */
#define STEPS 110         /* random operations after the set-up */
#define ORDERS 200

struct gen_entry {
  uint8_t *buf;
  size_t len;
};

struct gen {
  char *dir;
  struct tauthor a[NAUTH];
  uint64_t known[NAUTH];              /* lamport each author has seen */
  uint64_t maxl;                      /* highest lamport signed */
  struct gen_entry *log[NAUTH];
  size_t n[NAUTH], cap[NAUTH];
  uint8_t book_x[WIRE_BOOK_ID_BYTES], book_y[WIRE_BOOK_ID_BYTES];
  uint8_t claims[64][WIRE_HASH_BYTES]; /* claim ids for steals */
  uint64_t claim_seq[64];
  int claim_author[64];
  size_t nclaims;
  int removed4;
  uint64_t rng;
};

static uint32_t
rnd(uint64_t *s)
{
  /* xorshift64*: deterministic per seed. */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return (uint32_t)((*s * 2685821657736338717ull) >> 32);
}

static void
set_str(char **dst, const char *s)
{
  xfree(*dst);
  *dst = xstrdup(s);
}

static void
emit(struct gen *g, int k, struct wire_entry *e, uint8_t id[32])
{
  struct gen_entry *ge;

  if (g->n[k] == g->cap[k]) {
    g->cap[k] = g->cap[k] ? 2 * g->cap[k] : 32;
    g->log[k] = xrealloc(g->log[k], g->cap[k] * sizeof(*g->log[k]));
  }
  ge = &g->log[k][g->n[k]++];
  ge->buf = lt_next(&g->a[k], e, g->known[k], &ge->len, id);
  g->known[k] = g->a[k].lamport;
  if (g->a[k].lamport > g->maxl)
    g->maxl = g->a[k].lamport;
  wire_entry_clear(e);
}

static void
rand_sentences(struct gen *g, struct wire_entry *e, uint32_t maxn)
{
  uint32_t idx[NSENT], n = 0, i;
  for (i = 0; i < NSENT && n < maxn; i++)
    if (rnd(&g->rng) % 4 == 0)
      idx[n++] = i;
  if (n == 0)
    idx[n++] = rnd(&g->rng) % NSENT;
  ASSERT_OK(wire_sentences_from(&e->sent, idx, n));
}

static const char *const voices[] = {"espeak:en", "espeak:en+f3",
                                     "espeak:en-us", "piper:amy"};
static const char *const chars[] = {"Alice", "Bob", "Carol"};

/* One random op by author k. */
static void
random_op(struct gen *g, int k)
{
  struct wire_entry e;
  uint8_t id[32];
  const uint8_t *book = rnd(&g->rng) % 3 ? g->book_x : g->book_y;
  uint32_t r = rnd(&g->rng) % 100, i;

  memset(&e, 0, sizeof(e));
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  if (r < 14) {
    e.op = WIRE_OP_CAST_CHARACTER;
    set_str(&e.text, chars[rnd(&g->rng) % 3]);
    set_str(&e.voice, voices[rnd(&g->rng) % 4]);
  } else if (r < 18) {
    e.op = WIRE_OP_CAST_DEFAULT;
    set_str(&e.voice, voices[rnd(&g->rng) % 4]);
  } else if (r < 21) {
    e.op = WIRE_OP_CAST_POST;
    e.post = rnd(&g->rng) % 5;
    set_str(&e.voice, voices[rnd(&g->rng) % 4]);
  } else if (r < 24) {
    e.op = WIRE_OP_CAST_SNIPPET;
    e.first = rnd(&g->rng) % NSENT;
    e.last = e.first + rnd(&g->rng) % 3;
    set_str(&e.voice, voices[rnd(&g->rng) % 4]);
  } else if (r < 26) {
    e.op = WIRE_OP_LEXICON;
    set_str(&e.text, chars[rnd(&g->rng) % 3]);
    set_str(&e.pron, rnd(&g->rng) % 2 ? "a l i s" : "");
  } else if (r < 29) {
    e.op = WIRE_OP_BOOK_RENAME;
    set_str(&e.name, chars[rnd(&g->rng) % 3]);
  } else if (r < 34) {
    e.op = WIRE_OP_START_RENDER;
    e.priority = rnd(&g->rng) % 2;
    wire_sentences_range(&e.sent, rnd(&g->rng) % 10, 10 + rnd(&g->rng) % 30);
  } else if (r < 37) {
    e.op = WIRE_OP_RERENDER;
    e.take = 1 + rnd(&g->rng) % 2;
    rand_sentences(g, &e, 3);
  } else if (r < 40) {
    e.op = WIRE_OP_CANCEL_PENDING;
  } else if (r < 55) {
    e.op = WIRE_OP_CLAIM;
    e.lease_ms = 60000;
    rand_sentences(g, &e, 8);
    if (g->nclaims && rnd(&g->rng) % 3 == 0) {
      /* A steal: the stealer has seen the stale claim. */
      size_t c = rnd(&g->rng) % g->nclaims;
      e.has_ref = 1;
      memcpy(e.ref, g->claims[c], 32);
      g->known[k] = g->maxl;
    }
    emit(g, k, &e, id);
    if (g->nclaims < 64) {
      memcpy(g->claims[g->nclaims], id, 32);
      g->claim_seq[g->nclaims] = g->a[k].seq;
      g->claim_author[g->nclaims++] = k;
    }
    return;
  } else if (r < 62) {
    /* Renew or release one of k's own claims. */
    uint64_t seq = 0;
    for (i = 0; i < g->nclaims; i++)
      if (g->claim_author[i] == k && rnd(&g->rng) % 2)
        seq = g->claim_seq[i];
    if (seq == 0) {
      e.op = WIRE_OP_CANCEL_PENDING;
    } else {
      e.op = rnd(&g->rng) % 2 ? WIRE_OP_RENEW : WIRE_OP_RELEASE;
      e.claims = xmalloc(sizeof(*e.claims));
      e.claims[0] = seq;
      e.nclaims = 1;
    }
  } else if (r < 85) {
    e.op = WIRE_OP_COMPLETE;
    e.take = rnd(&g->rng) % 4 == 0 ? 1 : 0;
    rand_sentences(g, &e, 6);
    e.audio = xmalloc(e.sent.count * 32);
    e.sizes = xmalloc(e.sent.count * sizeof(uint32_t));
    e.durations_ms = xmalloc(e.sent.count * sizeof(uint32_t));
    for (i = 0; i < e.sent.count * 32; i++)
      e.audio[i] = (uint8_t)rnd(&g->rng);
    for (i = 0; i < e.sent.count; i++) {
      e.sizes[i] = 3000 + rnd(&g->rng) % 9000;
      e.durations_ms[i] = 1000 + rnd(&g->rng) % 5000;
    }
    e.contexts = xcalloc(1, 32);
    e.contexts[0] = (uint8_t)k;
    e.ncontexts = 1;
    for (i = 0; i < g->nclaims; i++)
      if (g->claim_author[i] == k)
        e.claim = g->claim_seq[i];
  } else if (r < 90) {
    e.op = WIRE_OP_FAIL;
    rand_sentences(g, &e, 2);
    set_str(&e.text, "engine crashed");
  } else if (r < 92 && book == g->book_y) {
    e.op = WIRE_OP_BOOK_DELETE;
  } else if (r < 95) {
    e.op = WIRE_OP_ADDR_ANNOUNCE;
    e.addrs = xcalloc(2, sizeof(char *));
    e.addrs[0] = xasprintf("10.0.0.%u:8009", rnd(&g->rng) % 200);
    e.naddrs = 1;
  } else if (r < 97) {
    /* A member invites someone and revokes it again. */
    e.op = rnd(&g->rng) % 2 ? WIRE_OP_INVITE_CREATE : WIRE_OP_INVITE_REVOKE;
    memset(e.invite_id, 0x40 + k, sizeof(e.invite_id));
    memset(e.key, 0x50 + k, sizeof(e.key));
    e.max_uses = 1;
  } else if (!g->removed4 && k == 1) {
    /* A1 removes A4, who keeps working concurrently. */
    e.op = WIRE_OP_REMOVE;
    memcpy(e.key, g->a[4].key, 32);
    set_str(&e.text, "left the group");
    g->removed4 = 1;
  } else {
    e.op = WIRE_OP_CAST_CHARACTER;
    set_str(&e.text, "Narrator");
    set_str(&e.voice, voices[k % 4]);
  }
  emit(g, k, &e, id);
}

static void
gen_build(struct gen *g, uint64_t seed)
{
  struct wire_entry e;
  uint8_t id[32];
  int k, step;

  memset(g, 0, sizeof(*g));
  g->rng = seed;
  g->dir = test_mkdtemp();
  for (k = 0; k < NAUTH; k++)
    lt_author(&g->a[k], g->dir, k);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  set_str(&e.name, "friends");
  emit(g, 0, &e, id);
  for (k = 1; k < NAUTH; k++) {
    e.op = WIRE_OP_INVITE_CREATE;
    memset(e.invite_id, k, sizeof(e.invite_id));
    memset(e.key, 0x20 + k, sizeof(e.key));
    e.max_uses = 1;
    emit(g, 0, &e, id);
    e.op = WIRE_OP_ADMIT;
    memset(e.invite_id, k, sizeof(e.invite_id));
    memcpy(e.key, g->a[k].key, 32);
    set_str(&e.name, "friend");
    emit(g, 0, &e, id);
  }
  e.op = WIRE_OP_IMPORT_WORK;
  set_str(&e.work_id, "glowfic:post:42");
  set_str(&e.url, "https://glowfic.com/posts/42");
  set_str(&e.name, "A story");
  memset(e.hash, 0xaa, 32);
  e.size = 12345;
  e.count = NSENT;
  e.posts = 5;
  emit(g, 0, &e, id);
  e.op = WIRE_OP_BOOK_CREATE;
  set_str(&e.work_id, "glowfic:post:42");
  set_str(&e.name, "Main");
  set_str(&e.voice, "espeak:en");
  emit(g, 0, &e, id);
  memcpy(g->book_x, id, WIRE_BOOK_ID_BYTES);
  e.op = WIRE_OP_BOOK_CREATE;
  set_str(&e.work_id, "glowfic:post:42");
  set_str(&e.name, "Fork");
  e.has_fork_of = 1;
  memcpy(e.fork_of, g->book_x, WIRE_BOOK_ID_BYTES);
  emit(g, 0, &e, id);
  memcpy(g->book_y, id, WIRE_BOOK_ID_BYTES);
  for (k = 1; k < NAUTH; k++)
    g->known[k] = g->maxl;
  for (step = 0; step < STEPS; step++) {
    k = (int)(rnd(&g->rng) % NAUTH);
    /* Sometimes an author catches up with everything signed so far;
     * otherwise it works concurrently from what it knew. */
    if (rnd(&g->rng) % 5 < 3)
      g->known[k] = g->maxl;
    if (step == STEPS / 2) {
      /* A1 removes A4, who keeps working concurrently. */
      e.op = WIRE_OP_REMOVE;
      memcpy(e.key, g->a[4].key, 32);
      set_str(&e.text, "left the group");
      emit(g, 1, &e, id);
      g->removed4 = 1;
      continue;
    }
    random_op(g, k);
  }
}

static void
gen_free(struct gen *g)
{
  size_t i;
  int k;
  for (k = 0; k < NAUTH; k++) {
    for (i = 0; i < g->n[k]; i++)
      xfree(g->log[k][i].buf);
    xfree(g->log[k]);
    lt_author_free(&g->a[k]);
  }
  test_rmdir(g->dir);
}

/* Deliver every author's entries in a random interleaving that keeps each
 * author's order, with random duplicates. Entries refused as from a
 * non-member wait (a quarantine) until something else is accepted. */
static void
deliver(struct gen *g, struct feed *f, uint64_t seed, int *accepted,
        int *refused)
{
  size_t next[NAUTH] = {0};
  int blocked[NAUTH] = {0};
  uint64_t rng = seed;
  struct feed_result res;
  int k, live, v;
  char h1[65], h2[65];

  *accepted = 0;
  ASSERT_OK(feed_begin(f));
  for (;;) {
    int cand[NAUTH], nc = 0;
    for (k = 0; k < NAUTH; k++)
      if (next[k] < g->n[k] && !blocked[k])
        cand[nc++] = k;
    if (nc == 0)
      break;
    k = cand[rnd(&rng) % nc];
    v = lt_recv(f, g->log[k][next[k]].buf, g->log[k][next[k]].len, &res);
    if (v == FEED_REJECTED) {
      if (res.reason != FEED_REASON_NOT_MEMBER)
        ASSERT_FAIL_("author %d entry %zu: %s", k, next[k], res.text);
      blocked[k] = 1;
      continue;
    }
    ASSERT_EQ(v, FEED_ACCEPTED);
    (*accepted)++;
    next[k]++;
    memset(blocked, 0, sizeof(blocked));
    if (rnd(&rng) % 8 == 0) {
      /* A duplicate changes nothing. */
      size_t i = rnd(&rng) % next[k];
      lt_hash(f, h1);
      v = lt_recv(f, g->log[k][i].buf, g->log[k][i].len, &res);
      ASSERT_EQ(v, FEED_DUPLICATE);
      lt_hash(f, h2);
      ASSERT_STR_EQ(h1, h2);
    }
  }
  live = 0;
  for (k = 0; k < NAUTH; k++)
    if (next[k] < g->n[k]) {
      /* Only the removed author may be left with refused entries. */
      ASSERT_EQ(k, 4);
      live++;
    }
  *refused = live;
  ASSERT_OK(feed_commit(f));
}

/* The derived tables (st_sentence_state, st_claim_span) as one string,
 * rows in key order. Caller frees. */
static char *
derived_dump(struct db *db)
{
  static const char *const q =
    "SELECT coalesce((SELECT group_concat(x, ';') FROM (SELECT"
    " hex(book) || ',' || sentence || ',' || take || ',' || req_lamport"
    " || ',' || hex(req_author) || ',' || live || ',' || state || ','"
    " || coalesce(res_lamport, '-') || ',' || coalesce(hex(res_author), '-')"
    " || ',' || coalesce(hex(blob), '-') || ',' || coalesce(size, '-')"
    " || ',' || coalesce(duration_ms, '-') || ','"
    " || coalesce(fail_lamport, '-') || ',' || coalesce(hex(fail_author),"
    " '-') || ',' || coalesce(error, '-') || ',' || coalesce(cl_first, '-')"
    " || ',' || coalesce(hex(cl_author), '-') || ',' || coalesce(cl_seq, '-')"
    " AS x FROM st_sentence_state ORDER BY book, sentence)), '') || '|' ||"
    " coalesce((SELECT group_concat(x, ';') FROM (SELECT hex(book) || ','"
    " || span AS x FROM st_claim_span ORDER BY book)), '')";
  struct db_stmt *s = NULL;
  char *out;

  ASSERT_OK(db_prepare(db, q, &s));
  ASSERT_EQ(db_step(s), DB_ROW);
  out = xstrdup(db_col_text(s, 0) ? db_col_text(s, 0) : "");
  db_finalize(&s);
  return out;
}

/* The derived tables as kept by incremental application equal their
 * computation from scratch (sentstate_rebuild, rolled back after). Returns
 * the dump. */
static char *
derived_check(struct db *db)
{
  struct sentstate *ss = NULL;
  char *inc = derived_dump(db), *full;

  ASSERT_OK(db_exec(db, "SAVEPOINT derived"));
  ASSERT_OK(sentstate_open(db, &ss));
  ASSERT_OK(sentstate_rebuild(ss));
  sentstate_free(&ss);
  full = derived_dump(db);
  ASSERT_OK(db_exec(db, "ROLLBACK TO derived"));
  ASSERT_OK(db_exec(db, "RELEASE derived"));
  if (strcmp(inc, full) != 0)
    ASSERT_FAIL_("incremental st_sentence_state differs from its "
                 "computation:\n%s\n%s", inc, full);
  xfree(full);
  return inc;
}

/* state_counts (from st_sentence_state) equals the counts by their
 * definition over the tables the state derives from. */
static void
counts_check(struct state *st, struct db *db)
{
  static const char *const q =
    "WITH t AS ("
    " SELECT t.book, t.sentence, t.req_lamport, t.req_author,"
    "  (t.req_lamport, t.req_author) > (b.cancel_lamport, b.cancel_author)"
    "   AS live,"
    "  EXISTS (SELECT 1 FROM st_results r WHERE r.book=t.book"
    "   AND r.sentence=t.sentence AND r.take=t.take"
    "   AND (r.lamport, r.author) > (t.req_lamport, t.req_author)) AS done"
    " FROM st_tasks t JOIN st_books b ON b.book=t.book"
    " WHERE b.created=1 AND b.deleted=0),"
    " l AS (SELECT t.*, EXISTS (SELECT 1 FROM st_claims c"
    "   WHERE c.book=t.book AND c.first<=t.sentence AND c.last>=t.sentence"
    "   AND c.released=0 AND (c.lamport, c.author) >"
    "   (t.req_lamport, t.req_author)) AS claimed,"
    "  EXISTS (SELECT 1 FROM st_failures f WHERE f.book=t.book"
    "   AND f.sentence=t.sentence AND (f.lamport, f.author) >"
    "   (t.req_lamport, t.req_author)) AS failed"
    "  FROM t WHERE live=1 AND done=0)"
    "SELECT (SELECT count(*) FROM t WHERE done=1) || ',' ||"
    " (SELECT count(*) FROM l WHERE claimed=0) || ',' ||"
    " (SELECT count(*) FROM l WHERE claimed=1) || ',' ||"
    " (SELECT count(*) FROM l WHERE failed=1) || ',' ||"
    " (SELECT count(*) FROM st_results)";
  struct state_counts c;
  struct db_stmt *s = NULL;
  char got[128];

  ASSERT_OK(state_counts(st, &c));
  snprintf(got, sizeof(got), "%lld,%lld,%lld,%lld,%lld",
           (long long)c.done, (long long)c.pending, (long long)c.claimed,
           (long long)c.failed, (long long)c.results);
  ASSERT_OK(db_prepare(db, q, &s));
  ASSERT_EQ(db_step(s), DB_ROW);
  ASSERT_STR_EQ(got, db_col_text(s, 0));
  db_finalize(&s);
}

TEST_IMPL(state_order_independent)
{
  char *dref = NULL, *d;
  struct gen g;
  struct tauthor me;
  char ref[65], h[65], rebuilt[65], *name;
  int order, orders, accepted, refused, nrefused = 0, total = 0, k;

  gen_build(&g, 0x9e3779b97f4a7c15ull);
  for (k = 0; k < NAUTH; k++)
    total += (int)g.n[k];
  ASSERT_GT(total, STEPS);
  lt_author(&me, g.dir, 99);
  orders = RUNNING_ON_VALGRIND ? ORDERS / 10 : ORDERS;
  for (order = 0; order < orders; order++) {
    struct db *db;
    struct feed *f;
    name = xasprintf("order%d.db", order);
    lt_store(g.dir, name, g.a[0].key, me.id, &db, &f);
    deliver(&g, f, 1000 + (uint64_t)order * 7919, &accepted, &refused);
    nrefused += refused;
    ASSERT_GT(accepted, total / 2);
    lt_hash(f, h);
    d = derived_check(db);
    counts_check(feed_state(f), db);
    if (order == 0) {
      dref = d;
      /* Every sentence state occurs. */
      ASSERT_GT(lt_count(db, "SELECT count(*) FROM st_sentence_state"
                             " WHERE state = 3"), 3);
      ASSERT_GT(lt_count(db, "SELECT count(*) FROM st_sentence_state"
                             " WHERE state = 2"), 0);
      ASSERT_GT(lt_count(db, "SELECT count(*) FROM st_sentence_state"
                             " WHERE state = 0"), 0);
      ASSERT_GT(lt_count(db, "SELECT count(*) FROM st_sentence_state"
                             " WHERE fail_lamport IS NOT NULL"), 0);
      ASSERT_EQ(lt_count(db, "SELECT count(*) FROM st_sentence_state"),
                lt_count(db, "SELECT count(*) FROM st_tasks"));
      memcpy(ref, h, sizeof(ref));
      /* The set-up is not trivial: rows in every kind of table. */
      ASSERT_GT(lt_count(db, "SELECT count(*) FROM st_casting"), 5);
      ASSERT_GT(lt_count(db, "SELECT count(*) FROM st_results"), 5);
      ASSERT_GT(lt_count(db, "SELECT count(*) FROM st_claims"), 3);
      ASSERT_GT(lt_count(db, "SELECT count(*) FROM st_tasks"), 5);
      ASSERT_EQ(lt_count(db, "SELECT count(*) FROM st_members"), NAUTH);
      ASSERT_EQ(lt_count(db, "SELECT count(*) FROM st_members "
                             "WHERE removed_lamport IS NOT NULL"), 1);
    }
    if (strcmp(ref, h) != 0)
      ASSERT_FAIL_("order %d: state %s differs from %s", order, h, ref);
    if (d != dref) {
      ASSERT_STR_EQ(d, dref);
      xfree(d);
    }
    if (order % 20 == 0) {
      ASSERT_OK(feed_rebuild(f));
      lt_hash(f, rebuilt);
      ASSERT_STR_EQ(rebuilt, ref);
      d = derived_dump(db);
      ASSERT_STR_EQ(d, dref);
      xfree(d);
    }
    feed_free(&f);
    db_close(&db);
    xfree(name);
  }
  /* The removed author's late entries were refused in some orders and
   * taken (then ignored) in others: both paths ran. */
  ASSERT_GT(nrefused, 0);
  if (orders == ORDERS)
    ASSERT_LT(nrefused, orders);
  xfree(dref);
  lt_author_free(&me);
  gen_free(&g);
  return 0;
}

/* ---- the merge rules one by one -------------------------------------- */

struct small {
  char *dir;
  struct tauthor a, b, c, d;   /* A founder; B, C members; D invitee */
  struct db *db;
  struct feed *f;
  uint8_t book[WIRE_BOOK_ID_BYTES];
};

/* Sign op e as t with lamport past seen, deliver it, expect verdict. */
static void
put(struct small *x, struct tauthor *t, struct wire_entry *e, uint64_t seen,
    int verdict, uint8_t id[32])
{
  struct feed_result res;
  uint8_t *buf, tmp[32];
  size_t len;

  buf = lt_next(t, e, seen, &len, id ? id : tmp);
  if (lt_recv(x->f, buf, len, &res) != verdict)
    ASSERT_FAIL_("verdict %d (%s), expected %d", res.verdict, res.text,
                 verdict);
  xfree(buf);
  wire_entry_clear(e);
}

static void
small_admit(struct small *x, struct tauthor *by, struct tauthor *who,
            uint8_t tag, uint64_t seen)
{
  struct wire_entry e;
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_INVITE_CREATE;
  memset(e.invite_id, tag, sizeof(e.invite_id));
  memset(e.key, tag, sizeof(e.key));
  e.max_uses = 1;
  put(x, by, &e, seen, FEED_ACCEPTED, NULL);
  e.op = WIRE_OP_ADMIT;
  memset(e.invite_id, tag, sizeof(e.invite_id));
  memcpy(e.key, who->key, 32);
  put(x, by, &e, seen, FEED_ACCEPTED, NULL);
}

static void
small_open(struct small *x)
{
  struct wire_entry e;
  uint8_t id[32];

  memset(x, 0, sizeof(*x));
  x->dir = test_mkdtemp();
  lt_author(&x->a, x->dir, 0);
  lt_author(&x->b, x->dir, 1);
  lt_author(&x->c, x->dir, 2);
  lt_author(&x->d, x->dir, 3);
  lt_store(x->dir, "s.db", x->a.key, x->d.id, &x->db, &x->f);
  small_admit(x, &x->a, &x->b, 1, 0);
  small_admit(x, &x->a, &x->c, 2, 0);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_BOOK_CREATE;
  set_str(&e.work_id, "w");
  set_str(&e.name, "first");
  put(x, &x->a, &e, 0, FEED_ACCEPTED, id);
  memcpy(x->book, id, WIRE_BOOK_ID_BYTES);
}

static void
small_close(struct small *x)
{
  feed_free(&x->f);
  db_close(&x->db);
  lt_author_free(&x->a);
  lt_author_free(&x->b);
  lt_author_free(&x->c);
  lt_author_free(&x->d);
  test_rmdir(x->dir);
}

static void
cast(struct small *x, struct tauthor *t, const uint8_t *book,
     const char *who, const char *voice, uint64_t seen, uint8_t *id)
{
  struct wire_entry e;
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_CAST_CHARACTER;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  set_str(&e.text, who);
  set_str(&e.voice, voice);
  put(x, t, &e, seen, FEED_ACCEPTED, id);
}

static void
expect_voice(struct small *x, const uint8_t *book, const char *who,
             const char *want)
{
  char *v = NULL;
  ASSERT_OK(state_cast_get(feed_state(x->f), book, STATE_CAST_CHARACTER,
                           who, 0, &v));
  if (want == NULL)
    ASSERT_NULL(v);
  else
    ASSERT_STR_EQ(v, want);
  xfree(v);
}

TEST_IMPL(state_lww_forks_and_deletes)
{
  struct small x;
  struct wire_entry e;
  struct tauthor *hi, *lo;
  uint8_t fork[WIRE_BOOK_ID_BYTES], id[32];
  char *name;

  small_open(&x);
  /* Concurrent casts at the same lamport: the higher author key wins,
   * whichever arrives first. */
  hi = memcmp(x.b.key, x.c.key, 32) > 0 ? &x.b : &x.c;
  lo = hi == &x.b ? &x.c : &x.b;
  cast(&x, hi, x.book, "Alice", "from-hi", 20, NULL);
  cast(&x, lo, x.book, "Alice", "from-lo", 20, NULL);
  expect_voice(&x, x.book, "Alice", "from-hi");
  /* A later lamport wins over a higher key. */
  cast(&x, lo, x.book, "Alice", "later", 30, NULL);
  expect_voice(&x, x.book, "Alice", "later");
  /* An empty voice clears. */
  cast(&x, hi, x.book, "Alice", "", 40, NULL);
  expect_voice(&x, x.book, "Alice", NULL);
  cast(&x, hi, x.book, "Bob", "bob-1", 41, NULL);
  /* A fork sees its parent's casting from before the fork only. */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_BOOK_CREATE;
  set_str(&e.work_id, "w");
  e.has_fork_of = 1;
  memcpy(e.fork_of, x.book, WIRE_BOOK_ID_BYTES);
  put(&x, &x.a, &e, 50, FEED_ACCEPTED, id);
  memcpy(fork, id, WIRE_BOOK_ID_BYTES);
  cast(&x, &x.b, x.book, "Bob", "bob-parent-later", 60, NULL);
  expect_voice(&x, fork, "Bob", "bob-1");
  expect_voice(&x, x.book, "Bob", "bob-parent-later");
  cast(&x, &x.c, fork, "Bob", "bob-fork", 70, NULL);
  expect_voice(&x, fork, "Bob", "bob-fork");
  expect_voice(&x, x.book, "Bob", "bob-parent-later");
  /* Rename: last writer wins; delete wins over a later rename. */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_BOOK_RENAME;
  memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
  set_str(&e.name, "second");
  put(&x, &x.b, &e, 80, FEED_ACCEPTED, NULL);
  e.op = WIRE_OP_BOOK_RENAME;
  memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
  set_str(&e.name, "stale");
  put(&x, &x.c, &e, 10, FEED_ACCEPTED, NULL);
  {
    struct db_stmt *s;
    ASSERT_OK(db_prepare(x.db, "SELECT name FROM st_books WHERE book=?1",
                         &s));
    ASSERT_OK(db_bind_blob(s, 1, x.book, WIRE_BOOK_ID_BYTES));
    ASSERT_EQ(db_step(s), DB_ROW);
    name = xstrdup(db_col_text(s, 0));
    db_finalize(&s);
    ASSERT_STR_EQ(name, "second");
    xfree(name);
  }
  e.op = WIRE_OP_BOOK_DELETE;
  memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
  put(&x, &x.b, &e, 90, FEED_ACCEPTED, NULL);
  e.op = WIRE_OP_BOOK_RENAME;
  memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
  set_str(&e.name, "revived?");
  put(&x, &x.c, &e, 100, FEED_ACCEPTED, NULL);
  ASSERT_EQ(lt_count(x.db, "SELECT deleted FROM st_books WHERE "
                           "name='revived?'"), 1);
  small_close(&x);
  return 0;
}

static void
complete(struct small *x, struct tauthor *t, uint32_t first, uint32_t n,
         uint8_t fill, uint64_t seen)
{
  struct wire_entry e;
  uint32_t i;
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_COMPLETE;
  memcpy(e.book, x->book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, first, n);
  e.audio = xmalloc(n * 32);
  memset(e.audio, fill, n * 32);
  e.sizes = xcalloc(n, sizeof(uint32_t));
  e.durations_ms = xcalloc(n, sizeof(uint32_t));
  for (i = 0; i < n; i++)
    e.sizes[i] = e.durations_ms[i] = 1000;
  e.contexts = xcalloc(1, 32);
  e.ncontexts = 1;
  put(x, t, &e, seen, FEED_ACCEPTED, NULL);
}

TEST_IMPL(state_queue_claims_results)
{
  struct small x;
  struct wire_entry e;
  struct state_counts c;
  uint8_t blob[32], claim_id[32];
  int found;

  small_open(&x);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_START_RENDER;
  memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, 0, 10);
  put(&x, &x.a, &e, 10, FEED_ACCEPTED, NULL);
  ASSERT_OK(state_counts(feed_state(x.f), &c));
  ASSERT_EQ(c.pending, 10);
  ASSERT_EQ(c.claimed + c.done, 0);
  /* B claims 0..4, completes 0..2. */
  e.op = WIRE_OP_CLAIM;
  memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, 0, 5);
  e.lease_ms = 30000;
  put(&x, &x.b, &e, 11, FEED_ACCEPTED, claim_id);
  ASSERT_OK(state_counts(feed_state(x.f), &c));
  ASSERT_EQ(c.pending, 5);
  ASSERT_EQ(c.claimed, 5);
  complete(&x, &x.b, 0, 3, 0xbb, 12);
  ASSERT_OK(state_counts(feed_state(x.f), &c));
  ASSERT_EQ(c.done, 3);
  ASSERT_EQ(c.claimed, 2);
  /* C steals the stale claim and completes sentence 0 too, later: the
   * earlier result stays the chosen one; both are kept. */
  e.op = WIRE_OP_CLAIM;
  memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, 0, 5);
  e.has_ref = 1;
  memcpy(e.ref, claim_id, 32);
  put(&x, &x.c, &e, 20, FEED_ACCEPTED, NULL);
  complete(&x, &x.c, 0, 1, 0xcc, 21);
  ASSERT_OK(state_result_get(feed_state(x.f), x.book, 0, blob, &found));
  ASSERT_EQ(found, 1);
  ASSERT_EQ(blob[0], 0xbb);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_results "
                           "WHERE sentence=0"), 2);
  /* A result made before the request does not satisfy it. */
  ASSERT_OK(state_result_get(feed_state(x.f), x.book, 7, blob, &found));
  ASSERT_EQ(found, 0);
  /* Cancel: pending work goes; claimed work may still complete. */
  e.op = WIRE_OP_CANCEL_PENDING;
  memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
  put(&x, &x.a, &e, 30, FEED_ACCEPTED, NULL);
  ASSERT_OK(state_counts(feed_state(x.f), &c));
  ASSERT_EQ(c.pending + c.claimed, 0);
  ASSERT_EQ(c.done, 3);
  complete(&x, &x.b, 3, 2, 0xdd, 31);
  ASSERT_OK(state_counts(feed_state(x.f), &c));
  ASSERT_EQ(c.done, 5);
  /* A re-render asks for a new take: not done until that take exists. */
  e.op = WIRE_OP_RERENDER;
  memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, 1, 1);
  e.take = 1;
  put(&x, &x.a, &e, 40, FEED_ACCEPTED, NULL);
  ASSERT_OK(state_counts(feed_state(x.f), &c));
  ASSERT_EQ(c.done, 4);
  ASSERT_EQ(c.pending, 1);
  ASSERT_EQ(lt_count(x.db, "SELECT priority FROM st_tasks "
                           "WHERE sentence=1"), WIRE_PRIORITY_INTERACTIVE);
  small_close(&x);
  return 0;
}

/* The state of sentence n of x's book as st_sentence_state says, checked
 * against its computation from scratch first. */
static int64_t
sstate(struct small *x, int n)
{
  char *q = xasprintf("SELECT coalesce((SELECT state FROM st_sentence_state"
                      " WHERE sentence = %d), -1)", n);
  int64_t v;

  xfree(derived_check(x->db));
  v = lt_count(x->db, q);
  xfree(q);
  return v;
}

static void
claim(struct small *x, struct tauthor *t, uint32_t first, uint32_t n,
      uint64_t seen)
{
  struct wire_entry e;
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_CLAIM;
  memcpy(e.book, x->book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, first, n);
  e.lease_ms = 30000;
  put(x, t, &e, seen, FEED_ACCEPTED, NULL);
}

static void
one_op(struct small *x, struct tauthor *t, int op, uint32_t first,
       uint32_t n, uint64_t seen)
{
  struct wire_entry e;
  memset(&e, 0, sizeof(e));
  e.op = op;
  memcpy(e.book, x->book, WIRE_BOOK_ID_BYTES);
  if (op == WIRE_OP_RELEASE) {
    e.claims = xmalloc(sizeof(*e.claims));
    e.claims[0] = first;
    e.nclaims = 1;
  } else if (op != WIRE_OP_CANCEL_PENDING) {
    wire_sentences_range(&e.sent, first, n);
  }
  if (op == WIRE_OP_RERENDER)
    e.take = 1;
  if (op == WIRE_OP_FAIL)
    e.text = xstrdup("engine crashed");
  put(x, t, &e, seen, FEED_ACCEPTED, NULL);
}

/* st_sentence_state follows every kind of entry, in and out of order. */
TEST_IMPL(state_sentence_state_rules)
{
  struct small x;
  uint64_t b_claim;
  int i;

  small_open(&x);
  /* A claim that arrives before the request it serves. */
  claim(&x, &x.c, 20, 4, 50);
  ASSERT_EQ(sstate(&x, 20), -1);
  one_op(&x, &x.a, WIRE_OP_START_RENDER, 0, 30, 10);
  for (i = 0; i < 10; i++)
    ASSERT_EQ(sstate(&x, i), BOOK_PENDING);
  ASSERT_EQ(sstate(&x, 20), BOOK_RENDERING);
  ASSERT_EQ(sstate(&x, 24), BOOK_PENDING);
  /* B claims 0..4, C 2..6: 2..4 show B (the lower first). */
  claim(&x, &x.b, 0, 5, 60);
  b_claim = x.b.seq;
  claim(&x, &x.c, 2, 5, 60);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_sentence_state"
                           " WHERE sentence BETWEEN 0 AND 6"
                           " AND state = 2"), 7);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_sentence_state"
                           " WHERE sentence BETWEEN 2 AND 4"
                           " AND cl_author = (SELECT cl_author FROM"
                           " st_sentence_state WHERE sentence = 0)"), 3);
  /* B releases: 0..1 pending again, 2..4 now C's. */
  one_op(&x, &x.b, WIRE_OP_RELEASE, (uint32_t)b_claim, 0, 70);
  ASSERT_EQ(sstate(&x, 0), BOOK_PENDING);
  ASSERT_EQ(sstate(&x, 1), BOOK_PENDING);
  ASSERT_EQ(sstate(&x, 3), BOOK_RENDERING);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_sentence_state"
                           " WHERE sentence BETWEEN 2 AND 6"
                           " AND cl_author = (SELECT cl_author FROM"
                           " st_sentence_state WHERE sentence = 20)"), 5);
  /* Results and a failure. */
  complete(&x, &x.c, 2, 2, 0xcc, 80);
  one_op(&x, &x.c, WIRE_OP_FAIL, 4, 1, 80);
  ASSERT_EQ(sstate(&x, 2), BOOK_READY);
  ASSERT_EQ(sstate(&x, 4), BOOK_FAILED);
  ASSERT_EQ(lt_count(x.db, "SELECT duration_ms FROM st_sentence_state"
                           " WHERE sentence = 3"), 1000);
  /* Cancel: everything not ready goes idle. */
  one_op(&x, &x.a, WIRE_OP_CANCEL_PENDING, 0, 0, 90);
  ASSERT_EQ(sstate(&x, 0), BOOK_IDLE);
  ASSERT_EQ(sstate(&x, 3), BOOK_READY);
  ASSERT_EQ(sstate(&x, 4), BOOK_IDLE);
  ASSERT_EQ(sstate(&x, 5), BOOK_IDLE);
  /* A re-render of 3..4 (take 1): pending until its own result; the
   * failure and C's claim are older than it. */
  one_op(&x, &x.a, WIRE_OP_RERENDER, 3, 2, 100);
  ASSERT_EQ(sstate(&x, 3), BOOK_PENDING);
  ASSERT_EQ(sstate(&x, 4), BOOK_PENDING);
  complete(&x, &x.b, 3, 1, 0xbb, 95); /* take 0: not the one asked */
  ASSERT_EQ(sstate(&x, 3), BOOK_PENDING);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_claim_span"
                           " WHERE span = 4"), 1);
  /* rebuild-state gives the same rows. */
  {
    char *before = derived_dump(x.db), *after;
    ASSERT_OK(feed_rebuild(x.f));
    after = derived_dump(x.db);
    ASSERT_STR_EQ(before, after);
    xfree(before);
    xfree(after);
  }
  small_close(&x);
  return 0;
}

TEST_IMPL(state_membership_rules)
{
  struct small x;
  struct wire_entry e;
  char before[65], after[65];

  small_open(&x);
  /* Mutual removal: B removes C at 20, C removes B at 25 (concurrent).
   * B's removal comes first in total order, so C's is void. */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_REMOVE;
  memcpy(e.key, x.b.key, 32);
  put(&x, &x.c, &e, 24, FEED_ACCEPTED, NULL);
  e.op = WIRE_OP_REMOVE;
  memcpy(e.key, x.c.key, 32);
  put(&x, &x.b, &e, 19, FEED_ACCEPTED, NULL);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_members WHERE "
                           "removed_lamport IS NOT NULL"), 1);
  {
    int yes;
    ASSERT_OK(state_is_member(feed_state(x.f), x.b.key, 1000, &yes));
    ASSERT_EQ(yes, 1);
    ASSERT_OK(state_is_member(feed_state(x.f), x.c.key, 1000, &yes));
    ASSERT_EQ(yes, 0);
    ASSERT_OK(state_is_member(feed_state(x.f), x.c.key, 19, &yes));
    ASSERT_EQ(yes, 1);
  }
  /* C's later entries are refused; earlier-keyed concurrent ones count. */
  cast(&x, &x.b, x.book, "Alice", "b", 30, NULL);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_CAST_CHARACTER;
  memcpy(e.book, x.book, WIRE_BOOK_ID_BYTES);
  set_str(&e.text, "Alice");
  set_str(&e.voice, "c");
  put(&x, &x.c, &e, 100, FEED_REJECTED, NULL);
  /* Double use of a single-use invite: the first admit in total order
   * wins; the second is void. Revocation beats use. */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_INVITE_CREATE;
  memset(e.invite_id, 9, sizeof(e.invite_id));
  memset(e.key, 9, sizeof(e.key));
  e.max_uses = 1;
  put(&x, &x.a, &e, 40, FEED_ACCEPTED, NULL);
  e.op = WIRE_OP_ADMIT;
  memset(e.invite_id, 9, sizeof(e.invite_id));
  memcpy(e.key, x.d.key, 32);
  put(&x, &x.b, &e, 45, FEED_ACCEPTED, NULL);
  e.op = WIRE_OP_ADMIT;
  memset(e.invite_id, 9, sizeof(e.invite_id));
  memset(e.key, 0x77, 32);
  put(&x, &x.a, &e, 50, FEED_ACCEPTED, NULL);
  ASSERT_EQ(lt_count(x.db, "SELECT uses FROM st_invites WHERE "
                           "hex(invite_id) LIKE '0909%'"), 1);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_members WHERE "
                           "hex(node) LIKE '7777%'"), 0);
  /* D is in and works ... */
  cast(&x, &x.d, x.book, "Dora", "d", 60, NULL);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_casting WHERE "
                           "target='Dora'"), 1);
  lt_hash(x.f, before);
  /* ... until a revoke of that invite arrives: D was never admitted,
   * and its entries stop counting. */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_INVITE_REVOKE;
  memset(e.invite_id, 9, sizeof(e.invite_id));
  put(&x, &x.a, &e, 46, FEED_ACCEPTED, NULL);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_casting WHERE "
                           "target='Dora'"), 0);
  lt_hash(x.f, after);
  ASSERT(strcmp(before, after) != 0);
  ASSERT_OK(feed_rebuild(x.f));
  lt_hash(x.f, before);
  ASSERT_STR_EQ(before, after);
  small_close(&x);
  return 0;
}
