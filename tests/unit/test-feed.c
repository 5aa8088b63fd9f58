/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The signed log: appends, every rejection (with its reason and nothing
 * stored), duplicates and forks. Also the shared log test helpers. */
#include <string.h>

#include "crypto/secure.h"
#include "logtest.h"
#include "node/alloc.h"
#include "task.h"

const uint8_t lt_net[WIRE_NETWORK_ID_BYTES] = {
  0x67, 0x6c, 0x6f, 0x77, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

void
lt_author(struct tauthor *a, const char *dir, int n)
{
  char path[512], errbuf[256];

  memset(a, 0, sizeof(*a));
  ASSERT_OK(secure_init());
  snprintf(path, sizeof(path), "%s/author%d.key", dir, n);
  if (identity_create(path, 1, &a->id, errbuf, sizeof(errbuf)))
    ASSERT_FAIL_("%s", errbuf);
  memcpy(a->key, identity_public_key(a->id), WIRE_KEY_BYTES);
}

void
lt_author_free(struct tauthor *a)
{
  identity_free(&a->id);
}

uint8_t *
lt_sign_raw(struct tauthor *a, const struct wire_entry *e, size_t *len,
            uint8_t id[WIRE_HASH_BYTES])
{
  uint8_t *bytes, *out, sig[WIRE_SIG_BYTES];
  size_t blen;
  char errbuf[160];

  if (wire_entry_encode(e, &bytes, &blen, errbuf, sizeof(errbuf)))
    ASSERT_FAIL_("encode: %s", errbuf);
  identity_sign(a->id, FEED_SIGN_CONTEXT, bytes, blen, sig);
  feed_entry_id(bytes, blen, id);
  ASSERT_OK(wire_signed_encode(bytes, blen, sig, &out, len));
  xfree(bytes);
  return out;
}

uint8_t *
lt_next(struct tauthor *a, struct wire_entry *e, uint64_t seen, size_t *len,
        uint8_t id[WIRE_HASH_BYTES])
{
  uint8_t *out;

  e->format = WIRE_ENTRY_FORMAT;
  memcpy(e->network_id, lt_net, sizeof(lt_net));
  memcpy(e->author, a->key, WIRE_KEY_BYTES);
  e->seq = a->seq + 1;
  memcpy(e->prev, a->last, WIRE_HASH_BYTES);
  e->lamport = (seen > a->lamport ? seen : a->lamport) + 1;
  e->wall_ms = 1700000000000;
  out = lt_sign_raw(a, e, len, id);
  a->seq = e->seq;
  a->lamport = e->lamport;
  memcpy(a->last, id, WIRE_HASH_BYTES);
  return out;
}

void
lt_store(const char *dir, const char *name, const uint8_t *founder,
         const struct identity *me, struct db **db, struct feed **f)
{
  char path[512], errbuf[256];

  snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (db_open_store(path, db, errbuf, sizeof(errbuf)))
    ASSERT_FAIL_("%s", errbuf);
  ASSERT_OK(state_set_founder(*db, founder));
  ASSERT_OK(feed_open(*db, me, lt_net, f));
}

void
lt_work_stored(struct db *db, const char *work_id)
{
  char *sql = xasprintf("INSERT INTO works(work_id, key, source, doc_hash,"
                        " imported_at) VALUES('%s', 'test:%s', 'test', '',"
                        " 0)", work_id, work_id);
  ASSERT_OK(db_exec(db, sql));
  xfree(sql);
}

int
lt_recv(struct feed *f, const uint8_t *buf, size_t len,
        struct feed_result *res)
{
  ASSERT_OK(feed_receive(f, buf, len, NULL, res));
  return res->verdict;
}

void
lt_hash(struct feed *f, char out[65])
{
  ASSERT_OK(state_hash_hex(feed_state(f), out));
}

int64_t
lt_count(struct db *db, const char *sql)
{
  int64_t v;
  ASSERT_OK(db_query_int(db, sql, &v));
  return v;
}

/* ---- tests ------------------------------------------------------------ */

static void
set_str(char **dst, const char *s)
{
  xfree(*dst);
  *dst = xstrdup(s);
}

static void
op_cast(struct wire_entry *e, const uint8_t *book, const char *who,
        const char *voice)
{
  memset(e, 0, sizeof(*e));
  e->op = WIRE_OP_CAST_CHARACTER;
  memcpy(e->book, book, WIRE_BOOK_ID_BYTES);
  set_str(&e->text, who);
  set_str(&e->voice, voice);
}

/* A receiver store, the founder A and a second author B admitted by A. */
struct fixture {
  char *dir;
  struct tauthor a, b, c;
  struct db *db;
  struct feed *f;
  uint8_t book[WIRE_BOOK_ID_BYTES];
};

static void
fixture_open(struct fixture *x)
{
  struct wire_entry e;
  struct feed_result res;
  uint8_t *buf, id[WIRE_HASH_BYTES];
  size_t len;

  x->dir = test_mkdtemp();
  lt_author(&x->a, x->dir, 0);
  lt_author(&x->b, x->dir, 1);
  lt_author(&x->c, x->dir, 2);
  lt_store(x->dir, "r.db", x->a.key, x->c.id, &x->db, &x->f);
  /* A: invite, admit B. */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_INVITE_CREATE;
  memset(e.invite_id, 7, sizeof(e.invite_id));
  memset(e.key, 8, sizeof(e.key));
  e.max_uses = 1;
  buf = lt_next(&x->a, &e, 0, &len, id);
  ASSERT_EQ(lt_recv(x->f, buf, len, &res), FEED_ACCEPTED);
  xfree(buf);
  e.op = WIRE_OP_ADMIT;
  memcpy(e.key, x->b.key, WIRE_KEY_BYTES);
  buf = lt_next(&x->a, &e, 0, &len, id);
  ASSERT_EQ(lt_recv(x->f, buf, len, &res), FEED_ACCEPTED);
  xfree(buf);
  wire_entry_clear(&e);
  /* A creates a book. */
  e.op = WIRE_OP_BOOK_CREATE;
  set_str(&e.work_id, "glowfic:post:1");
  set_str(&e.name, "Book");
  buf = lt_next(&x->a, &e, 0, &len, id);
  ASSERT_EQ(lt_recv(x->f, buf, len, &res), FEED_ACCEPTED);
  memcpy(x->book, id, WIRE_BOOK_ID_BYTES);
  xfree(buf);
  wire_entry_clear(&e);
}

static void
fixture_close(struct fixture *x)
{
  feed_free(&x->f);
  db_close(&x->db);
  lt_author_free(&x->a);
  lt_author_free(&x->b);
  lt_author_free(&x->c);
  test_rmdir(x->dir);
}

static int64_t
log_rows(struct fixture *x)
{
  return lt_count(x->db, "SELECT count(*) FROM log_entries") +
         lt_count(x->db, "SELECT count(*) FROM log_forks");
}

/* Expect buf to be rejected for reason with nothing stored and the state
 * unchanged. */
static void
expect_reject(struct fixture *x, const uint8_t *buf, size_t len,
              int reason)
{
  struct feed_result res;
  char before[65], after[65];
  int64_t rows = log_rows(x);

  lt_hash(x->f, before);
  if (lt_recv(x->f, buf, len, &res) != FEED_REJECTED)
    ASSERT_FAIL_("verdict %d (%s), expected a rejection (%s)",
                 res.verdict, res.text, feed_reason_str(reason));
  if (res.reason != reason)
    ASSERT_FAIL_("reason %d (%s), expected %d (%s)", res.reason, res.text,
                 reason, feed_reason_str(reason));
  ASSERT(res.text[0] != '\0');
  ASSERT_EQ(log_rows(x), rows);
  lt_hash(x->f, after);
  ASSERT_STR_EQ(before, after);
}

TEST_IMPL(feed_accepts_and_is_idempotent)
{
  struct fixture x;
  struct wire_entry e;
  struct feed_result res;
  uint8_t *buf, id[WIRE_HASH_BYTES];
  char h1[65], h2[65];
  size_t len;

  fixture_open(&x);
  op_cast(&e, x.book, "Alice", "espeak:en+f3");
  buf = lt_next(&x.b, &e, x.a.lamport, &len, id);
  ASSERT_EQ(lt_recv(x.f, buf, len, &res), FEED_ACCEPTED);
  ASSERT_EQ(memcmp(res.id, id, WIRE_HASH_BYTES), 0);
  lt_hash(x.f, h1);
  ASSERT_EQ(lt_recv(x.f, buf, len, &res), FEED_DUPLICATE);
  ASSERT_EQ(lt_recv(x.f, buf, len, &res), FEED_DUPLICATE);
  lt_hash(x.f, h2);
  ASSERT_STR_EQ(h1, h2);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM log_entries"), 4);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_casting"), 1);
  xfree(buf);
  wire_entry_clear(&e);
  fixture_close(&x);
  return 0;
}

