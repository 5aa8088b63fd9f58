/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The signed append-only log; see feed.h and node/LOG.md. */
#include "node/feed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/fileio.h"
#include "node/hex.h"
#include "node/live.h"

#define CHECK(x)                                                          \
  do {                                                                    \
    err = (x);                                                            \
    if (err)                                                              \
      goto fail;                                                          \
  } while (0)

enum {
  Q_DUP, Q_LAST, Q_AT, Q_INSERT, Q_FORK, Q_FREEZE, Q_FROZEN, Q_GET,
  Q_MAXL, Q_DATAV, Q_COUNT_
};

static const char *const q_text[Q_COUNT_] = {
  [Q_DUP] = "SELECT 1 FROM log_entries WHERE author=?1 AND seq=?2 "
            "AND id=?3 UNION ALL SELECT 1 FROM log_forks WHERE author=?1 "
            "AND seq=?2 AND id=?3 LIMIT 1",
  /* The author's last entry and frozen seq in one lookup (hot path). */
  [Q_LAST] = "SELECT seq, id, lamport, (SELECT frozen_seq FROM log_frozen "
             "WHERE author=?1) FROM log_entries WHERE author=?1 "
             "ORDER BY seq DESC LIMIT 1",
  [Q_AT] = "SELECT id, lamport FROM log_entries WHERE author=?1 AND seq=?2",
  [Q_INSERT] = "INSERT INTO log_entries VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
  [Q_FORK] = "INSERT OR IGNORE INTO log_forks VALUES (?1,?2,?3,?4,?5,?6)",
  [Q_FREEZE] = "INSERT INTO log_frozen VALUES (?1,?2) ON CONFLICT(author) "
               "DO UPDATE SET frozen_seq=min(frozen_seq, "
               "excluded.frozen_seq)",
  [Q_FROZEN] = "SELECT frozen_seq FROM log_frozen WHERE author=?1",
  [Q_GET] = "SELECT entry, sig FROM log_entries WHERE author=?1 AND seq=?2",
  [Q_MAXL] = "SELECT coalesce(max(lamport), 0) FROM log_entries",
  /* Changes when another connection (a CLI command, another process)
   * commits to the store. */
  [Q_DATAV] = "PRAGMA data_version",
};

struct pending {
  uint8_t *bytes; /* SignedEntry */
  size_t len;
};

/* An author's last entry as held in log_entries (and its frozen seq):
 * the hot path's one lookup, kept in memory for authors seen lately. */
struct head {
  uint8_t author[WIRE_KEY_BYTES];
  uint8_t id[WIRE_HASH_BYTES];
  uint64_t seq, lamport, frozen;
  int used;
};

struct feed {
  struct db *db;                        /* borrowed */
  const struct identity *me;            /* borrowed */
  uint8_t network_id[WIRE_NETWORK_ID_BYTES];
  struct state *state;                  /* owned */
  struct db_stmt *q[Q_COUNT_];
  uint64_t max_lamport;                 /* highest lamport held */
  int64_t data_version;                 /* store version last seen */
  int unreported;                       /* a change seen by a call that
                                         * did not ask (changed NULL) */
  int batch;                            /* inside feed_begin */
  int batch_failed;                     /* a write failed in the batch */
  struct pending *queue;                /* own entries to publish */
  size_t nqueue;
  feed_publish_cb publish;
  void *publish_arg;
  char *head_path;                      /* DIR/feed.head, or NULL */
  char *fence_path;                     /* DIR/feed.fence, or NULL */
  uint64_t head_pending;                /* own seq appended in the batch */
  struct head heads[FEED_HEADS];        /* by author[0] % FEED_HEADS */
  struct secure_hash_key *idkey;        /* FEED_ID_KEY, absorbed once */
};

/* Forget the cached heads: after a rollback, a fork, or another
 * connection's writes. */
static void
heads_drop(struct feed *f)
{
  memset(f->heads, 0, sizeof(f->heads));
}

static const char *const reason_text[] = {
#define FEED_REASON_TEXT_(name, text) text,
  FEED_REASON_MAP(FEED_REASON_TEXT_)
#undef FEED_REASON_TEXT_
};

const char *
feed_reason_str(int reason)
{
  if (reason < 0 || reason >= FEED_REASON_END_)
    return "unknown reason";
  return reason_text[reason];
}

