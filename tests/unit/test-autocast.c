/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for node/autocast.c: distinct, valid, stable, ordered by share. */
#include "tests/unit/task.h"

#include "node/alloc.h"
#include "node/autocast.h"
#include "node/tts.h"
#include "node/voice.h"

#define N 120

TEST_IMPL(autocast_distinct_stable)
{
  struct autocast_char c[N], rev[N];
  char *a[N], *b[N], err[256], name[N][16];
  struct tts *t = NULL;
  size_t i, j;

  for (i = 0; i < N; i++) {
    snprintf(name[i], sizeof(name[i]), "char%03zu", i);
    c[i].name = name[i];
    c[i].share = (double)((i * 37) % 50); /* with ties */
    rev[N - 1 - i] = c[i];
  }
  ASSERT_OK(autocast_assign(c, N, "en", "espeak:en-us+m3,rate=170,"
                            "pitch=45", a, err, sizeof(err)));
  ASSERT_OK(autocast_assign(rev, N, "en", "espeak:en-us+m3,rate=170,"
                            "pitch=45", b, err, sizeof(err)));
  ASSERT_OK(tts_open(&t, err, sizeof(err)));
  for (i = 0; i < N; i++) {
    struct voice v;
    char ci[VOICE_SPEC_MAX + 64], cj[VOICE_SPEC_MAX + 64];

    /* input order does not matter */
    ASSERT_STR_EQ(a[i], b[N - 1 - i]);
    ASSERT_OK(voice_parse(a[i], &v, err, sizeof(err)));
    ASSERT_OK(voice_check(&v, t, err, sizeof(err)));
    ASSERT_OK(voice_format(&v, ci, sizeof(ci)));
    ASSERT(strstr(ci, "espeak:en-us+m3,rate=170,pitch=45,") != ci);
    for (j = 0; j < i; j++) {
      struct voice w;

      ASSERT_OK(voice_parse(a[j], &w, err, sizeof(err)));
      ASSERT_OK(voice_format(&w, cj, sizeof(cj)));
      ASSERT(strcmp(ci, cj) != 0);
    }
  }
  tts_close(&t);
  /* the two who speak most get voices of different gender (m*, f*) */
  {
    size_t top = 0, second = 0;

    for (i = 0; i < N; i++) {
      if (c[i].share > c[top].share ||
          (c[i].share == c[top].share && strcmp(c[i].name,
                                                c[top].name) < 0))
        top = i;
    }
    second = top == 0 ? 1 : 0;
    for (i = 0; i < N; i++)
      if (i != top && (c[i].share > c[second].share ||
                       (c[i].share == c[second].share &&
                        strcmp(c[i].name, c[second].name) < 0)))
        second = i;
    ASSERT(strchr(a[top], '+')[1] != strchr(a[second], '+')[1]);
  }
  for (i = 0; i < N; i++) {
    xfree(a[i]);
    xfree(b[i]);
  }
  ASSERT_EQ(autocast_assign(c, 1, "en/../x", NULL, a, err, sizeof(err)),
            ERR_INVAL);
  c[0].share = -1;
  ASSERT_EQ(autocast_assign(c, 1, "en", NULL, a, err, sizeof(err)),
            ERR_INVAL);
  return 0;
}
