/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The reducer; see state.h and node/LOG.md. Every write below is an
 * order-independent merge (insert-once rows keyed by the entry, LWW
 * upserts guarded by (lamport, author), OR/max merges), except membership,
 * which is replayed from its raw rows in total order each time it
 * changes. */
#include "node/state.h"

#include <stdio.h>
#include <string.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/hex.h"
#include "node/live.h"
#include "node/sentstate.h"

#define CHECK(x)                                                          \
  do {                                                                    \
    err = (x);                                                            \
    if (err)                                                              \
      goto fail;                                                          \
  } while (0)

/* Statements prepared once per reducer (the hot path of apply). */
enum {
  S_WORK, S_BOOK_CREATE, S_BOOK_NAME, S_BOOK_DELETE, S_BOOK_CANCEL,
  S_CAST, S_LEXICON, S_TASK, S_CLAIM, S_RENEW, S_RELEASE, S_RESULT,
  S_FAILURE, S_ADDR, S_MEMBER_OP, S_FROZEN, S_COUNT_
};

static const char *const sql_text[S_COUNT_] = {
  [S_WORK] =
    "INSERT INTO st_works VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9) "
    "ON CONFLICT(work_id) DO UPDATE SET doc_hash=excluded.doc_hash,"
    " doc_size=excluded.doc_size, sentences=excluded.sentences,"
    " posts=excluded.posts, source_url=excluded.source_url,"
    " title=excluded.title, lamport=excluded.lamport,"
    " author=excluded.author "
    "WHERE (excluded.lamport, excluded.author) >"
    " (st_works.lamport, st_works.author)",
  [S_BOOK_CREATE] =
    "INSERT INTO st_books(book, created, work_id, fork_of, creator,"
    " create_lamport) VALUES (?1,1,?2,?3,?4,?5) "
    "ON CONFLICT(book) DO UPDATE SET created=1, work_id=excluded.work_id,"
    " fork_of=excluded.fork_of, creator=excluded.creator,"
    " create_lamport=excluded.create_lamport",
  [S_BOOK_NAME] =
    "INSERT INTO st_books(book, name, name_lamport, name_author) "
    "VALUES (?1,?2,?3,?4) ON CONFLICT(book) DO UPDATE SET"
    " name=excluded.name, name_lamport=excluded.name_lamport,"
    " name_author=excluded.name_author "
    "WHERE (excluded.name_lamport, excluded.name_author) >"
    " (st_books.name_lamport, st_books.name_author)",
  [S_BOOK_DELETE] =
    "INSERT INTO st_books(book, deleted) VALUES (?1,1) "
    "ON CONFLICT(book) DO UPDATE SET deleted=1",
  [S_BOOK_CANCEL] =
    "INSERT INTO st_books(book, cancel_lamport, cancel_author) "
    "VALUES (?1,?2,?3) ON CONFLICT(book) DO UPDATE SET"
    " cancel_lamport=excluded.cancel_lamport,"
    " cancel_author=excluded.cancel_author "
    "WHERE (excluded.cancel_lamport, excluded.cancel_author) >"
    " (st_books.cancel_lamport, st_books.cancel_author)",
  [S_CAST] =
    "INSERT INTO st_casting VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
  [S_LEXICON] =
    "INSERT OR IGNORE INTO st_lexicon VALUES (?1,?2,?3,?4,?5,?6)",
  [S_TASK] =
    "INSERT INTO st_tasks VALUES (?1,?2,?3,?4,?5,?6) "
    "ON CONFLICT(book, sentence) DO UPDATE SET take=excluded.take,"
    " priority=excluded.priority, req_lamport=excluded.req_lamport,"
    " req_author=excluded.req_author "
    "WHERE (excluded.req_lamport, excluded.req_author) >"
    " (st_tasks.req_lamport, st_tasks.req_author)",
  [S_CLAIM] =
    "INSERT OR IGNORE INTO st_claims VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,"
    "?8,0)",
  [S_RENEW] =
    "UPDATE st_claims SET renew_lamport=max(renew_lamport, ?3) "
    "WHERE author=?1 AND seq=?2",
  [S_RELEASE] =
    "UPDATE st_claims SET released=1 WHERE author=?1 AND seq=?2",
  [S_RESULT] =
    "INSERT OR IGNORE INTO st_results VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,"
    "?10,?11)",
  [S_FAILURE] =
    "INSERT OR IGNORE INTO st_failures VALUES (?1,?2,?3,?4,?5,?6)",
  [S_ADDR] =
    "INSERT INTO st_addrs VALUES (?1,?2,?3) ON CONFLICT(node) DO UPDATE"
    " SET addrs=excluded.addrs, lamport=excluded.lamport "
    "WHERE excluded.lamport > st_addrs.lamport",
  [S_MEMBER_OP] =
    "INSERT OR IGNORE INTO st_member_ops VALUES (?1,?2,?3,?4,?5,?6,?7,?8,"
    "?9,?10)",
  [S_FROZEN] = "SELECT author, frozen_seq FROM log_frozen",
};

struct member;
struct invite;

/* The effective membership, as in st_members. */
struct roster {
  struct member *m;
  size_t n, cap;
  struct invite *inv;
  size_t ninv, capinv;
};

struct state {
  struct db *db;                    /* borrowed */
  struct db_stmt *st[S_COUNT_];
  int rebuilding;                   /* no nested rebuilds */
  struct roster cache;              /* st_members in memory (hot path) */
  int cache_ok;                     /* cache matches st_members */
  struct {
    uint8_t author[WIRE_KEY_BYTES];
    uint64_t seq;
  } *frozen;                        /* log_frozen in memory */
  size_t nfrozen, capfrozen;
  int frozen_ok;                    /* frozen matches log_frozen */
  struct db_stmt *cast_best, *cast_parent; /* state_cast_get's, prepared
                                     * on first use */
  struct sentstate *ss;             /* st_sentence_state, kept as applied
                                     * (skipped while rebuilding, then
                                     * computed whole) */
};

/* ---- founder ---------------------------------------------------------- */

int
state_get_founder(struct db *db, uint8_t founder[WIRE_KEY_BYTES])
{
  struct db_stmt *s = NULL;
  int err, rc;

  CHECK(db_prepare(db, "SELECT value FROM node_meta WHERE key='founder'",
                   &s));
  rc = db_step(s);
  if (rc == DB_ROW) {
    const char *v = db_col_text(s, 0);
    err = v && strlen(v) == 2 * WIRE_KEY_BYTES
              ? hex_decode(founder, WIRE_KEY_BYTES, v)
              : ERR_DB_CORRUPT;
  } else {
    err = rc < 0 ? rc : ERR_NOT_FOUND;
  }
fail:
  db_finalize(&s);
  return err;
}