void
feed_entry_id(const uint8_t *entry, size_t len, uint8_t id[WIRE_HASH_BYTES])
{
  secure_hash(id, entry, len, FEED_ID_KEY, strlen(FEED_ID_KEY));
}

/* The same id, from the feed's key state. */
static void
entry_id(struct feed *f, const uint8_t *entry, size_t len,
         uint8_t id[WIRE_HASH_BYTES])
{
  secure_hash_keyed(f->idkey, id, entry, len);
}

static int
step_reset(struct db_stmt *s)
{
  int rc = db_step(s);
  db_reset(s);
  return rc < 0 ? rc : 0;
}

int
feed_open(struct db *db, const struct identity *me,
          const uint8_t network_id[WIRE_NETWORK_ID_BYTES],
          struct feed **out)
{
  struct feed *f = xcalloc(1, sizeof(*f));
  int err = 0, i;

  f->db = db;
  f->me = me;
  f->idkey = secure_hash_key_new(FEED_ID_KEY, strlen(FEED_ID_KEY));
  memcpy(f->network_id, network_id, WIRE_NETWORK_ID_BYTES);
  /* The log and the state are this connection's hot set: a larger page
   * cache and memory-mapped reads keep verify + apply off read(2)
   * (docs/PERFORMANCE.md). */
  CHECK(db_exec(db, "PRAGMA cache_size=-" FEED_CACHE_KIB_STR));
  CHECK(db_exec(db, "PRAGMA mmap_size=" FEED_MMAP_BYTES_STR));
  CHECK(db_exec(db, "PRAGMA wal_autocheckpoint=" FEED_WAL_PAGES_STR));
  for (i = 0; i < Q_COUNT_; i++)
    CHECK(db_prepare(db, q_text[i], &f->q[i]));
  CHECK(state_open(db, &f->state));
  f->data_version = -1;
  CHECK(feed_sync(f, NULL));
  f->unreported = 0; /* opening is not news */
  *out = f;
  return 0;

fail:
  feed_free(&f);
  *out = NULL;
  return err;
}

int
feed_sync(struct feed *f, int *changed)
{
  int64_t v = 0;
  int err, rc;

  if (changed) {
    /* A change an earlier call noticed without asking (feed_append, a
     * membership check) is still news to this caller. */
    *changed = f->unreported;
    f->unreported = 0;
  }
  rc = db_step(f->q[Q_DATAV]);
  if (rc == DB_ROW)
    v = db_col_int(f->q[Q_DATAV], 0);
  db_reset(f->q[Q_DATAV]);
  CHECK(rc < 0 ? rc : 0);
  if (v == f->data_version)
    return 0;
  /* Someone else wrote: what this connection cached may be old. */
  rc = db_step(f->q[Q_MAXL]);
  if (rc == DB_ROW)
    f->max_lamport = (uint64_t)db_col_int(f->q[Q_MAXL], 0);
  db_reset(f->q[Q_MAXL]);
  CHECK(rc < 0 ? rc : 0);
  state_invalidate(f->state);
  heads_drop(f);
  f->data_version = v;
  if (changed)
    *changed = 1;
  else
    f->unreported = 1;
fail:
  return err;
}

static void
drop_queue(struct feed *f)
{
  size_t i;
  for (i = 0; i < f->nqueue; i++)
    xfree(f->queue[i].bytes);
  xfree(f->queue);
  f->queue = NULL;
  f->nqueue = 0;
}

void
feed_free(struct feed **pf)
{
  struct feed *f = pf ? *pf : NULL;
  int i;

  if (f == NULL)
    return;
  if (f->batch)
    feed_rollback(f);
  drop_queue(f);
  for (i = 0; i < Q_COUNT_; i++)
    db_finalize(&f->q[i]);
  state_free(&f->state);
  secure_hash_key_free(&f->idkey);
  xfree(f->head_path);
  xfree(f->fence_path);
  xfree(f);
  *pf = NULL;
}

void
feed_set_head_dir(struct feed *f, const char *dir)
{
  xfree(f->head_path);
  xfree(f->fence_path);
  f->head_path = dir ? xasprintf("%s/%s", dir, FEED_HEAD_FILE) : NULL;
  f->fence_path = dir ? xasprintf("%s/%s", dir, FEED_FENCE_FILE) : NULL;
}

/* The head file's seq for our key; 0 when absent, unreadable or another
 * key's (a data dir given a new identity). */
