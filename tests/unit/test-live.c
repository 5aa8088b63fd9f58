/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The web's read paths: the materialised story order (node/storyorder.h)
 * is built once, matches story order, and is rebuilt after the work
 * changes; live render news (node/live.h) goes out only after commit,
 * never after a rollback, and marks the book for a progress event. */
#include <stdio.h>
#include <string.h>

#include "logtest.h"
#include "node/alloc.h"
#include "node/book.h"
#include "node/events.h"
#include "node/hex.h"
#include "node/importer.h"
#include "node/json.h"
#include "node/live.h"
#include "node/storyorder.h"
#include "node/work_store.h"
#include "glowfic_page.h"
#include "task.h"

struct lv {
  char *dir;
  struct tauthor me;
  struct db *db;
  struct feed *f;
  char *work_id;
  uint8_t book[WIRE_BOOK_ID_BYTES];
};

static void
lv_open(struct lv *t)
{
  struct importer_opts io = {0, 300, 1u << 20};
  struct work_store_counts c;
  struct work *w = NULL;
  struct wire_entry e;
  struct db_stmt *s = NULL;
  uint8_t id[WIRE_HASH_BYTES];
  char errbuf[256];

  memset(t, 0, sizeof(*t));
  t->dir = test_mkdtemp();
  lt_author(&t->me, t->dir, 0);
  lt_store(t->dir, "glowtalk.db", t->me.key, t->me.id, &t->db, &t->f);
  ASSERT_OK(importer_from_bytes("test", GT_STORY, strlen(GT_STORY), &io, &w,
                                errbuf, sizeof(errbuf)));
  ASSERT_OK(work_store_save(t->db, w, 100, &c, errbuf, sizeof(errbuf)));
  work_free(w);
  ASSERT_OK(db_prepare(t->db, "SELECT work_id FROM works", &s));
  ASSERT_EQ(db_step(s), DB_ROW);
  t->work_id = xstrdup(db_col_text(s, 0));
  db_finalize(&s);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  e.name = xstrdup("test swarm");
  ASSERT_OK(feed_append(t->f, &e, id));
  wire_entry_clear(&e);
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup(t->work_id);
  e.name = xstrdup("Book");
  ASSERT_OK(feed_append(t->f, &e, id));
  wire_entry_clear(&e);
  memcpy(t->book, id, WIRE_BOOK_ID_BYTES);
}

static void
lv_close(struct lv *t)
{
  feed_free(&t->f);
  db_close(&t->db);
  lt_author_free(&t->me);
  test_rmdir(t->dir);
  xfree(t->work_id);
}

static int
collect_text(void *arg, const struct book_sentence *s)
{
  struct buf *b = arg;
  return buf_printf(b, "%lld:%lld:%s|", (long long)s->index,
                    (long long)s->post_index, s->text);
}

static int
collect_state(void *arg, const struct book_sentence *s)
{
  return buf_printf(arg, "%s,", book_state_str(s->state));
}

TEST_IMPL(storyorder_builds_and_rebuilds)
{
  struct lv t;
  struct buf b;
  int64_t n = 0, np = 0, idx = -1;

  lv_open(&t);
  ASSERT_EQ(lt_count(t.db, "SELECT count(*) FROM work_order"), 0);
  ASSERT_OK(storyorder_ensure(t.db, t.work_id, &n, &np));
  ASSERT_EQ(n, 5);
  ASSERT_EQ(np, 3);
  ASSERT_EQ(lt_count(t.db, "SELECT count(*) FROM work_order"), 5);
  ASSERT_EQ(storyorder_ensure(t.db, "no-such-work", &n, &np),
            ERR_NOT_FOUND);
  buf_init(&b, 4096);
  ASSERT_OK(book_sentences(t.db, t.book, BOOK_BY_SENTENCE, 0, 100,
                           collect_text, &b, &n));
  ASSERT_EQ(n, 5);
  ASSERT_STR_EQ(b.data, "0:0:Hello there.|1:0:How are you?|"
                "2:1:Fine, thanks.|3:1:And you?|4:2:Very well.|");
  /* A page by posts, and lookups by id. */
  buf_reset(&b);
  ASSERT_OK(book_sentences(t.db, t.book, BOOK_BY_POST, 1, 1, collect_text,
                           &b, &n));
  ASSERT_EQ(n, 3);
  ASSERT_STR_EQ(b.data, "2:1:Fine, thanks.|3:1:And you?|");
  ASSERT_OK(book_post_index(t.db, t.book, "r3", &idx));
  ASSERT_EQ(idx, 2);
  /* The work changes (the last post moves first) and its writer clears
   * the mark, as work_store_save does: the next reader gets the new
   * order. */
  ASSERT_OK(db_exec(t.db, "UPDATE work_posts SET position = -1 WHERE"
                    " post_key = 'r3'"));
  ASSERT_OK(db_exec(t.db, "DELETE FROM work_order_done"));
  buf_reset(&b);
  ASSERT_OK(book_sentences(t.db, t.book, BOOK_BY_SENTENCE, 0, 2,
                           collect_text, &b, &n));
  ASSERT_STR_EQ(b.data, "0:0:Very well.|1:1:Hello there.|");
  ASSERT_OK(book_post_index(t.db, t.book, "r3", &idx));
  ASSERT_EQ(idx, 0);
  buf_free(&b);
  lv_close(&t);
  return 0;
}