int
state_set_founder(struct db *db, const uint8_t founder[WIRE_KEY_BYTES])
{
  uint8_t old[WIRE_KEY_BYTES];
  char hex[2 * WIRE_KEY_BYTES + 1];
  struct db_stmt *s = NULL;
  int err;

  err = state_get_founder(db, old);
  if (err == 0)
    return memcmp(old, founder, WIRE_KEY_BYTES) ? ERR_EXISTS : 0;
  if (err != ERR_NOT_FOUND)
    return err;
  hex_encode(hex, founder, WIRE_KEY_BYTES);
  CHECK(db_prepare(db, "INSERT INTO node_meta VALUES ('founder', ?1)", &s));
  CHECK(db_bind_text(s, 1, hex, -1));
  err = db_step(s);
  CHECK(err < 0 ? err : 0);
  db_finalize(&s);
  /* The founder is a member from key (0, founder), exactly as a replay of
   * the membership would write it. */
  CHECK(db_prepare(db, "INSERT OR IGNORE INTO st_members VALUES "
                   "(?1,'founder',0,?1,NULL,NULL,NULL,NULL)", &s));
  CHECK(db_bind_blob(s, 1, founder, WIRE_KEY_BYTES));
  err = db_step(s);
  err = err < 0 ? err : 0;
fail:
  db_finalize(&s);
  return err;
}

/* ---- open ------------------------------------------------------------- */

int
state_open(struct db *db, struct state **out)
{
  struct state *st = xcalloc(1, sizeof(*st));
  int err = 0, i;

  st->db = db;
  for (i = 0; i < S_COUNT_; i++)
    CHECK(db_prepare(db, sql_text[i], &st->st[i]));
  CHECK(sentstate_open(db, &st->ss));
  *out = st;
  return 0;

fail:
  state_free(&st);
  *out = NULL;
  return err;
}

static void roster_free(struct roster *r);

void
state_free(struct state **pst)
{
  struct state *st = pst ? *pst : NULL;
  int i;

  if (st == NULL)
    return;
  roster_free(&st->cache);
  xfree(st->frozen);
  for (i = 0; i < S_COUNT_; i++)
    db_finalize(&st->st[i]);
  sentstate_free(&st->ss);
  db_finalize(&st->cast_best);
  db_finalize(&st->cast_parent);
  xfree(st);
  *pst = NULL;
}

/* Run a prepared statement to completion and reset it. */
static int
run(struct db_stmt *s)
{
  int rc = db_step(s);
  db_reset(s);
  return rc < 0 ? rc : 0;
}

/* ---- membership ------------------------------------------------------- */

struct member {
  uint8_t node[WIRE_KEY_BYTES];
  char *name;
  uint64_t admit_l;
  uint8_t admit_a[WIRE_KEY_BYTES];
  int has_invite;
  uint8_t invite[WIRE_INVITE_ID_BYTES];
  int removed;
  uint64_t rem_l;
  uint8_t rem_a[WIRE_KEY_BYTES];
  uint8_t rem_by[WIRE_KEY_BYTES];
};

struct invite {
  uint8_t id[WIRE_INVITE_ID_BYTES];
  uint8_t creator[WIRE_KEY_BYTES];
  uint8_t key[WIRE_KEY_BYTES];
  int64_t expires_ms;
  uint32_t max_uses, uses;
  int revoked;
};

/* (la, aa) < (lb, ab) in the total order of entry keys. */
static int
key_less(uint64_t la, const uint8_t *aa, uint64_t lb, const uint8_t *ab)
{
  if (la != lb)
    return la < lb;
  return memcmp(aa, ab, WIRE_KEY_BYTES) < 0;
}

static struct member *
roster_find(struct roster *r, const uint8_t *node)
{
  size_t i;
  for (i = 0; i < r->n; i++)
    if (memcmp(r->m[i].node, node, WIRE_KEY_BYTES) == 0)
      return &r->m[i];
  return NULL;
}

static struct invite *
roster_invite(struct roster *r, const uint8_t *id)
{
  size_t i;
  for (i = 0; i < r->ninv; i++)
    if (memcmp(r->inv[i].id, id, WIRE_INVITE_ID_BYTES) == 0)
      return &r->inv[i];
  return NULL;
}

static int
roster_is_member(struct roster *r, const uint8_t *node, uint64_t l)
{
  struct member *m = roster_find(r, node);
  if (m == NULL || !key_less(m->admit_l, m->admit_a, l, node))
    return 0;
  return !m->removed || key_less(l, node, m->rem_l, m->rem_a);
}

static struct member *
roster_add(struct roster *r, const uint8_t *node)
{
  struct member *m;
  if (r->n == r->cap) {
    r->cap = r->cap ? 2 * r->cap : 8;
    r->m = xrealloc(r->m, r->cap * sizeof(*r->m));
  }
  m = &r->m[r->n++];
  memset(m, 0, sizeof(*m));
  memcpy(m->node, node, WIRE_KEY_BYTES);
  return m;
}