TEST_IMPL(feed_rejects_bad_entries)
{
  struct fixture x;
  struct wire_entry e;
  uint8_t *buf, id[WIRE_HASH_BYTES], big[WIRE_SIGNED_MAX + 2];
  struct tauthor saved;
  size_t len;

  fixture_open(&x);
  op_cast(&e, x.book, "Alice", "espeak:en");
  saved = x.b;

  /* Bad signature: one flipped bit of the signature. */
  buf = lt_next(&x.b, &e, x.a.lamport, &len, id);
  buf[len - 1] ^= 1;
  expect_reject(&x, buf, len, FEED_REASON_SIGNATURE);
  /* ... and of the signed bytes (still a valid Entry: flip a voice byte). */
  buf[len - 1] ^= 1;
  {
    uint8_t *p = memmem(buf, len, "espeak:en", 9);
    ASSERT_NOT_NULL(p);
    p[0] = 'E';
    expect_reject(&x, buf, len, FEED_REASON_SIGNATURE);
  }
  xfree(buf);
  x.b = saved;

  /* Wrong network. */
  buf = lt_next(&x.b, &e, x.a.lamport, &len, id);
  xfree(buf);
  e.network_id[0] ^= 0xff;
  buf = lt_sign_raw(&x.b, &e, &len, id);
  expect_reject(&x, buf, len, FEED_REASON_NETWORK);
  xfree(buf);
  x.b = saved;

  /* Wrong author: signed by C but naming B; and a feed that is not the
   * one being replicated. */
  buf = lt_next(&x.b, &e, x.a.lamport, &len, id);
  xfree(buf);
  buf = lt_sign_raw(&x.c, &e, &len, id);
  expect_reject(&x, buf, len, FEED_REASON_SIGNATURE);
  xfree(buf);
  x.b = saved;
  buf = lt_next(&x.b, &e, x.a.lamport, &len, id);
  {
    struct feed_result res;
    ASSERT_OK(feed_receive(x.f, buf, len, x.a.key, &res));
    ASSERT_EQ(res.verdict, FEED_REJECTED);
    ASSERT_EQ(res.reason, FEED_REASON_AUTHOR);
  }
  xfree(buf);
  x.b = saved;

  /* Non-member: C was never admitted. */
  buf = lt_next(&x.c, &e, x.a.lamport, &len, id);
  expect_reject(&x, buf, len, FEED_REASON_NOT_MEMBER);
  xfree(buf);

  /* Seq gap: B's seq 2 without seq 1. */
  buf = lt_next(&x.b, &e, x.a.lamport, &len, id);
  xfree(buf);
  buf = lt_next(&x.b, &e, x.a.lamport, &len, id);
  expect_reject(&x, buf, len, FEED_REASON_SEQ_GAP);
  xfree(buf);
  x.b = saved;

  /* Accept B's seq 1, then: wrong previous id, non-increasing Lamport,
   * seq regression. */
  {
    struct feed_result res;
    struct tauthor after1;
    buf = lt_next(&x.b, &e, x.a.lamport, &len, id);
    ASSERT_EQ(lt_recv(x.f, buf, len, &res), FEED_ACCEPTED);
    xfree(buf);
    after1 = x.b;
    buf = lt_next(&x.b, &e, 0, &len, id);
    xfree(buf);
    e.prev[0] ^= 1;
    buf = lt_sign_raw(&x.b, &e, &len, id);
    expect_reject(&x, buf, len, FEED_REASON_PREV);
    xfree(buf);
    x.b = after1;
    buf = lt_next(&x.b, &e, 0, &len, id);
    xfree(buf);
    e.lamport = after1.lamport;
    buf = lt_sign_raw(&x.b, &e, &len, id);
    expect_reject(&x, buf, len, FEED_REASON_LAMPORT);
    xfree(buf);
    /* Seq regression: B holds seq 1..2; a seq-2 entry whose prev does
     * not link into the feed is neither next nor a fork. */
    x.b = after1;
    buf = lt_next(&x.b, &e, 0, &len, id);
    ASSERT_EQ(lt_recv(x.f, buf, len, &res), FEED_ACCEPTED);
    xfree(buf);
    buf = lt_next(&x.b, &e, 0, &len, id);
    xfree(buf);
    e.seq = 2;
    memset(e.prev, 0x55, sizeof(e.prev));
    buf = lt_sign_raw(&x.b, &e, &len, id);
    expect_reject(&x, buf, len, FEED_REASON_SEQ_REGRESSION);
    xfree(buf);
  }

  /* Oversized: past the SignedEntry cap, and an Entry past its cap. */
  memset(big, 0, sizeof(big));
  expect_reject(&x, big, sizeof(big), FEED_REASON_TOO_BIG);
  {
    /* A SignedEntry under its own cap whose Entry is over WIRE_ENTRY_MAX:
     * refused before the Entry is parsed. */
    size_t elen = WIRE_ENTRY_MAX + 1, n = 0;
    uint8_t *raw = xcalloc(1, elen + 80);
    raw[n++] = 0x0a;
    {
      size_t v = elen;
      while (v >= 0x80) {
        raw[n++] = (uint8_t)(0x80 | (v & 0x7f));
        v >>= 7;
      }
      raw[n++] = (uint8_t)v;
    }
    n += elen;
    raw[n++] = 0x12;
    raw[n++] = WIRE_SIG_BYTES;
    n += WIRE_SIG_BYTES;
    ASSERT_LE(n, WIRE_SIGNED_MAX);
    expect_reject(&x, raw, n, FEED_REASON_TOO_BIG);
    xfree(raw);
  }
  /* Malformed bytes. */
  {
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2};
    expect_reject(&x, junk, sizeof(junk), FEED_REASON_MALFORMED);
  }
  wire_entry_clear(&e);
  fixture_close(&x);
  return 0;
}

