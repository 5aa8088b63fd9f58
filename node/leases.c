/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Lease tracking by this node's monotonic clock; see leases.h. A small
 * open table: claims are few (SCHED_CLAIMS_PER_NODE per member). */
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
  struct lease *t; /* LEASES_MAX */
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

/* The slot of (author, seq); a new one (evicting the longest unseen when
 * full) when create is set and there is none, else NULL. */
static struct lease *
find(struct leases *l, const uint8_t author[WIRE_KEY_BYTES], uint64_t seq,
     int create, int *created)
{
  struct lease *free_ = NULL, *oldest = NULL;
  size_t i;

  *created = 0;
  for (i = 0; i < LEASES_MAX; i++) {
    struct lease *x = &l->t[i];
    if (!x->used) {
      if (!free_)
        free_ = x;
      continue;
    }
    if (x->seq == seq && memcmp(x->author, author, WIRE_KEY_BYTES) == 0)
      return x;
    if (!oldest || x->seen_ms < oldest->seen_ms)
      oldest = x;
  }
  if (!create)
    return NULL;
  if (!free_)
    free_ = oldest;
  memset(free_, 0, sizeof(*free_));
  free_->used = 1;
  memcpy(free_->author, author, WIRE_KEY_BYTES);
  free_->seq = seq;
  free_->seen_ms = l->now;
  *created = 1;
  return free_;
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
    x = find(l, e->author, e->seq, 1, &created);
    x->seen_ms = l->now;
    if (e->lamport > x->renew_lamport)
      x->renew_lamport = e->lamport; /* the state starts it there */
  } else if (e->op == WIRE_OP_RENEW) {
    for (i = 0; i < e->nclaims; i++) {
      x = find(l, e->author, e->claims[i], 1, &created);
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
  x = find(l, c->author, c->seq, 1, &created);
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