static void
roster_free(struct roster *r)
{
  size_t i;
  for (i = 0; i < r->n; i++)
    xfree(r->m[i].name);
  xfree(r->m);
  xfree(r->inv);
  memset(r, 0, sizeof(*r));
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

/* Replay the raw membership rows in total order into r. Rules (LOG.md):
 * the founder is a member from key (0, founder); an op counts only when
 * its author is a member at its key; an invite is void once any member
 * revoked it (revocation beats use, whatever the order); an Admit needs a
 * known, unrevoked invite with uses left and a node never admitted
 * before; Remove and Retire end membership from their own key on. */
static int
replay_members(struct state *st, struct roster *r)
{
  static const char *const q_revoked =
    "SELECT DISTINCT invite_id FROM st_member_ops WHERE op=50";
  static const char *const q_ops =
    "SELECT author, seq, lamport, op, invite_id, node, invite_key,"
    " expires_ms, max_uses, text FROM st_member_ops "
    "WHERE op IN (49,51,52,53) ORDER BY lamport, author, seq";
  struct db_stmt *s = NULL;
  uint8_t founder[WIRE_KEY_BYTES], (*revoked)[WIRE_INVITE_ID_BYTES] = NULL;
  size_t nrev = 0, caprev = 0, i;
  int err, rc;

  memset(r, 0, sizeof(*r));
  err = state_get_founder(st->db, founder);
  if (err == 0) {
    struct member *m = roster_add(r, founder);
    m->name = xstrdup("founder");
    memcpy(m->admit_a, founder, WIRE_KEY_BYTES);
  } else if (err != ERR_NOT_FOUND) {
    return err;
  }
  CHECK(db_prepare(st->db, q_revoked, &s));
  while ((rc = db_step(s)) == DB_ROW) {
    if (nrev == caprev) {
      caprev = caprev ? 2 * caprev : 8;
      revoked = xrealloc(revoked, caprev * sizeof(*revoked));
    }
    copy_blob(revoked[nrev++], s, 0, WIRE_INVITE_ID_BYTES);
  }
  CHECK(rc < 0 ? rc : 0);
  db_finalize(&s);
  CHECK(db_prepare(st->db, q_ops, &s));
  while ((rc = db_step(s)) == DB_ROW) {
    uint8_t author[WIRE_KEY_BYTES], node[WIRE_KEY_BYTES];
    uint8_t iid[WIRE_INVITE_ID_BYTES];
    uint64_t l = (uint64_t)db_col_int(s, 2);
    int op = (int)db_col_int(s, 3);
    struct member *m;
    struct invite *inv;

    copy_blob(author, s, 0, WIRE_KEY_BYTES);
    if (!roster_is_member(r, author, l))
      continue;
    copy_blob(iid, s, 4, WIRE_INVITE_ID_BYTES);
    copy_blob(node, s, 5, WIRE_KEY_BYTES);
    switch (op) {
    case WIRE_OP_INVITE_CREATE:
      if (roster_invite(r, iid))
        break;
      if (r->ninv == r->capinv) {
        r->capinv = r->capinv ? 2 * r->capinv : 8;
        r->inv = xrealloc(r->inv, r->capinv * sizeof(*r->inv));
      }
      inv = &r->inv[r->ninv++];
      memset(inv, 0, sizeof(*inv));
      memcpy(inv->id, iid, sizeof(iid));
      memcpy(inv->creator, author, sizeof(author));
      copy_blob(inv->key, s, 6, WIRE_KEY_BYTES);
      inv->expires_ms = db_col_int(s, 7);
      inv->max_uses = (uint32_t)db_col_int(s, 8);
      if (inv->max_uses == 0)
        inv->max_uses = 1;
      for (i = 0; i < nrev; i++)
        if (memcmp(revoked[i], iid, sizeof(iid)) == 0)
          inv->revoked = 1;
      break;
    case WIRE_OP_ADMIT:
      inv = roster_invite(r, iid);
      if (inv == NULL || inv->revoked || inv->uses >= inv->max_uses ||
          roster_find(r, node) || r->n >= STATE_MEMBERS_MAX)
        break;
      inv->uses++;
      m = roster_add(r, node);
      m->name = xstrdup(db_col_text(s, 9) ? db_col_text(s, 9) : "");
      m->admit_l = l;
      memcpy(m->admit_a, author, sizeof(author));
      m->has_invite = 1;
      memcpy(m->invite, iid, sizeof(iid));
      break;
    case WIRE_OP_REMOVE:
    case WIRE_OP_RETIRE:
      m = roster_find(r, op == WIRE_OP_RETIRE ? author : node);
      if (m == NULL || m->removed)
        break;
      m->removed = 1;
      m->rem_l = l;
      memcpy(m->rem_a, author, sizeof(author));
      memcpy(m->rem_by, author, sizeof(author));
      break;
    default:
      break;
    }
  }
  CHECK(rc < 0 ? rc : 0);
  err = 0;
fail:
  db_finalize(&s);
  xfree(revoked);
  if (err)
    roster_free(r);
  return err;
}

static int
bind_key_or_null(struct db_stmt *s, int idx, int has, const uint8_t *p,
                 size_t n)
{
  return has ? db_bind_blob(s, idx, p, n) : db_bind_null(s, idx);
}

static int
write_roster(struct state *st, struct roster *r)
{
  struct db_stmt *s = NULL;
  size_t i;
  int err;

  CHECK(db_exec(st->db, "DELETE FROM st_members; DELETE FROM st_invites"));
  CHECK(db_prepare(st->db, "INSERT INTO st_members VALUES "
                   "(?1,?2,?3,?4,?5,?6,?7,?8)", &s));
  for (i = 0; i < r->n; i++) {
    struct member *m = &r->m[i];
    CHECK(db_bind_blob(s, 1, m->node, WIRE_KEY_BYTES));
    CHECK(db_bind_text(s, 2, m->name, -1));
    CHECK(db_bind_int(s, 3, (int64_t)m->admit_l));
    CHECK(db_bind_blob(s, 4, m->admit_a, WIRE_KEY_BYTES));
    CHECK(bind_key_or_null(s, 5, m->has_invite, m->invite,
                           WIRE_INVITE_ID_BYTES));
    if (m->removed)
      CHECK(db_bind_int(s, 6, (int64_t)m->rem_l));
    else
      CHECK(db_bind_null(s, 6));
    CHECK(bind_key_or_null(s, 7, m->removed, m->rem_a, WIRE_KEY_BYTES));
    CHECK(bind_key_or_null(s, 8, m->removed, m->rem_by, WIRE_KEY_BYTES));
    CHECK(run(s));
  }
  db_finalize(&s);
  CHECK(db_prepare(st->db, "INSERT INTO st_invites VALUES "
                   "(?1,?2,?3,?4,?5,?6,?7)", &s));
  for (i = 0; i < r->ninv; i++) {
    struct invite *v = &r->inv[i];
    CHECK(db_bind_blob(s, 1, v->id, WIRE_INVITE_ID_BYTES));
    CHECK(db_bind_blob(s, 2, v->creator, WIRE_KEY_BYTES));
    CHECK(db_bind_blob(s, 3, v->key, WIRE_KEY_BYTES));
    CHECK(db_bind_int(s, 4, v->expires_ms));
    CHECK(db_bind_int(s, 5, v->max_uses));
    CHECK(db_bind_int(s, 6, v->uses));
    CHECK(db_bind_int(s, 7, v->revoked));
    CHECK(run(s));
  }
fail:
  db_finalize(&s);
  return err;
}

/* Does the log hold ordinary entries by node at or after lamport l? Such
 * entries counted (or not) under the old membership, so a change that
 * reaches them needs a rebuild. */
static int
has_entries_since(struct state *st, const uint8_t *node, uint64_t l,
                  int *yes)
{
  struct db_stmt *s = NULL;
  int err, rc;

  *yes = 0;
  CHECK(db_prepare(st->db, "SELECT 1 FROM log_entries WHERE author=?1 "
                   "AND lamport>=?2 AND (op NOT BETWEEN 48 AND 63 OR "
                   "op = 54) LIMIT 1",
                   &s));
  CHECK(db_bind_blob(s, 1, node, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)l));
  rc = db_step(s);
  CHECK(rc < 0 ? rc : 0);
  *yes = rc == DB_ROW;
fail:
  db_finalize(&s);
  return err;
}