static uint64_t
head_read(struct feed *f)
{
  char text[FEED_HEAD_TEXT_MAX], me[WIRE_KEY_BYTES * 2 + 1];
  ssize_t n;
  int fd;

  if (f->head_path == NULL)
    return 0;
  fd = open(f->head_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read(fd, text, sizeof(text) - 1);
  close(fd);
  if (n <= (ssize_t)(2 * WIRE_KEY_BYTES))
    return 0;
  text[n] = '\0';
  hex_encode(me, identity_public_key(f->me), WIRE_KEY_BYTES);
  if (memcmp(text, me, 2 * WIRE_KEY_BYTES) != 0 ||
      text[2 * WIRE_KEY_BYTES] != ' ')
    return 0;
  return strtoull(text + 2 * WIRE_KEY_BYTES + 1, NULL, 10);
}

/* Raise the head file to seq (never lowers it). */
static int
head_write(struct feed *f, uint64_t seq)
{
  char me[WIRE_KEY_BYTES * 2 + 1], *text;
  int err;

  if (f->head_path == NULL || seq <= head_read(f))
    return 0;
  hex_encode(me, identity_public_key(f->me), WIRE_KEY_BYTES);
  text = xasprintf("%s %llu\n", me, (unsigned long long)seq);
  err = fileio_replace(f->head_path, text, strlen(text));
  xfree(text);
  return err;
}

/* The fence file (a peer's report, hearsay): "ME SEQ CLAIMER". Its seq
 * for our key, 0 when absent, unreadable or another key's; claimer (may
 * be NULL) gets the reporting node. */
static uint64_t
fence_read(struct feed *f, uint8_t claimer[WIRE_KEY_BYTES])
{
  char text[FEED_HEAD_TEXT_MAX + 2 * WIRE_KEY_BYTES];
  char me[WIRE_KEY_BYTES * 2 + 1], *end;
  uint64_t seq;
  ssize_t n;
  int fd;

  if (f->fence_path == NULL)
    return 0;
  fd = open(f->fence_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read(fd, text, sizeof(text) - 1);
  close(fd);
  if (n <= (ssize_t)(2 * WIRE_KEY_BYTES))
    return 0;
  text[n] = '\0';
  hex_encode(me, identity_public_key(f->me), WIRE_KEY_BYTES);
  if (memcmp(text, me, 2 * WIRE_KEY_BYTES) != 0 ||
      text[2 * WIRE_KEY_BYTES] != ' ')
    return 0;
  seq = strtoull(text + 2 * WIRE_KEY_BYTES + 1, &end, 10);
  if (*end != ' ' || strlen(end + 1) < 2 * WIRE_KEY_BYTES)
    return 0;
  memcpy(me, end + 1, 2 * WIRE_KEY_BYTES); /* reused for the claimer */
  if (claimer && hex_decode(claimer, WIRE_KEY_BYTES, me) != 0)
    return 0;
  return seq;
}

int
feed_fence_raise(struct feed *f, uint64_t seq,
                 const uint8_t claimer[WIRE_KEY_BYTES])
{
  char me[WIRE_KEY_BYTES * 2 + 1], by[WIRE_KEY_BYTES * 2 + 1], *text;
  int err;

  if (f->fence_path == NULL || seq <= fence_read(f, NULL))
    return 0;
  hex_encode(me, identity_public_key(f->me), WIRE_KEY_BYTES);
  hex_encode(by, claimer, WIRE_KEY_BYTES);
  text = xasprintf("%s %llu %s\n", me, (unsigned long long)seq, by);
  err = fileio_replace(f->fence_path, text, strlen(text));
  xfree(text);
  return err;
}

int
feed_fence_claim(struct feed *f, uint64_t *seq,
                 uint8_t claimer[WIRE_KEY_BYTES])
{
  *seq = fence_read(f, claimer);
  return 0;
}

int
feed_fence_clear(struct feed *f)
{
  if (f->fence_path == NULL || unlink(f->fence_path) == 0 ||
      errno == ENOENT)
    return 0;
  return -errno;
}

void
feed_on_publish(struct feed *f, feed_publish_cb cb, void *arg)
{
  f->publish = cb;
  f->publish_arg = arg;
}

struct state *
feed_state(struct feed *f)
{
  return f->state;
}

static void
flush_queue(struct feed *f)
{
  size_t i;
  for (i = 0; i < f->nqueue; i++)
    if (f->publish)
      f->publish(f->queue[i].bytes, f->queue[i].len, f->publish_arg);
  drop_queue(f);
}

int
feed_begin(struct feed *f)
{
  int err;
  if (f->batch)
    return ERR_INVAL;
  err = db_begin(f->db);
  if (!err)
    f->batch = 1;
  return err;
}

int
feed_commit(struct feed *f)
{
  int err;
  if (!f->batch)
    return ERR_INVAL;
  if (f->batch_failed) {
    feed_rollback(f);
    return ERR_DB;
  }
  err = db_commit(f->db);
  if (err) {
    feed_rollback(f);
    return err;
  }
  f->batch = 0;
  if (f->head_pending)
    (void)head_write(f, f->head_pending);
  f->head_pending = 0;
  flush_queue(f);
  live_commit();
  return 0;
}

void
feed_rollback(struct feed *f)
{
  if (!f->batch)
    return;
  db_rollback(f->db);
  f->batch = 0;
  f->batch_failed = 0;
  f->head_pending = 0;
  state_invalidate(f->state);
  heads_drop(f);
  drop_queue(f);
  live_drop();
}

/* One entry's unit of work: a savepoint inside a batch, else its own
 * transaction. */
/* Inside a batch no savepoint is needed: every rejection is decided
 * before anything is written, so only a local database error can leave a
 * half-applied entry, and that fails the whole batch (feed_commit rolls
 * it back). */
static int
tx_enter(struct feed *f)
{
  return f->batch ? 0 : db_begin(f->db);
}

static int
tx_leave(struct feed *f, int keep)
{
  int err = 0;
  if (f->batch)
    return 0;
  if (!keep) {
    db_rollback(f->db);
    state_invalidate(f->state);
    heads_drop(f);
    live_drop();
    return 0;
  }
  err = db_commit(f->db);
  if (err) {
    db_rollback(f->db);
    state_invalidate(f->state);
    heads_drop(f);
    live_drop();
  } else {
    live_commit();
  }
  return err;
}

/* The author's last entry: *seq = 0 when there is none. */
static int
last_entry(struct feed *f, const uint8_t *author, uint64_t *seq,
           uint8_t id[WIRE_HASH_BYTES], uint64_t *lamport, uint64_t *frozen)
{
  struct db_stmt *s = f->q[Q_LAST];
  struct head *h = &f->heads[author[0] % FEED_HEADS];
  int err, rc;
  size_t len;
  const void *p;

  if (h->used && memcmp(h->author, author, WIRE_KEY_BYTES) == 0) {
    *seq = h->seq;
    *lamport = h->lamport;
    memcpy(id, h->id, WIRE_HASH_BYTES);
    if (frozen)
      *frozen = h->frozen;
    return 0;
  }
  *seq = 0;
  *lamport = 0;
  if (frozen)
    *frozen = 0;
  memset(id, 0, WIRE_HASH_BYTES);
  CHECK(db_bind_blob(s, 1, author, WIRE_KEY_BYTES));
  rc = db_step(s);
  if (rc == DB_ROW) {
    *seq = (uint64_t)db_col_int(s, 0);
    p = db_col_blob(s, 1, &len);
    if (p && len == WIRE_HASH_BYTES)
      memcpy(id, p, WIRE_HASH_BYTES);
    *lamport = (uint64_t)db_col_int(s, 2);
    if (frozen)
      *frozen = (uint64_t)db_col_int(s, 3);
    /* Only a held feed is cached: an author with no entries yet has no
     * frozen seq in this row. */
    memcpy(h->author, author, WIRE_KEY_BYTES);
    memcpy(h->id, id, WIRE_HASH_BYTES);
    h->seq = *seq;
    h->lamport = *lamport;
    h->frozen = (uint64_t)db_col_int(s, 3);
    h->used = 1;
  }
  db_reset(s);
  err = rc < 0 ? rc : 0;
fail:
  return err;
}

static int
entry_at(struct feed *f, const uint8_t *author, uint64_t seq,
         uint8_t id[WIRE_HASH_BYTES], uint64_t *lamport, int *found)
{
  struct db_stmt *s = f->q[Q_AT];
  int err, rc;
  size_t len;
  const void *p;

  *found = 0;
  CHECK(db_bind_blob(s, 1, author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)seq));
  rc = db_step(s);
  if (rc == DB_ROW) {
    p = db_col_blob(s, 0, &len);
    if (p && len == WIRE_HASH_BYTES)
      memcpy(id, p, WIRE_HASH_BYTES);
    *lamport = (uint64_t)db_col_int(s, 1);
    *found = 1;
  }
  db_reset(s);
  err = rc < 0 ? rc : 0;
fail:
  return err;
}

static int64_t
now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
frozen_seq(struct feed *f, const uint8_t *author, uint64_t *seq)
{
  struct db_stmt *s = f->q[Q_FROZEN];
  int err, rc;

  *seq = 0;
  CHECK(db_bind_blob(s, 1, author, WIRE_KEY_BYTES));
  rc = db_step(s);
  if (rc == DB_ROW)
    *seq = (uint64_t)db_col_int(s, 0);
  db_reset(s);
  err = rc < 0 ? rc : 0;
fail:
  return err;
}

/* Insert an entry into the log and apply it. */
static int
store(struct feed *f, const struct wire_entry *e, const uint8_t *id,
      const uint8_t *entry, size_t len, const uint8_t *sig)
{
  struct db_stmt *s = f->q[Q_INSERT];
  int err;

  /* Every parameter is bound by reference and the statement is reset
   * before these bytes go away (the hot path: no copies). */
  CHECK(db_bind_blob_ref(s, 1, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)e->seq));
  CHECK(db_bind_blob_ref(s, 3, id, WIRE_HASH_BYTES));
  CHECK(db_bind_int(s, 4, (int64_t)e->lamport));
  CHECK(db_bind_int(s, 5, e->op));
  CHECK(db_bind_blob_ref(s, 6, entry, len));
  CHECK(db_bind_blob_ref(s, 7, sig, WIRE_SIG_BYTES));
  CHECK(db_bind_int(s, 8, now_ms()));
  CHECK(step_reset(s));
  CHECK(state_apply(f->state, e, id));
  if (e->lamport > f->max_lamport)
    f->max_lamport = e->lamport;
  {
    /* The new head (stored entries are always the feed's next). */
    struct head *h = &f->heads[e->author[0] % FEED_HEADS];
    if (h->used && memcmp(h->author, e->author, WIRE_KEY_BYTES) == 0 &&
        h->seq + 1 == e->seq) {
      memcpy(h->id, id, WIRE_HASH_BYTES);
      h->seq = e->seq;
      h->lamport = e->lamport;
    } else if (h->used && memcmp(h->author, e->author, WIRE_KEY_BYTES) == 0) {
      h->used = 0;
    }
  }
  return 0;
fail:
  heads_drop(f);
  return err;
}

