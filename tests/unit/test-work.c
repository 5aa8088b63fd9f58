/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The work document: stable sentence ids, characters, canonical JSON. */
#include "task.h"

#include "node/alloc.h"
#include "node/buf.h"
#include "node/glowfic_html.h"
#include "node/text.h"
#include "node/work.h"

static struct work *
one_post(const char *html)
{
  struct work *w = work_new("test");
  struct work_thread *t = work_add_thread(w);
  struct work_post *p;

  t->id = 7;
  p = work_thread_add_post(w, t);
  p->id = 7;
  p->kind = WORK_POST_OP;
  p->character = xstrdup("Ann");
  p->author = xstrdup("alice");
  ASSERT_OK(text_from_string(p, html, strlen(html), 0));
  ASSERT_OK(work_finish(w, 300));
  return w;
}

TEST_IMPL(work_sentence_ids_are_stable)
{
  struct work *a = one_post("<p>Hello there. How are you? Hello there.</p>");
  struct work *b = one_post("<p>New first line.</p><p>Hello there. How are "
                            "you? Hello there. And more.</p>");
  const struct work_post *pa = &a->threads[0].posts[0];
  const struct work_post *pb = &b->threads[0].posts[0];

  ASSERT_EQ(pa->n_sents, 3);
  ASSERT_EQ(pb->n_sents, 5);
  /* Repeated text in one post gets distinct ids. */
  ASSERT(strcmp(pa->sents[0].id, pa->sents[2].id) != 0);
  /* An edit that adds text keeps the ids of the unchanged sentences. */
  ASSERT_STR_EQ(pa->sents[0].id, pb->sents[1].id);
  ASSERT_STR_EQ(pa->sents[1].id, pb->sents[2].id);
  ASSERT_STR_EQ(pa->sents[2].id, pb->sents[3].id);
  ASSERT_EQ(strlen(pa->sents[0].id), 32);
  ASSERT_STR_EQ(a->key, "glowfic:post:7");
  ASSERT_EQ(a->n_chars, 1);
  ASSERT_EQ(a->chars[0].posts, 1);
  ASSERT_EQ(a->chars[0].words, 7);
  work_free(a);
  work_free(b);
  return 0;
}

static void
sink(const char *data, size_t len, void *arg)
{
  ASSERT_OK(buf_append(arg, data, len));
}

TEST_IMPL(work_json_round_trip)
{
  char errbuf[256];
  size_t len;
  char *data = test_read_file(test_fixture("glowfic/multi-author-3plus.html"),
                              &len);
  struct work *w = work_new("multi"), *back;
  struct json *j, *j2, *parsed;
  char *s1, *s2;

  ASSERT_OK(glowfic_html_parse(w, data, len, 0, errbuf, sizeof(errbuf)));
  ASSERT_OK(work_finish(w, 300));
  j = work_to_json(w);
  s1 = json_print(j, 0);
  parsed = json_parse(s1, strlen(s1), errbuf, sizeof(errbuf));
  ASSERT_NOT_NULL(parsed);
  back = work_from_json(parsed, errbuf, sizeof(errbuf));
  ASSERT_NOT_NULL(back);
  j2 = work_to_json(back);
  s2 = json_print(j2, 0);
  ASSERT_STR_EQ(s1, s2); /* canonical: the same bytes again */
  {
    struct buf b;
    buf_init(&b, 1u << 26);
    work_json_stream(w, sink, &b);
    ASSERT_EQ(b.len, strlen(s1));
    ASSERT_OK(memcmp(b.data, s1, b.len)); /* streamed = whole */
    buf_free(&b);
  }
  ASSERT_EQ(work_count_sentences(back), work_count_sentences(w));
  ASSERT_EQ(work_count_words(back), work_count_words(w));
  ASSERT_EQ(back->n_chars, w->n_chars);
  /* A damaged document is refused with a reason. */
  work_free(back);
  json_free(parsed);
  memcpy(strstr(s1, "\"kind\":\"op\""), "\"kind\":\"xx\"", 11);
  parsed = json_parse(s1, strlen(s1), errbuf, sizeof(errbuf));
  ASSERT_NOT_NULL(parsed);
  back = work_from_json(parsed, errbuf, sizeof(errbuf));
  ASSERT_NULL(back);
  ASSERT_CONTAINS(errbuf, "kind");
  json_free(j);
  json_free(j2);
  json_free(parsed);
  xfree(s1);
  xfree(s2);
  work_free(w);
  free(data);
  return 0;
}

TEST_IMPL(work_json_stream_matches_cjson)
{
  struct work *w = work_new("odd \"source\"\\");
  struct work_thread *t = work_add_thread(w);
  struct work_post *p = work_thread_add_post(w, t);
  struct json *j;
  struct buf b;
  char *s;

  t->id = 12345678901LL; /* beyond an int: cJSON prints %1.15g */
  p->id = 4294967296LL;
  p->kind = WORK_POST_OP;
  p->character = xstrdup("Quote \" back\\slash \t tab \x01 ctl \x7f del");
  p->content = xstrdup("<p>line\nbreak\r\f\b \xe2\x80\x94 caf\xc3\xa9</p>");
  ASSERT_OK(work_post_add_para(p, "A \"b\" c.", 9, 2, WORK_PARA_QUOTE));
  ASSERT_OK(work_post_add_emph(p, 2, 3));
  ASSERT_OK(work_finish(w, 300));
  j = work_to_json(w);
  s = json_print(j, 0);
  buf_init(&b, 1u << 20);
  work_json_stream(w, sink, &b);
  ASSERT_STR_EQ(b.data, s);
  xfree(s);
  json_free(j);
  buf_free(&b);
  work_free(w);
  return 0;
}

TEST_IMPL(work_many_repeats_and_characters)
{
  struct work *w = work_new("big");
  struct work_thread *t = work_add_thread(w);
  struct work_post *p;
  char name[32];
  size_t i, j;

  /* One post repeating a line 3,000 times: ids stay distinct and the
   * same as a short post's for the first occurrences. */
  p = work_thread_add_post(w, t);
  p->id = 1;
  for (i = 0; i < 3000; i++)
    ASSERT_OK(work_post_add_para(p, "Again.", 6, 0, 0));
  /* 5,000 posts by 2,500 distinct characters. */
  for (i = 0; i < 5000; i++) {
    p = work_thread_add_post(w, t);
    p->id = (int64_t)i + 2;
    snprintf(name, sizeof(name), "C%zu", i % 2500);
    p->character = xstrdup(name);
    ASSERT_OK(work_post_add_para(p, "Hi.", 3, 0, 0));
  }
  ASSERT_OK(work_finish(w, 300));
  p = &w->threads[0].posts[0];
  ASSERT_EQ(p->n_sents, 3000);
  for (i = 0; i < 3000; i += 97) {
    char want[WORK_SENTENCE_ID_HEX];
    work_sentence_id(want, "r1", "Again.", (uint32_t)i);
    ASSERT_STR_EQ(p->sents[i].id, want);
    for (j = i + 1; j < 3000; j += 389)
      ASSERT(strcmp(p->sents[i].id, p->sents[j].id) != 0);
  }
  ASSERT_EQ(w->n_chars, 2500);
  for (i = 0; i < w->n_chars; i++)
    ASSERT_EQ(w->chars[i].posts, 2);
  work_free(w);
  return 0;
}