/* Would the change from old to new membership alter which stored entries
 * count? Only nodes whose admission or removal moved matter. */
static int
roster_needs_rebuild(struct state *st, struct roster *old,
                     struct roster *new, int *yes)
{
  size_t i, pass;
  int err = 0;

  *yes = 0;
  for (pass = 0; pass < 2 && !*yes && !err; pass++) {
    struct roster *a = pass ? new : old, *b = pass ? old : new;
    for (i = 0; i < a->n && !*yes && !err; i++) {
      struct member *x = &a->m[i], *y = roster_find(b, x->node);
      uint64_t since;
      if (y && x->admit_l == y->admit_l &&
          memcmp(x->admit_a, y->admit_a, WIRE_KEY_BYTES) == 0 &&
          x->removed == y->removed &&
          (!x->removed || (x->rem_l == y->rem_l &&
                           !memcmp(x->rem_a, y->rem_a, WIRE_KEY_BYTES))))
        continue;
      since = 0;
      if (y && x->removed && y->removed)
        since = x->rem_l < y->rem_l ? x->rem_l : y->rem_l;
      else if (y && x->removed && x->admit_l == y->admit_l)
        since = x->rem_l;
      else if (y && y->removed && x->admit_l == y->admit_l)
        since = y->rem_l;
      err = has_entries_since(st, x->node, since, yes);
    }
  }
  return err;
}

static int
load_roster(struct state *st, struct roster *r)
{
  struct db_stmt *s = NULL;
  int err, rc;

  memset(r, 0, sizeof(*r));
  CHECK(db_prepare(st->db, "SELECT node, admit_lamport, admit_author,"
                   " removed_lamport, removed_author FROM st_members", &s));
  while ((rc = db_step(s)) == DB_ROW) {
    uint8_t node[WIRE_KEY_BYTES];
    struct member *m;
    copy_blob(node, s, 0, WIRE_KEY_BYTES);
    m = roster_add(r, node);
    m->admit_l = (uint64_t)db_col_int(s, 1);
    copy_blob(m->admit_a, s, 2, WIRE_KEY_BYTES);
    m->removed = !db_col_is_null(s, 3);
    m->rem_l = (uint64_t)db_col_int(s, 3);
    copy_blob(m->rem_a, s, 4, WIRE_KEY_BYTES);
  }
  err = rc < 0 ? rc : 0;
fail:
  db_finalize(&s);
  if (err)
    roster_free(r);
  return err;
}

/* Recompute st_members and st_invites; *rebuild says whether stored
 * entries now count differently. */
static int
refresh_members(struct state *st, int *rebuild)
{
  struct roster old, new;
  int err;

  *rebuild = 0;
  err = load_roster(st, &old);
  if (err)
    return err;
  err = replay_members(st, &new);
  if (err) {
    roster_free(&old);
    return err;
  }
  err = write_roster(st, &new);
  if (!err && !st->rebuilding)
    err = roster_needs_rebuild(st, &old, &new, rebuild);
  roster_free(&old);
  roster_free(&st->cache);
  st->cache = new;
  st->cache_ok = !err;
  return err;
}

struct db *
state_db(struct state *st)
{
  return st->db;
}

void
state_invalidate(struct state *st)
{
  st->cache_ok = 0;
  st->frozen_ok = 0;
}

int
state_is_member(struct state *st, const uint8_t node[WIRE_KEY_BYTES],
                uint64_t lamport, int *yes)
{
  int err;

  *yes = 0;
  if (!st->cache_ok) {
    roster_free(&st->cache);
    err = load_roster(st, &st->cache);
    if (err)
      return err;
    st->cache_ok = 1;
  }
  *yes = roster_is_member(&st->cache, node, lamport);
  return 0;
}

/* ---- applying operations ---------------------------------------------- */

/* Membership ops, replayed first. An address announcement is in the
 * membership range but is an ordinary op: it needs its author to be a
 * member and lands in st_addrs. */
static int
is_member_op(int op)
{
  return op >= WIRE_OP_FOUND && op <= 63 && op != WIRE_OP_ADDR_ANNOUNCE;
}

static int
apply_member_op(struct state *st, const struct wire_entry *e, int *rebuild)
{
  struct db_stmt *s = st->st[S_MEMBER_OP];
  int err;
  int has_iid = e->op == WIRE_OP_INVITE_CREATE ||
                e->op == WIRE_OP_INVITE_REVOKE || e->op == WIRE_OP_ADMIT;
  int has_node = e->op == WIRE_OP_ADMIT || e->op == WIRE_OP_REMOVE;
  const char *text = e->op == WIRE_OP_REMOVE ? e->text : e->name;

  *rebuild = 0;
  CHECK(db_bind_blob(s, 1, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)e->seq));
  CHECK(db_bind_int(s, 3, (int64_t)e->lamport));
  CHECK(db_bind_int(s, 4, e->op));
  CHECK(bind_key_or_null(s, 5, has_iid, e->invite_id,
                         WIRE_INVITE_ID_BYTES));
  CHECK(bind_key_or_null(s, 6, has_node, e->key, WIRE_KEY_BYTES));
  CHECK(bind_key_or_null(s, 7, e->op == WIRE_OP_INVITE_CREATE, e->key,
                         WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 8, e->expires_ms));
  CHECK(db_bind_int(s, 9, e->max_uses));
  CHECK(db_bind_text(s, 10, text ? text : "", -1));
  CHECK(run(s));
  if (e->op == WIRE_OP_FOUND)
    return 0; /* a record only: the founder is pinned (LOG.md) */
  err = refresh_members(st, rebuild);
fail:
  return err;
}

/* Keep st_sentence_state after a tasks or failures entry wrote
 * its rows (not while rebuilding: state_rebuild computes it whole). */
static int
derive_runs(struct state *st, const struct wire_entry *e)
{
  struct wire_iter it;
  uint32_t first, len, last;
  int err = 0;

  if (st->rebuilding)
    return 0;
  wire_iter_init(&it, &e->sent);
  while (!err && wire_iter_next_run(&it, &first, &len)) {
    last = first + len - 1;
    switch (e->op) {
    case WIRE_OP_START_RENDER:
    case WIRE_OP_RERENDER:
      err = sentstate_tasks(st->ss, e->book, first, last, e->lamport,
                            e->author);
      break;
    case WIRE_OP_FAIL:
      err = sentstate_failures(st->ss, e->book, first, last, e->lamport,
                               e->author, e->text);
      break;
    default:
      break;
    }
  }
  return err;
}