int
feed_append(struct feed *f, struct wire_entry *e,
            uint8_t id_out[WIRE_HASH_BYTES])
{
  uint8_t id[WIRE_HASH_BYTES], sig[WIRE_SIG_BYTES];
  uint8_t *bytes = NULL, *signed_bytes = NULL;
  size_t len = 0, slen = 0;
  uint64_t last_seq, last_l, frozen;
  char errbuf[160];
  int err, member = 0, in_tx = 0;

  CHECK(tx_enter(f));
  in_tx = 1;
  /* Inside BEGIN IMMEDIATE no other process can write: the head and
   * clocks read now are the store's latest, so two processes appending
   * to this node's feed are serialised and cannot fork it. */
  CHECK(feed_sync(f, NULL));
  e->format = WIRE_ENTRY_FORMAT;
  memcpy(e->network_id, f->network_id, WIRE_NETWORK_ID_BYTES);
  memcpy(e->author, identity_public_key(f->me), WIRE_KEY_BYTES);
  CHECK(last_entry(f, e->author, &last_seq, e->prev, &last_l, NULL));
  if (head_read(f) > last_seq || fence_read(f, NULL) > last_seq) {
    err = ERR_BEHIND; /* the fence: never fork our own feed */
    goto fail;
  }
  e->seq = last_seq + 1;
  e->lamport = (f->max_lamport > last_l ? f->max_lamport : last_l) + 1;
  e->wall_ms = now_ms();
  CHECK(frozen_seq(f, e->author, &frozen));
  CHECK(state_is_member(f->state, e->author, e->lamport, &member));
  if (!member || frozen) {
    err = ERR_FORBIDDEN;
    goto fail;
  }
  CHECK(wire_entry_encode(e, &bytes, &len, errbuf, sizeof(errbuf)));
  identity_sign(f->me, FEED_SIGN_CONTEXT, bytes, len, sig);
  entry_id(f, bytes, len, id);
  CHECK(store(f, e, id, bytes, len, sig));
  CHECK(wire_signed_encode(bytes, len, sig, &signed_bytes, &slen));
  in_tx = 0;
  CHECK(tx_leave(f, 1));
  if (f->batch)
    f->head_pending = e->seq;
  else
    (void)head_write(f, e->seq);
  if (id_out)
    memcpy(id_out, id, WIRE_HASH_BYTES);
  if (f->batch && f->nqueue < FEED_PUBLISH_QUEUE_MAX) {
    f->queue = xrealloc(f->queue, (f->nqueue + 1) * sizeof(*f->queue));
    f->queue[f->nqueue].bytes = signed_bytes;
    f->queue[f->nqueue].len = slen;
    f->nqueue++;
    signed_bytes = NULL;
  } else if (!f->batch && f->publish) {
    f->publish(signed_bytes, slen, f->publish_arg);
  }
  /* A batch past the queue cap publishes nothing for the overflow: the
   * swarm's anti-entropy sends those entries on the next clock exchange. */
fail:
  if (in_tx)
    tx_leave(f, 0);
  if (err && f->batch && err != ERR_FORBIDDEN && err != ERR_INVAL &&
      err != ERR_TOO_BIG && err != ERR_BEHIND)
    f->batch_failed = 1;
  xfree(bytes);
  xfree(signed_bytes);
  return err;
}

