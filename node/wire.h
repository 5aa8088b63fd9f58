/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Log entries on the wire: the only module besides proto/ that touches
 * protobuf-c (STYLE.md A3). It turns Entry / SignedEntry bytes into plain
 * C structs and back, checks every size cap before parsing, and does the
 * static per-operation checks (id lengths, string caps, batch shapes) so
 * the log and the reducer can trust what they get. See node/LOG.md. */
#ifndef GLOWTALK_WIRE_H
#define GLOWTALK_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

#define WIRE_ENTRY_FORMAT 1          /* Entry.format this build writes */
#define WIRE_ENTRY_MAX 16384         /* bytes of one Entry */
#define WIRE_SIGNED_MAX (WIRE_ENTRY_MAX + 128) /* bytes of a SignedEntry */
#define WIRE_SIG_BYTES 64
#define WIRE_KEY_BYTES 32            /* Ed25519 public key */
#define WIRE_HASH_BYTES 32           /* entry ids, blob hashes, contexts */
#define WIRE_NETWORK_ID_BYTES 16
#define WIRE_BOOK_ID_BYTES 16        /* first 16 bytes of the create id */
#define WIRE_INVITE_ID_BYTES 16
#define WIRE_STR_MAX 2048            /* bytes of any string field */
#define WIRE_RUNS_MAX 4096           /* values in one Sentences.runs */
/* Exclusive bound on a sentence index. It also bounds the rows one
 * StartRender can ask the reducer to write (a hostile member's single
 * entry): 4M covers works of ~50M words. */
#define WIRE_SENTENCE_MAX 4000000u
#define WIRE_BATCH_MAX 400           /* sentences in one Complete */
#define WIRE_FAIL_MAX 4096           /* sentences in one Fail */
#define WIRE_CONTEXTS_MAX 64         /* distinct contexts in one Complete */
#define WIRE_CLAIM_REFS_MAX 256      /* claim seqs in one Renew/Release */
#define WIRE_ADDRS_MAX 8             /* addresses in one AddrAnnounce */
#define WIRE_LAMPORT_MAX (UINT64_C(1) << 53) /* highest lamport: far past
                                      * any real log, and exact in SQLite's
                                      * signed integers and in JSON */

/* Operation types: the Entry.op field numbers (proto/glowtalk.proto). */
enum wire_op {
  WIRE_OP_UNKNOWN = 0, /* from a newer build: stored, ignored */
  WIRE_OP_IMPORT_WORK = 16,
  WIRE_OP_BOOK_CREATE = 17,
  WIRE_OP_BOOK_RENAME = 18,
  WIRE_OP_BOOK_DELETE = 19,
  WIRE_OP_CAST_CHARACTER = 20,
  WIRE_OP_CAST_DEFAULT = 21,
  WIRE_OP_CAST_POST = 22,
  WIRE_OP_CAST_SNIPPET = 23,
  WIRE_OP_LEXICON = 24,
  WIRE_OP_START_RENDER = 25,
  WIRE_OP_CANCEL_PENDING = 26,
  WIRE_OP_RERENDER = 27,
  WIRE_OP_CLAIM = 32,
  WIRE_OP_RENEW = 33,
  WIRE_OP_RELEASE = 34,
  WIRE_OP_COMPLETE = 35,
  WIRE_OP_FAIL = 36,
  WIRE_OP_FOUND = 48,
  WIRE_OP_INVITE_CREATE = 49,
  WIRE_OP_INVITE_REVOKE = 50,
  WIRE_OP_ADMIT = 51,
  WIRE_OP_REMOVE = 52,
  WIRE_OP_RETIRE = 53,
  WIRE_OP_ADDR_ANNOUNCE = 54
};

#define WIRE_PRIORITY_BULK 0
#define WIRE_PRIORITY_INTERACTIVE 1

/* A set of sentence indices as runs (see proto Sentences). */
struct wire_sentences {
  uint32_t *runs;  /* [skip, len, skip, len, ...], owned */
  size_t nruns;    /* even */
  uint64_t count;  /* indices in the set (sum of the lens) */
};

/* One decoded entry. The header fields are always set; the op fields used
 * by each op are listed next to them. Strings are NUL-terminated, owned,
 * NULL when absent. Fill one by hand (zeroed) to encode. */
struct wire_entry {
  uint32_t format;
  uint8_t network_id[WIRE_NETWORK_ID_BYTES];
  uint8_t author[WIRE_KEY_BYTES];
  uint64_t seq;                  /* 1-based */
  uint8_t prev[WIRE_HASH_BYTES]; /* all zero when seq == 1 */
  uint64_t lamport;
  int64_t wall_ms;               /* advisory */
  int op;                        /* enum wire_op */

