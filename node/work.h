/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The normalised work document: what an import produces and what the log
 * carries as a content-addressed blob. A work holds threads of posts, each
 * post its clean paragraphs and sentences (with stable ids), and the
 * characters who speak. It knows nothing of HTML, HTTP or SQL. The structs
 * are plain data: parsers fill them, the store and the UI read them. */
#ifndef GLOWTALK_WORK_H
#define GLOWTALK_WORK_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"
#include "node/json.h"

#define WORK_FORMAT 1                 /* "format" of the JSON document */
#define WORK_MAX_THREADS 10000u       /* threads in one work */
#define WORK_MAX_POSTS 2000000u       /* posts in one work (all threads) */
#define WORK_MAX_PARAS 100000u        /* paragraphs in one post */
#define WORK_MAX_SENTENCES 200000u    /* sentences in one post */
#define WORK_MAX_SPANS 100000u        /* emphasis spans in one paragraph */
#define WORK_SAMPLES 3                /* sample posts kept per character */
#define WORK_SENTENCE_ID_BYTES 16     /* truncated BLAKE2b-256 */
#define WORK_SENTENCE_ID_HEX (2 * WORK_SENTENCE_ID_BYTES + 1)
#define WORK_ID_HEX 33                /* 16 bytes of hash, hex, NUL */

enum work_post_kind {
  WORK_POST_OP = 0,   /* the opening post of a thread */
  WORK_POST_REPLY = 1 /* a reply ("tag") */
};

/* Paragraph kinds: a hint for the voice (quotes, headings, list items). */
#define WORK_PARA_QUOTE (1u << 0)   /* inside <blockquote> */
#define WORK_PARA_HEADING (1u << 1) /* <h1>..<h6> */
#define WORK_PARA_ITEM (1u << 2)    /* <li>, <dt>, <dd> */
#define WORK_PARA_PRE (1u << 3)     /* <pre> or <code> block */

struct work_span {
  uint32_t start; /* byte offset in the paragraph text */
  uint32_t len;   /* bytes */
};

struct work_para {
  char *text;             /* clean UTF-8, never empty, no edge spaces */
  uint32_t pause;         /* blank paragraphs just before this one */
  unsigned flags;         /* WORK_PARA_* */
  struct work_span *emph; /* emphasised ranges (<em>, <i>, <b>, ...) */
  size_t n_emph;
};

struct work_sentence {
  char id[WORK_SENTENCE_ID_HEX]; /* stable id, hex */
  uint32_t para;                 /* index into the post's paragraphs */
  uint32_t offset;               /* bytes into the paragraph's text */
  char *text;                    /* never empty */
};

struct work_post {
  int64_t id;         /* reply id, or the thread's post id for the OP;
                         0 when the page does not say */
  enum work_post_kind kind;
  int64_t user_id;    /* 0 when unknown (flat HTML) */
  char *author;       /* user name; NULL when unknown (API OP) */
  int64_t character_id; /* 0 when unknown or no character */
  char *character;    /* character name as known (the API's canonical
                         name; HTML shows the alias in its place);
                         NULL = narration by the author */
  char *alias;        /* the post's alias (display name) when the source
                         tells it apart from the character name */
  char *screenname;   /* NULL when none */
  int64_t icon_id;    /* 0 when unknown */
  char *icon_url;     /* NULL = no icon */
  char *icon_keyword;
  char *created_at;   /* ISO-8601 or the page's own text; NULL unknown */
  char *updated_at;
  char *content;      /* the source content (HTML or API text) */
  struct work_para *paras;
  size_t n_paras;
  struct work_sentence *sents;
  size_t n_sents;
  uint32_t words;     /* words in all paragraphs */
  char *char_key;     /* key of its character (work_character), NULL for
                         narration; set by work_finish() */
};

struct work_thread {
  int64_t id;         /* Glowfic post id; 0 when unknown */
  char *subject;      /* NULL when unknown */
  char *description;
  char *board;        /* continuity name, NULL when unknown */
  char *section;      /* sub-continuity (board section) name, or NULL */
  struct work_post *posts; /* in reading order */
  size_t n_posts;
  size_t cap_posts;
};

