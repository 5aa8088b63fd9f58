/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The signed append-only log (node/LOG.md): appending this node's own
 * entries (serialise once, sign, store, apply, then publish) and receiving
 * other nodes' entries (caps, signature over the received bytes, seq /
 * previous id / Lamport / network / author / membership checks, fork
 * detection), each stored in SQLite and applied to the reducer in one
 * transaction. It does not move entries between nodes (the swarm does). */
#ifndef GLOWTALK_FEED_H
#define GLOWTALK_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/identity.h"
#include "node/db.h"
#include "node/err.h"
#include "node/state.h"
#include "node/wire.h"

/* Domain separation: entry signatures and entry ids can never be taken
 * for a signature or hash made for anything else. */
#define FEED_SIGN_CONTEXT "glowtalk-entry-v1"
#define FEED_ID_KEY "glowtalk-entry-id-v1"
#define FEED_PUBLISH_QUEUE_MAX 4096 /* own entries held until commit */
#define FEED_CACHE_KIB_STR "32768"     /* SQLite page cache, KiB */
#define FEED_MMAP_BYTES_STR "268435456" /* SQLite mmap window, bytes */
#define FEED_HEADS 64              /* authors' feed heads kept in memory */
#define FEED_LAMPORT_SKEW_MAX (UINT64_C(1) << 26) /* a received entry's
                                    * lamport may pass the highest held by
                                    * this much: a member cannot push every
                                    * clock to the ceiling at once */
#define FEED_WAL_PAGES_STR "16384" /* WAL pages before a commit through the
                                    * feed checkpoints (feed_checkpoint
                                    * does it sooner, when idle) */

/* What feed_receive did with an entry. */
enum feed_verdict {
  FEED_ACCEPTED = 0,  /* stored and applied */
  FEED_DUPLICATE,     /* already held: nothing changed */
  FEED_FORK,          /* second valid entry at a held seq: proof kept,
                       * author frozen, state rebuilt */
  FEED_REJECTED       /* nothing stored; reason says why */
};

/* Why an entry was rejected. */
#define FEED_REASON_MAP(X)                                                \
  X(NONE, "none")                                                        \
  X(TOO_BIG, "entry exceeds its size limit")                             \
  X(MALFORMED, "malformed entry")                                        \
  X(FORMAT, "unknown entry format")                                      \
  X(NETWORK, "entry belongs to another network")                         \
  X(AUTHOR, "entry is not by the expected author")                       \
  X(NOT_MEMBER, "author is not a member")                                \
  X(FROZEN, "author is frozen by a fork")                                \
  X(SIGNATURE, "bad signature")                                          \
  X(SEQ_GAP, "seq skips ahead of the author's feed")                     \
  X(SEQ_REGRESSION, "seq is not after the author's last entry")          \
  X(PREV, "previous id does not match the author's feed")                \
  X(LAMPORT, "lamport clock does not increase")

enum feed_reason {
#define FEED_REASON_ENUM_(name, text) FEED_REASON_##name,
  FEED_REASON_MAP(FEED_REASON_ENUM_)
#undef FEED_REASON_ENUM_
  FEED_REASON_END_
};

struct feed_result {
  int verdict;                 /* enum feed_verdict */
  int reason;                  /* enum feed_reason, for FEED_REJECTED */
  uint8_t id[WIRE_HASH_BYTES]; /* entry id once known */
  char text[192];              /* one line for logs and the peer */
};

/* Called once per own entry after it is committed, with the SignedEntry
 * bytes (valid during the call only). */
typedef void (*feed_publish_cb)(const uint8_t *signed_entry, size_t len,
                                void *arg);

struct feed;

/* A log over db for this node (me, borrowed) in the network network_id.
 * Opens the reducer too. Owes one feed_free(). */
int feed_open(struct db *db, const struct identity *me,
              const uint8_t network_id[WIRE_NETWORK_ID_BYTES],
              struct feed **out) WARN_UNUSED;
void feed_free(struct feed **f);
/* Set (or clear with NULL) the publish hook. */
void feed_on_publish(struct feed *f, feed_publish_cb cb, void *arg);
/* The reducer, owned by the feed. */
struct state *feed_state(struct feed *f);

/* Group appends and receives into one transaction (one fsync). A
 * rejected entry writes nothing, so it leaves the others; a local database
 * error fails the whole batch (feed_commit then rolls back and returns
 * ERR_DB). Own entries are published at feed_commit. */
int feed_begin(struct feed *f) WARN_UNUSED;
int feed_commit(struct feed *f) WARN_UNUSED;
void feed_rollback(struct feed *f);

