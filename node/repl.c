/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Log replication over the swarm; see repl.h and node/SWARM.md section
 * 10. Runs on the loop thread only. */
#define LOG_MODULE "repl"
#include "node/repl.h"

#include <stdlib.h>
#include <string.h>

#include "node/alloc.h"
#include "node/db.h"
#include "node/feed.h"
#include "node/hex.h"
#include "node/invites.h"
#include "node/json.h"
#include "node/log.h"
#include "node/peer.h"
#include "node/state.h"
#include "node/swarm.h"
#include "node/wire.h"

#define KEY WIRE_KEY_BYTES
#define MEMBER_NOW UINT64_MAX /* lamport key: membership as of now */
#define QUAR_RETRY_ROUNDS 4   /* admissions unlocking admissions */
#define ADDR_TEXT_MAX 300     /* bytes of one announced address */
#define FORKS_PER_FRAME 16    /* fork proofs relayed per frame received */

/* author -> seq (or a count), linear: a swarm has few authors. */
struct ahead {
  uint8_t key[KEY];
  uint64_t seq;
};
struct amap {
  struct ahead *v;
  size_t n, cap;
};

struct qentry {
  uint8_t author[KEY];
  uint64_t seq;
  uint8_t *bytes;
  size_t len;
  uint64_t at_ms;
};

struct rpeer {
  uint8_t pub[KEY];
  int used, up, heads_seen, want;
  struct amap sent;    /* highest seq the peer holds or we sent it */
  struct amap theirs;  /* its last reported heads */
  uint64_t in, out;
  size_t max_queued;
  uint64_t owed_since, last_in_ms;
  int stalls;
  int liar;            /* claimed our own feed and never delivered it:
                        * its reports of it are ignored from then on */
};

static void warn_unreachable_tail(struct repl *r);

struct dial {
  uint8_t pub[KEY];
  char addr[ADDR_TEXT_MAX];
};

struct repl {
  uv_loop_t *loop;
  uv_timer_t timer;
  struct feed *f;
  struct swarm *sw;
  struct repl_options o;
  uint8_t me[KEY];
  struct amap mine;
  struct rpeer *peers;       /* REPL_PEERS_MAX */
  struct qentry *quar;
  size_t nquar;
  size_t quar_bytes;         /* bytes held in quar */
  int quar_dirty;            /* membership may have changed */
  int tail_warned;           /* own_tail_unreachable() was logged (once
                              * per run) */
  uint64_t tail_since;       /* when it was first seen, 0 = not now */
  struct amap quota;
  uint64_t quota_start, last_heads_ms;
  struct dial *dials;
  size_t ndials;
  uint64_t in, out;
  char *pending_addr;        /* to announce once we may append */
};

/* ---- author maps ---------------------------------------------------- */

static struct ahead *
amap_find(struct amap *m, const uint8_t *key)
{
  size_t i;
  for (i = 0; i < m->n; i++)
    if (memcmp(m->v[i].key, key, KEY) == 0)
      return &m->v[i];
  return NULL;
}

static uint64_t
amap_get(struct amap *m, const uint8_t *key)
{
  struct ahead *a = amap_find(m, key);
  return a ? a->seq : 0;
}

/* Set; a new author past REPL_AUTHORS_MAX is not tracked (returns 0). */
static int
amap_set(struct amap *m, const uint8_t *key, uint64_t seq)
{
  struct ahead *a = amap_find(m, key);
  if (a == NULL) {
    if (m->n >= REPL_AUTHORS_MAX)
      return 0;
    if (m->n == m->cap) {
      m->cap = m->cap ? 2 * m->cap : 8;
      m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
    }
    a = &m->v[m->n++];
    memcpy(a->key, key, KEY);
  }
  a->seq = seq;
  return 1;
}

static void
amap_raise(struct amap *m, const uint8_t *key, uint64_t seq)
{
  if (seq > amap_get(m, key))
    (void)amap_set(m, key, seq);
}

static void
amap_free(struct amap *m)
{
  xfree(m->v);
  memset(m, 0, sizeof(*m));
}

/* ---- peers ---------------------------------------------------------- */

/* The first 16 hex digits of a node id, for logs. */
static const char *
short_id(const uint8_t *pub, char out[17])
{
  char full[2 * KEY + 1];
  hex_encode(full, pub, KEY);
  memcpy(out, full, 16);
  out[16] = '\0';
  return out;
}

