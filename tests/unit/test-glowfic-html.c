/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Glowfic HTML parsing on the shared real-page fixtures: the counts of
 * fixtures/glowfic/SOURCES.md and named posts' fields and text. */
#include "task.h"

#include "node/alloc.h"
#include "node/glowfic_html.h"
#include "node/work.h"

struct counts {
  size_t posts, op, icon, character, narration, time, empty;
};

static struct work *
parse_fixture(const char *name)
{
  char errbuf[256];
  size_t len;
  char *data = test_read_file(test_fixture(name), &len);
  struct work *w = work_new(name);
  int err = glowfic_html_parse(w, data, len, 0, errbuf, sizeof(errbuf));
  if (err)
    fprintf(stderr, "# %s: %s\n", name, errbuf);
  ASSERT_OK(err);
  free(data);
  ASSERT_OK(work_finish(w, 300));
  return w;
}

static void
count(const struct work *w, struct counts *c)
{
  size_t i;
  const struct work_thread *t = &w->threads[0];
  memset(c, 0, sizeof(*c));
  ASSERT_EQ(w->n_threads, 1);
  for (i = 0; i < t->n_posts; i++) {
    const struct work_post *p = &t->posts[i];
    c->posts++;
    c->op += p->kind == WORK_POST_OP;
    c->icon += p->icon_url != NULL;
    c->character += p->character != NULL;
    c->narration += p->character == NULL;
    c->time += p->created_at && strlen(p->created_at) == 20 &&
               p->created_at[10] == 'T';
    ASSERT(p->id > 0);
    ASSERT_NOT_NULL(p->author);
    /* Empty posts exist (icon-only reactions: alts 2, multi-author 1). */
    ASSERT_EQ(p->n_paras == 0, p->n_sents == 0);
    c->empty += p->n_paras == 0;
  }
}

static const struct work_post *
find_post(const struct work *w, int64_t id)
{
  size_t i;
  for (i = 0; i < w->threads[0].n_posts; i++) {
    if (w->threads[0].posts[i].id == id)
      return &w->threads[0].posts[i];
  }
  ASSERT(!"post not found");
  return NULL;
}

#define CHECK_COUNTS(file, N_, OP_, ICON_, CHR_, ALT_, TM_)                 \
  do {                                                                      \
    struct counts c_;                                                       \
    struct work *w_ = parse_fixture("glowfic/" file);                       \
    count(w_, &c_);                                                         \
    ASSERT_EQ(c_.posts, N_);                                                 \
    ASSERT_EQ(c_.op, OP_);                                                   \
    ASSERT_EQ(c_.icon, ICON_);                                               \
    ASSERT_EQ(c_.character, CHR_);                                           \
    ASSERT_EQ(c_.narration, ALT_);                                           \
    ASSERT_EQ(c_.time, TM_);                                                 \
    work_free(w_);                                                          \
  } while (0)

TEST_IMPL(glowfic_html_fixture_counts)
{
  CHECK_COUNTS("alts.html", 26, 1, 21, 26, 0, 26);
  CHECK_COUNTS("dialogue-2author.html", 40, 0, 40, 40, 0, 40);
  CHECK_COUNTS("icon-aspect.html", 36, 0, 36, 36, 0, 0);
  CHECK_COUNTS("icon-heavy.html", 30, 0, 30, 30, 0, 30);
  CHECK_COUNTS("multi-author-3plus.html", 40, 1, 28, 39, 1, 40);
  CHECK_COUNTS("thread-page.html", 3, 1, 3, 2, 1, 3);
  {
    struct counts c;
    struct work *w = parse_fixture("glowfic/alts.html");
    count(w, &c);
    ASSERT_EQ(c.empty, 2);
    work_free(w);
  }
  return 0;
}