static void
rerender(struct lv *t, uint32_t first, uint32_t n)
{
  struct wire_entry e;
  uint8_t id[WIRE_HASH_BYTES];

  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_RERENDER;
  memcpy(e.book, t->book, WIRE_BOOK_ID_BYTES);
  e.take = 1;
  wire_sentences_range(&e.sent, first, n);
  ASSERT_OK(feed_append(t->f, &e, id));
  wire_entry_clear(&e);
}

/* The SSE text of every event after *after (waits up to 50 ms). */
static void
drain(struct events *ev, uint64_t *after, struct buf *out)
{
  buf_reset(out);
  if (events_wait(ev, *after, 50, out, after) == ERR_TIMEOUT)
    buf_reset(out);
}

TEST_IMPL(live_publishes_after_commit_only)
{
  struct events *ev = events_new();
  uint8_t books[LIVE_DIRTY_MAX][WIRE_BOOK_ID_BYTES];
  uint64_t after = 0;
  struct lv t;
  struct buf b;

  lv_open(&t);
  buf_init(&b, EVENTS_BATCH_MAX);
  live_attach(ev);
  (void)live_take_dirty(books, LIVE_DIRTY_MAX);
  /* Detached news is never seen; an entry on its own commits at once. */
  rerender(&t, 0, 2);
  drain(ev, &after, &b);
  ASSERT_CONTAINS(b.data, "event: sentence");
  ASSERT_CONTAINS(b.data, "\"index\":1");
  ASSERT_CONTAINS(b.data, "\"state\":\"pending\"");
  ASSERT_EQ(live_take_dirty(books, LIVE_DIRTY_MAX), 1);
  ASSERT_EQ(memcmp(books[0], t.book, WIRE_BOOK_ID_BYTES), 0);
  ASSERT_EQ(live_take_dirty(books, LIVE_DIRTY_MAX), 0);
  /* In a batch: nothing until the commit; a rollback publishes nothing. */
  ASSERT_OK(feed_begin(t.f));
  rerender(&t, 2, 1);
  drain(ev, &after, &b);
  ASSERT_EQ(b.len, 0);
  ASSERT_OK(feed_commit(t.f));
  drain(ev, &after, &b);
  ASSERT_CONTAINS(b.data, "\"index\":2");
  ASSERT_OK(feed_begin(t.f));
  rerender(&t, 3, 1);
  feed_rollback(t.f);
  drain(ev, &after, &b);
  ASSERT_EQ(b.len, 0);
  ASSERT_EQ(live_take_dirty(books, LIVE_DIRTY_MAX), 1);
  /* A huge entry: capped sentence events, then one "book" reload. */
  rerender(&t, 0, LIVE_SENTENCES_PER_ENTRY + 10);
  drain(ev, &after, &b);
  ASSERT_CONTAINS(b.data, "event: book");
  live_attach(NULL);
  rerender(&t, 4, 1);
  drain(ev, &after, &b);
  ASSERT_EQ(b.len, 0);
  buf_free(&b);
  events_free(&ev);
  lv_close(&t);
  return 0;
}

