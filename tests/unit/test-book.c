/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Exporting a book: sentences rendered by the real pipeline (espeak-ng,
 * Opus, blob store) and recorded as Complete entries in a real signed
 * log; the export holds them in story order with a chapter per post,
 * which ffprobe reads back. */
#include <stdio.h>
#include <string.h>

#include "logtest.h"
#include "node/alloc.h"
#include "node/blobs.h"
#include "node/book.h"
#include "node/importer.h"
#include "node/render.h"
#include "node/tts.h"
#include "node/voice.h"
#include "node/work_store.h"
#include "glowfic_page.h"
#include "task.h"

struct bt {
  char *dir;
  struct tauthor me;
  struct db *db;
  struct feed *f;
  struct blobs *blobs;
  struct tts *tts;
  struct render *r;
  uint8_t book[WIRE_BOOK_ID_BYTES];
  int64_t sentences;
};

static void
set_str(char **dst, const char *s)
{
  xfree(*dst);
  *dst = xstrdup(s);
}

static void
bt_open(struct bt *t)
{
  struct importer_opts io = {0, 300, 1u << 20};
  struct work_store_counts c;
  struct work *w = NULL;
  struct wire_entry e;
  struct db_stmt *s = NULL;
  uint8_t id[WIRE_HASH_BYTES];
  char errbuf[256], *p;

  memset(t, 0, sizeof(*t));
  t->dir = test_mkdtemp();
  lt_author(&t->me, t->dir, 0);
  lt_store(t->dir, "glowtalk.db", t->me.key, t->me.id, &t->db, &t->f);
  p = xasprintf("%s/blobs", t->dir);
  ASSERT_OK(blobs_open(p, &t->blobs));
  xfree(p);
  ASSERT_OK(tts_open(&t->tts, errbuf, sizeof(errbuf)));
  t->r = render_new(t->tts, t->blobs, t->db, AUDIO_BITRATE_DEFAULT,
                    AUDIO_COMPLEXITY_DEFAULT);
  ASSERT_OK(importer_from_bytes("test", GT_STORY, strlen(GT_STORY), &io, &w,
                                errbuf, sizeof(errbuf)));
  ASSERT_OK(work_store_save(t->db, w, 100, &c, errbuf, sizeof(errbuf)));
  work_free(w);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  set_str(&e.name, "test swarm");
  ASSERT_OK(feed_append(t->f, &e, id));
  wire_entry_clear(&e);
  e.op = WIRE_OP_BOOK_CREATE;
  ASSERT_OK(db_prepare(t->db, "SELECT work_id FROM works", &s));
  ASSERT_EQ(db_step(s), DB_ROW);
  set_str(&e.work_id, db_col_text(s, 0));
  db_finalize(&s);
  set_str(&e.name, "Test Book");
  ASSERT_OK(feed_append(t->f, &e, id));
  wire_entry_clear(&e);
  memcpy(t->book, id, WIRE_BOOK_ID_BYTES);
  t->sentences = lt_count(t->db, "SELECT count(*) FROM work_sentences");
  ASSERT_EQ(t->sentences, 5);
  e.op = WIRE_OP_START_RENDER;
  memcpy(e.book, t->book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, 0, (uint32_t)t->sentences);
  ASSERT_OK(feed_append(t->f, &e, id));
  wire_entry_clear(&e);
}

static void
bt_close(struct bt *t)
{
  render_free(&t->r);
  tts_close(&t->tts);
  blobs_close(&t->blobs);
  feed_free(&t->f);
  db_close(&t->db);
  lt_author_free(&t->me);
  test_rmdir(t->dir);
}

/* The text of sentence idx in story order. */
static char *
sentence_text(struct bt *t, uint32_t idx)
{
  struct db_stmt *s = NULL;
  char *text;

  ASSERT_OK(db_prepare(t->db,
    "SELECT s.text FROM work_sentences s JOIN work_posts p"
    " USING (work_id, post_key)"
    " ORDER BY p.thread_pos, p.position, s.position LIMIT 1 OFFSET ?1", &s));
  ASSERT_OK(db_bind_int(s, 1, idx));
  ASSERT_EQ(db_step(s), DB_ROW);
  text = xstrdup(db_col_text(s, 0));
  db_finalize(&s);
  return text;
}

/* Render sentences idx[0..n) for real and append one Complete. */
static void
bt_complete(struct bt *t, const uint32_t *idx, size_t n)
{
  struct voice v;
  struct wire_entry e;
  struct render_result res;
  char errbuf[256];
  size_t i;

  ASSERT_OK(voice_parse("espeak:en+m3", &v, errbuf, sizeof(errbuf)));
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_COMPLETE;
  memcpy(e.book, t->book, WIRE_BOOK_ID_BYTES);
  ASSERT_OK(wire_sentences_from(&e.sent, idx, n));
  e.audio = xmalloc(n * WIRE_HASH_BYTES);
  e.sizes = xmalloc(n * sizeof(*e.sizes));
  e.durations_ms = xmalloc(n * sizeof(*e.durations_ms));
  e.contexts = xcalloc(1, WIRE_HASH_BYTES);
  secure_hash(e.contexts, "espeak:en+m3", strlen("espeak:en+m3"), NULL, 0);
  e.ncontexts = 1;
  for (i = 0; i < n; i++) {
    char *text = sentence_text(t, idx[i]);
    struct render_job job = {&v, text, NULL, 0, 0};

    ASSERT_OK(render_run(t->r, &job, NULL, &res, errbuf, sizeof(errbuf)));
    memcpy(e.audio + i * WIRE_HASH_BYTES, res.blob, WIRE_HASH_BYTES);
    e.sizes[i] = (uint32_t)res.size;
    e.durations_ms[i] = (uint32_t)res.duration_ms;
    xfree(text);
  }
  ASSERT_OK(feed_append(t->f, &e, NULL));
  wire_entry_clear(&e);
}

