/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* rsource: a sentence's text in story order, its voice by the resolution
 * order (snippet > post > character > book default > the node's voice),
 * the speaker announcement, the lexicon and the render context. */
#include <stdio.h>
#include <string.h>

#include "logtest.h"
#include "node/alloc.h"
#include "node/rsource.h"
#include "node/voice.h"
#include "task.h"

/* Three posts (Alice, narration by bob, Alice) with 2, 1 and 2
 * sentences; rows inserted out of story order, sentence ids unordered. */
static const char *const work_sql =
  "INSERT INTO works VALUES ('w1','glowfic:post:1','t','T','h',0,1);"
  "INSERT INTO work_posts (work_id, post_key, thread_pos, position,"
  " glowfic_id, kind, user_id, author, char_key, character_id, character,"
  " icon_id, text_hash, words) VALUES"
  " ('w1','r3',0,2,3,'reply',1,'carol','c:1',1,'Alice',0,'x',3),"
  " ('w1','p1',0,0,1,'op',1,'carol','c:1',1,'Alice',0,'x',3),"
  " ('w1','r2',0,1,2,'reply',2,'bob',NULL,0,NULL,0,'x',1);"
  "INSERT INTO work_sentences VALUES"
  " ('w1','z0','p1',0,0,0,0,'Hello there.'),"
  " ('w1','a1','p1',1,0,0,0,'Second one.'),"
  " ('w1','m2','r2',0,0,0,0,'The lamp flickered.'),"
  " ('w1','b4','r3',1,0,0,0,'More words.'),"
  " ('w1','k3','r3',0,0,0,0,'Alice again.');";

static void
append(struct feed *f, struct wire_entry *e, uint8_t id[WIRE_HASH_BYTES])
{
  ASSERT_OK(feed_append(f, e, id));
  wire_entry_clear(e);
}

static void
expect(struct rsource *s, const uint8_t *book, uint32_t i, const char *spec,
       const char *text, struct rsource_item *it)
{
  char errbuf[160], canon[VOICE_SPEC_MAX];
  struct voice v;

  ASSERT_OK(voice_parse(spec, &v, errbuf, sizeof(errbuf)));
  ASSERT_OK(voice_format(&v, canon, sizeof(canon)));
  ASSERT_OK(rsource_get(s, book, i, it, errbuf, sizeof(errbuf)));
  ASSERT_STR_EQ(it->voice, canon);
  ASSERT_STR_EQ(it->text, text);
}

TEST_IMPL(rsource_text_voice_and_context)
{
  char *dir = test_mkdtemp(), errbuf[160];
  struct tauthor me;
  struct db *db;
  struct feed *f;
  struct wire_entry e;
  struct rsource *s;
  struct rsource_item it[5], other;
  uint8_t id[WIRE_HASH_BYTES], book[WIRE_BOOK_ID_BYTES];
  uint8_t bare[WIRE_BOOK_ID_BYTES];
  int i;

  lt_author(&me, dir, 0);
  lt_store(dir, "s.db", me.key, me.id, &db, &f);
  ASSERT_OK(db_exec(db, work_sql));
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  e.name = xstrdup("swarm");
  append(f, &e, id);
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w1");
  e.name = xstrdup("b");
  e.voice = xstrdup("espeak:en-us");
  append(f, &e, id);
  memcpy(book, id, WIRE_BOOK_ID_BYTES);
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w1");
  e.name = xstrdup("no default");
  append(f, &e, id);
  memcpy(bare, id, WIRE_BOOK_ID_BYTES);
  e.op = WIRE_OP_CAST_CHARACTER;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  e.text = xstrdup("c:1");
  e.voice = xstrdup("espeak:de");
  append(f, &e, id);
  e.op = WIRE_OP_CAST_POST;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  e.post = 2;
  e.voice = xstrdup("espeak:es");
  append(f, &e, id);
  e.op = WIRE_OP_CAST_SNIPPET;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  e.first = e.last = 4;
  e.voice = xstrdup("espeak:fr");
  append(f, &e, id);
  e.op = WIRE_OP_LEXICON;
  memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
  e.text = xstrdup("lamp");
  e.pron = xstrdup("lantern");
  append(f, &e, id);

  s = rsource_new(feed_state(f), "espeak:it", 1);
  /* character cast, announced at the post's start only */
  expect(s, book, 0, "espeak:de", "Alice. Hello there.", &it[0]);
  expect(s, book, 1, "espeak:de", "Second one.", &it[1]);
  /* narration: the book's default; the lexicon applies */
  expect(s, book, 2, "espeak:en-us", "bob. The lantern flickered.", &it[2]);
  ASSERT_STR_EQ(it[2].lexicon, "lamp=lantern\n");
  /* a post override beats the character, a snippet beats the post */
  expect(s, book, 3, "espeak:es", "Alice. Alice again.", &it[3]);
  expect(s, book, 4, "espeak:fr", "More words.", &it[4]);
  /* no casting at all: the node's voice */
  expect(s, bare, 2, "espeak:it", "bob. The lamp flickered.", &other);
  rsource_item_clear(&other);
  ASSERT_EQ(rsource_get(s, book, 5, &other, errbuf, sizeof(errbuf)),
            ERR_NOT_FOUND);
  ASSERT(strstr(errbuf, "sentence 5") != NULL);
  /* announcements off */
  rsource_free(&s);
  s = rsource_new(feed_state(f), "espeak:it", 0);
  expect(s, book, 0, "espeak:de", "Hello there.", &other);
  rsource_item_clear(&other);

  for (i = 0; i < 5; i++)
    rsource_item_clear(&it[i]);
  rsource_free(&s);
  feed_free(&f);
  db_close(&db);
  lt_author_free(&me);
  test_rmdir(dir);
  return 0;
}
