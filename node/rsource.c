/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The text, voice and context of one sentence for the render loop; see
 * rsource.h. */
#define LOG_MODULE "render"
#include "node/rsource.h"

#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/log.h"
#include "node/prep.h"
#include "node/voice.h"

#define CHECK(x)                                                          \
  do {                                                                    \
    err = (x);                                                            \
    if (err)                                                              \
      goto fail;                                                          \
  } while (0)

struct post {
  char *key;
  char *character; /* char_key, NULL for narration */
  char *name;      /* display name */
};

/* One work in story order: posts (thread, position) and their sentences
 * (position), indexed as the log indexes them. */
struct wcache {
  char *work_id;
  char *doc_hash;    /* the document these sentences came from */
  struct post *posts;
  size_t nposts;
  char **text;       /* per sentence */
  uint32_t *post;    /* per sentence: index into posts */
  size_t n;
};

struct rsource {
  struct state *st;
  char *fallback;
  int announce;
  struct wcache work;             /* the last work used */
  uint8_t lex_book[WIRE_BOOK_ID_BYTES];
  struct prep_lexicon *lex;       /* the last book's lexicon, or NULL */
};

static void
wcache_clear(struct wcache *w)
{
  size_t i;
  for (i = 0; i < w->nposts; i++) {
    xfree(w->posts[i].key);
    xfree(w->posts[i].character);
    xfree(w->posts[i].name);
  }
  for (i = 0; i < w->n; i++)
    xfree(w->text[i]);
  xfree(w->posts);
  xfree(w->text);
  xfree(w->post);
  xfree(w->work_id);
  xfree(w->doc_hash);
  memset(w, 0, sizeof(*w));
}

struct rsource *
rsource_new(struct state *st, const char *fallback_voice, int announce)
{
  struct rsource *s = xcalloc(1, sizeof(*s));
  s->st = st;
  s->fallback = xstrdup(fallback_voice ? fallback_voice : "");
  s->announce = announce;
  return s;
}

void
rsource_invalidate(struct rsource *s)
{
  /* The work stays: rsource_get reloads it when its document changes, and
   * the store changes with every entry applied while a swarm renders. */
  prep_lexicon_free(&s->lex);
}

void
rsource_free(struct rsource **sp)
{
  struct rsource *s = sp ? *sp : NULL;
  if (!s)
    return;
  wcache_clear(&s->work);
  rsource_invalidate(s);
  xfree(s->fallback);
  xfree(s);
  *sp = NULL;
}

void
rsource_item_clear(struct rsource_item *it)
{
  xfree(it->voice);
  xfree(it->text);
  xfree(it->lexicon);
  memset(it, 0, sizeof(*it));
}

static char *
col_dup(struct db_stmt *q, int col)
{
  const char *t = db_col_is_null(q, col) ? NULL : db_col_text(q, col);
  return t ? xstrdup(t) : NULL;
}

/* Load work_id's posts and sentences in story order. */
static int
load_work(struct db *db, const char *work_id, const char *doc_hash,
          struct wcache *w)
{
  static const char *const q_posts =
    "SELECT post_key, char_key, coalesce(character, author, '')"
    " FROM work_posts WHERE work_id=?1 ORDER BY thread_pos, position";
  static const char *const q_sents =
    "SELECT s.text, s.post_key FROM work_sentences s JOIN work_posts p"
    " ON p.work_id=s.work_id AND p.post_key=s.post_key WHERE s.work_id=?1"
    " ORDER BY p.thread_pos, p.position, s.position";
  struct db_stmt *q = NULL;
  size_t cap = 0, pi = 0;
  int err, rc;