TEST_IMPL(glowfic_html_flat_named_posts)
{
  struct work *w = parse_fixture("glowfic/multi-author-3plus.html");
  const struct work_post *p;

  ASSERT_EQ(w->threads[0].id, 60366);
  ASSERT_STR_EQ(w->key, "glowfic:post:60366");
  p = &w->threads[0].posts[0];
  ASSERT_EQ(p->kind, WORK_POST_OP);
  ASSERT_EQ(p->id, 60366);
  ASSERT_STR_EQ(p->author, "Eiko"); /* trimmed: flat OP has newlines */
  ASSERT_STR_EQ(p->character, "DRT Regional Coordinator Valerie Novak");
  ASSERT_NULL(p->icon_url);
  ASSERT_STR_EQ(p->created_at, "2026-06-10T21:13:22Z");
  p = find_post(w, 2626257);
  ASSERT_STR_EQ(p->character, "Seo Tae-hwan");
  ASSERT_STR_EQ(p->screenname, "standing_still"); /* <wbr> dropped */
  ASSERT_STR_EQ(p->author, "red");
  ASSERT_STR_EQ(p->icon_keyword, "(i)");
  ASSERT_CONTAINS(p->icon_url, "users%2F24%2Ficons");
  ASSERT_EQ(p->n_paras, 2);
  ASSERT_STR_EQ(p->paras[0].text,
                "They can meet up once Tae-hwan is at zero, yeah.");
  ASSERT_STR_EQ(p->sents[1].text, "\"Hello again, Ms. Novak.\"");
  ASSERT_EQ(p->character_id, 0); /* flat view has no ids */
  ASSERT_CONTAINS(p->char_key, "Seo Tae-hwan");
  work_free(w);
  return 0;
}

TEST_IMPL(glowfic_html_paginated_ids)
{
  struct work *w = parse_fixture("glowfic/icon-heavy.html");
  const struct work_post *p = find_post(w, 2542055);

  ASSERT_STR_EQ(p->character, "Lily Palpatine");
  ASSERT_EQ(p->character_id, 14608);
  ASSERT_EQ(p->user_id, 379);
  ASSERT_STR_EQ(p->author, "Decima");
  ASSERT_EQ(p->icon_id, 224474);
  ASSERT_STR_EQ(p->icon_keyword, "02.b.zz");
  ASSERT_STR_EQ(p->screenname, "wanting");
  ASSERT_STR_EQ(p->paras[0].text,
                "Palpatine sits up slowly. \"My future \xe2\x80\x93 ?\"");
  ASSERT_STR_EQ(p->char_key, "c:14608");
  p = find_post(w, 2542056);
  ASSERT_STR_EQ(p->updated_at, "2026-06-09T07:03:50Z");
  /* A paginated slice of replies: no link names the thread. */
  ASSERT_EQ(w->threads[0].id, 0);
  ASSERT_STR_EQ(w->key, "glowfic:reply:2542055");
  work_free(w);
  return 0;
}

TEST_IMPL(glowfic_html_old_markup)
{
  struct work *w = parse_fixture("glowfic/icon-aspect.html");
  const struct work_post *p = find_post(w, 594527);

  ASSERT_STR_EQ(p->character, "Worm characters");
  ASSERT_STR_EQ(p->icon_keyword, "Armsmaster"); /* the actual speaker */
  ASSERT_STR_EQ(p->author, "Nemo");
  ASSERT_STR_EQ(p->created_at, "Nov 21, 2015 11:50 PM");
  ASSERT(p->n_paras >= 2); /* <br> separates paragraphs */
  p = find_post(w, 594526);
  ASSERT_STR_EQ(p->character, "Alisyrrabel | Promise");
  ASSERT(p->paras[0].n_emph >= 1);
  work_free(w);
  return 0;
}