static int
reject(struct feed_result *res, int reason, const char *detail)
{
  res->verdict = FEED_REJECTED;
  res->reason = reason;
  if (detail && detail[0])
    snprintf(res->text, sizeof(res->text), "%s: %s",
             feed_reason_str(reason), detail);
  else
    snprintf(res->text, sizeof(res->text), "%s", feed_reason_str(reason));
  return 0;
}

/* Keep a second valid entry at a held (author, seq) as proof, freeze the
 * author from seq on and rebuild the state without its entries there. */
static int
record_fork(struct feed *f, const struct wire_entry *e, const uint8_t *id,
            const uint8_t *entry, size_t len, const uint8_t *sig)
{
  struct db_stmt *s = f->q[Q_FORK];
  uint8_t *signed_bytes = NULL;
  size_t slen;
  int err;

  CHECK(wire_signed_encode(entry, len, sig, &signed_bytes, &slen));
  CHECK(db_bind_blob(s, 1, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)e->seq));
  CHECK(db_bind_blob(s, 3, id, WIRE_HASH_BYTES));
  CHECK(db_bind_blob(s, 4, entry, len));
  CHECK(db_bind_blob(s, 5, sig, WIRE_SIG_BYTES));
  CHECK(db_bind_int(s, 6, now_ms()));
  CHECK(step_reset(s));
  s = f->q[Q_FREEZE];
  CHECK(db_bind_blob(s, 1, e->author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)e->seq));
  CHECK(step_reset(s));
  heads_drop(f); /* the author is frozen now */
  CHECK(state_rebuild(f->state));