TEST_IMPL(feed_fork_freezes_author)
{
  struct fixture x;
  struct wire_entry e;
  struct feed_result res;
  struct tauthor at1;
  uint8_t *b1, *b2a, *b2b, *b3, id[WIRE_HASH_BYTES];
  size_t l1, l2a, l2b, l3;
  char before[65], after[65];

  fixture_open(&x);
  op_cast(&e, x.book, "Alice", "v1");
  b1 = lt_next(&x.b, &e, x.a.lamport, &l1, id);
  ASSERT_EQ(lt_recv(x.f, b1, l1, &res), FEED_ACCEPTED);
  lt_hash(x.f, before);
  at1 = x.b;
  set_str(&e.voice, "v2");
  b2a = lt_next(&x.b, &e, 0, &l2a, id);
  b3 = lt_next(&x.b, &e, 0, &l3, id);
  x.b = at1;
  set_str(&e.voice, "v3");
  b2b = lt_next(&x.b, &e, 0, &l2b, id);
  ASSERT_EQ(lt_recv(x.f, b2a, l2a, &res), FEED_ACCEPTED);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_casting"), 2);
  ASSERT_EQ(lt_recv(x.f, b2b, l2b, &res), FEED_FORK);
  /* Proof kept: both entries at seq 2 are held. */
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM log_forks"), 1);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM log_entries "
                           "WHERE seq=2 AND op=20"), 1);
  ASSERT_EQ(lt_count(x.db, "SELECT frozen_seq FROM log_frozen"), 2);
  /* State from before the fork. */
  lt_hash(x.f, after);
  ASSERT_STR_EQ(before, after);
  ASSERT_EQ(lt_count(x.db, "SELECT count(*) FROM st_casting"), 1);
  /* Frozen: later entries refused; the proof again is a duplicate. */
  expect_reject(&x, b3, l3, FEED_REASON_FROZEN);
  ASSERT_EQ(lt_recv(x.f, b2b, l2b, &res), FEED_DUPLICATE);
  /* A rebuild agrees. */
  ASSERT_OK(feed_rebuild(x.f));
  lt_hash(x.f, after);
  ASSERT_STR_EQ(before, after);
  xfree(b1);
  xfree(b2a);
  xfree(b2b);
  xfree(b3);
  wire_entry_clear(&e);
  fixture_close(&x);
  return 0;
}

