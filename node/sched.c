/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The scheduler's pure parts; see sched.h. Reads the st_* tables through
 * node/db.h; never writes them. */
#include "node/sched.h"

#include <string.h>

#include "crypto/secure.h"
#include "node/alloc.h"

#define CHECK(x)                                                          \
  do {                                                                    \
    err = (x);                                                            \
    if (err)                                                              \
      goto fail;                                                          \
  } while (0)

#define RENDEZVOUS_KEY "glowtalk-rendezvous-v1"
#define TIE_KEY "glowtalk-claim-tie-v1"

static uint64_t
keyed_u64(const char *key, const uint8_t *book, uint32_t sentence,
          const uint8_t *node)
{
  uint8_t msg[WIRE_BOOK_ID_BYTES + 4 + WIRE_KEY_BYTES];
  uint8_t h[SECURE_HASH_BYTES];
  uint64_t v = 0;
  int i;

  memcpy(msg, book, WIRE_BOOK_ID_BYTES);
  for (i = 0; i < 4; i++)
    msg[WIRE_BOOK_ID_BYTES + i] = (uint8_t)(sentence >> (24 - 8 * i));
  memcpy(msg + WIRE_BOOK_ID_BYTES + 4, node, WIRE_KEY_BYTES);
  secure_hash(h, msg, sizeof(msg), key, strlen(key));
  for (i = 0; i < 8; i++)
    v = (v << 8) | h[i];
  return v;
}

uint64_t
sched_score(const uint8_t book[WIRE_BOOK_ID_BYTES], uint32_t sentence,
            const uint8_t node[WIRE_KEY_BYTES])
{
  return keyed_u64(RENDEZVOUS_KEY, book, sentence, node);
}

int
sched_is_top(const uint8_t book[WIRE_BOOK_ID_BYTES], uint32_t sentence,
             const uint8_t node[WIRE_KEY_BYTES],
             const uint8_t (*live)[WIRE_KEY_BYTES], size_t n)
{
  uint64_t mine = 0, w;
  size_t i;
  int in = 0;

  for (i = 0; i < n; i++)
    if (memcmp(live[i], node, WIRE_KEY_BYTES) == 0)
      in = 1;
  if (!in)
    return 0;
  mine = sched_score(book, sentence, node);
  for (i = 0; i < n; i++) {
    if (memcmp(live[i], node, WIRE_KEY_BYTES) == 0)
      continue;
    w = sched_score(book, sentence, live[i]);
    if (w > mine || (w == mine && memcmp(live[i], node, WIRE_KEY_BYTES) < 0))
      return 0;
  }
  return 1;
}

static void
copy_blob(uint8_t *dst, struct db_stmt *s, int col, size_t n)
{
  size_t len = 0;
  const void *p = db_col_blob(s, col, &len);
  memset(dst, 0, n);
  if (p && len == n)
    memcpy(dst, p, n);
}

/* Epoch of the claim with entry id: 0 without supersedes, else the
 * superseded claim's + 1; -1 when a claim in the chain is not held (void)
 * or the chain is longer than SCHED_EPOCH_MAX. */
static int
claim_epoch(struct db *db, const uint8_t *supersedes, int has, int *epoch)
{
  static const char *const q =
    "SELECT supersedes FROM st_claims WHERE claim_id=?1 LIMIT 1";
  struct db_stmt *s = NULL;
  uint8_t cur[WIRE_HASH_BYTES];
  int err = 0, rc, depth = 0;

  *epoch = 0;
  if (!has)
    return 0;
  memcpy(cur, supersedes, sizeof(cur));
  CHECK(db_prepare(db, q, &s));
  for (;;) {
    if (++depth > SCHED_EPOCH_MAX) {
      *epoch = -1;
      break;
    }
    CHECK(db_bind_blob(s, 1, cur, sizeof(cur)));
    rc = db_step(s);
    CHECK(rc < 0 ? rc : 0);
    if (rc != DB_ROW) {
      *epoch = -1;
      break;
    }
    (*epoch)++;
    if (db_col_is_null(s, 0)) {
      db_reset(s);
      break;
    }
    copy_blob(cur, s, 0, sizeof(cur));
    db_reset(s);
  }
fail:
  db_finalize(&s);
  return err;
}

/* Finding sentences' active claims, many in a row: one prepared
 * statement, and the book's longest claimed run bounds the index range
 * (a run starting more than that before a sentence cannot cover it), so
 * a lookup does not walk every claim before the sentence. */
