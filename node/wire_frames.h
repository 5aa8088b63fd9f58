/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The swarm's frame envelope (proto/glowtalk.proto `Frame`): encode and
 * decode one frame's plaintext. Wraps protobuf-c for connection frames;
 * log entries are node/wire.c. New kinds (replication, blobs) are added
 * here, in the field ranges the .proto reserves for them. */
#ifndef GLOWTALK_WIRE_FRAMES_H
#define GLOWTALK_WIRE_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

#define WIRE_PROTOCOL_VERSION 1   /* major version; another one is refused */
#define WIRE_HELLO_LIST_MAX 64    /* entries in each list of a Hello */
#define WIRE_STRING_MAX 256       /* bytes of one string in a control frame */
#define WIRE_BLOB_HASH_BYTES 32   /* BLAKE2b-256 of a blob */
#define WIRE_BLOB_LIST_MAX 1024   /* hashes in one BlobHave / BlobWant */
#define WIRE_BLOB_CHUNK_MAX (256u << 10) /* data bytes in one BlobChunk */
#define WIRE_JOIN_KEY_BYTES 32    /* keys in join frames */
#define WIRE_JOIN_PROOF_BYTES 64  /* JoinRequest.proof */

/* JoinRefuse codes (proto JoinRefuseCode). */
enum wire_join_refuse {
  WIRE_JOIN_UNSPECIFIED = 0,
  WIRE_JOIN_UNKNOWN = 1,
  WIRE_JOIN_EXPIRED = 2,
  WIRE_JOIN_REVOKED = 3,
  WIRE_JOIN_USED = 4,
  WIRE_JOIN_PROOF = 5,
  WIRE_JOIN_MEMBER = 6,
  WIRE_JOIN_INTERNAL = 7
};
#define WIRE_REPL_HEADS_MAX 4096  /* authors in one ReplHeads frame */
#define WIRE_REPL_ENTRIES_MAX 1024 /* entries in one ReplEntries frame */
#define WIRE_REPL_KEY_BYTES 32    /* an author key in ReplHeads */

/* Kinds of frame. WIRE_UNKNOWN is a body this build does not know (a newer
 * peer's): receivers ignore it. Append new kinds at the end. */
enum wire_kind {
  WIRE_UNKNOWN = 0,
  WIRE_HELLO,
  WIRE_PING,
  WIRE_PONG,
  WIRE_GOODBYE,
  WIRE_BLOB_HAVE,              /* node/blobx.c: hash lists, get, chunks */
  WIRE_BLOB_WANT,
  WIRE_BLOB_GET,
  WIRE_BLOB_CHUNK,
  WIRE_BLOB_MISSING,
  WIRE_JOIN_REQUEST,  /* join plane (node/join.h) */
  WIRE_JOIN_ACCEPT,
  WIRE_JOIN_REFUSE,
  WIRE_REPL_HEADS,   /* log replication (node/repl.h) */
  WIRE_REPL_ENTRIES,
  WIRE_KIND_COUNT_
};

/* Goodbye codes (proto GoodbyeCode). */
enum wire_goodbye {
  WIRE_BYE_UNSPECIFIED = 0,
  WIRE_BYE_SHUTDOWN = 1,
  WIRE_BYE_DUPLICATE = 2,
  WIRE_BYE_VERSION = 3,
  WIRE_BYE_PROTOCOL = 4,
  WIRE_BYE_TIMEOUT = 5
};

struct wire_hello {
  uint32_t protocol_version;
  char **features;             /* n_features strings */
  size_t n_features;
  char **engines;              /* engines this node can render */
  size_t n_engines;
  char **voices;               /* voice specs this node can render */
  size_t n_voices;
  const char *software_version; /* NULL or "" when unknown */
};

/* One author's latest seq in a ReplHeads frame. */
struct wire_repl_head {
  const uint8_t *author;       /* WIRE_REPL_KEY_BYTES */
  uint64_t seq;
  const uint8_t *id;           /* WIRE_REPL_KEY_BYTES id of the entry at
                                * seq, or NULL */
};