static int published;
static void
on_publish(const uint8_t *bytes, size_t len, void *arg)
{
  (void)arg;
  ASSERT(len > 0 && bytes != NULL);
  published++;
}

static int heads_seen;
static void
on_head(const uint8_t *author, uint64_t seq, void *arg)
{
  ASSERT_EQ(memcmp(author, arg, WIRE_KEY_BYTES), 0);
  ASSERT_EQ(seq, 3);
  heads_seen++;
}

TEST_IMPL(feed_append_own_entries)
{
  char *dir = test_mkdtemp(), h1[65], h2[65];
  struct tauthor me, other;
  struct db *db, *db2;
  struct feed *f, *f2;
  struct wire_entry e;
  struct feed_result res;
  uint8_t id[WIRE_HASH_BYTES], *buf;
  size_t len;
  uint64_t seq;

  lt_author(&me, dir, 0);
  lt_author(&other, dir, 1);
  lt_store(dir, "me.db", me.key, me.id, &db, &f);
  feed_on_publish(f, on_publish, NULL);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  set_str(&e.name, "test swarm");
  ASSERT_OK(feed_append(f, &e, id));
  ASSERT_EQ(published, 1);
  wire_entry_clear(&e);
  /* The founder pinned by hand and a rebuild agree. */
  lt_hash(f, h1);
  ASSERT_OK(feed_rebuild(f));
  lt_hash(f, h2);
  ASSERT_STR_EQ(h1, h2);
  e.op = WIRE_OP_BOOK_CREATE;
  set_str(&e.work_id, "w");
  set_str(&e.name, "n");
  ASSERT_OK(feed_begin(f));
  ASSERT_OK(feed_append(f, &e, id));
  ASSERT_OK(feed_append(f, &e, id));
  ASSERT_EQ(published, 1);
  ASSERT_OK(feed_commit(f));
  ASSERT_EQ(published, 3);
  /* An op that fails the wire checks stores nothing. */
  set_str(&e.work_id, "");
  ASSERT_EQ(feed_append(f, &e, id), ERR_INVAL);
  ASSERT_EQ(lt_count(db, "SELECT count(*) FROM log_entries"), 3);
  ASSERT_EQ(lt_count(db, "SELECT max(seq) FROM log_entries"), 3);
  /* Another node replicates them in order and reaches the same state. */
  lt_store(dir, "other.db", me.key, other.id, &db2, &f2);
  for (seq = 1; seq <= 3; seq++) {
    ASSERT_OK(feed_get(f, me.key, seq, &buf, &len));
    ASSERT_EQ(lt_recv(f2, buf, len, &res), FEED_ACCEPTED);
    xfree(buf);
  }
  lt_hash(f, h1);
  lt_hash(f2, h2);
  ASSERT_STR_EQ(h1, h2);
  heads_seen = 0;
  ASSERT_OK(feed_heads(f2, on_head, me.key));
  ASSERT_EQ(heads_seen, 1);
  /* The other node is not a member: it may not append. */
  set_str(&e.work_id, "w");
  ASSERT_EQ(feed_append(f2, &e, id), ERR_FORBIDDEN);
  wire_entry_clear(&e);
  feed_free(&f);
  feed_free(&f2);
  db_close(&db);
  db_close(&db2);
  lt_author_free(&me);
  lt_author_free(&other);
  test_rmdir(dir);
  return 0;
}