  uint8_t book[WIRE_BOOK_ID_BYTES]; /* every book op (not BOOK_CREATE) */
  int has_fork_of;                  /* BOOK_CREATE */
  uint8_t fork_of[WIRE_BOOK_ID_BYTES];
  char *work_id;                 /* IMPORT_WORK, BOOK_CREATE */
  char *name;                    /* BOOK_CREATE/RENAME, ADMIT, FOUND; title
                                  * for IMPORT_WORK */
  char *url;                     /* IMPORT_WORK */
  char *voice;                   /* CAST_*, BOOK_CREATE (default) */
  char *text;                    /* CAST_CHARACTER character, LEXICON
                                  * word, FAIL error, REMOVE reason */
  char *pron;                    /* LEXICON */
  uint8_t hash[WIRE_HASH_BYTES]; /* IMPORT_WORK doc hash */
  int has_ref;                   /* CLAIM */
  uint8_t ref[WIRE_HASH_BYTES];  /* CLAIM supersedes (entry id) */
  uint64_t size;                 /* IMPORT_WORK doc size */
  uint32_t count;                /* IMPORT_WORK sentences */
  uint32_t posts;                /* IMPORT_WORK posts */
  uint32_t post;                 /* CAST_POST */
  uint32_t first, last;          /* CAST_SNIPPET, inclusive */
  uint32_t priority;             /* START_RENDER */
  uint32_t take;                 /* RERENDER, COMPLETE */
  uint32_t lease_ms;             /* CLAIM */
  uint64_t claim;                /* COMPLETE, FAIL: own claim seq or 0 */
  struct wire_sentences sent;    /* START_RENDER, RERENDER, CLAIM,
                                  * COMPLETE, FAIL */
  uint64_t *claims;              /* RENEW, RELEASE: own claim seqs */
  size_t nclaims;
  /* COMPLETE: n = sent.count results. */
  uint8_t *audio;                /* n * 32 bytes of blob hashes */
  uint32_t *sizes;               /* n */
  uint32_t *durations_ms;        /* n */
  uint8_t *contexts;             /* ncontexts * 32 bytes */
  size_t ncontexts;              /* >= 1 */
  uint32_t *context_index;       /* n, or NULL: all 0 */
  /* Membership. */
  uint8_t invite_id[WIRE_INVITE_ID_BYTES]; /* INVITE_*, ADMIT */
  uint8_t key[WIRE_KEY_BYTES];   /* INVITE_CREATE key, ADMIT/REMOVE node */
  int64_t expires_ms;            /* INVITE_CREATE */
  uint32_t max_uses;             /* INVITE_CREATE */
  char **addrs;                  /* ADDR_ANNOUNCE */
  size_t naddrs;
};

/* Walks a sentence set in increasing order:
 *   struct wire_iter it; uint32_t s;
 *   wire_iter_init(&it, &e->sent); while (wire_iter_next(&it, &s)) ... */
struct wire_iter {
  const struct wire_sentences *s;
  size_t run;    /* next pair to enter */
  uint64_t pos;  /* next index */
  uint64_t left; /* indices left in the current run */
};
void wire_iter_init(struct wire_iter *it, const struct wire_sentences *s);
/* 1 with *out set, or 0 at the end. */
int wire_iter_next(struct wire_iter *it, uint32_t *out);
/* Or walk whole runs (do not mix with wire_iter_next on one iterator):
 * 1 with the next run as [*first, *first + *len), or 0 at the end. */
int wire_iter_next_run(struct wire_iter *it, uint32_t *first,
                       uint32_t *len);
/* Build runs from n increasing indices (duplicates are an error:
 * ERR_INVAL). The result is owned by s (freed by wire_entry_clear). */
int wire_sentences_from(struct wire_sentences *s, const uint32_t *idx,
                        size_t n) WARN_UNUSED;
/* One run [first, first + len). */
void wire_sentences_range(struct wire_sentences *s, uint32_t first,
                          uint32_t len);

/* Decode Entry bytes (len <= WIRE_ENTRY_MAX, checked first: ERR_TOO_BIG)
 * into *e (overwritten). ERR_PARSE for bytes that are not an Entry or an
 * operation that fails its static checks; errbuf says which. On failure
 * *e is left cleared. On success one wire_entry_clear(e) is owed. */
int wire_entry_decode(const uint8_t *buf, size_t len, struct wire_entry *e,
                      char *errbuf, size_t errlen) WARN_UNUSED;
/* Encode e. *out is allocated (caller frees with xfree). ERR_INVAL when e
 * fails the static checks, ERR_TOO_BIG past WIRE_ENTRY_MAX. */
int wire_entry_encode(const struct wire_entry *e, uint8_t **out,
                      size_t *len, char *errbuf, size_t errlen)
    WARN_UNUSED;
/* Free what e owns and zero it. Safe on a zeroed entry. */
void wire_entry_clear(struct wire_entry *e);

/* Decode a SignedEntry (len <= WIRE_SIGNED_MAX, checked first). *entry is
 * allocated (caller frees with xfree), at most WIRE_ENTRY_MAX bytes.
 * ERR_TOO_BIG, ERR_PARSE. */
int wire_signed_decode(const uint8_t *buf, size_t len, uint8_t **entry,
                       size_t *entry_len, uint8_t sig[WIRE_SIG_BYTES])
    WARN_UNUSED;
/* The same without a copy when it can: *entry points into buf when buf
 * is the canonical encoding (entry, then the 64-byte sig, nothing else),
 * the form every node writes; anything else goes through
 * wire_signed_decode and *owned gets the allocated copy *entry points to
 * (caller frees *owned with xfree; NULL when nothing was allocated).
 * Accepts and rejects exactly what wire_signed_decode does. */
int wire_signed_view(const uint8_t *buf, size_t len, const uint8_t **entry,
                     size_t *entry_len, uint8_t sig[WIRE_SIG_BYTES],
                     uint8_t **owned) WARN_UNUSED;
/* Encode a SignedEntry from entry bytes and a signature. *out is allocated
 * (caller frees). ERR_TOO_BIG when entry_len > WIRE_ENTRY_MAX. */
int wire_signed_encode(const uint8_t *entry, size_t entry_len,
                       const uint8_t sig[WIRE_SIG_BYTES], uint8_t **out,
                       size_t *len) WARN_UNUSED;

/* Short name of an op ("complete"), "unknown" for others. */
const char *wire_op_name(int op);

#endif