struct claim_lookup {
  struct db_stmt *s;
  uint8_t book[WIRE_BOOK_ID_BYTES];
  int64_t maxrun;      /* for book; -1 before the first lookup */
};

static void
lookup_init(struct claim_lookup *cl)
{
  memset(cl, 0, sizeof(*cl));
  cl->maxrun = -1;
}

static void
lookup_done(struct claim_lookup *cl)
{
  db_finalize(&cl->s);
}

static int
active_claim(struct state *st, struct claim_lookup *cl,
             const uint8_t book[WIRE_BOOK_ID_BYTES], uint32_t sentence,
             struct sched_claim *out, int *found)
{
  static const char *const q =
    "SELECT c.claim_id, c.author, c.seq, c.lease_ms, c.renew_lamport,"
    " c.supersedes FROM st_claims c JOIN st_tasks t ON t.book=c.book"
    " AND t.sentence=?2 WHERE c.book=?1 AND c.first BETWEEN ?2 - ?3 AND ?2"
    " AND c.last>=?2 AND c.released=0 AND (c.lamport, c.author) >"
    " (t.req_lamport, t.req_author)";
  struct db_stmt *s;
  uint64_t best_tie = 0;
  int err, rc, best_epoch = -1;

  *found = 0;
  memset(out, 0, sizeof(*out));
  if (cl->maxrun < 0 || memcmp(cl->book, book, WIRE_BOOK_ID_BYTES) != 0) {
    struct db_stmt *m = NULL;
    CHECK(db_prepare(state_db(st), "SELECT coalesce(max(last - first), 0)"
                     " FROM st_claims WHERE book=?1", &m));
    err = db_bind_blob(m, 1, book, WIRE_BOOK_ID_BYTES);
    rc = err ? err : db_step(m);
    cl->maxrun = rc == DB_ROW ? db_col_int(m, 0) : 0;
    db_finalize(&m);
    CHECK(rc < 0 ? rc : 0);
    memcpy(cl->book, book, WIRE_BOOK_ID_BYTES);
  }
  if (cl->s == NULL)
    CHECK(db_prepare(state_db(st), q, &cl->s));
  s = cl->s;
  db_reset(s);
  CHECK(db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 2, sentence));
  CHECK(db_bind_int(s, 3, cl->maxrun));
  while ((rc = db_step(s)) == DB_ROW) {
    struct sched_claim c;
    uint8_t sup[WIRE_HASH_BYTES];
    int epoch, has = !db_col_is_null(s, 5);
    uint64_t tie;

    memset(&c, 0, sizeof(c));
    copy_blob(c.id, s, 0, WIRE_HASH_BYTES);
    copy_blob(c.author, s, 1, WIRE_KEY_BYTES);
    c.seq = (uint64_t)db_col_int(s, 2);
    c.lease_ms = (uint32_t)db_col_int(s, 3);
    c.renew_lamport = (uint64_t)db_col_int(s, 4);
    copy_blob(sup, s, 5, WIRE_HASH_BYTES);
    CHECK(claim_epoch(state_db(st), sup, has, &epoch));
    if (epoch < 0)
      continue; /* supersedes a claim that is not held: void */
    c.epoch = (uint32_t)epoch;
    tie = keyed_u64(TIE_KEY, book, sentence, c.author);
    if (!*found || epoch > best_epoch ||
        (epoch == best_epoch &&
         (tie < best_tie || (tie == best_tie && c.seq < out->seq)))) {
      *out = c;
      best_epoch = epoch;
      best_tie = tie;
      *found = 1;
    }
  }
  CHECK(rc < 0 ? rc : 0);
fail:
  if (cl->s)
    db_reset(cl->s);
  return err;
}

int
sched_active_claim(struct state *st, const uint8_t book[WIRE_BOOK_ID_BYTES],
                   uint32_t sentence, struct sched_claim *out, int *found)
{
  struct claim_lookup cl;
  int err;

  lookup_init(&cl);
  err = active_claim(st, &cl, book, sentence, out, found);
  lookup_done(&cl);
  return err;
}

/* Pending tasks, without the claim filter. Only works whose current
 * document is stored here (a node that joined a moment ago has the tasks
 * before it has fetched the work's text); a sentence that failed waits for
 * a new request (glowtalk render). */