fail:
  xfree(signed_bytes);
  return err;
}

/* The checks that need the store, in a unit of work. */
static int
receive_checked(struct feed *f, const struct wire_entry *e,
                const uint8_t *id, const uint8_t *entry, size_t len,
                const uint8_t *sig, struct feed_result *res)
{
  uint8_t last_id[WIRE_HASH_BYTES], prev_id[WIRE_HASH_BYTES];
  uint64_t last_seq, last_l, prev_l = 0, frozen;
  char detail[96];
  int err, member, found, rc;

  CHECK(last_entry(f, e->author, &last_seq, last_id, &last_l, &frozen));
  if (e->seq <= last_seq) {
    /* Held already (a duplicate), or a fork / regression below. */
    struct db_stmt *d = f->q[Q_DUP];
    CHECK(db_bind_blob(d, 1, e->author, WIRE_KEY_BYTES));
    CHECK(db_bind_int(d, 2, (int64_t)e->seq));
    CHECK(db_bind_blob(d, 3, id, WIRE_HASH_BYTES));
    rc = db_step(d);
    db_reset(d);
    CHECK(rc < 0 ? rc : 0);
    if (rc == DB_ROW) {
      res->verdict = FEED_DUPLICATE;
      snprintf(res->text, sizeof(res->text), "duplicate");
      return 0;
    }
  }
  if (frozen && e->seq >= frozen) {
    snprintf(detail, sizeof(detail), "from seq %llu",
             (unsigned long long)frozen);
    return reject(res, FEED_REASON_FROZEN, detail);
  }
  CHECK(state_is_member(f->state, e->author, e->lamport, &member));
  if (!member)
    return reject(res, FEED_REASON_NOT_MEMBER, NULL);
  if (identity_verify(e->author, FEED_SIGN_CONTEXT, entry, len, sig))
    return reject(res, FEED_REASON_SIGNATURE, NULL);
  if (e->seq > last_seq + 1) {
    snprintf(detail, sizeof(detail), "seq %llu after %llu",
             (unsigned long long)e->seq, (unsigned long long)last_seq);
    return reject(res, FEED_REASON_SEQ_GAP, detail);
  }
  if (e->lamport > f->max_lamport + FEED_LAMPORT_SKEW_MAX) {
    /* No real author runs this far ahead of everything held here; one
     * that does would drag every clock towards WIRE_LAMPORT_MAX. */
    snprintf(detail, sizeof(detail), "%llu is too far past %llu",
             (unsigned long long)e->lamport,
             (unsigned long long)f->max_lamport);
    return reject(res, FEED_REASON_LAMPORT, detail);
  }
  if (e->seq == last_seq + 1) {
    if (e->seq > 1 && memcmp(e->prev, last_id, WIRE_HASH_BYTES) != 0)
      return reject(res, FEED_REASON_PREV, NULL);
    if (e->seq > 1 && e->lamport <= last_l) {
      snprintf(detail, sizeof(detail), "%llu after %llu",
               (unsigned long long)e->lamport, (unsigned long long)last_l);
      return reject(res, FEED_REASON_LAMPORT, detail);
    }
    CHECK(store(f, e, id, entry, len, sig));
    res->verdict = FEED_ACCEPTED;
    snprintf(res->text, sizeof(res->text), "accepted");
    return 0;
  }
  /* seq <= last: a fork when it links correctly into the feed, else a
   * regression. */
  found = e->seq == 1;
  if (e->seq > 1)
    CHECK(entry_at(f, e->author, e->seq - 1, prev_id, &prev_l, &found));
  if (!found || (e->seq > 1 && (memcmp(e->prev, prev_id, WIRE_HASH_BYTES) ||
                                e->lamport <= prev_l))) {
    snprintf(detail, sizeof(detail), "seq %llu, feed at %llu",
             (unsigned long long)e->seq, (unsigned long long)last_seq);
    return reject(res, FEED_REASON_SEQ_REGRESSION, detail);
  }
  CHECK(record_fork(f, e, id, entry, len, sig));
  res->verdict = FEED_FORK;
  snprintf(res->text, sizeof(res->text), "fork at seq %llu: author frozen",
           (unsigned long long)e->seq);
fail:
  return err;
}