static struct rpeer *
rpeer_find(struct repl *r, const uint8_t *pub, int create)
{
  struct rpeer *free_slot = NULL, *down = NULL;
  struct amap sent, theirs;
  int i;
  for (i = 0; i < REPL_PEERS_MAX; i++) {
    if (r->peers[i].used && memcmp(r->peers[i].pub, pub, KEY) == 0)
      return &r->peers[i];
    if (!r->peers[i].used && free_slot == NULL)
      free_slot = &r->peers[i];
    if (r->peers[i].used && !r->peers[i].up && down == NULL)
      down = &r->peers[i]; /* reused when the table is full */
  }
  if (free_slot == NULL)
    free_slot = down;
  if (!create || free_slot == NULL)
    return NULL;
  sent = free_slot->sent;     /* keep the maps' memory */
  theirs = free_slot->theirs;
  memset(free_slot, 0, sizeof(*free_slot));
  free_slot->sent = sent;
  free_slot->theirs = theirs;
  free_slot->sent.n = free_slot->theirs.n = 0;
  free_slot->used = 1;
  memcpy(free_slot->pub, pub, KEY);
  return free_slot;
}

static uint64_t
now_ms(struct repl *r)
{
  return uv_now(r->loop);
}

static void
load_head(const uint8_t author[WIRE_KEY_BYTES], uint64_t seq, void *arg)
{
  (void)amap_set(arg, author, seq);
}

static int
reload_heads(struct repl *r)
{
  r->mine.n = 0;
  return feed_heads(r->f, load_head, &r->mine);
}

static uint64_t
lag_of(struct repl *r, struct rpeer *rp)
{
  uint64_t lag = 0, s;
  size_t i;
  for (i = 0; i < r->mine.n; i++) {
    s = amap_get(&rp->sent, r->mine.v[i].key);
    if (r->mine.v[i].seq > s)
      lag += r->mine.v[i].seq - s;
  }
  return lag;
}

/* The id of our entry (author, seq). */
static int
entry_id_at(struct repl *r, const uint8_t *author, uint64_t seq,
            uint8_t id[WIRE_HASH_BYTES])
{
  uint8_t *buf = NULL, *entry = NULL, sig[WIRE_SIG_BYTES];
  size_t len, elen;
  int err = feed_get(r->f, author, seq, &buf, &len);
  if (!err)
    err = wire_signed_decode(buf, len, &entry, &elen, sig);
  if (!err)
    feed_entry_id(entry, elen, id);
  xfree(entry);
  xfree(buf);
  return err;
}

/* One entry to rp now (fork proofs: small and rare). */
static void
send_one(struct repl *r, struct rpeer *rp, const uint8_t *data, size_t len)
{
  struct peer *p = r->sw ? swarm_peer(r->sw, rp->pub) : NULL;
  struct wire_bytes item;
  struct wire_frame fr;

  if (p == NULL || !rp->up)
    return;
  item.data = data;
  item.len = len;
  memset(&fr, 0, sizeof(fr));
  fr.kind = WIRE_REPL_ENTRIES;
  fr.u.entries.items = &item;
  fr.u.entries.n = 1;
  if (peer_send(p, &fr) == 0) {
    rp->out++;
    r->out++;
  }
}

/* Send rp our own entry (author, seq): its id differs from rp's. */
static void
send_ours(struct repl *r, struct rpeer *rp, const uint8_t *author,
          uint64_t seq)
{
  uint8_t *buf;
  size_t len;
  if (feed_get(r->f, author, seq, &buf, &len) != 0)
    return;
  send_one(r, rp, buf, len);
  xfree(buf);
}

static void
send_heads(struct repl *r, struct rpeer *rp, int want)
{
  struct peer *p = r->sw ? swarm_peer(r->sw, rp->pub) : NULL;
  struct wire_repl_head *hv;
  struct wire_frame fr;
  uint8_t *ids;
  size_t i, n = r->mine.n < WIRE_REPL_HEADS_MAX ? r->mine.n
                                                : WIRE_REPL_HEADS_MAX;

  if (p == NULL)
    return;
  hv = xcalloc(n + 1, sizeof(*hv));
  ids = xcalloc(n + 1, WIRE_HASH_BYTES);
  for (i = 0; i < n; i++) {
    hv[i].author = r->mine.v[i].key;
    hv[i].seq = r->mine.v[i].seq;
    if (entry_id_at(r, hv[i].author, hv[i].seq,
                    ids + i * WIRE_HASH_BYTES) == 0)
      hv[i].id = ids + i * WIRE_HASH_BYTES;
  }
  memset(&fr, 0, sizeof(fr));
  fr.kind = WIRE_REPL_HEADS;
  fr.u.heads.heads = hv;
  fr.u.heads.n = n;
  fr.u.heads.want = want;
  if (peer_send(p, &fr) != 0) {
    char id[17];
    log_warn("cannot send heads to %s…", short_id(rp->pub, id));
  }
  else if (want)
    rp->want = 0;
  xfree(hv);
  xfree(ids);
}

/* Stream what rp lacks, per author in seq order, while its queue is
 * under the soft cap; on_drained resumes. */