TEST_IMPL(glowfic_html_thread_page_narration)
{
  struct work *w = parse_fixture("glowfic/thread-page.html");
  const struct work_post *p = &w->threads[0].posts[0];

  ASSERT_EQ(p->kind, WORK_POST_OP);
  ASSERT_EQ(p->id, 100);
  ASSERT_STR_EQ(p->character, "Mountain");
  ASSERT_EQ(p->character_id, 588);
  ASSERT_STR_EQ(p->author, "Rockeye");
  p = find_post(w, 24987);
  ASSERT_NULL(p->character); /* author-only post, yet with an icon */
  ASSERT_NULL(p->char_key);
  ASSERT_NOT_NULL(p->icon_url);
  ASSERT_EQ(w->n_chars, 1);
  work_free(w);
  return 0;
}

TEST_IMPL(glowfic_html_alts_keep_apart)
{
  struct work *w = parse_fixture("glowfic/alts.html");
  size_t i, carissa = 0;

  for (i = 0; i < w->n_chars; i++)
    carissa += strcmp(w->chars[i].name, "Carissa Sevar") == 0;
  ASSERT_GE(carissa, 2); /* same name, different screennames/ids */
  work_free(w);
  return 0;
}

TEST_IMPL(glowfic_html_bad_input)
{
  static const char *const bad[] = {
    "", "<html><body><p>Hello, world.</p></body></html>",
    "not html at all", "{\"id\": 1}",
    "<html><head><title>Continuities | Glowfic Constellation</title></head>"
    "<body><div class=\"post-container post-reply\"></div></body></html>",
    NULL};
  char errbuf[256];
  size_t i;

  for (i = 0; bad[i]; i++) {
    struct work *w = work_new("bad");
    errbuf[0] = '\0';
    ASSERT(glowfic_html_parse(w, bad[i], strlen(bad[i]), 0, errbuf,
                              sizeof(errbuf)) < 0);
    ASSERT(errbuf[0] != '\0');
    work_free(w);
  }
  return 0;
}

TEST_IMPL(glowfic_html_truncated_page)
{
  char errbuf[256];
  size_t len;
  char *data = test_read_file(test_fixture("glowfic/thread-page.html"),
                              &len);
  struct work *w = work_new("cut");
  /* Cut in the middle of the second post. */
  ASSERT(glowfic_html_parse(w, data, len / 2, 0, errbuf,
                            sizeof(errbuf)) < 0);
  ASSERT_CONTAINS(errbuf, "cut short");
  work_free(w);
  free(data);
  /* A fragment (no <html>) cut inside its last post. */
  data = test_read_file(test_fixture("glowfic/multi-author-3plus.html"),
                        &len);
  {
    char *last = NULL, *p = data;
    while ((p = strstr(p, "<div class=\"post-footer\"")) != NULL)
      last = p++;
    ASSERT_NOT_NULL(last);
    w = work_new("cut fragment");
    ASSERT_EQ(glowfic_html_parse(w, data, (size_t)(last - data), 0, errbuf,
                                 sizeof(errbuf)), ERR_PARSE);
    ASSERT_CONTAINS(errbuf, "no footer");
    work_free(w);
  }
  free(data);
  return 0;
}

#define BLOCK(cls, anchor, perma, chr, text)                               \
  "<div class=\"post-container " cls "\">" anchor                           \
  "<div class=\"padding-10\"><div class=\"post-info-box\"><div "            \
  "class=\"post-info-text\"><div class=\"post-character\">" chr "</div>"    \
  "<div class=\"post-author\">au</div></div></div><div "                    \
  "class=\"post-edit-box\"><a rel=\"alternate\" href=\"" perma "\"></a>"    \
  "</div><div class=\"post-content\">" text "</div></div><div "            \
  "class=\"post-footer\">Posted x</div></div>"