int
feed_receive(struct feed *f, const uint8_t *signed_entry, size_t len,
             const uint8_t *expected_author, struct feed_result *res)
{
  struct wire_entry e;
  uint8_t *owned = NULL, sig[WIRE_SIG_BYTES];
  const uint8_t *entry = NULL;
  size_t elen = 0;
  char errbuf[160];
  int err = 0, keep;

  memset(res, 0, sizeof(*res));
  memset(&e, 0, sizeof(e));
  if (len > WIRE_SIGNED_MAX)
    return reject(res, FEED_REASON_TOO_BIG, NULL);
  /* The entry bytes are used where they lie in signed_entry: hashed for
   * the id, parsed, verified and stored without a copy. */
  err = wire_signed_view(signed_entry, len, &entry, &elen, sig, &owned);
  if (err) {
    reject(res, err == ERR_TOO_BIG ? FEED_REASON_TOO_BIG
                                   : FEED_REASON_MALFORMED, NULL);
    return 0;
  }
  entry_id(f, entry, elen, res->id);
  err = wire_entry_decode(entry, elen, &e, errbuf, sizeof(errbuf));
  if (err) {
    reject(res, err == ERR_TOO_BIG ? FEED_REASON_TOO_BIG
                                   : FEED_REASON_MALFORMED, errbuf);
    err = 0;
    goto out;
  }
  if (e.format != WIRE_ENTRY_FORMAT) {
    reject(res, FEED_REASON_FORMAT, NULL);
    goto out;
  }
  if (memcmp(e.network_id, f->network_id, WIRE_NETWORK_ID_BYTES) != 0) {
    reject(res, FEED_REASON_NETWORK, NULL);
    goto out;
  }
  if (expected_author &&
      memcmp(e.author, expected_author, WIRE_KEY_BYTES) != 0) {
    reject(res, FEED_REASON_AUTHOR, NULL);
    goto out;
  }
  err = tx_enter(f);
  if (err)
    goto out;
  err = receive_checked(f, &e, res->id, entry, elen, sig, res);
  keep = !err && (res->verdict == FEED_ACCEPTED ||
                  res->verdict == FEED_FORK);
  if (err && f->batch)
    f->batch_failed = 1;
  if (tx_leave(f, keep) && !err)
    err = ERR_DB;
out:
  wire_entry_clear(&e);
  xfree(owned);
  return err;
}