#define Q_PENDING \
  "SELECT t.book, t.sentence, t.take, t.priority, t.req_author" \
  " FROM st_tasks t" \
  " JOIN st_books b ON b.book=t.book" \
  " WHERE b.created=1 AND b.deleted=0" \
  " AND (t.req_lamport, t.req_author) > (b.cancel_lamport, b.cancel_author)" \
  " AND EXISTS (SELECT 1 FROM works w WHERE w.work_id=b.work_id" \
  "  AND NOT EXISTS (SELECT 1 FROM st_works s WHERE s.work_id=w.work_id" \
  "   AND lower(hex(s.doc_hash)) <> w.doc_hash))" \
  " AND NOT EXISTS (SELECT 1 FROM st_results r WHERE r.book=t.book" \
  "  AND r.sentence=t.sentence AND r.take=t.take" \
  "  AND (r.lamport, r.author) > (t.req_lamport, t.req_author))" \
  " AND NOT EXISTS (SELECT 1 FROM st_failures f WHERE f.book=t.book" \
  "  AND f.sentence=t.sentence" \
  "  AND (f.lamport, f.author) > (t.req_lamport, t.req_author))"

/* In queue order. */
static const char *const q_pending =
  Q_PENDING " ORDER BY t.priority DESC, t.book, t.sentence";
/* The same queue from its far end: a node out of work of its own takes
 * others' unclaimed work from the back, where its owners will come last
 * (they claim from the front), so the two rarely claim the same sentence
 * at once. */
static const char *const q_pending_back =
  Q_PENDING " ORDER BY t.priority DESC, t.book DESC, t.sentence DESC";

/* Is the task free to claim? *held gets the active claim when it is stale
 * (a takeover), has_stale says so. */
static int
task_free(struct state *st, struct claim_lookup *cl,
          const struct sched_task *t, sched_stale_cb stale, void *arg,
          int *free_, int *has_stale, struct sched_claim *held)
{
  int err, found;

  *free_ = 0;
  *has_stale = 0;
  err = active_claim(st, cl, t->book, t->sentence, held, &found);
  if (err)
    return err;
  if (!found) {
    *free_ = 1;
  } else if (stale && stale(held, arg)) {
    *free_ = 1;
    *has_stale = 1;
  }
  return 0;
}

static void
read_task(struct db_stmt *s, struct sched_task *t)
{
  copy_blob(t->book, s, 0, WIRE_BOOK_ID_BYTES);
  t->sentence = (uint32_t)db_col_int(s, 1);
  t->take = (uint32_t)db_col_int(s, 2);
  t->priority = (uint32_t)db_col_int(s, 3);
  copy_blob(t->req_author, s, 4, WIRE_KEY_BYTES);
}

static int
in_live(const uint8_t *node, const uint8_t (*live)[WIRE_KEY_BYTES], size_t n)
{
  size_t i;
  for (i = 0; i < n; i++)
    if (memcmp(live[i], node, WIRE_KEY_BYTES) == 0)
      return 1;
  return 0;
}

/* Is t this node's to claim without grace? */
static int
is_mine(const struct sched_task *t, const uint8_t *me,
        const uint8_t (*live)[WIRE_KEY_BYTES], size_t nlive)
{
  if (t->priority == WIRE_PRIORITY_INTERACTIVE &&
      in_live(t->req_author, live, nlive))
    return memcmp(t->req_author, me, WIRE_KEY_BYTES) == 0;
  return sched_is_top(t->book, t->sentence, me, live, nlive);
}

int
sched_queue(struct state *st, sched_stale_cb stale, void *arg,
            struct sched_task *out, size_t max, size_t *n)
{
  struct db_stmt *s = NULL;
  struct claim_lookup cl;
  struct sched_claim held;
  int err, rc, ok, has_stale;
  size_t scanned = 0;

  *n = 0;
  lookup_init(&cl);
  CHECK(db_prepare(state_db(st), q_pending, &s));
  while (*n < max && scanned++ < SCHED_SCAN_MAX &&
         (rc = db_step(s)) == DB_ROW) {
    read_task(s, &out[*n]);
    CHECK(task_free(st, &cl, &out[*n], stale, arg, &ok, &has_stale,
                    &held));
    if (ok)
      (*n)++;
  }
  err = 0;
fail:
  lookup_done(&cl);
  db_finalize(&s);
  return err;
}

