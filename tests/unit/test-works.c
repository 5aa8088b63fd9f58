/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Works as content: an import's document blob and ImportWork replicate to
 * a second node, which materialises the identical work and renders the
 * same sentences; hostile documents are refused with nothing written. */
#include "glowfic_page.h"
#include "task.h"
#include "logtest.h"

#include "node/alloc.h"
#include "node/blobs.h"
#include "node/hex.h"
#include "node/importer.h"
#include "node/rsource.h"
#include "node/work_store.h"
#include "node/works.h"

/* Two nodes: A (the founder) and B, each with a store and a blob store. */
struct two {
  char *dir;
  struct tauthor a, b;
  struct db *dba, *dbb;
  struct feed *fa, *fb;
  struct blobs *ba, *bb;
  uint64_t copied; /* A's entries already given to B */
};

static void
two_open(struct two *t)
{
  char path[512];
  struct wire_entry e;

  memset(t, 0, sizeof(*t));
  t->dir = test_mkdtemp();
  lt_author(&t->a, t->dir, 0);
  lt_author(&t->b, t->dir, 1);
  lt_store(t->dir, "a.db", t->a.key, t->a.id, &t->dba, &t->fa);
  lt_store(t->dir, "b.db", t->a.key, t->b.id, &t->dbb, &t->fb);
  snprintf(path, sizeof(path), "%s/blobs-a", t->dir);
  ASSERT_OK(blobs_open(path, &t->ba));
  snprintf(path, sizeof(path), "%s/blobs-b", t->dir);
  ASSERT_OK(blobs_open(path, &t->bb));
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  e.name = xstrdup("works test");
  ASSERT_OK(feed_append(t->fa, &e, NULL));
  wire_entry_clear(&e);
}

static void
two_close(struct two *t)
{
  blobs_close(&t->ba);
  blobs_close(&t->bb);
  feed_free(&t->fa);
  feed_free(&t->fb);
  db_close(&t->dba);
  db_close(&t->dbb);
  lt_author_free(&t->a);
  lt_author_free(&t->b);
  test_rmdir(t->dir);
}

/* Give B every entry of A's feed it does not have yet, as replication
 * does (feed_get on one side, feed_receive on the other). */
static void
sync_log(struct two *t)
{
  struct feed_result res;
  uint8_t *buf;
  size_t len;

  for (;;) {
    int err = feed_get(t->fa, t->a.key, t->copied + 1, &buf, &len);
    if (err == ERR_NOT_FOUND)
      break;
    ASSERT_OK(err);
    ASSERT_EQ(lt_recv(t->fb, buf, len, &res), FEED_ACCEPTED);
    xfree(buf);
    t->copied++;
  }
}

/* Copy a blob from A's store to B's, as the blob exchange does. */
static void
copy_blob(struct two *t, const uint8_t hash[WIRE_HASH_BYTES])
{
  struct buf b;
  uint8_t h[WIRE_HASH_BYTES];

  buf_init(&b, BLOBS_MAX_BYTES);
  ASSERT_OK(blobs_get(t->ba, hash, &b));
  ASSERT_OK(blobs_put(t->bb, b.data, b.len, h));
  ASSERT(memcmp(h, hash, WIRE_HASH_BYTES) == 0);
  buf_free(&b);
}

static struct work *
load_html(const char *html)
{
  struct importer_opts o = {0, 300, 1u << 20};
  struct work *w = NULL;
  char errbuf[256];
  if (importer_from_bytes("test", html, strlen(html), &o, &w, errbuf,
                          sizeof(errbuf)))
    ASSERT_FAIL_("%s", errbuf);
  return w;
}

static struct work *
load_fixture(const char *name)
{
  struct importer_opts o = {0, 300, 8u << 20};
  struct work *w = NULL;
  char errbuf[256];
  if (importer_from_file(test_fixture(name), &o, &w, errbuf,
                         sizeof(errbuf)))
    ASSERT_FAIL_("%s", errbuf);
  return w;
}

/* Import w on A: store, publish; returns the doc hash. */
static void
import_a(struct two *t, const struct work *w, uint8_t hash[32])
{
  struct work_store_counts c;
  char errbuf[256];

  if (work_store_save(t->dba, w, 100, &c, errbuf, sizeof(errbuf)))
    ASSERT_FAIL_("%s", errbuf);
  if (works_publish(t->fa, t->ba, w, hash, errbuf, sizeof(errbuf)))
    ASSERT_FAIL_("%s", errbuf);
}

