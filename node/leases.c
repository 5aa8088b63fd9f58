/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Lease tracking by this node's monotonic clock; see leases.h. An open
 * addressing table keyed by (author, seq), plus the last claim looked up:
 * the scheduler asks about the same claim for each of its sentences. */
#include "node/leases.h"

#include <string.h>

#include "node/alloc.h"

struct lease {
  uint8_t author[WIRE_KEY_BYTES];
  uint64_t seq;           /* the claim's seq in its author's feed */
  uint64_t renew_lamport; /* highest renewal lamport seen in the state */
  uint64_t seen_ms;       /* when last claimed or renewed, to our eyes */
  int used;
};

struct leases {
  uint8_t me[WIRE_KEY_BYTES];
  uint64_t now;
  struct lease *t;        /* LEASES_MAX slots */
  size_t n;               /* used slots, at most LEASES_MAX / 2 */
  struct lease *last;     /* the slot of the last lookup, or NULL */
};

struct leases *
leases_new(const uint8_t me[WIRE_KEY_BYTES])
{
  struct leases *l = xcalloc(1, sizeof(*l));
  memcpy(l->me, me, WIRE_KEY_BYTES);
  l->t = xcalloc(LEASES_MAX, sizeof(*l->t));
  return l;
}

void
leases_free(struct leases **l)
{
  if (*l == NULL)
    return;
  xfree((*l)->t);
  xfree(*l);
  *l = NULL;
}

void
leases_set_now(struct leases *l, uint64_t now_ms)
{
  l->now = now_ms;
}

static size_t
slot_of(const uint8_t author[WIRE_KEY_BYTES], uint64_t seq)
{
  uint64_t h = seq * 0x9E3779B97F4A7C15ull;
  size_t i;
  for (i = 0; i < 8; i++)
    h ^= (uint64_t)author[i] << (8 * i);
  h *= 0xBF58476D1CE4E5B9ull;
  return (size_t)(h >> 32) % LEASES_MAX;
}

/* Keep only the half of the claims seen most recently (the table is at
 * its fill limit): a forgotten claim starts a new lease when next seen,
 * which can only delay a takeover. */
static void
shrink(struct leases *l)
{
  struct lease *old = l->t;
  uint64_t cut = 0, lo = UINT64_MAX, hi = 0;
  size_t i, kept;

  for (i = 0; i < LEASES_MAX; i++)
    if (old[i].used) {
      lo = old[i].seen_ms < lo ? old[i].seen_ms : lo;
      hi = old[i].seen_ms > hi ? old[i].seen_ms : hi;
    }
  cut = lo + (hi - lo) / 2;
  l->t = xcalloc(LEASES_MAX, sizeof(*l->t));
  l->n = 0;
  l->last = NULL;
  for (i = 0, kept = 0; i < LEASES_MAX; i++) {
    size_t s;
    if (!old[i].used || (old[i].seen_ms < cut && lo != hi))
      continue;
    if (kept >= LEASES_MAX / 4)
      break;
    s = slot_of(old[i].author, old[i].seq);
    while (l->t[s].used)
      s = (s + 1) % LEASES_MAX;
    l->t[s] = old[i];
    l->n++;
    kept++;
  }
  xfree(old);
}

/* The slot of (author, seq), created (lease starting now) when absent;
 * *created says so. */
static struct lease *
find(struct leases *l, const uint8_t author[WIRE_KEY_BYTES], uint64_t seq,
     int *created)
{
  struct lease *x = l->last;
  size_t s;

  *created = 0;
  if (x && x->used && x->seq == seq &&
      memcmp(x->author, author, WIRE_KEY_BYTES) == 0)
    return x;
  s = slot_of(author, seq);
  while (l->t[s].used) {
    x = &l->t[s];
    if (x->seq == seq && memcmp(x->author, author, WIRE_KEY_BYTES) == 0)
      return l->last = x;
    s = (s + 1) % LEASES_MAX;
  }
  if (l->n >= LEASES_MAX / 2) {
    shrink(l);
    s = slot_of(author, seq);
    while (l->t[s].used)
      s = (s + 1) % LEASES_MAX;
  }
  x = &l->t[s];
  memset(x, 0, sizeof(*x));
  x->used = 1;
  memcpy(x->author, author, WIRE_KEY_BYTES);
  x->seq = seq;
  x->seen_ms = l->now;
  l->n++;
  *created = 1;
  return l->last = x;
}

void
leases_note(struct leases *l, const struct wire_entry *e)
{
  struct lease *x;
  size_t i;
  int created;

  if (memcmp(e->author, l->me, WIRE_KEY_BYTES) == 0)
    return;
  if (e->op == WIRE_OP_CLAIM) {
    x = find(l, e->author, e->seq, &created);
    x->seen_ms = l->now;
    if (e->lamport > x->renew_lamport)
      x->renew_lamport = e->lamport; /* the state starts it there */
  } else if (e->op == WIRE_OP_RENEW) {
    for (i = 0; i < e->nclaims; i++) {
      x = find(l, e->author, e->claims[i], &created);
      x->seen_ms = l->now;
      if (e->lamport > x->renew_lamport)
        x->renew_lamport = e->lamport;
    }
  }
}

int
leases_stale(const struct sched_claim *c, void *arg)
{
  struct leases *l = arg;
  struct lease *x;
  int created;

  if (memcmp(c->author, l->me, WIRE_KEY_BYTES) == 0)
    return 0;
  x = find(l, c->author, c->seq, &created);
  if (created) {
    x->renew_lamport = c->renew_lamport;
    return 0;
  }
  if (c->renew_lamport > x->renew_lamport) {
    /* A renewal reached the state that no leases_note reported. */
    x->renew_lamport = c->renew_lamport;
    x->seen_ms = l->now;
    return 0;
  }
  return l->now - x->seen_ms >= c->lease_ms;
}
