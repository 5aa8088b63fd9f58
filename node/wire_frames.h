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
  void *aux_;                  /* decoded arrays; private */
};

/* Serialise f. On success *out (caller frees with xfree()) holds *len
 * bytes. ERR_INVAL for an unknown kind or a list over its cap, ERR_TOO_BIG
 * when the result would exceed FRAMES_PLAIN_MAX. */
int wire_frame_encode(const struct wire_frame *f, uint8_t **out,
                      size_t *len) WARN_UNUSED;
/* Parse len bytes (the caller has already capped len: FRAMES_PLAIN_MAX)
 * into *f. A body this build does not know gives kind WIRE_UNKNOWN and 0.
 * ERR_PARSE for bytes that are not a Frame, ERR_TOO_BIG for a Hello list or
 * string over its cap. On success the caller owes wire_frame_free(f); on
 * error nothing is owed. */
int wire_frame_decode(const uint8_t *data, size_t len,
                      struct wire_frame *f) WARN_UNUSED;
/* Release what wire_frame_decode() allocated. NULL-safe, idempotent. */
void wire_frame_free(struct wire_frame *f);
/* "hello", "ping", ... for logs. */
const char *wire_kind_name(enum wire_kind kind);

#endif