/* A digest of a work's stored sentences in story order (id, text, para,
 * pause, emphasis, speaker), to compare two stores. */
static void
work_digest(struct db *db, const char *work_id, char out[65])
{
  static const char sql[] =
      "SELECT s.sentence_id, s.text, s.para, s.pause, s.emph,"
      " coalesce(p.char_key, ''), p.post_key"
      " FROM work_sentences s JOIN work_posts p"
      " ON p.work_id = s.work_id AND p.post_key = s.post_key"
      " WHERE s.work_id = ?1 ORDER BY p.thread_pos, p.position, s.position";
  struct secure_hash_state *h = secure_hash_new();
  struct db_stmt *s = NULL;
  uint8_t d[32];
  int c, n = 0;

  ASSERT_OK(db_prepare(db, sql, &s));
  ASSERT_OK(db_bind_text(s, 1, work_id, -1));
  while (db_step(s) == DB_ROW) {
    for (c = 0; c < 7; c++) {
      const char *v = db_col_text(s, c);
      secure_hash_update(h, v ? v : "", v ? strlen(v) + 1 : 1);
    }
    n++;
  }
  db_finalize(&s);
  secure_hash_final(&h, d);
  ASSERT(n > 0);
  hex_encode(out, d, 32);
}

static int64_t
rows(struct db *db, const char *sql)
{
  return lt_count(db, sql);
}

TEST_IMPL(works_replicate_and_materialise)
{
  struct two t;
  struct work *w;
  struct work_store_counts ca, cb;
  struct wire_entry e;
  struct rsource *ra, *rb;
  uint8_t hash[32], book[WIRE_BOOK_ID_BYTES], id[WIRE_HASH_BYTES];
  char hex[65], stored[65] = "", da[65], db_[65], wid[WORK_ID_HEX];
  size_t done, waiting;
  int64_t n;
  uint32_t i;

  two_open(&t);
  w = load_fixture("glowfic/multi-author-3plus.html");
  work_id(w, wid);
  import_a(&t, w, hash);
  /* The blob is exactly what the works row's doc_hash names, and its
   * hash is BLAKE2b of its bytes (blobs_get checks that). */
  hex_encode(hex, hash, 32);
  work_store_doc_hash(w, stored);
  ASSERT_STR_EQ(hex, stored);
  {
    struct buf b;
    uint8_t h2[32];
    buf_init(&b, BLOBS_MAX_BYTES);
    ASSERT_OK(blobs_get(t.ba, hash, &b));
    secure_hash(h2, b.data, b.len, NULL, 0);
    ASSERT(memcmp(h2, hash, 32) == 0);
    n = rows(t.dba, "SELECT doc_size FROM st_works");
    ASSERT_EQ(n, (int64_t)b.len);
    buf_free(&b);
  }
  ASSERT_EQ(rows(t.dba, "SELECT count(*) FROM log_entries WHERE op=16"), 1);
  ASSERT_EQ(rows(t.dba, "SELECT sentences FROM st_works"),
            (int64_t)work_count_sentences(w));
  /* The current document is referenced (a blob GC keeps it). */
  ASSERT_EQ(works_doc_referenced(t.dba, hash), 1);
  {
    uint8_t other[32];
    memset(other, 0x77, sizeof(other));
    ASSERT_EQ(works_doc_referenced(t.dba, other), 0);
  }
  /* Nothing pending on A: its works row holds that document. */
  ASSERT_OK(works_materialise_pending(t.dba, t.ba, &done, &waiting));
  ASSERT_EQ(done, 0);
  ASSERT_EQ(waiting, 0);
  /* A book on A, so both nodes can look sentences up. */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup(wid);
  e.name = xstrdup("b");
  ASSERT_OK(feed_append(t.fa, &e, id));
  wire_entry_clear(&e);
  memcpy(book, id, sizeof(book));
  /* B gets the log first: the work waits for its blob. */
  sync_log(&t);
  ASSERT_OK(works_materialise_pending(t.dbb, t.bb, &done, &waiting));
  ASSERT_EQ(done, 0);
  ASSERT_EQ(waiting, 1);
  ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM works"), 0);
  copy_blob(&t, hash);
  ASSERT_OK(works_materialise_pending(t.dbb, t.bb, &done, &waiting));
  ASSERT_EQ(done, 1);
  ASSERT_EQ(waiting, 0);
  ASSERT_OK(work_store_count(t.dba, wid, &ca));
  ASSERT_OK(work_store_count(t.dbb, wid, &cb));
  ASSERT_EQ(ca.threads, cb.threads);
  ASSERT_EQ(ca.posts, cb.posts);
  ASSERT_EQ(ca.characters, cb.characters);
  ASSERT_EQ(ca.sentences, cb.sentences);
  ASSERT_EQ(ca.words, cb.words);
  work_digest(t.dba, wid, da);
  work_digest(t.dbb, wid, db_);
  ASSERT_STR_EQ(da, db_);
  /* Done: a second pass does nothing. */
  ASSERT_OK(works_materialise_pending(t.dbb, t.bb, &done, &waiting));
  ASSERT_EQ(done + waiting, 0);
  /* Both nodes send the same text, voice and lexicon to the engine. */
  ra = rsource_new(feed_state(t.fa), "espeak:en-us", 1);
  rb = rsource_new(feed_state(t.fb), "espeak:en-us", 1);
  for (i = 0; i < (uint32_t)ca.sentences; i++) {
    struct rsource_item ia, ib;
    char errbuf[128];
    if (rsource_get(ra, book, i, &ia, errbuf, sizeof(errbuf)))
      ASSERT_FAIL_("%s", errbuf);
    ASSERT_OK(rsource_get(rb, book, i, &ib, errbuf, sizeof(errbuf)));
    ASSERT_STR_EQ(ia.text, ib.text);
    ASSERT_STR_EQ(ia.voice, ib.voice);
    ASSERT_STR_EQ(ia.lexicon, ib.lexicon);
    ASSERT_EQ(ia.flags, ib.flags);
    rsource_item_clear(&ia);
    rsource_item_clear(&ib);
  }
  rsource_free(&ra);
  rsource_free(&rb);
  work_free(w);
  two_close(&t);
  return 0;
}