static void
append_op(struct lv *t, int op, uint32_t first, uint32_t n)
{
  struct wire_entry e;
  uint8_t id[WIRE_HASH_BYTES];

  memset(&e, 0, sizeof(e));
  e.op = op;
  memcpy(e.book, t->book, WIRE_BOOK_ID_BYTES);
  if (op == WIRE_OP_CLAIM)
    e.lease_ms = 60000;
  if (op == WIRE_OP_FAIL)
    e.text = xstrdup("engine broke");
  if (n)
    wire_sentences_range(&e.sent, first, n);
  ASSERT_OK(feed_append(t->f, &e, id));
  wire_entry_clear(&e);
}

/* The progress counts agree with the per-sentence states of the reader:
 * idle, pending, rendering (under a claim newer than the request) and
 * failed; a cancel makes the claimed and failed ones idle again. */
TEST_IMPL(progress_counts_claims_and_failures)
{
  struct book_progress p;
  struct lv t;
  struct buf b;
  int64_t n;

  lv_open(&t);
  append_op(&t, WIRE_OP_START_RENDER, 0, 4);
  append_op(&t, WIRE_OP_CLAIM, 0, 3);
  append_op(&t, WIRE_OP_FAIL, 2, 1);
  ASSERT_OK(book_progress(t.db, t.book, &p));
  ASSERT_EQ(p.total, 5);
  ASSERT_EQ(p.idle, 1);
  ASSERT_EQ(p.rendering, 2);
  ASSERT_EQ(p.failed, 1);
  ASSERT_EQ(p.pending, 1);
  ASSERT_EQ(p.done, 0);
  buf_init(&b, 4096);
  ASSERT_OK(book_sentences(t.db, t.book, BOOK_BY_POST, 0, 3,
                           collect_state, &b, &n));
  ASSERT_STR_EQ(b.data, "rendering,rendering,failed,pending,idle,");
  buf_free(&b);
  append_op(&t, WIRE_OP_CANCEL_PENDING, 0, 0);
  ASSERT_OK(book_progress(t.db, t.book, &p));
  ASSERT_EQ(p.idle, 5);
  lv_close(&t);
  return 0;
}

/* Entries replicated from another member give the same news as this
 * node's own: the reducer reports them, the receive commits them. */
TEST_IMPL(live_news_of_received_entries)
{
  struct events *ev = events_new();
  struct feed_result res;
  struct tauthor other;
  struct wire_entry e;
  uint8_t id[WIRE_HASH_BYTES], *bytes;
  uint64_t after = 0;
  size_t len;
  struct lv t;
  struct buf b;
  char hex[2 * WIRE_KEY_BYTES + 1];

  lv_open(&t);
  lt_author(&other, t.dir, 1);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_INVITE_CREATE;
  memset(e.invite_id, 7, sizeof(e.invite_id));
  memset(e.key, 8, sizeof(e.key));
  e.max_uses = 1;
  ASSERT_OK(feed_append(t.f, &e, id));
  e.op = WIRE_OP_ADMIT;
  memcpy(e.key, other.key, WIRE_KEY_BYTES);
  ASSERT_OK(feed_append(t.f, &e, id));
  wire_entry_clear(&e);
  buf_init(&b, EVENTS_BATCH_MAX);
  live_attach(ev);
  e.op = WIRE_OP_RERENDER;
  memcpy(e.book, t.book, WIRE_BOOK_ID_BYTES);
  e.take = 1;
  wire_sentences_range(&e.sent, 3, 1);
  bytes = lt_next(&other, &e, 100, &len, id);
  wire_entry_clear(&e);
  ASSERT_EQ(lt_recv(t.f, bytes, len, &res), FEED_ACCEPTED);
  xfree(bytes);
  drain(ev, &after, &b);
  hex_encode(hex, other.key, WIRE_KEY_BYTES);
  ASSERT_CONTAINS(b.data, "event: sentence");
  ASSERT_CONTAINS(b.data, "\"index\":3");
  ASSERT_CONTAINS(b.data, hex);
  live_attach(NULL);
  buf_free(&b);
  events_free(&ev);
  lt_author_free(&other);
  lv_close(&t);
  return 0;
}