/* Another connection's writes noticed by a call that does not ask
 * (feed_append, a membership check) are still reported to the poller's
 * next feed_sync: the replicator once missed CLI entries this way and
 * advertised stale heads until the next write. */
TEST_IMPL(feed_sync_reports_change_seen_without_asking)
{
  char *dir = test_mkdtemp(), path[512], errbuf[256];
  struct tauthor me;
  struct db *db, *db2;
  struct feed *f, *f2;
  struct wire_entry e;
  uint8_t id[WIRE_HASH_BYTES];
  int changed = -1;

  lt_author(&me, dir, 0);
  lt_store(dir, "me.db", me.key, me.id, &db, &f);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  set_str(&e.name, "test swarm");
  ASSERT_OK(feed_append(f, &e, id));
  wire_entry_clear(&e);
  snprintf(path, sizeof(path), "%s/me.db", dir);
  if (db_open_store(path, &db2, errbuf, sizeof(errbuf)))
    ASSERT_FAIL_("%s", errbuf);
  ASSERT_OK(feed_open(db2, me.id, lt_net, &f2));
  ASSERT_OK(feed_sync(f, &changed));
  ASSERT_EQ(changed, 0);
  ASSERT_OK(feed_sync(f2, &changed));
  ASSERT_EQ(changed, 0); /* opening is not news */
  /* Another writer appends; a silent sync sees it first. */
  e.op = WIRE_OP_BOOK_CREATE;
  set_str(&e.work_id, "w");
  set_str(&e.name, "n");
  ASSERT_OK(feed_append(f2, &e, id));
  ASSERT_OK(feed_sync(f, NULL));
  ASSERT_OK(feed_sync(f, &changed));
  ASSERT_EQ(changed, 1);
  ASSERT_OK(feed_sync(f, &changed));
  ASSERT_EQ(changed, 0);
  /* The same through feed_append's own sync. */
  ASSERT_OK(feed_append(f2, &e, id));
  ASSERT_OK(feed_append(f, &e, id));
  ASSERT_EQ(lt_count(db, "SELECT max(seq) FROM log_entries"), 4);
  ASSERT_OK(feed_sync(f, &changed));
  ASSERT_EQ(changed, 1);
  wire_entry_clear(&e);
  feed_free(&f2);
  feed_free(&f);
  db_close(&db2);
  db_close(&db);
  lt_author_free(&me);
  test_rmdir(dir);
  return 0;
}