static void
pump(struct repl *r, struct rpeer *rp)
{
  struct peer *p;
  struct wire_bytes *items;
  struct wire_frame fr;
  struct peer_stats ps;
  size_t n, bytes, i, a;
  uint64_t s;
  int err;

  if (!rp->up || !rp->heads_seen || r->sw == NULL)
    return;
  p = swarm_peer(r->sw, rp->pub);
  if (p == NULL)
    return;
  items = xcalloc(r->o.batch_entries, sizeof(*items));
  while (peer_can_send(p)) {
    n = 0;
    bytes = 0;
    for (a = 0; a < r->mine.n && n < r->o.batch_entries &&
                bytes < REPL_BATCH_BYTES; a++) {
      const uint8_t *author = r->mine.v[a].key;
      s = amap_get(&rp->sent, author);
      while (s < r->mine.v[a].seq && n < r->o.batch_entries &&
             bytes < REPL_BATCH_BYTES) {
        uint8_t *buf;
        size_t len;
        err = feed_get(r->f, author, s + 1, &buf, &len);
        if (err)
          break; /* a hole (fork pruned) or a local error: skip */
        items[n].data = buf;
        items[n].len = len;
        bytes += len;
        n++;
        s++;
      }
      (void)amap_set(&rp->sent, author, s);
    }
    if (n == 0)
      break;
    memset(&fr, 0, sizeof(fr));
    fr.kind = WIRE_REPL_ENTRIES;
    fr.u.entries.items = items;
    fr.u.entries.n = n;
    err = peer_send(p, &fr);
    for (i = 0; i < n; i++)
      xfree((void *)items[i].data);
    if (err) {
      log_warn("cannot send entries: %s", err_str(err));
      break;
    }
    rp->out += n;
    r->out += n;
    peer_get_stats(p, &ps);
    if (ps.queued > rp->max_queued)
      rp->max_queued = ps.queued;
  }
  xfree(items);
}

static void
pump_all(struct repl *r)
{
  int i;
  for (i = 0; i < REPL_PEERS_MAX; i++)
    if (r->peers[i].used && r->peers[i].up)
      pump(r, &r->peers[i]);
}

/* ---- membership ----------------------------------------------------- */

static int
meta_key(struct repl *r, const char *key, uint8_t out[KEY])
{
  struct db *db = state_db(feed_state(r->f));
  struct db_stmt *s = NULL;
  const char *v;
  int err, rc;

  err = db_prepare(db, "SELECT value FROM node_meta WHERE key=?1", &s);
  if (err)
    return err;
  err = db_bind_text(s, 1, key, -1);
  rc = err ? err : db_step(s);
  if (rc == DB_ROW) {
    v = db_col_text(s, 0);
    err = v && hex_decode(out, KEY, v) == 0 ? 0 : ERR_NOT_FOUND;
  } else {
    err = rc < 0 ? rc : ERR_NOT_FOUND;
  }
  db_finalize(&s);
  return err;
}

static int
member_by_log(struct repl *r, const uint8_t *pub)
{
  int yes = 0;
  if (state_is_member(feed_state(r->f), pub, MEMBER_NOW, &yes) != 0)
    return 0;
  return yes;
}

int
repl_is_member(struct repl *r, const uint8_t pub[IDENTITY_PUBLIC_BYTES])
{
  uint8_t who[KEY];

  if (feed_sync(r->f, NULL) != 0)
    log_warn("cannot read the store's version");
  if (member_by_log(r, pub))
    return 1;
  /* Removed (the founder too): out for good, whatever the rules below. */
  if (invites_is_removed(state_db(feed_state(r->f)), pub))
    return 0;
  if (state_get_founder(state_db(feed_state(r->f)), who) == 0 &&
      memcmp(who, pub, KEY) == 0)
    return 1;
  /* A fresh join catches up from the node that admitted it. */
  if (!member_by_log(r, r->me) && meta_key(r, "admitted_by", who) == 0 &&
      memcmp(who, pub, KEY) == 0)
    return 1;
  return 0;
}

static void
drop_removed(const uint8_t node[KEY], void *arg)
{
  struct repl *r = arg;
  (void)swarm_drop(r->sw, node, "removed from the swarm");
}

/* After entries were applied: drop removed members (a Remove arrived;
 * swarm_drop also forgets their addresses, so they are not redialled) and
 * links to any other node that is no longer a member. */
static void
enforce_members(struct repl *r)
{
  struct peer *p;
  int i;
  if (r->sw && invites_each_removed(state_db(feed_state(r->f)),
                                    drop_removed, r) != 0)
    log_warn("cannot read the removed members");
  for (i = 0; i < REPL_PEERS_MAX; i++) {
    struct rpeer *rp = &r->peers[i];
    if (!rp->used || !rp->up || repl_is_member(r, rp->pub))
      continue;
    p = r->sw ? swarm_peer(r->sw, rp->pub) : NULL;
    if (p) {
      char id[17];
      log_info("%s… is no longer a member: closing", short_id(rp->pub, id));
      peer_close(p, WIRE_BYE_PROTOCOL, "not a member", ERR_FORBIDDEN);
    }
  }
}

