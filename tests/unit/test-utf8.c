/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* UTF-8 repair, and API strings that are not UTF-8. */
#include "task.h"

#include "node/alloc.h"
#include "node/glowfic_api.h"
#include "node/utf8.h"

static void
repaired(const char *in, size_t len, const char *want)
{
  size_t n = len;
  char *out = utf8_repair(in, &n);
  if (want == NULL) {
    ASSERT_NULL(out);
    ASSERT_EQ(n, len);
    return;
  }
  ASSERT_NOT_NULL(out);
  ASSERT_EQ(n, strlen(want));
  ASSERT_STR_EQ(out, want);
  xfree(out);
}

#define FFFD "\xef\xbf\xbd"

TEST_IMPL(utf8_repair_cases)
{
  repaired("plain ascii", 11, NULL);
  repaired("caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x90\xa6", 14, NULL);
  repaired("caf\xe9!", 5, "caf" FFFD "!");           /* Latin-1 byte */
  repaired("\xc0\xaf", 2, FFFD FFFD);                /* overlong '/' */
  repaired("\xed\xa0\x80", 3, FFFD FFFD FFFD);       /* surrogate */
  repaired("ab\xe2\x80", 4, "ab" FFFD FFFD);         /* cut sequence */
  repaired("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD); /* > U+10FFFF */
  repaired("a\0b", 3, NULL);                          /* NUL is valid */
  ASSERT_NULL(utf8_dup(NULL));
  {
    char *d = utf8_dup("x\xffy");
    ASSERT_STR_EQ(d, "x" FFFD "y");
    xfree(d);
  }
  return 0;
}

TEST_IMPL(utf8_api_strings_repaired)
{
  static const char body[] =
    "[{\"id\": 5, \"content\": \"<p>Caf\xe9.</p>\", \"created_at\": null, "
    "\"updated_at\": null, \"character_name\": \"B\xff\", \"character\": "
    "{\"id\": 2, \"name\": \"B\xff\", \"screenname\": null}, \"icon\": "
    "null, \"user\": {\"id\": 3, \"username\": \"u\xfe\"}}]";
  char errbuf[256];
  struct json *j = json_parse(body, sizeof(body) - 1, errbuf,
                              sizeof(errbuf));
  struct work *w = work_new("api");
  struct work_thread *t = work_add_thread(w);
  size_t added;

  ASSERT_NOT_NULL(j);
  ASSERT_OK(glowfic_api_replies(w, t, j, 0, &added, errbuf, sizeof(errbuf)));
  ASSERT_OK(work_finish(w, 300));
  ASSERT_STR_EQ(t->posts[0].author, "u" FFFD);
  ASSERT_STR_EQ(t->posts[0].character, "B" FFFD);
  ASSERT_STR_EQ(t->posts[0].content, "<p>Caf" FFFD ".</p>");
  ASSERT_STR_EQ(t->posts[0].sents[0].text, "Caf" FFFD ".");
  json_free(j);
  work_free(w);
  return 0;
}