/* A member's well-signed entry with a Lamport clock far past everything
 * held is refused (LAMPORT, nothing stored); one just inside the skew is
 * taken; a clock past WIRE_LAMPORT_MAX cannot even be encoded. Without
 * the bounds one hostile entry at 2^63 - 1 wrapped every later clock
 * negative in SQLite and froze last-writer-wins for the whole swarm. */
TEST_IMPL(feed_refuses_runaway_lamport)
{
  struct fixture x;
  struct wire_entry e;
  struct feed_result res;
  uint8_t *buf, *bytes = NULL, id[WIRE_HASH_BYTES];
  size_t len, blen;
  char errbuf[160];
  uint64_t held;

  fixture_open(&x);
  op_cast(&e, x.book, "Alice", "espeak:en");
  held = (uint64_t)lt_count(x.db, "SELECT max(lamport) FROM log_entries");
  buf = lt_next(&x.b, &e, 0, &len, id);
  xfree(buf);
  e.lamport = held + FEED_LAMPORT_SKEW_MAX + 1;
  buf = lt_sign_raw(&x.b, &e, &len, id);
  expect_reject(&x, buf, len, FEED_REASON_LAMPORT);
  xfree(buf);
  e.lamport = held + FEED_LAMPORT_SKEW_MAX;
  buf = lt_sign_raw(&x.b, &e, &len, id);
  ASSERT_EQ(lt_recv(x.f, buf, len, &res), FEED_ACCEPTED);
  xfree(buf);
  ASSERT_EQ(lt_count(x.db, "SELECT max(lamport) FROM log_entries"),
            (int64_t)(held + FEED_LAMPORT_SKEW_MAX));
  e.lamport = WIRE_LAMPORT_MAX;
  ASSERT_OK(wire_entry_encode(&e, &bytes, &blen, errbuf, sizeof(errbuf)));
  xfree(bytes);
  e.lamport = WIRE_LAMPORT_MAX + 1;
  ASSERT_EQ(wire_entry_encode(&e, &bytes, &blen, errbuf, sizeof(errbuf)),
            ERR_INVAL);
  ASSERT_NOT_NULL(strstr(errbuf, "lamport"));
  wire_entry_clear(&e);
  fixture_close(&x);
  return 0;
}