static int
apply_tasks(struct state *st, const struct wire_entry *e, uint32_t take,
            uint32_t priority)
{
  struct db_stmt *s = st->st[S_TASK];
  struct wire_iter it;
  uint32_t idx;
  int err = 0;

  CHECK(db_bind_blob(s, 1, e->book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 3, take));
  CHECK(db_bind_int(s, 4, priority));
  CHECK(db_bind_int(s, 5, (int64_t)e->lamport));
  CHECK(db_bind_blob(s, 6, e->author, WIRE_KEY_BYTES));
  wire_iter_init(&it, &e->sent);
  while (wire_iter_next(&it, &idx)) {
    CHECK(db_bind_int(s, 2, idx));
    CHECK(run(s));
  }
  CHECK(derive_runs(st, e));
fail:
  return err;
}

static int
apply_claim(struct state *st, const struct wire_entry *e,
            const uint8_t *id)
{
  struct db_stmt *s = st->st[S_CLAIM];
  struct wire_iter it;
  uint32_t first, len;
  int err = 0;

  CHECK(db_bind_blob(s, 1, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)e->seq));
  CHECK(db_bind_blob(s, 5, e->book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_blob(s, 6, id, WIRE_HASH_BYTES));
  CHECK(db_bind_int(s, 7, e->lease_ms));
  CHECK(db_bind_int(s, 8, (int64_t)e->lamport));
  CHECK(bind_key_or_null(s, 9, e->has_ref, e->ref, WIRE_HASH_BYTES));
  wire_iter_init(&it, &e->sent);
  while (wire_iter_next_run(&it, &first, &len)) {
    CHECK(db_bind_int(s, 3, first));
    CHECK(db_bind_int(s, 4, (int64_t)first + len - 1));
    CHECK(run(s));
    if (!st->rebuilding && db_changes(st->db) > 0)
      CHECK(sentstate_claim(st->ss, e->book, first, first + len - 1,
                            e->lamport, e->author, e->seq));
  }
fail:
  return err;
}

static int
apply_claim_refs(struct state *st, const struct wire_entry *e,
                 struct db_stmt *s)
{
  size_t i;
  int err = 0;

  CHECK(db_bind_blob(s, 1, e->author, WIRE_KEY_BYTES));
  if (e->op == WIRE_OP_RENEW)
    CHECK(db_bind_int(s, 3, (int64_t)e->lamport));
  for (i = 0; i < e->nclaims; i++) {
    CHECK(db_bind_int(s, 2, (int64_t)e->claims[i]));
    CHECK(run(s));
    if (e->op == WIRE_OP_RELEASE && !st->rebuilding)
      CHECK(sentstate_release(st->ss, e->author, e->claims[i]));
  }
fail:
  return err;
}

static int
apply_complete(struct state *st, const struct wire_entry *e)
{
  struct db_stmt *s = st->st[S_RESULT];
  struct wire_iter it;
  uint32_t idx;
  size_t i = 0;
  int err = 0;

  CHECK(db_bind_blob(s, 1, e->book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 3, e->take));
  CHECK(db_bind_blob(s, 4, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 5, (int64_t)e->seq));
  CHECK(db_bind_int(s, 6, (int64_t)e->lamport));
  CHECK(db_bind_int(s, 11, (int64_t)e->claim));
  wire_iter_init(&it, &e->sent);
  while (wire_iter_next(&it, &idx)) {
    uint32_t c = e->context_index ? e->context_index[i] : 0;
    CHECK(db_bind_int(s, 2, idx));
    CHECK(db_bind_blob(s, 7, e->audio + i * WIRE_HASH_BYTES,
                       WIRE_HASH_BYTES));
    CHECK(db_bind_int(s, 8, e->sizes[i]));
    CHECK(db_bind_int(s, 9, e->durations_ms[i]));
    CHECK(db_bind_blob(s, 10, e->contexts + (size_t)c * WIRE_HASH_BYTES,
                       WIRE_HASH_BYTES));
    CHECK(run(s));
    if (!st->rebuilding)
      CHECK(sentstate_result(st->ss, e->book, idx, e->take, e->lamport,
                             e->author, e->audio + i * WIRE_HASH_BYTES,
                             e->sizes[i], e->durations_ms[i]));
    i++;
  }
fail:
  return err;
}

static int
apply_failure(struct state *st, const struct wire_entry *e)
{
  struct db_stmt *s = st->st[S_FAILURE];
  struct wire_iter it;
  uint32_t idx;
  int err = 0;

  CHECK(db_bind_blob(s, 1, e->book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_blob(s, 3, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 4, (int64_t)e->seq));
  CHECK(db_bind_int(s, 5, (int64_t)e->lamport));
  CHECK(db_bind_text(s, 6, e->text ? e->text : "", -1));
  wire_iter_init(&it, &e->sent);
  while (wire_iter_next(&it, &idx)) {
    CHECK(db_bind_int(s, 2, idx));
    CHECK(run(s));
  }
  CHECK(derive_runs(st, e));
fail:
  return err;
}

static int
apply_cast(struct state *st, const struct wire_entry *e, int kind,
           const uint8_t *book, const char *target, int64_t first,
           int64_t last)
{
  struct db_stmt *s = st->st[S_CAST];
  int err;

  /* By reference: every parameter is bound here and run() resets. */
  CHECK(db_bind_blob_ref(s, 1, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)e->seq));
  CHECK(db_bind_blob_ref(s, 3, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 4, kind));
  CHECK(db_bind_text_ref(s, 5, target, -1));
  CHECK(db_bind_int(s, 6, first));
  CHECK(db_bind_int(s, 7, last));
  CHECK(db_bind_text_ref(s, 8, e->voice ? e->voice : "", -1));
  CHECK(db_bind_int(s, 9, (int64_t)e->lamport));
  err = run(s);
fail:
  return err;
}

static int
apply_book_name(struct state *st, const struct wire_entry *e,
                const uint8_t *book)
{
  struct db_stmt *s = st->st[S_BOOK_NAME];
  int err;

  CHECK(db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_text(s, 2, e->name ? e->name : "", -1));
  CHECK(db_bind_int(s, 3, (int64_t)e->lamport));
  CHECK(db_bind_blob(s, 4, e->author, WIRE_KEY_BYTES));
  err = run(s);
fail:
  return err;
}