int
sched_open_claims(struct state *st, const uint8_t node[WIRE_KEY_BYTES],
                  int64_t *n)
{
  static const char *const q =
    "SELECT count(DISTINCT c.seq) FROM st_claims c WHERE c.author=?1"
    " AND c.released=0 AND EXISTS (SELECT 1 FROM st_tasks t"
    "  WHERE t.book=c.book AND t.sentence BETWEEN c.first AND c.last"
    "  AND NOT EXISTS (SELECT 1 FROM st_results r WHERE r.book=t.book"
    "   AND r.sentence=t.sentence AND r.take=t.take"
    "   AND (r.lamport, r.author) > (t.req_lamport, t.req_author)))";
  struct db_stmt *s = NULL;
  int err, rc;

  *n = 0;
  CHECK(db_prepare(state_db(st), q, &s));
  CHECK(db_bind_blob(s, 1, node, WIRE_KEY_BYTES));
  rc = db_step(s);
  CHECK(rc < 0 ? rc : 0);
  *n = db_col_int(s, 0);
fail:
  db_finalize(&s);
  return err;
}

int
sched_interactive_waiting(struct state *st, int *yes)
{
  static const char *const q =
    "SELECT 1 FROM st_tasks t INDEXED BY st_tasks_interactive"
    " WHERE t.priority = 1"
    " AND NOT EXISTS (SELECT 1 FROM st_results r WHERE r.book=t.book"
    "  AND r.sentence=t.sentence AND r.take=t.take"
    "  AND (r.lamport, r.author) > (t.req_lamport, t.req_author))"
    " AND NOT EXISTS (SELECT 1 FROM st_failures f WHERE f.book=t.book"
    "  AND f.sentence=t.sentence"
    "  AND (f.lamport, f.author) > (t.req_lamport, t.req_author))"
    " LIMIT 1";
  struct db_stmt *s = NULL;
  int err, rc;

  *yes = 0;
  CHECK(db_prepare(state_db(st), q, &s));
  rc = db_step(s);
  CHECK(rc < 0 ? rc : 0);
  *yes = rc == DB_ROW;
fail:
  db_finalize(&s);
  return err;
}

static int
plan_claim(struct state *st, const uint8_t me[WIRE_KEY_BYTES],
           const uint8_t (*live)[WIRE_KEY_BYTES], size_t nlive, int grace,
           int interactive_only, sched_stale_cb stale, void *arg,
           struct wire_entry *out)
{
  struct db_stmt *s = NULL;
  struct sched_task first, t;
  struct sched_claim held, first_held;
  uint32_t idx[SCHED_CLAIM_BATCH];
  struct claim_lookup cl;
  size_t n = 0, scanned = 0, ahead = 0, cap, i;
  int64_t open;
  int err, rc, ok, has_stale, first_stale = 0, back = 0;