static int
to_file(void *arg, const void *data, size_t len)
{
  return fwrite(data, 1, len, arg) == len ? 0 : ERR_INVAL;
}

/* Run cmd, return its output (caller frees). */
static char *
run(const char *cmd)
{
  FILE *p = popen(cmd, "r");
  char *out = xcalloc(1, 8192);
  size_t n;

  ASSERT(p != NULL);
  n = fread(out, 1, 8191, p);
  out[n] = '\0';
  pclose(p);
  return out;
}

struct walk {
  int n;
  int64_t idx[8];
  int states[8];
};

static int
on_sentence(void *arg, const struct book_sentence *s)
{
  struct walk *w = arg;

  ASSERT(w->n < 8);
  ASSERT(s->id != NULL && s->text != NULL);
  w->idx[w->n] = s->index;
  w->states[w->n++] = s->state;
  return 0;
}

TEST_IMPL(book_export_partial_with_chapters)
{
  int64_t total = 0;
  struct bt t;
  struct book_export_opts o = {250, 600, 1200, AUDIO_BITRATE_DEFAULT,
                               AUDIO_COMPLEXITY_DEFAULT, "Test Book", NULL,
                               0, 0};
  struct book_export_info info;
  uint32_t first[] = {0, 1, 3}, later[] = {4};
  char errbuf[256], *path, *cmd, *out;
  FILE *fp;

  bt_open(&t);
  /* Nothing rendered: nothing written. */
  ASSERT_OK(book_export_plan(t.db, t.blobs, t.book, &info));
  ASSERT_EQ(info.total, 5);
  ASSERT_EQ(info.rendered, 0);
  ASSERT_EQ(book_export(t.db, t.blobs, t.book, &o, to_file, NULL, &info,
                        errbuf, sizeof(errbuf)), ERR_NOT_FOUND);
  ASSERT(strstr(errbuf, "0 of 5") != NULL);
  /* Sentences 0, 1 (Alice), 3 (Bob's second paragraph), then 4 (Alice). */
  bt_complete(&t, first, 3);
  bt_complete(&t, later, 1);
  path = xasprintf("%s/book.opus", t.dir);
  fp = fopen(path, "wb");
  ASSERT(fp != NULL);
  ASSERT_OK(book_export(t.db, t.blobs, t.book, &o, to_file, fp, &info,
                        errbuf, sizeof(errbuf)));
  ASSERT_OK(fclose(fp));
  ASSERT_EQ(info.total, 5);
  ASSERT_EQ(info.rendered, 4);
  ASSERT_EQ(info.posts, 3);
  ASSERT_EQ(info.chapters, 3);
  cmd = xasprintf("ffprobe -v error -show_chapters -of compact '%s'", path);
  out = run(cmd);
  /* ffprobe numbers chapters from 1; titles are the speakers. */
  ASSERT(strstr(out, "id=1|time_base=1/1000|start=0|") != NULL);
  ASSERT(strstr(out, "tag:title=Alice\nchapter|id=2|") != NULL);
  ASSERT(strstr(out, "tag:title=Bob\nchapter|id=3|") != NULL);
  ASSERT(strstr(out, "id=3|") && strstr(strstr(out, "id=3|"),
                                        "tag:title=Alice"));
  ASSERT(strstr(out, "id=4|") == NULL);
  xfree(out);
  xfree(cmd);
  /* States: four ready, one pending; by post, the second post only. */
  {
    struct book_progress pr;
    struct walk w;

    memset(&w, 0, sizeof(w));

    ASSERT_OK(book_progress(t.db, t.book, &pr));
    ASSERT_EQ(pr.total, 5);
    ASSERT_EQ(pr.done, 4);
    ASSERT_EQ(pr.pending, 1);
    ASSERT_EQ(pr.rendering + pr.failed + pr.idle, 0);
    ASSERT(pr.ms_done > 1000);
    ASSERT_OK(book_sentences(t.db, t.book, BOOK_BY_POST, 1, 1, on_sentence,
                             &w, &total));
    ASSERT_EQ(total, 3);
    ASSERT_EQ(w.n, 2);
    ASSERT_EQ(w.idx[0], 2);
    ASSERT_EQ(w.states[0], BOOK_PENDING);
    ASSERT_EQ(w.states[1], BOOK_READY);
    w.n = 0;
    ASSERT_OK(book_sentences(t.db, t.book, BOOK_BY_SENTENCE, 4, 10,
                             on_sentence, &w, &total));
    ASSERT_EQ(total, 5);
    ASSERT_EQ(w.n, 1);
    ASSERT_EQ(w.idx[0], 4);
  }
  /* A deleted book cannot be exported. */
  {
    struct wire_entry e;

    memset(&e, 0, sizeof(e));
    e.op = WIRE_OP_BOOK_DELETE;
    memcpy(e.book, t.book, WIRE_BOOK_ID_BYTES);
    ASSERT_OK(feed_append(t.f, &e, NULL));
    wire_entry_clear(&e);
  }
  ASSERT_EQ(book_export_plan(t.db, t.blobs, t.book, &info), ERR_NOT_FOUND);
  xfree(path);
  bt_close(&t);
  return 0;
}