void
repl_dial_members(struct repl *r)
{
  struct db *db = state_db(feed_state(r->f));
  struct db_stmt *s = NULL;
  char addr[ADDR_TEXT_MAX];
  size_t len, i;
  const void *node;
  const char *text;
  int rc;

  if (r->sw == NULL ||
      db_prepare(db, "SELECT node, addrs FROM st_addrs", &s) != 0)
    return;
  while ((rc = db_step(s)) == DB_ROW) {
    node = db_col_blob(s, 0, &len);
    text = db_col_text(s, 1);
    if (node == NULL || len != KEY || text == NULL ||
        memcmp(node, r->me, KEY) == 0 || !member_by_log(r, node))
      continue;
    len = strcspn(text, " ");
    if (len == 0 || len >= sizeof(addr))
      continue;
    memcpy(addr, text, len);
    addr[len] = '\0';
    for (i = 0; i < r->ndials; i++)
      if (memcmp(r->dials[i].pub, node, KEY) == 0)
        break;
    if (i < r->ndials && strcmp(r->dials[i].addr, addr) == 0)
      continue;
    if (i == r->ndials) {
      if (r->ndials >= REPL_DIALS_MAX)
        continue;
      r->dials = xrealloc(r->dials, (r->ndials + 1) * sizeof(*r->dials));
      memcpy(r->dials[r->ndials++].pub, node, KEY);
    }
    memcpy(r->dials[i].addr, addr, len + 1);
    if (swarm_add_peer(r->sw, node, addr) != 0)
      log_warn("cannot dial a member at %s", addr);
  }
  db_finalize(&s);
}

/* ---- quarantine ----------------------------------------------------- */

static void
quar_drop(struct repl *r, size_t i)
{
  r->quar_bytes -= r->quar[i].len;
  xfree(r->quar[i].bytes);
  r->quar[i] = r->quar[--r->nquar];
}

/* Keep an entry whose author is not (yet) a member. 0 when kept or
 * already held, -1 when over a cap (the sender is asked again later). */
static int
quar_add(struct repl *r, const uint8_t *author, uint64_t seq,
         const uint8_t *bytes, size_t len)
{
  size_t i, mine = 0;
  for (i = 0; i < r->nquar; i++) {
    if (memcmp(r->quar[i].author, author, KEY) != 0)
      continue;
    if (r->quar[i].seq == seq)
      return 0;
    mine++;
  }
  if (mine >= r->o.quar_per_author || r->nquar >= r->o.quar_max ||
      r->quar_bytes + len > REPL_QUAR_BYTES_MAX)
    return -1;
  r->quar_bytes += len;
  r->quar = xrealloc(r->quar, (r->nquar + 1) * sizeof(*r->quar));
  memcpy(r->quar[r->nquar].author, author, KEY);
  r->quar[r->nquar].seq = seq;
  r->quar[r->nquar].bytes = xmalloc(len);
  memcpy(r->quar[r->nquar].bytes, bytes, len);
  r->quar[r->nquar].len = len;
  r->quar[r->nquar].at_ms = now_ms(r);
  r->nquar++;
  return 0;
}