  memset(out, 0, sizeof(*out));
  lookup_init(&cl);
  CHECK(sched_open_claims(st, me, &open));
  if (open >= SCHED_CLAIMS_PER_NODE)
    return ERR_FORBIDDEN;
  /* With grace, unclaimed work found at the queue's front is taken from
   * its back instead (q_pending_back); stale claims are taken over from
   * the front, in story order, where a listener waits for them. */
  for (back = 0; back < 2; back++) {
    CHECK(db_prepare(state_db(st), back ? q_pending_back : q_pending, &s));
    while (ahead < SCHED_TAIL_ROWS && scanned++ < SCHED_SCAN_MAX &&
           (rc = db_step(s)) == DB_ROW) {
      read_task(s, &t);
      if (interactive_only && t.priority != WIRE_PRIORITY_INTERACTIVE)
        break; /* the queue puts interactive tasks first */
      if (n > 0 && (memcmp(t.book, first.book, WIRE_BOOK_ID_BYTES) != 0 ||
                    t.priority != first.priority || t.take != first.take))
        break; /* a claim covers one book, priority and take */
      if (!grace && !is_mine(&t, me, live, nlive))
        continue;
      CHECK(task_free(st, &cl, &t, stale, arg, &ok, &has_stale, &held));
      if (!ok || (back && has_stale))
        continue;
      if (n == 0) {
        first = t;
        first_stale = has_stale;
        first_held = held;
      } else if (has_stale != first_stale ||
                 (has_stale && memcmp(held.id, first_held.id,
                                      WIRE_HASH_BYTES) != 0)) {
        continue; /* one takeover names one stale claim */
      }
      if (n < SCHED_CLAIM_BATCH)
        idx[n++] = t.sentence;
      else
        ahead++; /* counted only, to size the claim */
    }
    db_finalize(&s);
    if (!grace || back || n == 0 || first_stale ||
        first.priority == WIRE_PRIORITY_INTERACTIVE)
      break;
    n = ahead = scanned = 0;
  }
  if (n == 0) {
    err = ERR_NOT_FOUND;
    goto fail;
  }
  /* Near the end of the work a node may take, claims shrink (down to a
   * quarter of what is left, at least SCHED_CLAIM_MIN), so the last
   * claims finish together instead of one node rendering a whole batch
   * while the others wait. Not when alone, nor for a takeover (the stale
   * claim's run is taken whole), nor for interactive work (wanted whole
   * and now). */
  cap = SCHED_CLAIM_BATCH;
  if (nlive > 1 && !first_stale &&
      first.priority != WIRE_PRIORITY_INTERACTIVE &&
      n + ahead < 4 * (size_t)SCHED_CLAIM_BATCH) {
    cap = (n + ahead + 3) / 4;
    if (cap < SCHED_CLAIM_MIN)
      cap = SCHED_CLAIM_MIN;
  }
  if (n > cap)
    n = cap;
  if (back) /* from the back: the claim lists them in order */
    for (i = 0; i < n / 2; i++) {
      uint32_t tmp = idx[i];
      idx[i] = idx[n - 1 - i];
      idx[n - 1 - i] = tmp;
    }
  out->op = WIRE_OP_CLAIM;
  out->priority = first.priority; /* for the caller; not on the wire */
  memcpy(out->book, first.book, WIRE_BOOK_ID_BYTES);
  out->lease_ms = SCHED_LEASE_MS;
  if (first_stale) {
    out->has_ref = 1;
    memcpy(out->ref, first_held.id, WIRE_HASH_BYTES);
  }
  err = wire_sentences_from(&out->sent, idx, n);
fail:
  lookup_done(&cl);
  db_finalize(&s);
  return err;
}

int
sched_plan_claim(struct state *st, const uint8_t me[WIRE_KEY_BYTES],
                 const uint8_t (*live)[WIRE_KEY_BYTES], size_t nlive,
                 int grace, sched_stale_cb stale, void *arg,
                 struct wire_entry *out)
{
  return plan_claim(st, me, live, nlive, grace, 0, stale, arg, out);
}

int
sched_plan_interactive(struct state *st, const uint8_t me[WIRE_KEY_BYTES],
                       const uint8_t (*live)[WIRE_KEY_BYTES], size_t nlive,
                       sched_stale_cb stale, void *arg,
                       struct wire_entry *out)
{
  return plan_claim(st, me, live, nlive, 0, 1, stale, arg, out);
}

int
sched_plan_renew(struct state *st, const uint8_t node[WIRE_KEY_BYTES],
                 struct wire_entry *out)
{
  static const char *const q =
    "SELECT DISTINCT c.seq FROM st_claims c WHERE c.author=?1"
    " AND c.released=0 AND EXISTS (SELECT 1 FROM st_tasks t"
    "  WHERE t.book=c.book AND t.sentence BETWEEN c.first AND c.last"
    "  AND NOT EXISTS (SELECT 1 FROM st_results r WHERE r.book=t.book"
    "   AND r.sentence=t.sentence AND r.take=t.take"
    "   AND (r.lamport, r.author) > (t.req_lamport, t.req_author)))"
    " ORDER BY c.seq LIMIT ?2";
  struct db_stmt *s = NULL;
  int err, rc;

  memset(out, 0, sizeof(*out));
  CHECK(db_prepare(state_db(st), q, &s));
  CHECK(db_bind_blob(s, 1, node, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, WIRE_CLAIM_REFS_MAX));
  out->claims = xcalloc(WIRE_CLAIM_REFS_MAX, sizeof(*out->claims));
  while ((rc = db_step(s)) == DB_ROW)
    out->claims[out->nclaims++] = (uint64_t)db_col_int(s, 0);
  CHECK(rc < 0 ? rc : 0);
  if (out->nclaims == 0) {
    err = ERR_NOT_FOUND;
    goto fail;
  }
  out->op = WIRE_OP_RENEW;
fail:
  db_finalize(&s);
  if (err)
    wire_entry_clear(out);
  return err;
}
