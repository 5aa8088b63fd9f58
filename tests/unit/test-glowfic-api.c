/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Glowfic API bodies: the real post 7508 and its first replies, and the
 * site's own recorded examples (apipie_examples.json). */
#include "task.h"

#include "node/alloc.h"
#include "node/buf.h"
#include "node/glowfic_api.h"
#include "node/work.h"

static struct json *
load(const char *name)
{
  char errbuf[256];
  size_t len;
  char *data = test_read_file(test_fixture(name), &len);
  struct json *j = json_parse(data, len, errbuf, sizeof(errbuf));
  ASSERT_NOT_NULL(j);
  free(data);
  return j;
}

TEST_IMPL(glowfic_api_post_and_replies)
{
  struct json *post = load("glowfic/post_7508.json");
  struct json *replies = load("glowfic/replies_7508_p1.json");
  struct work *w = work_new("api");
  const struct work_post *p;
  char errbuf[256];
  size_t added;

  ASSERT_OK(glowfic_api_post(w, post, 0, errbuf, sizeof(errbuf)));
  ASSERT_OK(glowfic_api_replies(w, &w->threads[0], replies, 0, &added,
                                errbuf, sizeof(errbuf)));
  ASSERT_EQ(added, 5);
  /* The same page again adds nothing. */
  ASSERT_OK(glowfic_api_replies(w, &w->threads[0], replies, 0, &added,
                                errbuf, sizeof(errbuf)));
  ASSERT_EQ(added, 0);
  ASSERT_OK(work_finish(w, 300));
  ASSERT_EQ(w->threads[0].n_posts, 6);
  ASSERT_STR_EQ(w->key, "glowfic:post:7508");
  ASSERT_STR_EQ(w->title, "a clash of arms to be eternally remembered");
  ASSERT_STR_EQ(w->threads[0].description, "ridiculous premise #76");
  ASSERT_STR_EQ(w->threads[0].board,
                "a clash of arms to be eternally remembered");
  ASSERT_STR_EQ(w->threads[0].section,
                "A Clash of Arms to be Eternally Remembered");
  p = &w->threads[0].posts[0];
  ASSERT_EQ(p->kind, WORK_POST_OP);
  ASSERT_NULL(p->author); /* two authors: the API does not say which */
  ASSERT_STR_EQ(p->character, "Alexeara Cansellarion");
  ASSERT_EQ(p->character_id, 16334);
  ASSERT_STR_EQ(p->screenname, "third-of-that-name");
  ASSERT_STR_EQ(p->icon_keyword, "Third Alex");
  ASSERT_EQ(p->icon_id, 317804);
  p = &w->threads[0].posts[1];
  ASSERT_EQ(p->id, 2047693);
  ASSERT_STR_EQ(p->author, "lintamande");
  ASSERT_EQ(p->user_id, 34);
  ASSERT_STR_EQ(p->character, "Iomedae");
  ASSERT_NULL(p->screenname);
  ASSERT_STR_EQ(p->char_key, "c:10345");
  ASSERT_STR_EQ(p->sents[0].text,
                "\"It is possible to resurrect the mortal Iomedae,\" she says "
                "without disabusing him of the fairly ridiculous notion that "
                "he could in some way have spared Her the cost of telling him "
                "that.");
  p = &w->threads[0].posts[2];
  /* &hellip; and &rsquo; become the characters themselves. */
  ASSERT_CONTAINS(p->paras[0].text, "\xe2\x80\xa6That one might");
  ASSERT_CONTAINS(p->paras[0].text, "Lastwall\xe2\x80\x99s");
  ASSERT(p->paras[0].n_emph >= 4);
  work_free(w);
  json_free(post);
  json_free(replies);
  return 0;
}

static const struct json *
example(const struct json *all, const char *action, int64_t code)
{
  const struct json *e;
  int64_t c;
  for (e = json_first(json_get(all, action)); e; e = json_next(e)) {
    const char *cs = json_get_str(e, "code");
    if (cs == NULL && json_int(json_get(e, "code"), &c) != 0)
      continue;
    if (cs)
      c = strtoll(cs, NULL, 10);
    if (c == code)
      return json_get(e, "response_data");
  }
  ASSERT(!"example not found");
  return NULL;
}

TEST_IMPL(glowfic_api_site_examples)
{
  struct json *all = load("glowfic/apipie_examples.json");
  struct work *w = work_new("apipie");
  char errbuf[256];
  size_t added;
  const struct work_post *p;

  ASSERT_OK(glowfic_api_post(w, example(all, "posts#show", 200), 0, errbuf,
                             sizeof(errbuf)));
  ASSERT_OK(glowfic_api_replies(w, &w->threads[0],
                                example(all, "replies#index", 200), 0,
                                &added, errbuf, sizeof(errbuf)));
  ASSERT_GT(added, 1);
  ASSERT_OK(work_finish(w, 300));
  p = &w->threads[0].posts[0];
  ASSERT_STR_EQ(p->author, "JohnDoe00178"); /* a single author */
  ASSERT_STR_EQ(p->paras[0].text, "test content"); /* newline-only text */
  p = &w->threads[0].posts[1];
  ASSERT_NULL(p->character); /* narration */
  ASSERT_NULL(p->icon_url);
  ASSERT_STR_EQ(glowfic_api_error(example(all, "posts#show", 404)),
                "Post could not be found.");
  ASSERT_STR_EQ(glowfic_api_error(example(all, "replies#index", 403)),
                "You do not have permission to perform this action.");
  ASSERT_NULL(glowfic_api_error(example(all, "posts#show", 200)));
  /* Bodies of the wrong shape are refused. */
  ASSERT_EQ(glowfic_api_post(w, example(all, "posts#show", 404), 0, errbuf,
                             sizeof(errbuf)), ERR_PARSE);
  ASSERT_EQ(glowfic_api_replies(w, &w->threads[0],
                                example(all, "posts#show", 200), 0, &added,
                                errbuf, sizeof(errbuf)), ERR_PARSE);
  work_free(w);
  json_free(all);
  return 0;
}

TEST_IMPL(glowfic_api_many_replies_deduplicated)
{
  struct buf b;
  struct json *j;
  struct work *w = work_new("many");
  struct work_thread *t = work_add_thread(w);
  char errbuf[256];
  size_t i, added;

  /* 20,000 replies, each id twice: linear, and each kept once. */
  buf_init(&b, 1u << 26);
  ASSERT_OK(buf_append_str(&b, "["));
  for (i = 0; i < 40000; i++)
    ASSERT_OK(buf_printf(&b, "%s{\"id\": %zu, \"content\": \"<p>R %zu.</p>\", "
                         "\"user\": {\"id\": 1, \"username\": \"u\"}}",
                         i ? "," : "", 1 + i / 2, i / 2));
  ASSERT_OK(buf_append_str(&b, "]"));
  j = json_parse(b.data, b.len, errbuf, sizeof(errbuf));
  ASSERT_NOT_NULL(j);
  ASSERT_OK(glowfic_api_replies(w, t, j, 0, &added, errbuf, sizeof(errbuf)));
  ASSERT_EQ(added, 20000);
  ASSERT_OK(glowfic_api_replies(w, t, j, 0, &added, errbuf, sizeof(errbuf)));
  ASSERT_EQ(added, 0);
  ASSERT_EQ(t->n_posts, 20000);
  ASSERT_EQ(t->posts[19999].id, 20000);
  json_free(j);
  buf_free(&b);
  work_free(w);
  return 0;
}
