/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* An audiobook's sentences in story order with what the log says of each
 * (ready, rendering, failed, pending), and the book as one Ogg Opus
 * stream with a chapter per post (for `glowtalk export` and the web API).
 * A sentence's index is its place in the work's story order: threads by
 * position, posts by position, sentences by position (node/LOG.md). */
#ifndef GLOWTALK_BOOK_H
#define GLOWTALK_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "node/audio.h"
#include "node/err.h"
#include "node/wire.h"

struct blobs;
struct db;

#define BOOK_NAME_MAX 200        /* bytes of a book's name */
#define BOOK_SPEAKER_MAX 256     /* bytes of a chapter's name */

enum book_state {
  BOOK_IDLE = 0,     /* never requested (or cancelled) */
  BOOK_PENDING,      /* requested, waiting for a node */
  BOOK_RENDERING,    /* under an unreleased claim */
  BOOK_READY,        /* a satisfying result exists */
  BOOK_FAILED        /* a failure newer than the request, no result */
};

/* "idle", "pending", ... Never NULL. */
const char *book_state_str(int state);

/* Silence and encoding of an exported book (from the config). */
struct book_export_opts {
  unsigned gap_sentence_ms, gap_paragraph_ms, gap_post_ms;
  int bitrate, complexity;
  const char *title;     /* album / title tag, NULL = none */
  const char *post_key;  /* only this post (the importer's key), or NULL */
  int has_thread;        /* only the thread at position thread */
  int64_t thread;
};

/* What an export contains. */
struct book_export_info {
  int64_t total;     /* sentences in the book's work */
  int64_t rendered;  /* with a result whose audio is stored here */
  int64_t no_audio;  /* with a result whose audio is not stored here */
  int64_t chapters;  /* chapter marks written */
  int64_t posts;     /* posts with at least one rendered sentence */
};

/* Count what an export of book would hold, without writing anything.
 * ERR_NOT_FOUND when the book is not a created, undeleted book whose work
 * is imported here. */
int book_export_plan(struct db *db, struct blobs *blobs,
                     const uint8_t book[WIRE_BOOK_ID_BYTES],
                     struct book_export_info *info) WARN_UNUSED;

/* Write the rendered sentences of book, in story order, as one Ogg Opus
 * stream to cb (via audio_join), a chapter at the first rendered sentence
 * of each post named after its speaker (the first AUDIO_CHAPTERS_MAX
 * posts). info (may be NULL) gets the counts. ERR_NOT_FOUND for an
 * unknown book or when nothing is rendered yet (cb is then not called);
 * the errors of audio_join and blobs_get otherwise (errbuf says which). db
 * is read while the stream is produced: the caller holds it. */
int book_export(struct db *db, struct blobs *blobs,
                const uint8_t book[WIRE_BOOK_ID_BYTES],
                const struct book_export_opts *o, audio_write_cb cb,
                void *arg, struct book_export_info *info, char *errbuf,
                size_t errlen) WARN_UNUSED;

/* One sentence of a book with its state (strings valid during the
 * callback only; NULL when absent). */
struct book_sentence {
  int64_t index;        /* story order, 0-based: the log's sentence index */
  int64_t post_index;   /* the post's place in story order among the
                         * posts that have sentences */
  const char *id;       /* the importer's stable sentence id */
  /* char_key: the importer's, or "narrator:AUTHOR" for narration */
  const char *post_key, *text, *char_key, *speaker, *author, *icon_url,
    *icon_keyword;
  int64_t para;         /* paragraph in the post */
  int state;            /* enum book_state */
  int has_blob;
  uint8_t blob[WIRE_HASH_BYTES]; /* when ready */
  int64_t duration_ms;  /* when ready */
  const char *error;    /* when failed */
  int has_node;
  uint8_t node[WIRE_KEY_BYTES];  /* claim holder when rendering */
};

/* Called per sentence; a non-zero return stops the walk and is returned. */
typedef int (*book_sentence_cb)(void *arg, const struct book_sentence *s);

#define BOOK_BY_SENTENCE 0 /* from/limit count sentences */
#define BOOK_BY_POST 1     /* from/limit count posts */

/* The same in two steps, so the store is read only in the first: open
 * reads the plan (ERR_NOT_FOUND as above; info may be NULL), write
 * produces the stream from the blobs alone. Owes one book_export_free(). */
struct book_export;
int book_export_open(struct db *db, struct blobs *blobs,
                     const uint8_t book[WIRE_BOOK_ID_BYTES],
                     const struct book_export_opts *o,
                     struct book_export_info *info, struct book_export **out)
    WARN_UNUSED;