#define OP(text) BLOCK("post-post", "", "/posts/77", "Op", text)
#define REPLY(id, text)                                                     \
  BLOCK("post-reply ", "<a class=\"noheight\" id=\"reply-" #id "\"> </a>",  \
        "/replies/" #id, "Re", text)
#define PAGE(head, body)                                                    \
  "<html><head><title>T | Glowfic Constellation</title>" head "</head>"     \
  "<body><div id=\"content\"><span id=\"post-title\">The Title</span>"      \
  body "</div></body></html>"

static void
parse_into(struct work *w, const char *html)
{
  char errbuf[256];
  int err = glowfic_html_parse(w, html, strlen(html), 0, errbuf,
                               sizeof(errbuf));
  if (err)
    fprintf(stderr, "# %s\n", errbuf);
  ASSERT_OK(err);
}

TEST_IMPL(glowfic_html_pages_merge)
{
  struct work *w = work_new("pages");
  const struct work_thread *t;

  /* Page 2 first (its OP hidden in the expander), then page 1. */
  parse_into(w, PAGE("<link rel=\"canonical\" href=\"/posts/77?page=2\">",
                     "<div class=\"post-expander\"><div class=\"info\">+ "
                     "Show First Post</div><div class=\"hidden\">"
                     OP("<p>Opening.</p>") "</div></div>"
                     REPLY(3, "<p>Third.</p>") REPLY(4, "<p>Fourth.</p>")));
  parse_into(w, PAGE("", OP("<p>Opening.</p>") REPLY(1, "<p>First.</p>")
                     REPLY(2, "<p>Second.</p>")));
  ASSERT_OK(work_finish(w, 300));
  ASSERT_EQ(w->n_threads, 1);
  t = &w->threads[0];
  ASSERT_EQ(t->id, 77);
  ASSERT_STR_EQ(t->subject, "The Title");
  ASSERT_EQ(t->n_posts, 5); /* the OP once */
  ASSERT_EQ(t->posts[0].kind, WORK_POST_OP);
  ASSERT_EQ(t->posts[0].id, 77);
  work_free(w);
  return 0;
}

TEST_IMPL(glowfic_html_nested_containers)
{
  struct work *w = work_new("nested");
  const struct work_thread *t;

  /* A post quoting a post block inside its content stays one post. */
  parse_into(w, PAGE("", OP("<p>Opening.</p>")
                     REPLY(1, "<p>Look:</p>" REPLY(99, "<p>Quoted.</p>")
                              "<p>End.</p>")
                     REPLY(2, "<p>Next.</p>")));
  ASSERT_OK(work_finish(w, 300));
  t = &w->threads[0];
  ASSERT_EQ(t->n_posts, 3);
  ASSERT_EQ(t->posts[1].id, 1);
  ASSERT_EQ(t->posts[2].id, 2);
  ASSERT_CONTAINS(t->posts[1].content, "Quoted.");
  ASSERT_STR_EQ(t->posts[1].paras[t->posts[1].n_paras - 1].text, "End.");
  work_free(w);
  return 0;
}

TEST_IMPL(glowfic_html_latin1_declared_still_utf8)
{
  struct work *w = work_new("charset");
  /* Bytes are UTF-8 whatever the page claims (GLOWFIC.md 3.5). */
  parse_into(w, PAGE("<meta charset=\"iso-8859-1\">",
                     OP("<p>Caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve.</p>")));
  ASSERT_OK(work_finish(w, 300));
  ASSERT_STR_EQ(w->threads[0].posts[0].paras[0].text,
                "Caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve.");
  work_free(w);
  return 0;
}

TEST_IMPL(glowfic_html_bad_utf8_is_repaired)
{
  struct work *w = work_new("bad utf-8");
  /* A stray Latin-1 byte becomes U+FFFD (libxml2 would pass it through
   * into the text); the UTF-8 around it is untouched. */
  parse_into(w, PAGE("", OP("<p>Caf\xe9 then caf\xc3\xa9 \xe2\x80\x94 ok.</p>")
                     REPLY(1, "<p>Na\xc3\xafve.</p>")));
  ASSERT_OK(work_finish(w, 300));
  ASSERT_STR_EQ(w->threads[0].posts[0].paras[0].text,
                "Caf\xef\xbf\xbd then caf\xc3\xa9 \xe2\x80\x94 ok.");
  ASSERT_STR_EQ(w->threads[0].posts[1].paras[0].text, "Na\xc3\xafve.");
  work_free(w);
  return 0;
}
