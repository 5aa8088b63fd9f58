/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Hostile input: deterministic mutations of the real fixtures (cuts,
 * byte flips, spliced tags, repeated blocks) go through the whole import
 * path (HTML or JSON reader, text, sentences). Every outcome is either a
 * clean error with a reason or a well-formed work; nothing crashes or
 * leaks (make valgrind runs this too). tests/fuzz/ holds the libFuzzer
 * harness for longer runs. */
#include "task.h"

#include "node/alloc.h"
#include "node/importer.h"
#include "node/work.h"

#define ROUNDS 60 /* mutations per fixture: keeps valgrind runs short */

static uint32_t
next(uint32_t *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

static void
check_work(const struct work *w)
{
  size_t i, j, k;
  ASSERT(w->key != NULL);
  ASSERT(work_count_sentences(w) > 0);
  for (i = 0; i < w->n_threads; i++) {
    for (j = 0; j < w->threads[i].n_posts; j++) {
      const struct work_post *p = &w->threads[i].posts[j];
      for (k = 0; k < p->n_sents; k++) {
        ASSERT(p->sents[k].text[0] != '\0');
        ASSERT(p->sents[k].para < p->n_paras);
        ASSERT_EQ(strlen(p->sents[k].id), WORK_SENTENCE_ID_HEX - 1);
      }
      for (k = 0; k < p->n_paras; k++)
        ASSERT(p->paras[k].text[0] != '\0');
    }
  }
}

static void
mutate_and_import(const char *fixture, uint32_t seed)
{
  static const char *const splices[] = {
    "<div class=\"post-container post-reply\">", "</div>", "<wbr>",
    "<div class=\"post-content\">", "<p>&nbsp;</p>", "\xe2\x80", "\"",
    "{", "]", "<!--", "<time datetime=", "\x00", "<script>", "&#0;"};
  struct importer_opts o = {0, 40, 1u << 24};
  size_t len, n, at, cut, i;
  char *orig = test_read_file(test_fixture(fixture), &len);
  char *buf = xmalloc(2 * len + 256), errbuf[512];
  uint32_t st = seed;
  int r;

  for (r = 0; r < ROUNDS; r++) {
    struct work *w = NULL;
    memcpy(buf, orig, len);
    n = len;
    switch (next(&st) % 4) {
    case 0: /* cut short */
      n = next(&st) % (len + 1);
      break;
    case 1: /* flip bytes */
      for (i = 0; i < 8; i++)
        buf[next(&st) % len] = (char)next(&st);
      break;
    case 2: { /* splice a tag or fragment in */
      const char *sp = splices[next(&st) % (sizeof(splices) /
                                             sizeof(splices[0]))];
      size_t sl = strlen(sp) ? strlen(sp) : 1;
      at = next(&st) % len;
      memmove(buf + at + sl, buf + at, len - at);
      memcpy(buf + at, sp, sl);
      n = len + sl;
      break;
    }
    default: /* repeat a stretch */
      at = next(&st) % len;
      cut = next(&st) % (len - at + 1);
      if (cut > len)
        cut = len;
      memcpy(buf + len, buf + at, cut);
      n = len + cut;
      break;
    }
    errbuf[0] = '\0';
    if (importer_from_bytes(fixture, buf, n, &o, &w, errbuf,
                            sizeof(errbuf)) == 0) {
      check_work(w);
      work_free(w);
    } else {
      ASSERT_NULL(w);
      ASSERT(errbuf[0] != '\0');
    }
  }
  xfree(buf);
  free(orig);
}

TEST_IMPL(import_survives_mutated_fixtures)
{
  mutate_and_import("glowfic/thread-page.html", 1);
  mutate_and_import("glowfic/icon-aspect.html", 2);
  mutate_and_import("glowfic/icon-heavy.html", 3);
  mutate_and_import("glowfic/replies_7508_p1.json", 4);
  mutate_and_import("glowfic/post_7508.json", 5);
  return 0;
}