/* A re-import of a grown thread appends a new ImportWork; B, holding the
 * first version, materialises the second and keeps unchanged sentence
 * rows, exactly as A's store did. */
TEST_IMPL(works_reimport_travels)
{
  struct two t;
  struct work *w1, *w2;
  uint8_t h1[32], h2[32];
  char wid[WORK_ID_HEX], da[65], db_[65];
  size_t done, waiting;

  two_open(&t);
  w1 = load_html(GT_REPLY(1, "Ann", "<p>One. Two.</p>")
                 GT_REPLY(2, "Bo", "<p>Three.</p>"));
  w2 = load_html(GT_REPLY(1, "Ann", "<p>One. Two.</p>")
                 GT_REPLY(2, "Bo", "<p>Three. Four.</p>")
                 GT_REPLY(3, "Ann", "<p>Five.</p>"));
  work_id(w1, wid);
  import_a(&t, w1, h1);
  sync_log(&t);
  copy_blob(&t, h1);
  ASSERT_OK(works_materialise_pending(t.dbb, t.bb, &done, &waiting));
  ASSERT_EQ(done, 1);
  ASSERT_OK(db_exec(t.dbb, "CREATE TEMP TABLE kept AS SELECT sentence_id "
                    "FROM work_sentences"));
  import_a(&t, w2, h2);
  ASSERT(memcmp(h1, h2, 32) != 0);
  ASSERT_EQ(rows(t.dba, "SELECT count(*) FROM log_entries WHERE op=16"), 2);
  sync_log(&t);
  copy_blob(&t, h2);
  ASSERT_OK(works_materialise_pending(t.dbb, t.bb, &done, &waiting));
  ASSERT_EQ(done, 1);
  work_digest(t.dba, wid, da);
  work_digest(t.dbb, wid, db_);
  ASSERT_STR_EQ(da, db_);
  ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM work_sentences"), 5);
  /* "One." and "Two." kept their rows (and ids). */
  ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM work_sentences s JOIN kept k"
                 " USING (sentence_id)"), 3);
  work_free(w1);
  work_free(w2);
  two_close(&t);
  return 0;
}

/* Put doc into A's blob store and append an ImportWork naming it as
 * given (a hostile or broken member). */