/* One SignedEntry in a ReplEntries frame. */
struct wire_bytes {
  const uint8_t *data;
  size_t len;
};

/* One frame. To send, fill kind and its member (pointers are borrowed by
 * wire_frame_encode). A decoded frame owns its strings and bytes through
 * pb_ until wire_frame_free(). */
struct wire_frame {
  enum wire_kind kind;
  union {
    struct wire_hello hello;
    struct {
      uint64_t nonce;
      const uint8_t *padding;   /* padding_len bytes, ignored */
      size_t padding_len;
    } ping;
    struct {
      uint64_t nonce;
    } pong;
    struct {
      uint32_t code;           /* enum wire_goodbye */
      const char *reason;      /* never NULL once decoded */
    } goodbye;
    struct {                   /* WIRE_BLOB_HAVE, WIRE_BLOB_WANT */
      const uint8_t *hashes;   /* n * WIRE_BLOB_HASH_BYTES, packed */
      size_t n;
    } blob_list;
    struct {                   /* WIRE_BLOB_GET */
      const uint8_t *hash;     /* WIRE_BLOB_HASH_BYTES */
      uint64_t offset;
      uint32_t length;
      uint32_t priority;
    } blob_get;
    struct {                   /* WIRE_BLOB_CHUNK */
      const uint8_t *hash;
      uint64_t offset, total;
      const uint8_t *data;
      size_t len;              /* <= WIRE_BLOB_CHUNK_MAX */
    } blob_chunk;
    struct {                   /* WIRE_BLOB_MISSING */
      const uint8_t *hash;
    } blob_missing;
    struct {                   /* decoded: sizes checked */
      const uint8_t *invite_key; /* WIRE_JOIN_KEY_BYTES */
      const uint8_t *proof;    /* WIRE_JOIN_PROOF_BYTES */
      const char *name;        /* <= WIRE_STRING_MAX, never NULL */
    } join_request;
    struct {
      const uint8_t *network_key; /* WIRE_JOIN_KEY_BYTES */
      const uint8_t *founder;     /* WIRE_JOIN_KEY_BYTES */
      const char *address;        /* <= WIRE_STRING_MAX, never NULL */
    } join_accept;
    struct {
      uint32_t code;           /* enum wire_join_refuse */
      const char *reason;      /* <= WIRE_STRING_MAX, never NULL */
    } join_refuse;
    struct {
      const struct wire_repl_head *heads; /* n at most
                                           * WIRE_REPL_HEADS_MAX */
      size_t n;
      int want;
    } heads;
    struct {
      const struct wire_bytes *items; /* n at most WIRE_REPL_ENTRIES_MAX */
      size_t n;
    } entries;
  } u;
  void *pb_;                   /* decoded message; private */
  void *extra_;                /* decoded hash list; private */
  void *aux_;                  /* decoded arrays; private */
};

/* Serialise f. On success *out (caller frees with xfree()) holds *len
 * bytes. ERR_INVAL for an unknown kind or a list over its cap, ERR_TOO_BIG
 * when the result would exceed FRAMES_PLAIN_MAX. */
int wire_frame_encode(const struct wire_frame *f, uint8_t **out,
                      size_t *len) WARN_UNUSED;
/* Parse len bytes (the caller has already capped len: FRAMES_PLAIN_MAX)
 * into *f. A body this build does not know gives kind WIRE_UNKNOWN and 0.
 * ERR_PARSE for bytes that are not a Frame or a blob hash that is not
 * WIRE_BLOB_HASH_BYTES, ERR_TOO_BIG for a Hello list, hash list, chunk or
 * string over its cap. On success the caller owes wire_frame_free(f); on
 * error nothing is owed. */
int wire_frame_decode(const uint8_t *data, size_t len,
                      struct wire_frame *f) WARN_UNUSED;
/* Release what wire_frame_decode() allocated. NULL-safe, idempotent. */
void wire_frame_free(struct wire_frame *f);
/* "hello", "ping", ... for logs. */
const char *wire_kind_name(enum wire_kind kind);

#endif
