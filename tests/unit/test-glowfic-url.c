/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The Glowfic URL forms users paste (GLOWFIC.md 6). */
#include "task.h"

#include "node/glowfic_url.h"

#define BASE "https://glowfic.com"

static void
expect(const char *url, enum glowfic_url_kind kind, int64_t id)
{
  struct glowfic_url u;
  char errbuf[256];
  int err = glowfic_url_parse(url, BASE, &u, errbuf, sizeof(errbuf));
  if (err)
    fprintf(stderr, "# %s: %s\n", url, errbuf);
  ASSERT_OK(err);
  ASSERT_EQ(u.kind, kind);
  ASSERT_EQ(u.id, id);
}

static void
refuse(const char *url, const char *base, int want)
{
  struct glowfic_url u;
  char errbuf[256] = "";
  ASSERT_EQ(glowfic_url_parse(url, base, &u, errbuf, sizeof(errbuf)), want);
  ASSERT(errbuf[0] != '\0');
}

TEST_IMPL(glowfic_url_forms)
{
  expect("https://glowfic.com/posts/4582", GLOWFIC_URL_POST, 4582);
  expect("https://www.glowfic.com/posts/4582?page=3&per_page=100",
         GLOWFIC_URL_POST, 4582);
  expect("http://glowfic.com/posts/4582?view=flat#reply-12", GLOWFIC_URL_POST,
         4582);
  expect("https://GLOWFIC.com/posts/4582/", GLOWFIC_URL_POST, 4582);
  expect("https://glowfic.com/posts/4582/stats", GLOWFIC_URL_POST, 4582);
  expect("https://glowfic.com/replies/1537226#reply-1537226",
         GLOWFIC_URL_REPLY, 1537226);
  expect("https://glowfic.com/boards/215", GLOWFIC_URL_BOARD, 215);
  expect("https://glowfic.com/board_sections/965?page=2",
         GLOWFIC_URL_SECTION, 965);
  expect("https://glowfic.com/api/v1/posts/7508/replies?page=2",
         GLOWFIC_URL_POST, 7508);
  expect("https://glowfic.com/api/v1/subcontinuities/965",
         GLOWFIC_URL_SECTION, 965);
  return 0;
}

TEST_IMPL(glowfic_url_refusals)
{
  refuse("https://example.com/posts/1", BASE, ERR_FORBIDDEN);
  refuse("https://glowfic.com.evil.test/posts/1", BASE, ERR_FORBIDDEN);
  refuse("https://user@glowfic.com/posts/1", BASE, ERR_INVAL);
  refuse("ftp://glowfic.com/posts/1", BASE, ERR_FORBIDDEN);
  refuse("file:///etc/passwd", BASE, ERR_FORBIDDEN);
  refuse("https://glowfic.com/characters/5", BASE, ERR_UNSUPPORTED);
  refuse("https://glowfic.com/posts/abc", BASE, ERR_UNSUPPORTED);
  refuse("https://glowfic.com/posts/0", BASE, ERR_UNSUPPORTED);
  refuse("https://glowfic.com/posts/99999999999999999999", BASE,
         ERR_UNSUPPORTED);
  refuse("https:///posts/1", BASE, ERR_INVAL);
  /* A test base admits its own host and port only. */
  refuse("http://127.0.0.1:9/posts/1", "http://127.0.0.1:8", ERR_FORBIDDEN);
  ASSERT_OK(glowfic_url_check_base("http://127.0.0.1:8"));
  ASSERT_OK(glowfic_url_check_base("https://glowfic.com/"));
  ASSERT(glowfic_url_check_base("https://glowfic.com/x") < 0);
  ASSERT(glowfic_url_check_base("glowfic.com") < 0);
  return 0;
}