static void
forge_import(struct two *t, const char *doc, size_t len, const char *wid,
             uint8_t hash[32])
{
  struct wire_entry e;

  ASSERT_OK(blobs_put(t->ba, doc, len, hash));
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_IMPORT_WORK;
  e.work_id = xstrdup(wid);
  memcpy(e.hash, hash, 32);
  e.size = len;
  e.url = xstrdup("x");
  e.name = xstrdup("x");
  ASSERT_OK(feed_append(t->fa, &e, NULL));
  wire_entry_clear(&e);
}

TEST_IMPL(works_refuse_hostile_documents)
{
  struct two t;
  struct work *w;
  struct buf b;
  uint8_t h[32], h2[32];
  char wid[WORK_ID_HEX], errbuf[256];
  size_t done, waiting;
  char *doc, *p;

  two_open(&t);
  w = load_html(GT_REPLY(1, "Ann", "<p>One. Two.</p>"));
  work_id(w, wid);
  import_a(&t, w, h);
  buf_init(&b, BLOBS_MAX_BYTES);
  ASSERT_OK(blobs_get(t.ba, h, &b));
  doc = xmalloc(b.len + 1);
  memcpy(doc, b.data, b.len + 1);
  /* Not JSON. */
  forge_import(&t, "{\"format\":1,", 12, wid, h2);
  sync_log(&t);
  copy_blob(&t, h2);
  ASSERT_OK(works_materialise_pending(t.dbb, t.bb, &done, &waiting));
  ASSERT_EQ(done, 0);
  ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM works"), 0);
  ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM work_doc_refused"), 1);
  /* Valid JSON, not canonical (a space added). */
  p = xasprintf(" %s", doc);
  forge_import(&t, p, strlen(p), wid, h2);
  xfree(p);
  sync_log(&t);
  copy_blob(&t, h2);
  ASSERT_OK(works_materialise_pending(t.dbb, t.bb, &done, &waiting));
  ASSERT_EQ(done, 0);
  ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM works"), 0);
  ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM work_doc_refused"), 2);
  /* A logged size over the cap is refused before any blob is read. */
  {
    struct wire_entry e;
    memset(&e, 0, sizeof(e));
    e.op = WIRE_OP_IMPORT_WORK;
    e.work_id = xstrdup(wid);
    memset(e.hash, 0x5a, 32);
    e.size = (uint64_t)WORKS_DOC_MAX_BYTES + 1;
    e.url = xstrdup("x");
    e.name = xstrdup("x");
    ASSERT_OK(feed_append(t.fa, &e, NULL));
    wire_entry_clear(&e);
    sync_log(&t);
    ASSERT_OK(works_materialise_pending(t.dbb, t.bb, &done, &waiting));
    ASSERT_EQ(done + waiting, 0);
    ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM work_doc_refused"), 3);
  }
  /* A sentence pointing past its post's paragraphs, canonical bytes. */
  p = strstr(doc, "\"para\":0");
  ASSERT(p != NULL);
  p[7] = '9';
  ASSERT_EQ(works_materialise(t.dbb, (const uint8_t *)doc, b.len, h, wid, 0,
                              0, 1, errbuf, sizeof(errbuf)), ERR_PARSE);
  secure_hash(h2, doc, b.len, NULL, 0);
  ASSERT_EQ(works_materialise(t.dbb, (const uint8_t *)doc, b.len, h2, wid,
                              0, 0, 1, errbuf, sizeof(errbuf)), ERR_PARSE);
  ASSERT(strstr(errbuf, "paragraphs") != NULL);
  /* The right document under another work's id. */
  p[7] = '0';
  ASSERT_EQ(works_materialise(t.dbb, (const uint8_t *)doc, b.len, h,
                              "00000000000000000000000000000000", 0, 0, 1,
                              errbuf, sizeof(errbuf)), ERR_PARSE);
  ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM works"), 0);
  ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM work_sentences"), 0);
  /* And the good one goes in. */
  ASSERT_OK(works_materialise(t.dbb, (const uint8_t *)doc, b.len, h, wid, 2,
                              1, 1, errbuf, sizeof(errbuf)));
  ASSERT_EQ(rows(t.dbb, "SELECT count(*) FROM work_sentences"), 2);
  xfree(doc);
  buf_free(&b);
  work_free(w);
  two_close(&t);
  return 0;
}

/* A partial page (later replies only) re-imported on A: the store keeps
 * the earlier posts, and the published document is the work as stored,
 * so a node that never held the first version (C) and one that did (B)
 * both end with A's exact tables. */
