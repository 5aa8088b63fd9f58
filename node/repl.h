/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Log replication over the swarm: per-author heads exchanged on link up
 * and periodically, missing entries streamed in seq order in bounded
 * batches under the connection's back-pressure, live push of new entries,
 * a quarantine for entries of authors not (yet) members, per-author
 * quotas, the membership gate, address announcements and the write fence
 * hook. Design: node/SWARM.md section 10. */
#ifndef GLOWTALK_REPL_H
#define GLOWTALK_REPL_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "crypto/identity.h"
#include "node/err.h"

#define REPL_HEADS_MS 10000        /* anti-entropy: heads re-exchanged */
#define REPL_TICK_MS 50            /* other writers, watchdog, quarantine */
#define REPL_STALL_MS 15000        /* owed entries and none arrived: re-ask */
#define REPL_TAIL_LOST_MS 3000     /* own entries missing everywhere this long:
                                    * said lost (status, one warning) */
#define REPL_STALL_TRIES 3         /* re-asks before the link is dropped */
#define REPL_BATCH_ENTRIES 256     /* entries per ReplEntries frame */
#define REPL_BATCH_BYTES (256u << 10) /* bytes of entries per frame */
#define REPL_QUOTA 200000          /* entries accepted per author per window */
#define REPL_QUOTA_MS 10000        /* the quota window */
#define REPL_QUAR_PER_AUTHOR 4096  /* quarantined entries per author */
#define REPL_QUAR_MAX 16384        /* quarantined entries in all */
#define REPL_QUAR_BYTES_MAX (16u << 20) /* their bytes in all: a member
                                    * relaying big entries of strangers
                                    * cannot take more memory */
#define REPL_QUAR_MS 600000        /* a quarantined entry is dropped after */
#define REPL_AUTHORS_MAX 4096      /* authors tracked (heads vector) */
#define REPL_PEERS_MAX 256         /* connected nodes tracked */
#define REPL_DIALS_MAX 256         /* members dialled from their addresses */

struct repl;
struct swarm;
struct feed;
struct json;

/* Zero fields mean the REPL_* defaults; tests shorten them. */
struct repl_options {
  uint64_t heads_ms, tick_ms, stall_ms, quota_ms;
  uint32_t quota;                 /* entries per author per quota_ms */
  uint32_t quar_per_author, quar_max;
  uint32_t batch_entries;
};

/* Replication of feed f (borrowed; outlives the replicator; its publish
 * hook is taken), opened as me (borrowed), on loop. o may be NULL. Call
 * repl_attach() once the swarm exists. A database error reading the
 * heads fails it. Owes one repl_close(). */
int repl_new(uv_loop_t *loop, struct feed *f, const struct identity *me,
             const struct repl_options *o, struct repl **out) WARN_UNUSED;
/* Register the replication frame handlers on sw (borrowed; close the
 * swarm before the replicator, or together: repl never touches sw after
 * repl_close). From then on removed members (node/LOG.md Remove) are
 * dropped from sw, now and whenever the log changes. */
void repl_attach(struct repl *r, struct swarm *sw);
/* Stop the timer and free (once the loop has run). Clears *r. NULL-safe. */
void repl_close(struct repl **r);

/* The membership gate (swarm_options.is_member): nonzero when pub is a
 * member by the log (the pinned founder included), or, while this node is
 * not yet a member in its own log (a fresh join catching up), the node
 * named in node_meta 'admitted_by'. */
int repl_is_member(struct repl *r, const uint8_t pub[IDENTITY_PUBLIC_BYTES]);
/* Forward of swarm_options.on_link / on_drained. */
void repl_link(struct repl *r, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
               int up);
void repl_drained(struct repl *r, const uint8_t pub[IDENTITY_PUBLIC_BYTES]);

/* Append an AddrAnnounce of addr ("host:port") unless our latest one in
 * the log says the same. 0, or ERR_FORBIDDEN (not a member yet) or
 * ERR_BEHIND (fenced): then it is tried again after entries arrive; a
 * database error. */
int repl_announce(struct repl *r, const char *addr) WARN_UNUSED;
/* Dial every member with a known address (not us) not yet dialled at
 * that address; also done after every batch that was applied. */
void repl_dial_members(struct repl *r);

struct repl_peer_stats {
  uint64_t entries_in, entries_out; /* entries accepted from / sent to */
  uint64_t lag;         /* entries we hold that the peer lacks */
  size_t max_queued;    /* highest write queue seen after a send */
};
/* Stats for pub; ERR_NOT_FOUND when it was never connected. */
int repl_peer_stats(struct repl *r, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
                    struct repl_peer_stats *out) WARN_UNUSED;
/* Entries held in quarantine now. */
size_t repl_quarantined(const struct repl *r);
/* Own entries this node's database lacks (the fence; 0 = not fenced). */
uint64_t repl_behind(struct repl *r);
/* {"fenced", "behind", "quarantined", "entries_in", "entries_out",
 *  "peers": [{"node_id", "entries_in", "entries_out", "lag"}]}. Caller
 * frees with json_free(). Loop thread only. */
struct json *repl_status_json(struct repl *r);

#endif
