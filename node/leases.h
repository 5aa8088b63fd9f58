/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Other nodes' claim leases as this node sees them: when it last saw each
 * claim or a renewal of it, by its own monotonic clock (never the log's
 * wall times). A claim whose lease ran out since then is stale and may be
 * taken over (sched.h, Claim.supersedes). Fed from entries as they are
 * received (leases_note) and from the state itself (a renewal raises the
 * claim's renew_lamport, which the staleness check notices). */
#ifndef GLOWTALK_LEASES_H
#define GLOWTALK_LEASES_H

#include <stdint.h>

#include "node/sched.h"
#include "node/wire.h"

#define LEASES_MAX 8192 /* table slots; at half full the half of the
                         * claims seen longest ago is forgotten */

struct leases;

/* Track leases for node me (its own claims are never stale). Owes one
 * leases_free(). */
struct leases *leases_new(const uint8_t me[WIRE_KEY_BYTES]);
void leases_free(struct leases **l);

/* The monotonic time (ms) staleness is judged at. */
void leases_set_now(struct leases *l, uint64_t now_ms);

/* An entry arrived at now_ms (leases_set_now time): a Claim starts its
 * lease, a Renew restarts the leases of the claims it names. Other ops
 * and this node's own entries are ignored. */
void leases_note(struct leases *l, const struct wire_entry *e);

/* sched_stale_cb with arg = struct leases: 1 when c is another node's
 * claim that this node has not seen claimed or renewed for c->lease_ms.
 * A claim seen for the first time (e.g. one already in the store at
 * start) starts its lease now; so does a renew_lamport above the one
 * last seen. */
int leases_stale(const struct sched_claim *c, void *arg);

#endif
