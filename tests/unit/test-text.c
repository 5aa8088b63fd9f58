/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Text for speech (content to paragraphs) and sentence segmentation. */
#include "task.h"

#include "node/alloc.h"
#include "node/segment.h"
#include "node/text.h"
#include "node/work.h"

static void
from(struct work_post *p, const char *s, unsigned flags)
{
  memset(p, 0, sizeof(*p));
  ASSERT_OK(text_from_string(p, s, strlen(s), flags));
}

TEST_IMPL(text_keeps_every_character)
{
  struct work_post p;
  from(&p, "<p>\xe2\x80\x9cWait\xe2\x80\xa6\xe2\x80\x9d she said \xe2\x80"
           "\x94 <em>quietly</em>. Caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac "
           "&amp; &hellip;</p>", 0);
  ASSERT_EQ(p.n_paras, 1);
  ASSERT_STR_EQ(p.paras[0].text,
                "\xe2\x80\x9cWait\xe2\x80\xa6\xe2\x80\x9d she said \xe2\x80"
                "\x94 quietly. Caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac & "
                "\xe2\x80\xa6");
  ASSERT_EQ(p.paras[0].n_emph, 1);
  ASSERT_EQ(p.paras[0].emph[0].len, strlen("quietly"));
  ASSERT_EQ(memcmp(p.paras[0].text + p.paras[0].emph[0].start, "quietly", 7),
            0);
  work_post_clear(&p);
  return 0;
}

TEST_IMPL(text_pauses_images_links)
{
  struct work_post p;
  from(&p, "<p>One.</p><p>&nbsp;</p><p>&nbsp;</p><p>Two <a href=\"/x\">link"
           "</a> <img src=\"a.png\" alt=\"a red door\"> end.</p>"
           "<blockquote><p>Quoted.</p></blockquote>", 0);
  ASSERT_EQ(p.n_paras, 3);
  ASSERT_EQ(p.paras[0].pause, 0);
  ASSERT_EQ(p.paras[1].pause, 2);
  ASSERT_STR_EQ(p.paras[1].text, "Two link a red door end.");
  ASSERT_EQ(p.paras[2].flags, WORK_PARA_QUOTE);
  work_post_clear(&p);
  from(&p, "<p>Two <img src=\"a.png\" alt=\"a red door\"> end.</p>",
       TEXT_SKIP_IMAGES);
  ASSERT_STR_EQ(p.paras[0].text, "Two end.");
  work_post_clear(&p);
  return 0;
}

TEST_IMPL(text_newline_content)
{
  struct work_post p;
  /* API content without <p>/<br>: blank line = paragraph, \n = break. */
  from(&p, "First line\r\nsecond line\r\n\r\nNew *paragraph* here.", 0);
  ASSERT_EQ(p.n_paras, 3);
  ASSERT_STR_EQ(p.paras[0].text, "First line");
  ASSERT_STR_EQ(p.paras[1].text, "second line");
  ASSERT_STR_EQ(p.paras[2].text, "New paragraph here."); /* Markdown */
  ASSERT_EQ(p.paras[2].n_emph, 1);
  work_post_clear(&p);
  /* <wbr> (a container in libxml2 2.9) keeps the text after it. */
  from(&p, "<p>there_<wbr>to_<wbr>stay and more</p>", 0);
  ASSERT_STR_EQ(p.paras[0].text, "there_to_stay and more");
  work_post_clear(&p);
  from(&p, "", 0);
  ASSERT_EQ(p.n_paras, 0);
  work_post_clear(&p);
  return 0;
}

TEST_IMPL(text_markdown_marks)
{
  struct work_post p;
  /* Markdown-editor text: marks become emphasis, links their text;
   * marks that are not emphasis stay as written. */
  from(&p, "She *sighs*. **Never** again, she said_to_herself; "
           "see [the map](https://example.com/m) and 2 * 3 * 4. "
           "__Done__ _ok_\n\nNext *para", 0);
  ASSERT_EQ(p.n_paras, 2);
  ASSERT_STR_EQ(p.paras[0].text, "She sighs. Never again, she "
                "said_to_herself; see the map and 2 * 3 * 4. Done ok");
  ASSERT_EQ(p.paras[0].n_emph, 4);
  ASSERT_EQ(memcmp(p.paras[0].text + p.paras[0].emph[0].start, "sighs", 5),
            0);
  ASSERT_EQ(p.paras[0].emph[1].len, 5); /* Never */
  ASSERT_STR_EQ(p.paras[1].text, "Next *para"); /* unclosed: literal */
  work_post_clear(&p);
  return 0;
}

struct sents {
  char text[16][400];
  size_t n;
};

static int
collect(const char *text, size_t len, void *arg)
{
  struct sents *s = arg;
  ASSERT(len > 0 && len < 400 && s->n < 16);
  memcpy(s->text[s->n], text, len);
  s->text[s->n][len] = '\0';
  s->n++;
  return 0;
}

TEST_IMPL(segment_sentences_and_abbreviations)
{
  struct segment *seg;
  struct sents s;
  const char *t = "  Mr. Smith met Mrs. Jones at 3 P.M. today.  \"Really?\" "
                  "she asked! Yes\xe2\x80\xa6 ";

  ASSERT_OK(segment_new("en", 300, &seg));
  memset(&s, 0, sizeof(s));
  ASSERT_OK(segment_text(seg, t, strlen(t), collect, &s));
  ASSERT_EQ(s.n, 3);
  ASSERT_STR_EQ(s.text[0], "Mr. Smith met Mrs. Jones at 3 P.M. today.");
  ASSERT_STR_EQ(s.text[1], "\"Really?\" she asked!");
  ASSERT_STR_EQ(s.text[2], "Yes\xe2\x80\xa6");
  memset(&s, 0, sizeof(s));
  ASSERT_OK(segment_text(seg, "   \n ", 5, collect, &s));
  ASSERT_EQ(s.n, 0);
  segment_free(seg);
  ASSERT_EQ(segment_new("en", 10, &seg), ERR_INVAL);
  return 0;
}