TEST_IMPL(works_partial_reimport_publishes_stored_work)
{
  struct two t;
  struct work *w1, *w2;
  struct db *dbc;
  struct feed *fc;
  struct blobs *bc;
  struct tauthor c;
  uint8_t h1[32], h2[32];
  char wid[WORK_ID_HEX], da[65], db_[65], dc[65], path[600], hex[65];
  size_t done, waiting;
  uint64_t copied = 0;

  two_open(&t);
  w1 = load_html(GT_REPLY(1, "Ann", "<p>One. Two.</p>")
                 GT_REPLY(2, "Bo", "<p>Three.</p>")
                 GT_REPLY(3, "Ann", "<p>Four.</p>"));
  w2 = load_html(GT_REPLY(3, "Ann", "<p>Four, edited. And more.</p>")
                 GT_REPLY(4, "Bo", "<p>Five.</p>"));
  work_id(w1, wid);
  import_a(&t, w1, h1);
  sync_log(&t);
  copy_blob(&t, h1);
  ASSERT_OK(works_materialise_pending(t.dbb, t.bb, &done, &waiting));
  ASSERT_EQ(done, 1);
  import_a(&t, w2, h2);
  /* The document in the log holds all four posts; the works row names it. */
  ASSERT_EQ(rows(t.dba, "SELECT posts FROM st_works"), 4);
  ASSERT_EQ(rows(t.dba, "SELECT sentences FROM st_works"), 6);
  hex_encode(hex, h2, 32);
  {
    char q[200];
    snprintf(q, sizeof(q), "SELECT count(*) FROM works WHERE doc_hash='%s'",
             hex);
    ASSERT_EQ(rows(t.dba, q), 1);
  }
  ASSERT_OK(works_materialise_pending(t.dba, t.ba, &done, &waiting));
  ASSERT_EQ(done + waiting, 0);
  sync_log(&t);
  copy_blob(&t, h2);
  ASSERT_OK(works_materialise_pending(t.dbb, t.bb, &done, &waiting));
  ASSERT_EQ(done, 1);
  /* C: a fresh node with only the current document. */
  lt_author(&c, t.dir, 2);
  lt_store(t.dir, "c.db", t.a.key, c.id, &dbc, &fc);
  snprintf(path, sizeof(path), "%s/blobs-c", t.dir);
  ASSERT_OK(blobs_open(path, &bc));
  for (;;) {
    struct feed_result res;
    uint8_t *buf;
    size_t len;
    int err = feed_get(t.fa, t.a.key, copied + 1, &buf, &len);
    if (err == ERR_NOT_FOUND)
      break;
    ASSERT_OK(err);
    ASSERT_EQ(lt_recv(fc, buf, len, &res), FEED_ACCEPTED);
    xfree(buf);
    copied++;
  }
  {
    struct buf b;
    uint8_t hh[32];
    buf_init(&b, BLOBS_MAX_BYTES);
    ASSERT_OK(blobs_get(t.ba, h2, &b));
    ASSERT_OK(blobs_put(bc, b.data, b.len, hh));
    buf_free(&b);
  }
  ASSERT_OK(works_materialise_pending(dbc, bc, &done, &waiting));
  ASSERT_EQ(done, 1);
  work_digest(t.dba, wid, da);
  work_digest(t.dbb, wid, db_);
  work_digest(dbc, wid, dc);
  ASSERT_STR_EQ(da, db_);
  ASSERT_STR_EQ(da, dc);
  ASSERT_EQ(rows(dbc, "SELECT count(*) FROM work_posts"), 4);
  blobs_close(&bc);
  feed_free(&fc);
  db_close(&dbc);
  lt_author_free(&c);
  work_free(w1);
  work_free(w2);
  two_close(&t);
  return 0;
}

/* Complete sentences [first, first + n) of book at take, with made-up
 * audio (a render is not what this test is about). */
static void
complete(struct two *t, const uint8_t *book, uint32_t first, uint32_t n,
         uint32_t take)
{
  struct wire_entry e;
  uint32_t i;

  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_COMPLETE;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  wire_sentences_range(&e.sent, first, n);
  e.take = take;
  e.audio = xcalloc(n, 32);
  e.sizes = xcalloc(n, sizeof(*e.sizes));
  e.durations_ms = xcalloc(n, sizeof(*e.durations_ms));
  for (i = 0; i < n; i++) {
    memset(e.audio + 32 * i, (int)(first + i + 1), 32);
    e.sizes[i] = 100;
    e.durations_ms[i] = 1000;
  }
  e.contexts = xcalloc(1, 32);
  e.ncontexts = 1;
  ASSERT_OK(feed_append(t->fa, &e, NULL));
  wire_entry_clear(&e);
}