static int
qcmp(const void *a, const void *b)
{
  const struct qentry *x = a, *y = b;
  int c = memcmp(x->author, y->author, KEY);
  if (c)
    return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Retry quarantined entries of authors who are members now, per author
 * in seq order. Entries still waiting for their author stay. */
static int
quar_retry(struct repl *r)
{
  struct feed_result res;
  size_t i, j;
  int round, accepted = 0, any, err = 0;

  for (round = 0; round < QUAR_RETRY_ROUNDS && r->nquar > 0; round++) {
    any = 0;
    qsort(r->quar, r->nquar, sizeof(*r->quar), qcmp);
    if (feed_begin(r->f) != 0)
      break;
    for (i = 0; i < r->nquar && !err; i++) {
      if (!member_by_log(r, r->quar[i].author))
        continue;
      err = feed_receive(r->f, r->quar[i].bytes, r->quar[i].len, NULL,
                         &res);
      if (err || (res.verdict == FEED_REJECTED &&
                  (res.reason == FEED_REASON_NOT_MEMBER ||
                   res.reason == FEED_REASON_SEQ_GAP)))
        continue;
      if (res.verdict == FEED_ACCEPTED || res.verdict == FEED_FORK) {
        amap_raise(&r->mine, r->quar[i].author, r->quar[i].seq);
        any = accepted = 1;
      }
      r->quar_bytes -= r->quar[i].len;
      xfree(r->quar[i].bytes); /* done with: applied or refused */
      r->quar[i].bytes = NULL;
    }
    if (err || feed_commit(r->f) != 0) {
      if (err)
        feed_rollback(r->f);
      (void)reload_heads(r);
      return 0; /* kept for the next try */
    }
    for (i = j = 0; i < r->nquar; i++)
      if (r->quar[i].bytes)
        r->quar[j++] = r->quar[i];
    r->nquar = j;
    if (!any)
      break;
  }
  return accepted;
}

static void
after_apply(struct repl *r)
{
  r->quar_dirty = 1; /* also: retry a pending address announcement */
  if (r->nquar > 0)
    (void)quar_retry(r);
  enforce_members(r);
  repl_dial_members(r);
  pump_all(r);
}

/* ---- frames --------------------------------------------------------- */

static void
on_heads(struct swarm *s, struct peer *p, const uint8_t pub[KEY],
         const struct wire_frame *f, void *arg)
{
  struct repl *r = arg;
  struct rpeer *rp = rpeer_find(r, pub, 1);
  uint8_t id[WIRE_HASH_BYTES];
  size_t i;

  (void)s;
  (void)p;
  if (rp == NULL)
    return;
  if (f->u.heads.want)
    rp->sent.n = 0;
  rp->theirs.n = 0;
  for (i = 0; i < f->u.heads.n; i++) {
    const struct wire_repl_head *h = &f->u.heads.heads[i];
    (void)amap_set(&rp->theirs, h->author, h->seq);
    amap_raise(&rp->sent, h->author, h->seq);
    if (memcmp(h->author, r->me, KEY) == 0 &&
        h->seq > amap_get(&r->mine, r->me) && !rp->liar &&
        feed_fence_raise(r->f, h->seq, pub) != 0)
      log_warn("cannot write the feed head file");
    /* Same seq, another entry: a fork. Our entry lets the peer prove it
     * (it sends its own back when it sees our heads, or on FEED_FORK). */
    if (h->id && h->seq >= 1 && h->seq <= amap_get(&r->mine, h->author) &&
        entry_id_at(r, h->author, h->seq, id) == 0 &&
        memcmp(id, h->id, WIRE_HASH_BYTES) != 0)
      send_ours(r, rp, h->author, h->seq);
  }
  rp->heads_seen = 1;
  pump(r, rp);
  warn_unreachable_tail(r);
}

static int
bad_relay(int reason)
{
  return reason == FEED_REASON_TOO_BIG || reason == FEED_REASON_MALFORMED ||
         reason == FEED_REASON_FORMAT || reason == FEED_REASON_NETWORK ||
         reason == FEED_REASON_SIGNATURE || reason == FEED_REASON_AUTHOR;
}

static void
on_entries(struct swarm *s, struct peer *p, const uint8_t pub[KEY],
           const struct wire_frame *f, void *arg)
{
  struct repl *r = arg;
  struct rpeer *rp = rpeer_find(r, pub, 1);
  struct feed_result res;
  uint8_t author[KEY];
  uint64_t seq;
  size_t i, nforks = 0;
  int err = 0, bad = 0, applied = 0, k;
  char why[200] = "";
  struct {
    uint8_t author[KEY];
    uint64_t seq;
    const uint8_t *data;
    size_t len;
  } forks[FORKS_PER_FRAME];

  (void)s;
  if (rp == NULL)
    return;
  if (feed_begin(r->f) != 0) {
    rp->want = 1;
    return;
  }
  for (i = 0; i < f->u.entries.n && !bad; i++) {
    const uint8_t *data = f->u.entries.items[i].data;
    size_t len = f->u.entries.items[i].len;
    if (feed_peek(data, len, author, &seq) != 0) {
      bad = 1;
      snprintf(why, sizeof(why), "malformed entry");
      break;
    }
    if (amap_get(&r->quota, author) >= r->o.quota) {
      rp->want = 1; /* deferred: asked again when the window turns */
      continue;
    }
    err = feed_receive(r->f, data, len, NULL, &res);
    if (err)
      break;
    if (res.verdict == FEED_FORK && nforks < FORKS_PER_FRAME) {
      memcpy(forks[nforks].author, author, KEY);
      forks[nforks].seq = seq;
      forks[nforks].data = data; /* the frame outlives this call's end */
      forks[nforks].len = len;
      nforks++;
    }
    switch (res.verdict) {
    case FEED_ACCEPTED:
    case FEED_FORK:
      amap_raise(&r->mine, author, seq);
      (void)amap_set(&r->quota, author, amap_get(&r->quota, author) + 1);
      rp->in++;
      r->in++;
      applied = 1;
      /* fall through */
    case FEED_DUPLICATE:
      amap_raise(&rp->sent, author, seq);
      break;
    default:
      if (res.reason == FEED_REASON_NOT_MEMBER) {
        if (quar_add(r, author, seq, data, len) != 0)
          rp->want = 1;
      } else if (bad_relay(res.reason)) {
        bad = 1;
        snprintf(why, sizeof(why), "%s", res.text);
      } else if (res.reason == FEED_REASON_SEQ_GAP) {
        rp->want = 1;
      }
      break;
    }
  }
  if (err || feed_commit(r->f) != 0) {
    log_warn("cannot store replicated entries: %s", err_str(err));
    if (err)
      feed_rollback(r->f);
    (void)reload_heads(r);
    rp->want = 1;
    return;
  }
  if (bad) {
    char id[17];
    log_warn("dropping %s…: it relayed a bad entry: %s", short_id(pub, id),
             why);
    peer_close(p, WIRE_BYE_PROTOCOL, "bad entry", ERR_BAD_SIGNATURE);
    rp->up = 0;
  }
  /* A fork proof: our entry back to the sender, theirs to everyone else,
   * so every member freezes the author. */
  for (i = 0; i < nforks; i++) {
    char id[17];
    log_warn("fork of %s… at seq %llu: frozen",
             short_id(forks[i].author, id),
             (unsigned long long)forks[i].seq);
    if (!bad)
      send_ours(r, rp, forks[i].author, forks[i].seq);
    for (k = 0; k < REPL_PEERS_MAX; k++)
      if (r->peers[k].used && r->peers[k].up && &r->peers[k] != rp)
        send_one(r, &r->peers[k], forks[i].data, forks[i].len);
  }
  if (applied) {
    /* Only progress counts for the stall watchdog: a peer that owes us
     * entries cannot hold it off with empty or duplicate frames. */
    rp->last_in_ms = now_ms(r);
    after_apply(r);
  }
}

static void
on_publish(const uint8_t *signed_entry, size_t len, void *arg)
{
  struct repl *r = arg;
  uint8_t author[KEY];
  uint64_t seq;
  if (feed_peek(signed_entry, len, author, &seq) == 0)
    amap_raise(&r->mine, author, seq);
  enforce_members(r); /* our own Remove */
  pump_all(r);
}

/* ---- the tick ------------------------------------------------------- */

/* The reported write fence stands while its claimer is a member that has
 * not been caught lying and has not taken the claim back; otherwise it is
 * withdrawn, and what other connected members claim is kept instead. So a
 * hostile member cannot fence this node for good by reporting entries of
 * ours that do not exist; an honest report (a wiped store catching up)
 * survives restarts and disconnections. */
static void
fence_review(struct repl *r)
{
  uint8_t by[KEY];
  uint64_t seq = 0, held = amap_get(&r->mine, r->me), claim;
  struct rpeer *rp;
  char id[17];
  int i;

  if (feed_fence_claim(r->f, &seq, by) != 0 || seq <= held)
    return;
  rp = rpeer_find(r, by, 0);
  if (member_by_log(r, by) && !(rp && rp->liar) &&
      !(rp && rp->up && rp->heads_seen &&
        amap_get(&rp->theirs, r->me) <= held))
    return;
  log_warn("%s… reported %llu entries of our feed and did not deliver "
           "them: fence withdrawn", short_id(by, id),
           (unsigned long long)(seq - held));
  if (feed_fence_clear(r->f) != 0)
    log_warn("cannot remove the fence file");
  for (i = 0; i < REPL_PEERS_MAX; i++) {
    rp = &r->peers[i];
    claim = rp->used && rp->up && !rp->liar ? amap_get(&rp->theirs, r->me)
                                            : 0;
    if (claim > held && feed_fence_raise(r->f, claim, rp->pub) != 0)
      log_warn("cannot write the fence file");
  }
}

static void
watchdog(struct repl *r, struct rpeer *rp, uint64_t now)
{
  struct peer *p;
  size_t i;
  int owed = 0;

  for (i = 0; i < rp->theirs.n && !owed; i++)
    owed = rp->theirs.v[i].seq > amap_get(&r->mine, rp->theirs.v[i].key) &&
           member_by_log(r, rp->theirs.v[i].key);
  if (!owed || rp->last_in_ms > rp->owed_since) {
    rp->owed_since = owed ? now : 0;
    if (!owed)
      rp->stalls = 0;
    return;
  }
  if (now - rp->owed_since < r->o.stall_ms)
    return;
  if (++rp->stalls > REPL_STALL_TRIES) {
    char id[17];
    p = r->sw ? swarm_peer(r->sw, rp->pub) : NULL;
    log_warn("%s… owes entries and sends none: dropping it",
             short_id(rp->pub, id));
    if (amap_get(&rp->theirs, r->me) > amap_get(&r->mine, r->me)) {
      rp->liar = 1; /* it claimed entries only we can sign */
      fence_review(r);
    }
    if (p)
      peer_close(p, WIRE_BYE_TIMEOUT, "replication stalled", ERR_TIMEOUT);
    return;
  }
  send_heads(r, rp, 1);
  rp->owed_since = now;
}

static void
on_tick(uv_timer_t *t)
{
  struct repl *r = t->data;
  uint64_t now = now_ms(r);
  int changed = 0, i, turn = 0, heads = 0;

  if (feed_sync(r->f, &changed) == 0 && changed) {
    (void)reload_heads(r);
    r->quar_dirty = 1;
    enforce_members(r);
    pump_all(r);
  }
  if (now - r->quota_start >= r->o.quota_ms) {
    r->quota.n = 0;
    r->quota_start = now;
    turn = 1;
  }
  if (now - r->last_heads_ms >= r->o.heads_ms) {
    r->last_heads_ms = now;
    heads = 1;
    fence_review(r);
  }
  for (i = 0; i < (int)r->nquar;)
    if (now - r->quar[i].at_ms >= REPL_QUAR_MS)
      quar_drop(r, (size_t)i);
    else
      i++;
  if (r->quar_dirty && r->nquar > 0 && quar_retry(r))
    after_apply(r);
  if (r->pending_addr && (changed || r->quar_dirty || heads)) {
    char *addr = r->pending_addr;
    r->pending_addr = NULL;
    if (repl_announce(r, addr) == 0)
      log_info("announced our address %s", addr);
    xfree(addr);
  }
  r->quar_dirty = 0;
  for (i = 0; i < REPL_PEERS_MAX; i++) {
    struct rpeer *rp = &r->peers[i];
    if (!rp->used || !rp->up)
      continue;
    if (heads || (turn && rp->want))
      send_heads(r, rp, rp->want);
    watchdog(r, rp, now);
  }
}

/* ---- lifecycle and status ------------------------------------------- */

int
repl_new(uv_loop_t *loop, struct feed *f, const struct identity *me,
         const struct repl_options *o, struct repl **out)
{
  struct repl *r = xcalloc(1, sizeof(*r));
  int err;

  *out = NULL;
  r->loop = loop;
  r->f = f;
  if (o)
    r->o = *o;
  if (!r->o.heads_ms)
    r->o.heads_ms = REPL_HEADS_MS;
  if (!r->o.tick_ms)
    r->o.tick_ms = REPL_TICK_MS;
  if (!r->o.stall_ms)
    r->o.stall_ms = REPL_STALL_MS;
  if (!r->o.quota_ms)
    r->o.quota_ms = REPL_QUOTA_MS;
  if (!r->o.quota)
    r->o.quota = REPL_QUOTA;
  if (!r->o.quar_per_author)
    r->o.quar_per_author = REPL_QUAR_PER_AUTHOR;
  if (!r->o.quar_max)
    r->o.quar_max = REPL_QUAR_MAX;
  if (!r->o.batch_entries || r->o.batch_entries > WIRE_REPL_ENTRIES_MAX)
    r->o.batch_entries = REPL_BATCH_ENTRIES;
  r->peers = xcalloc(REPL_PEERS_MAX, sizeof(*r->peers));
  memcpy(r->me, identity_public_key(me), KEY);
  err = reload_heads(r);
  if (err) {
    xfree(r->peers);
    amap_free(&r->mine);
    xfree(r);
    return err;
  }
  uv_timer_init(loop, &r->timer);
  r->timer.data = r;
  uv_update_time(loop);
  r->quota_start = r->last_heads_ms = uv_now(loop);
  uv_timer_start(&r->timer, on_tick, r->o.tick_ms, r->o.tick_ms);
  feed_on_publish(f, on_publish, r);
  *out = r;
  return 0;
}

void
repl_attach(struct repl *r, struct swarm *sw)
{
  r->sw = sw;
  swarm_set_handler(sw, WIRE_REPL_HEADS, on_heads, r);
  swarm_set_handler(sw, WIRE_REPL_ENTRIES, on_entries, r);
  enforce_members(r); /* removed members among the peers to dial */
}

static void
timer_closed(uv_handle_t *h)
{
  struct repl *r = h->data;
  int i;
  for (i = 0; i < REPL_PEERS_MAX; i++) {
    amap_free(&r->peers[i].sent);
    amap_free(&r->peers[i].theirs);
  }
  while (r->nquar > 0)
    quar_drop(r, r->nquar - 1);
  xfree(r->quar);
  xfree(r->peers);
  xfree(r->dials);
  xfree(r->pending_addr);
  amap_free(&r->mine);
  amap_free(&r->quota);
  xfree(r);
}

void
repl_close(struct repl **rp)
{
  struct repl *r = rp ? *rp : NULL;
  if (r == NULL)
    return;
  *rp = NULL;
  feed_on_publish(r->f, NULL, NULL);
  r->sw = NULL;
  uv_timer_stop(&r->timer);
  uv_close((uv_handle_t *)&r->timer, timer_closed);
}

void
repl_link(struct repl *r, const uint8_t pub[IDENTITY_PUBLIC_BYTES], int up)
{
  struct rpeer *rp = rpeer_find(r, pub, up);
  if (rp == NULL)
    return;
  rp->up = up;
  rp->heads_seen = 0;
  rp->sent.n = 0;
  rp->theirs.n = 0;
  rp->owed_since = 0;
  rp->stalls = 0;
  rp->want = 0;
  if (up)
    send_heads(r, rp, 0);
}

void
repl_drained(struct repl *r, const uint8_t pub[IDENTITY_PUBLIC_BYTES])
{
  struct rpeer *rp = rpeer_find(r, pub, 0);
  if (rp)
    pump(r, rp);
}

int
repl_announce(struct repl *r, const char *addr)
{
  struct db *db = state_db(feed_state(r->f));
  struct db_stmt *s = NULL;
  struct wire_entry e;
  char *addrs[1];
  const char *cur;
  int err, rc, same = 0;

  if (addr == NULL || strlen(addr) >= ADDR_TEXT_MAX)
    return ERR_INVAL;
  err = db_prepare(db, "SELECT addrs FROM st_addrs WHERE node=?1", &s);
  if (err)
    return err;
  err = db_bind_blob(s, 1, r->me, KEY);
  rc = err ? err : db_step(s);
  if (rc == DB_ROW) {
    cur = db_col_text(s, 0);
    same = cur && strcmp(cur, addr) == 0;
  }
  db_finalize(&s);
  if (rc < 0)
    return rc;
  if (same)
    return 0;
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_ADDR_ANNOUNCE;
  addrs[0] = (char *)addr;
  e.addrs = addrs;
  e.naddrs = 1;
  err = feed_append(r->f, &e, NULL);
  if ((err == ERR_FORBIDDEN || err == ERR_BEHIND) && r->pending_addr == NULL)
    r->pending_addr = xstrdup(addr); /* again once we are caught up */
  return err;
}

int
repl_peer_stats(struct repl *r, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
                struct repl_peer_stats *out)
{
  struct rpeer *rp = rpeer_find(r, pub, 0);
  memset(out, 0, sizeof(*out));
  if (rp == NULL)
    return ERR_NOT_FOUND;
  out->entries_in = rp->in;
  out->entries_out = rp->out;
  out->lag = rp->heads_seen ? lag_of(r, rp) : 0;
  out->max_queued = rp->max_queued;
  return 0;
}

size_t
repl_quarantined(const struct repl *r)
{
  return r->nquar;
}

uint64_t
repl_behind(struct repl *r)
{
  uint64_t n = 0;
  if (feed_behind(r->f, &n) != 0)
    return 0;
  return n;
}

/* Fenced, and every connected member that sent its heads holds no more of
 * our own feed than we do: the missing entries are nowhere we can reach.
 * If they were never sent (the store was lost before it could publish),
 * this key can never write again without forking its feed. */
static int
own_tail_missing_now(struct repl *r, uint64_t behind)
{
  uint64_t held = amap_get(&r->mine, r->me);
  int i, asked = 0;

  if (behind == 0)
    return 0;
  for (i = 0; i < REPL_PEERS_MAX; i++) {
    struct rpeer *rp = &r->peers[i];
    if (!rp->used || !rp->up || !rp->heads_seen)
      continue;
    if (amap_get(&rp->theirs, r->me) > held)
      return 0;
    asked = 1;
  }
  return asked;
}

/* The same, held for REPL_TAIL_LOST_MS: a first heads frame can come
 * before the peer's view of our feed (a store that is merely behind
 * catches up within it). tail_since is updated from each heads frame. */
static int
own_tail_unreachable(struct repl *r, uint64_t behind)
{
  return own_tail_missing_now(r, behind) && r->tail_since != 0 &&
         now_ms(r) - r->tail_since >= REPL_TAIL_LOST_MS;
}

/* From each heads frame: when it began, and one warning per run (status
 * --json says it for as long as it holds). */
static void
warn_unreachable_tail(struct repl *r)
{
  uint64_t behind = repl_behind(r);

  if (!own_tail_missing_now(r, behind))
    r->tail_since = 0;
  else if (r->tail_since == 0)
    r->tail_since = now_ms(r);
  if (!r->tail_warned && own_tail_unreachable(r, behind)) {
    log_warn("%llu of this node's own entries are missing and no connected "
             "member holds them: if they were lost before being sent, this "
             "node can never write again without forking its feed; join "
             "again with a new invite into a new data dir",
             (unsigned long long)behind);
    r->tail_warned = 1;
  }
}

struct json *
repl_status_json(struct repl *r)
{
  struct json *o = json_new_object(), *arr = json_new_array(), *po;
  char id[2 * KEY + 1];
  uint64_t behind = repl_behind(r);
  int i;

  json_set_bool(o, "fenced", behind > 0);
  json_set_int(o, "behind", (int64_t)behind);
  json_set_int(o, "quarantined", (int64_t)r->nquar);
  json_set_bool(o, "no_member_has_them", own_tail_unreachable(r, behind));
  json_set_int(o, "entries_in", (int64_t)r->in);
  json_set_int(o, "entries_out", (int64_t)r->out);
  for (i = 0; i < REPL_PEERS_MAX; i++) {
    struct rpeer *rp = &r->peers[i];
    if (!rp->used)
      continue;
    po = json_new_object();
    hex_encode(id, rp->pub, KEY);
    json_set_str(po, "node_id", id);
    json_set_bool(po, "connected", rp->up);
    json_set_int(po, "entries_in", (int64_t)rp->in);
    json_set_int(po, "entries_out", (int64_t)rp->out);
    json_set_int(po, "lag", rp->heads_seen ? (int64_t)lag_of(r, rp) : 0);
    json_push(arr, po);
  }
  json_set(o, "peers", arr);
  return o;
}