int
feed_get(struct feed *f, const uint8_t author[WIRE_KEY_BYTES], uint64_t seq,
         uint8_t **out, size_t *len)
{
  struct db_stmt *s = f->q[Q_GET];
  const void *entry, *sig;
  size_t elen, siglen;
  int err, rc;

  *out = NULL;
  *len = 0;
  CHECK(db_bind_blob(s, 1, author, WIRE_KEY_BYTES));
  CHECK(db_bind_int(s, 2, (int64_t)seq));
  rc = db_step(s);
  if (rc == DB_ROW) {
    entry = db_col_blob(s, 0, &elen);
    sig = db_col_blob(s, 1, &siglen);
    err = siglen == WIRE_SIG_BYTES
              ? wire_signed_encode(entry, elen, sig, out, len)
              : ERR_DB_CORRUPT;
  } else {
    err = rc < 0 ? rc : ERR_NOT_FOUND;
  }
  db_reset(s);
fail:
  return err;
}

int
feed_rebuild(struct feed *f)
{
  int err;

  if (f->batch)
    return state_rebuild(f->state);
  CHECK(db_begin(f->db));
  err = state_rebuild(f->state);
  if (err) {
    db_rollback(f->db);
    return err;
  }
  err = db_commit(f->db);
  if (err)
    db_rollback(f->db);
fail:
  return err;
}

int
feed_peek(const uint8_t *signed_entry, size_t len,
          uint8_t author[WIRE_KEY_BYTES], uint64_t *seq)
{
  struct wire_entry e;
  uint8_t *entry = NULL, sig[WIRE_SIG_BYTES];
  size_t elen = 0;
  char errbuf[160];
  int err;

  memset(&e, 0, sizeof(e));
  err = wire_signed_decode(signed_entry, len, &entry, &elen, sig);
  if (!err)
    err = wire_entry_decode(entry, elen, &e, errbuf, sizeof(errbuf));
  if (!err) {
    memcpy(author, e.author, WIRE_KEY_BYTES);
    *seq = e.seq;
  }
  wire_entry_clear(&e);
  xfree(entry);
  return err;
}

int
feed_behind(struct feed *f, uint64_t *n)
{
  uint8_t id[WIRE_HASH_BYTES];
  uint64_t seq, lamport, head;
  int err;

  *n = 0;
  if (f->head_path == NULL)
    return 0;
  head = head_read(f);
  if (fence_read(f, NULL) > head)
    head = fence_read(f, NULL);
  err = last_entry(f, identity_public_key(f->me), &seq, id, &lamport, NULL);
  if (!err && head > seq)
    *n = head - seq;
  return err;
}

int
feed_heads(struct feed *f, feed_head_cb cb, void *arg)
{
  struct db_stmt *s = NULL;
  int err, rc;

  err = db_prepare(f->db, "SELECT author, max(seq) FROM log_entries "
                   "GROUP BY author ORDER BY author", &s);
  if (err)
    return err;
  while ((rc = db_step(s)) == DB_ROW) {
    size_t len;
    const void *p = db_col_blob(s, 0, &len);
    if (p && len == WIRE_KEY_BYTES)
      cb(p, (uint64_t)db_col_int(s, 1), arg);
  }
  db_finalize(&s);
  return rc < 0 ? rc : 0;
}