  wcache_clear(w);
  w->work_id = xstrdup(work_id);
  w->doc_hash = xstrdup(doc_hash);
  CHECK(db_prepare(db, q_posts, &q));
  CHECK(db_bind_text(q, 1, work_id, -1));
  while ((rc = db_step(q)) == DB_ROW && w->nposts < WIRE_SENTENCE_MAX) {
    if (w->nposts == cap) {
      cap = cap ? 2 * cap : 64;
      w->posts = xrealloc(w->posts, cap * sizeof(*w->posts));
    }
    w->posts[w->nposts].key = col_dup(q, 0);
    w->posts[w->nposts].character = col_dup(q, 1);
    w->posts[w->nposts].name = col_dup(q, 2);
    w->nposts++;
  }
  CHECK(rc < 0 ? rc : 0);
  db_finalize(&q);
  cap = 0;
  CHECK(db_prepare(db, q_sents, &q));
  CHECK(db_bind_text(q, 1, work_id, -1));
  while ((rc = db_step(q)) == DB_ROW && w->n < WIRE_SENTENCE_MAX) {
    const char *key = db_col_text(q, 1);
    while (pi < w->nposts && strcmp(w->posts[pi].key, key ? key : "") != 0)
      pi++;
    if (pi == w->nposts) {
      err = ERR_DB; /* sentences out of post order: cannot happen */
      goto fail;
    }
    if (w->n == cap) {
      cap = cap ? 2 * cap : 256;
      w->text = xrealloc(w->text, cap * sizeof(*w->text));
      w->post = xrealloc(w->post, cap * sizeof(*w->post));
    }
    w->text[w->n] = col_dup(q, 0);
    w->post[w->n] = (uint32_t)pi;
    w->n++;
  }
  CHECK(rc < 0 ? rc : 0);
fail:
  db_finalize(&q);
  if (err)
    wcache_clear(w);
  return err;
}

/* The book's work id and the hash of the work's document stored here
 * ("" when none is), both allocated; ERR_NOT_FOUND when the book has no
 * work. */
static int
book_work(struct db *db, const uint8_t *book, char **work_id, char **doc)
{
  struct db_stmt *q = NULL;
  int err, rc;

  *work_id = NULL;
  *doc = NULL;
  CHECK(db_prepare(db, "SELECT b.work_id, coalesce(w.doc_hash, '')"
                   " FROM st_books b LEFT JOIN works w USING (work_id)"
                   " WHERE b.book=?1 AND b.work_id IS NOT NULL", &q));
  CHECK(db_bind_blob(q, 1, book, WIRE_BOOK_ID_BYTES));
  rc = db_step(q);
  CHECK(rc < 0 ? rc : 0);
  if (rc == DB_ROW) {
    *work_id = col_dup(q, 0);
    *doc = col_dup(q, 1);
  }
  err = *work_id ? 0 : ERR_NOT_FOUND;
fail:
  db_finalize(&q);
  return err;
}

/* The book's current lexicon: per word the entry with the highest
 * (lamport, author); an empty pronunciation removes the word. */
static int
load_lexicon(struct rsource *s, const uint8_t *book)
{
  static const char *const q_lex =
    "SELECT word, pron FROM st_lexicon l WHERE book=?1 AND pron <> ''"
    " AND NOT EXISTS (SELECT 1 FROM st_lexicon m WHERE m.book=l.book"
    "  AND m.word=l.word AND (m.lamport, m.author) > (l.lamport, l.author))"
    " ORDER BY word LIMIT ?2";
  struct db_stmt *q = NULL;
  char errbuf[160];
  int err, rc;

  prep_lexicon_free(&s->lex);
  s->lex = prep_lexicon_new();
  memcpy(s->lex_book, book, WIRE_BOOK_ID_BYTES);
  CHECK(db_prepare(state_db(s->st), q_lex, &q));
  CHECK(db_bind_blob(q, 1, book, WIRE_BOOK_ID_BYTES));
  CHECK(db_bind_int(q, 2, PREP_LEXICON_MAX));
  while ((rc = db_step(q)) == DB_ROW)
    if (prep_lexicon_add(s->lex, db_col_text(q, 0), db_col_text(q, 1),
                         errbuf, sizeof(errbuf)) != 0)
      log_warn("lexicon entry '%s' skipped: %s", db_col_text(q, 0), errbuf);
  CHECK(rc < 0 ? rc : 0);
fail:
  db_finalize(&q);
  if (err)
    prep_lexicon_free(&s->lex);
  return err;
}