int book_export_write(struct book_export *x, audio_write_cb cb, void *arg,
                      char *errbuf, size_t errlen) WARN_UNUSED;
void book_export_free(struct book_export **x);

/* What the bytes of x's stream depend on, hashed: the encoder's version,
 * bitrate, complexity, title, and each piece's audio blob, gap and
 * chapter name. Equal keys give equal streams (the Ogg serial is fixed),
 * so the stream's size can be kept by key. */
#define BOOK_EXPORT_KEY_BYTES 32
void book_export_key(const struct book_export *x,
                     uint8_t key[BOOK_EXPORT_KEY_BYTES]);
/* The size kept for key (export_sizes, migration 0007): 0 and *bytes, or
 * ERR_NOT_FOUND. */
int book_export_size_get(struct db *db,
                         const uint8_t key[BOOK_EXPORT_KEY_BYTES],
                         int64_t *bytes) WARN_UNUSED;
/* Keep bytes as the size of key's stream. */
int book_export_size_put(struct db *db,
                         const uint8_t key[BOOK_EXPORT_KEY_BYTES],
                         int64_t bytes) WARN_UNUSED;
/* The size of x's stream, by producing it without keeping it (encoding:
 * needs a full-size stack, as book_export_write). */
int book_export_measure(struct book_export *x, int64_t *bytes, char *errbuf,
                        size_t errlen) WARN_UNUSED;

/* Walk book's sentences in story order, starting at index from (of
 * sentences or posts, by `by`) and giving at most limit of them (limit
 * posts' sentences with BOOK_BY_POST). *total (may be NULL) gets the
 * number of sentences or posts in the book. ERR_NOT_FOUND for a book that
 * is not created, is deleted, or whose work is not imported here. */
int book_sentences(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES],
                   int by, int64_t from, int64_t limit, book_sentence_cb cb,
                   void *arg, int64_t *total) WARN_UNUSED;

/* The same with its statements prepared once, for a reader that walks
 * many pages on one connection: open owes one book_pages_free(); walk is
 * book_sentences on the pages' db. */
struct book_pages;
int book_pages_open(struct db *db, struct book_pages **out) WARN_UNUSED;
void book_pages_free(struct book_pages **bp);
int book_pages_walk(struct book_pages *bp,
                    const uint8_t book[WIRE_BOOK_ID_BYTES], int by,
                    int64_t from, int64_t limit, book_sentence_cb cb,
                    void *arg, int64_t *total) WARN_UNUSED;

/* Make sure book's story order is materialised (it is built on first
 * use, which writes), so book_sentences can then run on a read-only
 * connection while nothing changes the work. ERR_NOT_FOUND as for
 * book_sentences. */
int book_story_ready(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES])
    WARN_UNUSED;

/* The story index of sentence id (the importer's id) in book.
 * ERR_NOT_FOUND. */
int book_sentence_index(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES],
                        const char *id, int64_t *index) WARN_UNUSED;

/* The story index of post post_key (the importer's key) in book: its
 * place among the posts that have sentences. ERR_NOT_FOUND. */
int book_post_index(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES],
                    const char *post_key, int64_t *index) WARN_UNUSED;

struct book_progress {
  int64_t total, done, pending, rendering, failed, idle;
  int64_t ms_done;      /* audio duration of the done sentences */
};

/* Counts of book's sentences by state. ERR_NOT_FOUND as above. */
int book_progress(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES],
                  struct book_progress *p) WARN_UNUSED;

/* A part of a book for downloads and the podcast feed: one post or one
 * thread (strings valid during the callback only). */
struct book_part {
  const char *key;          /* post key, or the thread position as text */
  int64_t first_index;      /* its first sentence in story order */
  int64_t thread;           /* thread position */
  const char *thread_title; /* may be NULL */
  const char *speaker;      /* of its first post */
  int64_t sentences, ready; /* ready: with a chosen result */
  int64_t bytes, ms;        /* sum of the ready sentences' audio */
};
typedef int (*book_part_cb)(void *arg, const struct book_part *p);

/* Walk book's posts (or threads with per_thread) in story order. A
 * non-zero return of cb stops the walk and is returned. ERR_NOT_FOUND as
 * for book_sentences. */
int book_parts(struct db *db, const uint8_t book[WIRE_BOOK_ID_BYTES],
               int per_thread, book_part_cb cb, void *arg) WARN_UNUSED;

#endif