/* Notice writes by other processes (CLI commands) to the store since the
 * last call: when PRAGMA data_version moved, reload the cached clock and
 * membership and set *changed (may be NULL) to 1. A change noticed by a
 * call with changed NULL (feed_append calls it inside its transaction) is
 * reported to the next call that passes changed, so a poller never misses
 * another writer's entries. Returns 0 or a database error. */
int feed_sync(struct feed *f, int *changed) WARN_UNUSED;

/* Append an operation as this node's next entry: e's op fields are the
 * caller's; the header (format, network, author, seq, prev, lamport,
 * wall_ms) is filled here. The bytes are serialised once, signed with
 * FEED_SIGN_CONTEXT, stored, applied, and published after commit. id gets
 * the entry id (may be NULL). ERR_FORBIDDEN when this node is not a member
 * or is frozen; ERR_INVAL/ERR_TOO_BIG for an op that fails the wire
 * checks; nothing is stored on failure. e stays the caller's. */
int feed_append(struct feed *f, struct wire_entry *e,
                uint8_t id[WIRE_HASH_BYTES]) WARN_UNUSED;

/* Verify and take in a SignedEntry from anyone. expected_author (may be
 * NULL) is the feed being replicated. Returns 0 when res->verdict says
 * what happened (rejections included: nothing stored, res->reason and
 * res->text say why); a negative ERR_* only for a local failure. */
int feed_receive(struct feed *f, const uint8_t *signed_entry, size_t len,
                 const uint8_t *expected_author, struct feed_result *res)
    WARN_UNUSED;

/* The SignedEntry bytes of (author, seq), allocated (caller frees).
 * ERR_NOT_FOUND. */
int feed_get(struct feed *f, const uint8_t author[WIRE_KEY_BYTES],
             uint64_t seq, uint8_t **out, size_t *len) WARN_UNUSED;

/* The head of every feed held (the replication clock, p2p.md 2.4): calls
 * cb once per author, in author order, with its highest seq. Returns 0 or
 * a database error (cb is then not called again). */
typedef void (*feed_head_cb)(const uint8_t author[WIRE_KEY_BYTES],
                             uint64_t seq, void *arg);
int feed_heads(struct feed *f, feed_head_cb cb, void *arg) WARN_UNUSED;

/* The write fence (node/SWARM.md section 10): this node's own latest seq
 * is also kept outside the database, in DIR/FEED_HEAD_FILE, rewritten
 * (temp file + rename) after each commit that appended own entries. When
 * the file says more than the database holds (a restored backup, a wiped
 * database with the old key) or a peer reported more (feed_fence_raise,
 * kept apart in DIR/FEED_FENCE_FILE with the reporting node: hearsay that
 * replication may withdraw), feed_append refuses with ERR_BEHIND until
 * replication has brought the own feed back up. A node that never
 * appended has no file: no fence. Set the data dir (copied) once after
 * feed_open; NULL turns it off. */
#define FEED_HEAD_FILE "feed.head"
#define FEED_FENCE_FILE "feed.fence"
#define FEED_HEAD_TEXT_MAX 128 /* bytes of the head file read */
void feed_set_head_dir(struct feed *f, const char *dir);
/* Record that our own feed reaches at least seq somewhere, as the node
 * claimer reported: raises the fence file (never lowers it). 0 or a
 * negated errno. */
int feed_fence_raise(struct feed *f, uint64_t seq,
                     const uint8_t claimer[WIRE_KEY_BYTES]) WARN_UNUSED;
/* The reported fence: *seq (0 when there is none) and who claimed it. */
int feed_fence_claim(struct feed *f, uint64_t *seq,
                     uint8_t claimer[WIRE_KEY_BYTES]) WARN_UNUSED;
/* Withdraw the reported fence (its claimer lied or is gone); the head
 * file of our own appends stays. 0 or a negated errno. */
int feed_fence_clear(struct feed *f) WARN_UNUSED;
/* How many own entries the database lacks against the head file or the
 * reported fence (0 = not fenced). 0 or a database error. */
int feed_behind(struct feed *f, uint64_t *n) WARN_UNUSED;

/* Drop and recompute the derived state from the log, in one transaction
 * (or inside an open batch). */
int feed_rebuild(struct feed *f) WARN_UNUSED;

/* Author and seq of a SignedEntry without verifying it (replication's
 * quotas and quarantine). ERR_PARSE / ERR_TOO_BIG for bytes that are not
 * a well-formed entry. */
int feed_peek(const uint8_t *signed_entry, size_t len,
              uint8_t author[WIRE_KEY_BYTES], uint64_t *seq) WARN_UNUSED;

/* Entry id of entry bytes: keyed BLAKE2b-256 with FEED_ID_KEY. */
void feed_entry_id(const uint8_t *entry, size_t len,
                   uint8_t id[WIRE_HASH_BYTES]);
/* Text of a reason. Never NULL. */
const char *feed_reason_str(int reason);

#endif