struct work_character {
  char *key;          /* "c:<id>" or "n:<name>\x1f<screenname>\x1f<author>"
                         (GLOWFIC.md 7.4) */
  int64_t id;         /* Glowfic character id; 0 when unknown */
  char *name;
  char *screenname;
  char *author;
  int64_t user_id;
  char *icon_url;     /* icon of its first post with one */
  char *icon_keyword;
  uint32_t posts;     /* posts spoken */
  uint64_t words;
  char *samples[WORK_SAMPLES]; /* post keys of its first posts */
  size_t n_samples;
};

struct work {
  char *source;       /* URL or file name it came from */
  char *key;          /* what makes two imports the same work:
                         "glowfic:post:ID", "glowfic:board:ID", ... */
  char *title;
  struct work_thread *threads;
  size_t n_threads;
  size_t cap_threads;
  struct work_character *chars; /* set by work_finish(), by first post */
  size_t n_chars;
};

/* An empty work from source (copied). Owes one work_free(). */
struct work *work_new(const char *source);
void work_free(struct work *w);

/* Append an empty thread / post. The pointer is valid until the next add
 * on the same container. NULL past WORK_MAX_THREADS / WORK_MAX_POSTS. */
struct work_thread *work_add_thread(struct work *w);
struct work_post *work_thread_add_post(struct work *w,
                                       struct work_thread *t);
/* Free what a post holds and zero it (for a post filled outside a work,
 * or dropped). */
void work_post_clear(struct work_post *p);
/* Append a paragraph (text copied) to p. ERR_TOO_BIG past the caps. */
int work_post_add_para(struct work_post *p, const char *text, size_t len,
                       uint32_t pause, unsigned flags) WARN_UNUSED;
/* Add an emphasis span to the last paragraph of p. */
int work_post_add_emph(struct work_post *p, uint32_t start, uint32_t len)
    WARN_UNUSED;

/* "p<id>" for an OP, "r<id>" for a reply, "t<thread>.<index>" when the
 * page gave no id. Caller frees. */
char *work_post_key(const struct work_thread *t, const struct work_post *p,
                    size_t index);

/* Finish a parsed work: split every paragraph into sentences (ICU, capped
 * at max_chars code points), give each a stable id, count words, key and
 * collect the characters, and derive w->key when the parser left it
 * unset. ERR_PARSE when the work has no posts or no text at all. */
int work_finish(struct work *w, size_t max_chars) WARN_UNUSED;

/* Stable sentence id: hex of BLAKE2b(post key, text, occurrence index of
 * the same text earlier in the post), truncated. */
void work_sentence_id(char out[WORK_SENTENCE_ID_HEX], const char *post_key,
                      const char *text, uint32_t occurrence);
/* Id of the work: hex of BLAKE2b(w->key), truncated. */
void work_id(const struct work *w, char out[WORK_ID_HEX]);

/* Does any emphasis span of the paragraph overlap sentence s? */
int work_sentence_emphasised(const struct work_post *p,
                             const struct work_sentence *s);

/* Totals over all threads. */
size_t work_count_posts(const struct work *w);
size_t work_count_sentences(const struct work *w);
uint64_t work_count_words(const struct work *w);

/* The canonical JSON document (fixed key order, no whitespace). Caller
 * owns the result. */
struct json *work_to_json(const struct work *w);
/* The same document's bytes, produced a post at a time (memory stays
 * small for a million-word work): sink gets pieces whose concatenation is
 * exactly json_print(work_to_json(w), 0). */
typedef void (*work_sink_cb)(const char *data, size_t len, void *arg);
void work_json_stream(const struct work *w, work_sink_cb sink, void *arg);
/* Rebuild a work from its JSON document. NULL with a reason in errbuf
 * when a field is missing or of the wrong type. Caller owns the result. */
struct work *work_from_json(const struct json *doc, char *errbuf,
                            size_t errlen);

#endif
