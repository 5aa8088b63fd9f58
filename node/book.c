/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* An audiobook's sentences in story order and its export; see book.h. */
#include "node/book.h"

#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/blobs.h"
#include "node/buf.h"
#include "node/db.h"

/* Every sentence of a created, undeleted book in story order: index,
 * post, paragraph, speaker and the chosen result's blob (NULL if none):
 * among results for the task's take newer than its request, the lowest
 * (lamport, author), as state_result_get chooses. */
static const char *const story_sql =
  "WITH ord AS (SELECT s.post_key AS post_key, s.para AS para,"
  " coalesce(nullif(p.character, ''), nullif(p.screenname, ''),"
  "  nullif(p.author, ''), 'Narrator') AS speaker,"
  " row_number() OVER (ORDER BY p.thread_pos, p.position, s.position) - 1"
  "  AS idx"
  " FROM st_books b JOIN work_sentences s ON s.work_id = b.work_id"
  " JOIN work_posts p ON p.work_id = s.work_id AND p.post_key = s.post_key"
  " WHERE b.book = ?1 AND b.created = 1 AND b.deleted = 0)"
  " SELECT o.idx, o.post_key, o.para, o.speaker,"
  " (SELECT r.blob FROM st_tasks t JOIN st_results r ON r.book = t.book"
  "  AND r.sentence = t.sentence AND r.take = t.take"
  "  AND (r.lamport, r.author) > (t.req_lamport, t.req_author)"
  "  WHERE t.book = ?1 AND t.sentence = o.idx"
  "  ORDER BY r.lamport, r.author LIMIT 1)"
  " FROM ord o ORDER BY o.idx";

static const char *const state_names[] = {
  "idle", "pending", "rendering", "ready", "failed"};

const char *
book_state_str(int state)
{
  if (state < 0 || state > BOOK_FAILED)
    return "unknown";
  return state_names[state];
}

/* The pieces of an export: blob hashes and pieces, chapter names owned. */
struct plan {
  uint8_t *hashes;             /* n * WIRE_HASH_BYTES */
  struct audio_piece *pieces;  /* n */
  char **names;                /* nnames chapter names */
  size_t n, cap, nnames;
  struct blobs *blobs;
};

static void
plan_free(struct plan *p)
{
  size_t i;

  for (i = 0; i < p->nnames; i++)
    xfree(p->names[i]);
  xfree(p->names);
  xfree(p->hashes);
  xfree(p->pieces);
  memset(p, 0, sizeof(*p));
}

static void
plan_add(struct plan *p, const uint8_t *hash, unsigned gap,
         const char *chapter)
{
  if (p->n == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 256;
    p->hashes = xrealloc(p->hashes, p->cap * WIRE_HASH_BYTES);
    p->pieces = xrealloc(p->pieces, p->cap * sizeof(*p->pieces));
    p->names = xrealloc(p->names, p->cap * sizeof(*p->names));
  }
  memcpy(p->hashes + p->n * WIRE_HASH_BYTES, hash, WIRE_HASH_BYTES);
  p->pieces[p->n].gap_ms = gap;
  p->pieces[p->n].chapter = NULL;
  if (chapter) {
    p->names[p->nnames] = xstrdup(chapter);
    p->pieces[p->n].chapter = p->names[p->nnames++];
  }
  p->n++;
}

/* Walk the book once: counts into info and, when p is not NULL, the
 * pieces of the stream into p. */
static int
collect(struct db *db, struct blobs *blobs, const uint8_t *book,
        const struct book_export_opts *o, struct book_export_info *info,
        struct plan *p)
{
  struct db_stmt *s = NULL;
  char *last_post = NULL;
  int64_t last_para = -1;
  int err, rc = DB_DONE;

  memset(info, 0, sizeof(*info));
  err = db_prepare(db, story_sql, &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    const char *post = db_col_text(s, 1);
    int64_t para = db_col_int(s, 2);
    size_t blen = 0;
    const uint8_t *blob = db_col_blob(s, 4, &blen);
    int new_post;
    char speaker[BOOK_SPEAKER_MAX];

    info->total++;
    if (blob == NULL || blen != WIRE_HASH_BYTES)
      continue;
    if (!blobs_has(blobs, blob)) {
      info->no_audio++;
      continue;
    }
    info->rendered++;
    new_post = last_post == NULL || strcmp(last_post, post ? post : "");
    if (new_post) {
      info->posts++;
      xfree(last_post);
      last_post = xstrdup(post ? post : "");
    }
    if (p != NULL) {
      unsigned gap = info->rendered == 1 ? 0
                     : new_post ? o->gap_post_ms
                     : para != last_para ? o->gap_paragraph_ms
                     : o->gap_sentence_ms;
      const char *chapter = NULL;
      if (new_post && info->chapters < AUDIO_CHAPTERS_MAX) {
        snprintf(speaker, sizeof(speaker), "%s",
                 db_col_text(s, 3) ? db_col_text(s, 3) : "");
        chapter = speaker;
        info->chapters++;
      }
      plan_add(p, blob, gap, chapter);
    } else if (new_post && info->chapters < AUDIO_CHAPTERS_MAX) {
      info->chapters++;
    }
    last_para = para;
  }
  db_finalize(&s);
  xfree(last_post);
  if (err)
    return err;
  if (rc < 0)
    return rc;
  return info->total == 0 ? ERR_NOT_FOUND : 0;
}

int
book_export_plan(struct db *db, struct blobs *blobs,
                 const uint8_t book[WIRE_BOOK_ID_BYTES],
                 struct book_export_info *info)
{
  return collect(db, blobs, book, NULL, info, NULL);
}

static int
fetch_piece(void *arg, size_t i, struct buf *out)
{
  struct plan *p = arg;

  return blobs_get(p->blobs, p->hashes + i * WIRE_HASH_BYTES, out);
}

int
book_export(struct db *db, struct blobs *blobs,
            const uint8_t book[WIRE_BOOK_ID_BYTES],
            const struct book_export_opts *o, audio_write_cb cb, void *arg,
            struct book_export_info *info, char *errbuf, size_t errlen)
{
  struct book_export_info local;
  struct audio_tags tags = {NULL, NULL, NULL};
  struct plan p;
  int err;

  if (info == NULL)
    info = &local;
  memset(&p, 0, sizeof(p));
  p.blobs = blobs;
  err = collect(db, blobs, book, o, info, &p);
  if (err) {
    snprintf(errbuf, errlen, "%s", err == ERR_NOT_FOUND
             ? "no such book, or its work is not imported here"
             : "cannot read the book");
    goto out;
  }
  if (p.n == 0) {
    snprintf(errbuf, errlen, "nothing of the book is rendered yet (0 of "
             "%lld sentences)", (long long)info->total);
    err = ERR_NOT_FOUND;
    goto out;
  }
  tags.title = o->title;
  tags.album = o->title;
  err = audio_join(p.pieces, p.n, fetch_piece, &p, o->bitrate,
                   o->complexity, &tags, cb, arg, errbuf, errlen);
out:
  plan_free(&p);
  return err;
}
