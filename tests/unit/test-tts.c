/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for node/tts.c: real espeak-ng synthesis, voices, variants. */
#include "tests/unit/task.h"

#include "node/alloc.h"
#include "node/tts.h"

static struct tts_params
params(const char *voice, const char *variant)
{
  struct tts_params p = {voice, variant, 175, 50, 50, 100, 0, 0};
  return p;
}

TEST_IMPL(tts_synth_basic)
{
  struct tts *t = NULL, *t2 = NULL;
  struct tts_params p = params("en-us", NULL);
  char err[256];
  int16_t *pcm = NULL;
  size_t n = 0, i;
  int loud = 0;

  ASSERT_OK(tts_open(&t, err, sizeof(err)));
  ASSERT_EQ(tts_open(&t2, err, sizeof(err)), ERR_LOCKED);
  ASSERT_EQ(tts_sample_rate(t), 22050);
  ASSERT_OK(tts_synth(t, &p, "Hello there, how are you?", &pcm, &n, err,
                      sizeof(err)));
  /* about a second and a half of speech */
  ASSERT_GT(n, 22050 / 2);
  ASSERT_LT(n, 22050 * 5);
  for (i = 0; i < n; i++)
    if (pcm[i] > 2000 || pcm[i] < -2000)
      loud++;
  ASSERT_GT(loud, 1000);
  xfree(pcm);
  tts_close(&t);
  ASSERT_NULL(t);
  tts_close(&t);
  return 0;
}

TEST_IMPL(tts_errors)
{
  struct tts *t = NULL;
  struct tts_params p = params("en-us", NULL);
  char err[256], *big;
  int16_t *pcm = NULL;
  size_t n = 0;

  ASSERT_OK(tts_open(&t, err, sizeof(err)));
  ASSERT_EQ(tts_synth(t, &p, "", &pcm, &n, err, sizeof(err)), ERR_INVAL);
  big = xcalloc(1, TTS_TEXT_MAX + 2);
  memset(big, 'a', TTS_TEXT_MAX + 1);
  ASSERT_EQ(tts_synth(t, &p, big, &pcm, &n, err, sizeof(err)), ERR_TOO_BIG);
  xfree(big);
  p.voice = "xx-nonesuch";
  ASSERT_EQ(tts_synth(t, &p, "hi", &pcm, &n, err, sizeof(err)),
            ERR_NOT_FOUND);
  ASSERT_CONTAINS(err, "xx-nonesuch");
  p = params("en", "nonesuch");
  ASSERT_EQ(tts_synth(t, &p, "hi", &pcm, &n, err, sizeof(err)),
            ERR_NOT_FOUND);
  p = params("en", "../../../etc/passwd");
  ASSERT_EQ(tts_synth(t, &p, "hi", &pcm, &n, err, sizeof(err)),
            ERR_NOT_FOUND);
  p = params("en", NULL);
  p.rate = 10;
  ASSERT_EQ(tts_synth(t, &p, "hi", &pcm, &n, err, sizeof(err)), ERR_INVAL);
  ASSERT_NULL(pcm);
  tts_close(&t);
  return 0;
}

TEST_IMPL(tts_variants_and_voices)
{
  struct tts *t = NULL;
  struct tts_voice_info *v = NULL;
  struct tts_params p = params("en-gb-scotland", "m3");
  char err[256];
  int16_t *a = NULL, *b = NULL;
  size_t na = 0, nb = 0, nv = 0;

  ASSERT_OK(tts_open(&t, err, sizeof(err)));
  ASSERT_OK(tts_list_voices(t, &v, &nv));
  ASSERT_GT(nv, 50);
  xfree(v);
  ASSERT(tts_voice_exists(t, "en-gb-scotland"));
  ASSERT(tts_variant_exists(t, "f2"));
  ASSERT(!tts_variant_exists(t, "gt_test"));
  ASSERT_OK(tts_synth(t, &p, "One two three.", &a, &na, err, sizeof(err)));
  /* a generated variant is loadable by name and changes the sound */
  ASSERT_OK(tts_variant_install(t, "gt_test",
                                "name gtmix\ngender female\n"
                                "pitch 190 260\n"));
  ASSERT(tts_variant_exists(t, "gt_test"));
  ASSERT_EQ(tts_variant_install(t, "../x", "pitch 1 2\n"), ERR_INVAL);
  p.variant = "gt_test";
  ASSERT_OK(tts_synth(t, &p, "One two three.", &b, &nb, err, sizeof(err)));
  ASSERT(na != nb || memcmp(a, b, na * 2) != 0);
  xfree(a);
  xfree(b);
  tts_close(&t);
  return 0;
}

/* Every voice the catalogue lists must load and speak a word, with and
 * without a variant: Cherokee ("chr-US-Qaaa-x-west") is found by neither
 * its name nor its language, only by its file identifier. */
TEST_IMPL(tts_every_listed_voice_speaks)
{
  struct tts *t = NULL;
  struct tts_voice_info *v = NULL;
  char err[256];
  int16_t *pcm = NULL;
  size_t nv = 0, n = 0, i;

  ASSERT_OK(tts_open(&t, err, sizeof(err)));
  ASSERT_OK(tts_list_voices(t, &v, &nv));
  ASSERT_GT(nv, 50);
  ASSERT(tts_voice_exists(t, "chr-us-qaaa-x-west"));
  for (i = 0; i < nv; i++) {
    struct tts_params p = params(v[i].language, i % 2 ? "m3" : NULL);
    int rc = tts_synth(t, &p, "one", &pcm, &n, err, sizeof(err));

    if (rc != 0)
      fprintf(stderr, "voice %s: %s\n", v[i].language, err);
    ASSERT_OK(rc);
    ASSERT_GT(n, 100);
    xfree(pcm);
    pcm = NULL;
  }
  xfree(v);
  tts_close(&t);
  return 0;
}