TEST_IMPL(segment_long_sentences_split_at_clauses)
{
  struct segment *seg;
  struct sents s;
  char text[1200];
  size_t i;

  /* 40-char cap; clauses of about 30 characters joined by commas. */
  ASSERT_OK(segment_new("en", 40, &seg));
  text[0] = '\0';
  for (i = 0; i < 8; i++)
    snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s",
             "the long road wound on and on, ");
  snprintf(text + strlen(text), sizeof(text) - strlen(text), "and ended.");
  memset(&s, 0, sizeof(s));
  ASSERT_OK(segment_text(seg, text, strlen(text), collect, &s));
  ASSERT_GT(s.n, 4);
  for (i = 0; i < s.n; i++) {
    ASSERT_LE(segment_utf8_len(s.text[i], strlen(s.text[i])), 40);
    ASSERT(s.text[i][0] != ' ');
    if (i + 1 < s.n)
      ASSERT_EQ(s.text[i][strlen(s.text[i]) - 1], ',');
  }
  /* No break opportunity at all: cut at the cap, on a code point. */
  memset(text, 0, sizeof(text));
  for (i = 0; i < 100; i++)
    memcpy(text + 3 * i, "\xe2\x80\x94", 3);
  memset(&s, 0, sizeof(s));
  ASSERT_OK(segment_text(seg, text, strlen(text), collect, &s));
  ASSERT_EQ(s.n, 3);
  {
    size_t total = 0;
    for (i = 0; i < s.n; i++) {
      total += segment_utf8_len(s.text[i], strlen(s.text[i]));
      ASSERT_LE(segment_utf8_len(s.text[i], strlen(s.text[i])), 40);
    }
    ASSERT_EQ(total, 100);
  }
  segment_free(seg);
  return 0;
}

/* Block-level Markdown from the API (GLOWFIC.md 2) becomes the same
 * paragraphs and hints as the HTML the site renders from it. */
TEST_IMPL(text_markdown_blocks)
{
  struct work_post p, h;
  size_t i;

  from(&p, "# The Tower\n\nShe climbs.  \nStill climbing.\n\n"
           "1999. The year it fell.\n\n"
           "> *Who goes there?*\n> the door asks.\n\n"
           "- bread\n- salt\n\n"
           "3. third\n4. fourth\n\n"
           "Go to [the map](https://example.com/m) <i>now</i> & fast.\n\n"
           "***\n\nEnd.", 0);
  from(&h, "<h1>The Tower</h1><p>She climbs.<br>Still climbing.</p>"
           "<ol start=\"1999\"><li>The year it fell.</li></ol>"
           "<blockquote><p><em>Who goes there?</em><br>the door asks.</p>"
           "</blockquote><ul><li>bread</li><li>salt</li></ul>"
           "<ol start=\"3\"><li>third</li><li>fourth</li></ol>"
           "<p>Go to <a href=\"https://example.com/m\">the map</a> <i>now</i>"
           " &amp; fast.</p><hr><p>End.</p>", 0);
  ASSERT_EQ(p.n_paras, 12);
  ASSERT_EQ(p.n_paras, h.n_paras);
  for (i = 0; i < p.n_paras; i++) {
    ASSERT_STR_EQ(p.paras[i].text, h.paras[i].text);
    ASSERT_EQ(p.paras[i].flags, h.paras[i].flags);
    ASSERT_EQ(p.paras[i].pause, h.paras[i].pause);
    ASSERT_EQ(p.paras[i].n_emph, h.paras[i].n_emph);
  }
  ASSERT_STR_EQ(p.paras[0].text, "The Tower");
  ASSERT_EQ(p.paras[0].flags, WORK_PARA_HEADING);
  ASSERT_STR_EQ(p.paras[2].text, "Still climbing.");
  ASSERT_STR_EQ(p.paras[3].text, "1999. The year it fell.");
  ASSERT_STR_EQ(p.paras[4].text, "Who goes there?");
  ASSERT_EQ(p.paras[4].flags, WORK_PARA_QUOTE);
  ASSERT_EQ(p.paras[4].n_emph, 1);
  ASSERT_STR_EQ(p.paras[6].text, "bread");
  ASSERT_EQ(p.paras[6].flags, WORK_PARA_ITEM);
  ASSERT_STR_EQ(p.paras[8].text, "3. third");
  ASSERT_STR_EQ(p.paras[9].text, "4. fourth");
  ASSERT_STR_EQ(p.paras[10].text, "Go to the map now & fast.");
  ASSERT_EQ(p.paras[10].n_emph, 1);
  ASSERT_STR_EQ(p.paras[11].text, "End.");
  ASSERT_EQ(p.paras[11].pause, 1); /* the rule is a pause */
  work_post_clear(&p);
  work_post_clear(&h);
  /* a loose list keeps the number with its paragraph */
  from(&p, "1. one\n\n2. two\n", 0);
  ASSERT_EQ(p.n_paras, 2);
  ASSERT_STR_EQ(p.paras[1].text, "2. two");
  work_post_clear(&p);
  return 0;
}