static int
apply_book_create(struct state *st, const struct wire_entry *e,
                  const uint8_t *id)
{
  struct db_stmt *s = st->st[S_BOOK_CREATE];
  int err;

  CHECK(db_bind_blob(s, 1, id, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_text(s, 2, e->work_id, -1));
  CHECK(bind_key_or_null(s, 3, e->has_fork_of, e->fork_of,
                         WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_blob(s, 4, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 5, (int64_t)e->lamport));
  CHECK(run(s));
  CHECK(apply_book_name(st, e, id));
  if (e->voice && e->voice[0])
    CHECK(apply_cast(st, e, 0, id, "", 0, 0));
fail:
  return err;
}

static int
apply_simple(struct state *st, int which, const struct wire_entry *e)
{
  struct db_stmt *s = st->st[which];
  int err;

  CHECK(db_bind_blob(s, 1, e->book, WIRE_BOOK_ID_BYTES));
  if (which == S_BOOK_CANCEL) {
    CHECK(db_bind_int(s, 2, (int64_t)e->lamport));
    CHECK(db_bind_blob(s, 3, e->author, WIRE_KEY_BYTES));
  }
  err = run(s);
  if (!err && which == S_BOOK_CANCEL && !st->rebuilding &&
      db_changes(st->db) > 0)
    err = sentstate_cancel(st->ss, e->book, e->lamport, e->author);
fail:
  return err;
}

static int
apply_work(struct state *st, const struct wire_entry *e)
{
  struct db_stmt *s = st->st[S_WORK];
  int err;

  CHECK(db_bind_text(s, 1, e->work_id, -1));
  CHECK(db_bind_blob(s, 2, e->hash, WIRE_HASH_BYTES));
  CHECK(db_bind_int(s, 3, (int64_t)e->size));
  CHECK(db_bind_int(s, 4, e->count));
  CHECK(db_bind_int(s, 5, e->posts));
  CHECK(db_bind_text(s, 6, e->url ? e->url : "", -1));
  CHECK(db_bind_text(s, 7, e->name ? e->name : "", -1));
  CHECK(db_bind_int(s, 8, (int64_t)e->lamport));
  CHECK(db_bind_blob(s, 9, e->author, WIRE_KEY_BYTES));
  err = run(s);
fail:
  return err;
}

static int
apply_lexicon(struct state *st, const struct wire_entry *e)
{
  struct db_stmt *s = st->st[S_LEXICON];
  int err;

  CHECK(db_bind_blob(s, 1, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)e->seq));
  CHECK(db_bind_blob(s, 3, e->book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_text(s, 4, e->text, -1));
  CHECK(db_bind_text(s, 5, e->pron ? e->pron : "", -1));
  CHECK(db_bind_int(s, 6, (int64_t)e->lamport));
  err = run(s);
fail:
  return err;
}

static int
apply_addrs(struct state *st, const struct wire_entry *e)
{
  struct db_stmt *s = st->st[S_ADDR];
  char *joined = NULL;
  size_t i, len = 1;
  int err;

  for (i = 0; i < e->naddrs; i++)
    len += strlen(e->addrs[i]) + 1;
  joined = xcalloc(1, len);
  for (i = 0; i < e->naddrs; i++) {
    if (i)
      strncat(joined, " ", len - strlen(joined) - 1);
    strncat(joined, e->addrs[i], len - strlen(joined) - 1);
  }
  CHECK(db_bind_blob(s, 1, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_text(s, 2, joined, -1));
  CHECK(db_bind_int(s, 3, (int64_t)e->lamport));
  err = run(s);
fail:
  xfree(joined);
  return err;
}

/* Apply an ordinary (non-membership) op. */
static int
apply_op(struct state *st, const struct wire_entry *e, const uint8_t *id)
{
  switch (e->op) {
  case WIRE_OP_IMPORT_WORK: return apply_work(st, e);
  case WIRE_OP_BOOK_CREATE: return apply_book_create(st, e, id);
  case WIRE_OP_BOOK_RENAME: return apply_book_name(st, e, e->book);
  case WIRE_OP_BOOK_DELETE: return apply_simple(st, S_BOOK_DELETE, e);
  case WIRE_OP_CANCEL_PENDING: return apply_simple(st, S_BOOK_CANCEL, e);
  case WIRE_OP_CAST_DEFAULT:
    return apply_cast(st, e, 0, e->book, "", 0, 0);
  case WIRE_OP_CAST_CHARACTER:
    return apply_cast(st, e, 1, e->book, e->text, 0, 0);
  case WIRE_OP_CAST_POST:
    return apply_cast(st, e, 2, e->book, "", e->post, e->post);
  case WIRE_OP_CAST_SNIPPET:
    return apply_cast(st, e, 3, e->book, "", e->first, e->last);
  case WIRE_OP_LEXICON: return apply_lexicon(st, e);
  case WIRE_OP_START_RENDER:
    return apply_tasks(st, e, 0, e->priority);
  case WIRE_OP_RERENDER:
    return apply_tasks(st, e, e->take, WIRE_PRIORITY_INTERACTIVE);
  case WIRE_OP_CLAIM: return apply_claim(st, e, id);
  case WIRE_OP_RENEW: return apply_claim_refs(st, e, st->st[S_RENEW]);
  case WIRE_OP_RELEASE: return apply_claim_refs(st, e, st->st[S_RELEASE]);
  case WIRE_OP_COMPLETE: return apply_complete(st, e);
  case WIRE_OP_FAIL: return apply_failure(st, e);
  case WIRE_OP_ADDR_ANNOUNCE: return apply_addrs(st, e);
  default: return 0; /* unknown: kept in the log, ignored here */
  }
}

/* Frozen authors are few (a fork is an incident), so they are cached with
 * the membership and looked up in memory. */
static int
is_frozen(struct state *st, const struct wire_entry *e, int *yes)
{
  struct db_stmt *s = st->st[S_FROZEN];
  size_t i;
  int err = 0, rc;

  *yes = 0;
  if (!st->frozen_ok) {
    st->nfrozen = 0;
    while ((rc = db_step(s)) == DB_ROW) {
      if (st->nfrozen == st->capfrozen) {
        st->capfrozen = st->capfrozen ? 2 * st->capfrozen : 4;
        st->frozen = xrealloc(st->frozen,
                              st->capfrozen * sizeof(*st->frozen));
      }
      copy_blob(st->frozen[st->nfrozen].author, s, 0, WIRE_KEY_BYTES);
      st->frozen[st->nfrozen++].seq = (uint64_t)db_col_int(s, 1);
    }
    db_reset(s);
    CHECK(rc < 0 ? rc : 0);
    st->frozen_ok = 1;
  }
  for (i = 0; i < st->nfrozen; i++)
    if (memcmp(st->frozen[i].author, e->author, WIRE_KEY_BYTES) == 0 &&
        st->frozen[i].seq <= e->seq)
      *yes = 1;
fail:
  return err;
}

int
state_apply(struct state *st, const struct wire_entry *e,
            const uint8_t id[WIRE_HASH_BYTES])
{
  int err, skip = 0, rebuild = 0, member = 0;

  CHECK(is_frozen(st, e, &skip));
  if (skip)
    return 0;
  if (is_member_op(e->op)) {
    CHECK(apply_member_op(st, e, &rebuild));
    return rebuild ? state_rebuild(st) : 0;
  }
  CHECK(state_is_member(st, e->author, e->lamport, &member));
  if (!member)
    return 0;
  err = apply_op(st, e, id);
  if (!err)
    live_entry(e); /* UI news, published when the caller commits */
fail:
  return err;
}

/* ---- rebuild ---------------------------------------------------------- */

static const char *const st_tables[] = {
  "st_works", "st_books", "st_casting", "st_lexicon", "st_tasks",
  "st_claims", "st_results", "st_failures", "st_member_ops", "st_members",
  "st_invites", "st_addrs",
};

/* Apply the stored entries whose op is (or is not) a membership op. */
static int
replay_log(struct state *st, int members)
{
  static const char *const q_members =
    "SELECT e.id, e.entry FROM log_entries e "
    "LEFT JOIN log_frozen f ON f.author = e.author "
    "WHERE e.op BETWEEN 48 AND 63 AND e.op != 54 AND"
    " (f.frozen_seq IS NULL OR e.seq < f.frozen_seq)";
  static const char *const q_others =
    "SELECT e.id, e.entry FROM log_entries e "
    "LEFT JOIN log_frozen f ON f.author = e.author "
    "WHERE (e.op NOT BETWEEN 48 AND 63 OR e.op = 54) AND"
    " (f.frozen_seq IS NULL OR e.seq < f.frozen_seq)";
  struct db_stmt *s = NULL;
  struct wire_entry e;
  char errbuf[128];
  int err, rc, rebuild;

  memset(&e, 0, sizeof(e));
  CHECK(db_prepare(st->db, members ? q_members : q_others, &s));
  while ((rc = db_step(s)) == DB_ROW) {
    size_t idlen, len;
    const uint8_t *id = db_col_blob(s, 0, &idlen);
    const uint8_t *buf = db_col_blob(s, 1, &len);
    if (idlen != WIRE_HASH_BYTES ||
        wire_entry_decode(buf, len, &e, errbuf, sizeof(errbuf))) {
      err = ERR_DB_CORRUPT;
      goto fail;
    }
    if (members) {
      err = apply_member_op(st, &e, &rebuild);
    } else {
      int member = 0;
      err = state_is_member(st, e.author, e.lamport, &member);
      if (!err && member)
        err = apply_op(st, &e, id);
    }
    wire_entry_clear(&e);
    if (err)
      goto fail;
  }
  err = rc < 0 ? rc : 0;
fail:
  wire_entry_clear(&e);
  db_finalize(&s);
  return err;
}

int
state_rebuild(struct state *st)
{
  size_t i;
  int err, rebuild;

  st->rebuilding = 1;
  state_invalidate(st);
  for (i = 0; i < sizeof(st_tables) / sizeof(st_tables[0]); i++) {
    char *sql = xasprintf("DELETE FROM %s", st_tables[i]);
    err = db_exec(st->db, sql);
    xfree(sql);
    if (err)
      goto fail;
  }
  /* Membership first (raw rows, then one replay), then everything else
   * filtered by the final membership. */
  CHECK(refresh_members(st, &rebuild));
  CHECK(replay_log(st, 1));
  CHECK(refresh_members(st, &rebuild));
  CHECK(replay_log(st, 0));
  CHECK(sentstate_rebuild(st->ss));
fail:
  st->rebuilding = 0;
  return err;
}

/* ---- hash and counts -------------------------------------------------- */

/* st_member_ops is left out: it is the replay's input, and may hold ops
 * of non-members that one node stored before learning of a removal and
 * another refused; the effective st_members and st_invites are hashed. */
struct dump_table {
  const char *name;
  int ncols;
  const char *order;
};

static const struct dump_table dump_tables[] = {
  {"st_works", 9, "work_id"},
  {"st_books", 12, "book"},
  {"st_casting", 9, "author, seq"},
  {"st_lexicon", 6, "author, seq"},
  {"st_tasks", 6, "book, sentence"},
  {"st_claims", 11, "author, seq, first"},
  {"st_results", 11, "book, sentence, take, author, seq"},
  {"st_failures", 6, "book, sentence, author, seq"},
  {"st_members", 8, "node"},
  {"st_invites", 7, "invite_id"},
  {"st_addrs", 3, "node"},
};

static void
put_u64(struct secure_hash_state *h, uint64_t v)
{
  uint8_t b[8];
  int i;
  for (i = 0; i < 8; i++)
    b[i] = (uint8_t)(v >> (56 - 8 * i));
  secure_hash_update(h, b, sizeof(b));
}

int
state_hash(struct state *st, uint8_t out[STATE_HASH_BYTES])
{
  struct secure_hash_state *h = secure_hash_new();
  struct db_stmt *s = NULL;
  size_t t;
  int err = 0, rc, c;

  for (t = 0; t < sizeof(dump_tables) / sizeof(dump_tables[0]); t++) {
    const struct dump_table *d = &dump_tables[t];
    char *sql = xasprintf("SELECT * FROM %s ORDER BY %s", d->name,
                          d->order);
    err = db_prepare(st->db, sql, &s);
    xfree(sql);
    if (err)
      goto fail;
    secure_hash_update(h, d->name, strlen(d->name) + 1);
    while ((rc = db_step(s)) == DB_ROW) {
      secure_hash_update(h, "R", 1);
      for (c = 0; c < d->ncols; c++) {
        size_t len;
        const void *p;
        if (db_col_is_null(s, c)) {
          secure_hash_update(h, "N", 1);
          continue;
        }
        /* Column types are fixed by the schema, so the bytes (integers
         * as their decimal text) identify the value. */
        p = db_col_blob(s, c, &len);
        secure_hash_update(h, "V", 1);
        put_u64(h, len);
        if (len)
          secure_hash_update(h, p, len);
      }
    }
    db_finalize(&s);
    CHECK(rc < 0 ? rc : 0);
  }
fail:
  db_finalize(&s);
  secure_hash_final(&h, out);
  return err;
}

int
state_hash_hex(struct state *st, char out[2 * STATE_HASH_BYTES + 1])
{
  uint8_t h[STATE_HASH_BYTES];
  int err = state_hash(st, h);
  if (err)
    return err;
  hex_encode(out, h, sizeof(h));
  return 0;
}

int
state_counts(struct state *st, struct state_counts *out)
{
  /* A result satisfies a task when it is for the requested take and newer
   * than the request; a claim covers it when unreleased and newer: both
   * kept per requested sentence in st_sentence_state (sentstate.h), whose
   * state says done (3), failed (4: live, not done), claimed (2), pending
   * (1); a failed one counts as claimed or pending too. One pass over each
   * book's rows. */
  static const char *const q =
    "SELECT coalesce(sum(d.state = 3), 0), coalesce(sum(d.state = 4), 0),"
    " coalesce(sum(d.state = 4 AND d.cl_author IS NOT NULL), 0),"
    " coalesce(sum(d.state = 2), 0), coalesce(sum(d.state = 1), 0)"
    " FROM st_books b CROSS JOIN st_sentence_state d ON d.book = b.book"
    " WHERE b.created = 1 AND b.deleted = 0";
  struct db_stmt *s = NULL;
  int err, rc;

  memset(out, 0, sizeof(*out));
  CHECK(db_prepare(st->db, q, &s));
  rc = db_step(s);
  if (rc == DB_ROW) {
    int64_t failed_claimed = db_col_int(s, 2);
    out->done = db_col_int(s, 0);
    out->failed = db_col_int(s, 1);
    out->claimed = db_col_int(s, 3) + failed_claimed;
    out->pending = db_col_int(s, 4) + out->failed - failed_claimed;
  }
  CHECK(rc < 0 ? rc : 0);
  db_finalize(&s);
  CHECK(db_query_int(st->db, "SELECT count(*) FROM st_results",
                     &out->results));
fail:
  db_finalize(&s);
  return err;
}

/* ---- queries for the render pipeline and the UI ------------------------ */

int
state_cast_get(struct state *st, const uint8_t book[WIRE_BOOK_ID_BYTES],
               int kind, const char *target, uint32_t pos, char **voice)
{
  static const char *const q_best =
    "SELECT voice, lamport, author FROM st_casting WHERE book=?1"
    " AND kind=?2 AND target=?3 AND first<=?4 AND last>=?4"
    " AND (lamport, author) < (?5, ?6)"
    " ORDER BY lamport DESC, author DESC LIMIT 1";
  static const char *const q_parent =
    "SELECT fork_of, create_lamport, creator FROM st_books WHERE book=?1"
    " AND created=1 AND fork_of IS NOT NULL";
  static const uint8_t top[WIRE_KEY_BYTES] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  struct db_stmt *best, *parent;
  uint8_t cur[WIRE_BOOK_ID_BYTES], lim_a[WIRE_KEY_BYTES];
  uint8_t win_a[WIRE_KEY_BYTES];
  int64_t lim_l = INT64_MAX, win_l = -1;
  int err, rc, depth;

  *voice = NULL;
  memcpy(cur, book, sizeof(cur));
  memcpy(lim_a, top, sizeof(lim_a));
  /* Prepared once per reducer: readers look up many targets. */
  if (st->cast_best == NULL)
    CHECK(db_prepare(st->db, q_best, &st->cast_best));
  if (st->cast_parent == NULL)
    CHECK(db_prepare(st->db, q_parent, &st->cast_parent));
  best = st->cast_best;
  parent = st->cast_parent;
  for (depth = 0; depth < STATE_FORK_DEPTH_MAX; depth++) {
    CHECK(db_bind_blob(best, 1, cur, sizeof(cur)));
    CHECK(db_bind_int(best, 2, kind));
    CHECK(db_bind_text(best, 3, target ? target : "", -1));
    CHECK(db_bind_int(best, 4, pos));
    CHECK(db_bind_int(best, 5, lim_l));
    CHECK(db_bind_blob(best, 6, lim_a, sizeof(lim_a)));
    rc = db_step(best);
    CHECK(rc < 0 ? rc : 0);
    if (rc == DB_ROW) {
      int64_t l = db_col_int(best, 1);
      uint8_t a[WIRE_KEY_BYTES];
      copy_blob(a, best, 2, WIRE_KEY_BYTES);
      if (l > win_l || (l == win_l && memcmp(a, win_a, sizeof(a)) > 0)) {
        const char *v = db_col_text(best, 0);
        xfree(*voice);
        *voice = v && v[0] ? xstrdup(v) : NULL;
        win_l = l;
        memcpy(win_a, a, sizeof(a));
      }
    }
    db_reset(best);
    /* Then the parent's assignments older than this fork. */
    CHECK(db_bind_blob(parent, 1, cur, sizeof(cur)));
    rc = db_step(parent);
    CHECK(rc < 0 ? rc : 0);
    if (rc != DB_ROW) {
      db_reset(parent);
      break;
    }
    copy_blob(cur, parent, 0, sizeof(cur));
    {
      uint8_t ca[WIRE_KEY_BYTES];
      uint64_t cl = (uint64_t)db_col_int(parent, 1);
      copy_blob(ca, parent, 2, WIRE_KEY_BYTES);
      if (key_less(cl, ca, (uint64_t)lim_l, lim_a)) {
        lim_l = (int64_t)cl;
        memcpy(lim_a, ca, sizeof(ca));
      }
    }
    db_reset(parent);
  }
fail:
  if (err) {
    xfree(*voice);
    *voice = NULL;
  }
  if (st->cast_best)
    db_reset(st->cast_best);
  if (st->cast_parent)
    db_reset(st->cast_parent);
  return err;
}

int
state_result_get(struct state *st, const uint8_t book[WIRE_BOOK_ID_BYTES],
                 uint32_t sentence, uint8_t blob[WIRE_HASH_BYTES],
                 int *found)
{
  static const char *const q =
    "SELECT r.blob FROM st_tasks t JOIN st_results r ON r.book=t.book"
    " AND r.sentence=t.sentence AND r.take=t.take"
    " AND (r.lamport, r.author) > (t.req_lamport, t.req_author)"
    " WHERE t.book=?1 AND t.sentence=?2"
    " ORDER BY r.lamport, r.author LIMIT 1";
  struct db_stmt *s = NULL;
  int err, rc;

  *found = 0;
  CHECK(db_prepare(st->db, q, &s));
  CHECK(db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(s, 2, sentence));
  rc = db_step(s);
  CHECK(rc < 0 ? rc : 0);
  if (rc == DB_ROW) {
    copy_blob(blob, s, 0, WIRE_HASH_BYTES);
    *found = 1;
  }
fail:
  db_finalize(&s);
  return err;
}