static int64_t
task_take(struct db *db, uint32_t sentence)
{
  char q[96];
  snprintf(q, sizeof(q), "SELECT take FROM st_tasks WHERE sentence=%u",
           sentence);
  return rows(db, q);
}

/* A re-import that moves indices requests the moved sentences again (with
 * their takes), so no result made for another sentence counts as done;
 * growth at the end moves nothing and appends nothing. */
TEST_IMPL(works_rebase_moved_indices)
{
  struct two t;
  struct work *w1, *w2, *w3;
  struct wire_entry e;
  struct state_counts sc;
  uint8_t h[32], id[WIRE_HASH_BYTES], book[WIRE_BOOK_ID_BYTES];
  char wid[WORK_ID_HEX], *old = NULL;
  size_t n_old, again;
  int64_t entries;

  two_open(&t);
  w1 = load_html(GT_REPLY(1, "Ann", "<p>One. Two.</p>")
                 GT_REPLY(2, "Bo", "<p>Three.</p>")
                 GT_REPLY(3, "Ann", "<p>Four.</p>"));
  w2 = load_html(GT_REPLY(1, "Ann", "<p>One. Two.</p>")
                 GT_REPLY(2, "Bo", "<p>Three. Three and a half.</p>")
                 GT_REPLY(3, "Ann", "<p>Four.</p>")
                 GT_REPLY(4, "Bo", "<p>Five.</p>"));
  w3 = load_html(GT_REPLY(1, "Ann", "<p>One. Two.</p>")
                 GT_REPLY(2, "Bo", "<p>Three. Three and a half.</p>")
                 GT_REPLY(3, "Ann", "<p>Four.</p>")
                 GT_REPLY(4, "Bo", "<p>Five.</p>")
                 GT_REPLY(5, "Ann", "<p>Six.</p>"));
  work_id(w1, wid);
  import_a(&t, w1, h);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup(wid);
  e.name = xstrdup("b");
  ASSERT_OK(feed_append(t.fa, &e, id));
  wire_entry_clear(&e);
  memcpy(book, id, sizeof(book));
  e.op = WIRE_OP_START_RENDER;
  memcpy(e.book, book, sizeof(book));
  wire_sentences_range(&e.sent, 0, 4);
  ASSERT_OK(feed_append(t.fa, &e, NULL));
  wire_entry_clear(&e);
  complete(&t, book, 0, 4, 0);
  /* "Four." (index 3) re-rendered as take 2. */
  e.op = WIRE_OP_RERENDER;
  memcpy(e.book, book, sizeof(book));
  wire_sentences_range(&e.sent, 3, 1);
  e.take = 2;
  ASSERT_OK(feed_append(t.fa, &e, NULL));
  wire_entry_clear(&e);
  complete(&t, book, 3, 1, 2);
  ASSERT_OK(state_counts(feed_state(t.fa), &sc));
  ASSERT_EQ(sc.done, 4);
  /* A sentence inserted in post 2 moves "Four." from 3 to 4. */
  ASSERT_OK(works_story_ids(t.dba, wid, &old, &n_old));
  ASSERT_EQ(n_old, 4);
  import_a(&t, w2, h);
  ASSERT_OK(works_rebase(t.fa, wid, old, n_old, &again));
  xfree(old);
  ASSERT_EQ(again, 1);
  ASSERT_EQ(task_take(t.dba, 3), 2);
  ASSERT_OK(state_counts(feed_state(t.fa), &sc));
  ASSERT_EQ(sc.done, 3);
  ASSERT_EQ(sc.pending, 1);
  /* Growth at the end: nothing moves, nothing is appended. */
  ASSERT_OK(works_story_ids(t.dba, wid, &old, &n_old));
  import_a(&t, w3, h);
  entries = rows(t.dba, "SELECT count(*) FROM log_entries");
  ASSERT_OK(works_rebase(t.fa, wid, old, n_old, &again));
  xfree(old);
  ASSERT_EQ(again, 0);
  ASSERT_EQ(rows(t.dba, "SELECT count(*) FROM log_entries"), entries);
  work_free(w1);
  work_free(w2);
  work_free(w3);
  two_close(&t);
  return 0;
}