/* The voice for sentence i (post p, character ch) of book. */
static int
resolve_voice(struct rsource *s, const uint8_t *book, uint32_t i,
              uint32_t p, const char *ch, char **voice)
{
  int err;

  *voice = NULL;
  CHECK(state_cast_get(s->st, book, STATE_CAST_SNIPPET, NULL, i, voice));
  if (!*voice)
    CHECK(state_cast_get(s->st, book, STATE_CAST_POST, NULL, p, voice));
  if (!*voice && ch)
    CHECK(state_cast_get(s->st, book, STATE_CAST_CHARACTER, ch, 0, voice));
  if (!*voice)
    CHECK(state_cast_get(s->st, book, STATE_CAST_DEFAULT, NULL, 0, voice));
  if (!*voice)
    *voice = xstrdup(s->fallback);
fail:
  return err;
}

int
rsource_get(struct rsource *s, const uint8_t book[WIRE_BOOK_ID_BYTES],
            uint32_t sentence, struct rsource_item *out, char *errbuf,
            size_t errlen)
{
  struct db *db = state_db(s->st);
  struct wcache *w = &s->work;
  struct prep_result pr = {NULL, NULL, 0};
  struct voice v;
  const struct post *post;
  const char *speaker = NULL;
  char *work_id = NULL, *doc = NULL, *spec = NULL, canon[VOICE_SPEC_MAX];
  int err;

  memset(out, 0, sizeof(*out));
  errbuf[0] = '\0';
  err = book_work(db, book, &work_id, &doc);
  if (err == ERR_NOT_FOUND)
    snprintf(errbuf, errlen, "the book has no work");
  CHECK(err);
  /* Reload when the work or its document changed (a re-import, or the
   * document materialised since the last look). */
  if (!w->work_id || strcmp(w->work_id, work_id) != 0 ||
      strcmp(w->doc_hash, doc) != 0)
    CHECK(load_work(db, work_id, doc, w));
  if (sentence >= w->n) {
    snprintf(errbuf, errlen, "work %.16s is not imported here or has no "
             "sentence %u", work_id, sentence);
    err = ERR_NOT_FOUND;
    goto fail;
  }
  if (!s->lex || memcmp(s->lex_book, book, WIRE_BOOK_ID_BYTES) != 0)
    CHECK(load_lexicon(s, book));
  post = &w->posts[w->post[sentence]];
  CHECK(resolve_voice(s, book, sentence, w->post[sentence], post->character,
                      &spec));
  err = voice_parse(spec, &v, errbuf, errlen);
  if (!err)
    err = voice_format(&v, canon, sizeof(canon));
  CHECK(err);
  /* The name is spoken at the first sentence of a post whose speaker
   * differs from the previous post's. */
  if (s->announce && post->name && post->name[0] &&
      (sentence == 0 || w->post[sentence - 1] != w->post[sentence])) {
    const struct post *prev =
      sentence == 0 ? NULL : &w->posts[w->post[sentence - 1]];
    if (!prev || strcmp(prev->name ? prev->name : "", post->name) != 0)
      speaker = post->name;
  }
  CHECK(prep_text(w->text[sentence], s->lex, speaker, &pr, errbuf, errlen));
  out->voice = xstrdup(canon);
  out->text = pr.text;
  out->lexicon = pr.applied;
  out->flags = pr.flags;
  pr.text = pr.applied = NULL;
fail:
  prep_result_free(&pr);
  xfree(work_id);
  xfree(doc);
  xfree(spec);
  return err;
}
