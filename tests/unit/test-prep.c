/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for node/prep.c: lexicon, phonemes, emphasis, announcements, and
 * that a lexicon entry changes the audio of the sentences it touches. */
#include "tests/unit/task.h"

#include "node/alloc.h"
#include "node/prep.h"
#include "node/tts.h"

TEST_IMPL(prep_lexicon_and_markup)
{
  struct prep_lexicon *l = prep_lexicon_new();
  struct prep_result r;
  char err[256];

  ASSERT_OK(prep_lexicon_add(l, "Carissa", "Kah-riss-ah", err, sizeof(err)));
  ASSERT_OK(prep_lexicon_add(l, "Keltham", "[[k'El0T@m]]", err,
                             sizeof(err)));
  ASSERT_OK(prep_lexicon_add(l, "Asmodia", "Az-mode-ee-ah", err,
                             sizeof(err)));
  ASSERT_OK(prep_lexicon_add(l, "asmodia", "Az-mo-dee-ah", err,
                             sizeof(err))); /* replaces, case-folded */
  ASSERT_EQ(prep_lexicon_count(l), 3);
  ASSERT_EQ(prep_lexicon_add(l, "two words", "x", err, sizeof(err)),
            ERR_INVAL);
  ASSERT_EQ(prep_lexicon_add(l, "x", "<speak>", err, sizeof(err)),
            ERR_INVAL);
  ASSERT_EQ(prep_lexicon_add(l, "x", "[[a]] [[b]]", err, sizeof(err)),
            ERR_INVAL);
  ASSERT_EQ(prep_lexicon_add(l, "", "x", err, sizeof(err)), ERR_INVAL);

  ASSERT_OK(prep_text("CARISSA met *Keltham*, not Carissa's [[x]] twin.", l,
                      NULL, &r, err, sizeof(err)));
  ASSERT_STR_EQ(r.text, "Kah-riss-ah met <emphasis>[[k'El0T@m]]</emphasis>,"
                        " not Carissa's ((x)) twin.");
  ASSERT_STR_EQ(r.applied, "carissa=Kah-riss-ah\nkeltham=[[k'El0T@m]]\n");
  ASSERT_EQ(r.flags, TTS_PHONEMES | TTS_SSML);
  prep_result_free(&r);

  ASSERT_OK(prep_text("Hello.", l, "Asmodia", &r, err, sizeof(err)));
  ASSERT_STR_EQ(r.text, "Az-mo-dee-ah. Hello.");
  ASSERT_STR_EQ(r.applied, "asmodia=Az-mo-dee-ah\n");
  ASSERT_EQ(r.flags, 0);
  prep_result_free(&r);

  ASSERT_OK(prep_text("No entries here.", l, NULL, &r, err, sizeof(err)));
  ASSERT_STR_EQ(r.applied, "");
  prep_result_free(&r);
  /* emphasis makes SSML, so markup characters are escaped; unbalanced
   * marks are closed; without emphasis the text stays plain */
  ASSERT_OK(prep_text("a<b & _so_ *very", NULL, NULL, &r, err,
                      sizeof(err)));
  ASSERT_STR_EQ(r.text, "a&lt;b &amp; <emphasis>so</emphasis> "
                        "<emphasis>very</emphasis>");
  ASSERT_EQ(r.flags, TTS_SSML);
  prep_result_free(&r);
  ASSERT_OK(prep_text("*so *very*", NULL, NULL, &r, err, sizeof(err)));
  ASSERT_STR_EQ(r.text, "<emphasis>so <emphasis>very</emphasis>"
                        "</emphasis>");
  prep_result_free(&r);
  ASSERT_OK(prep_text("a<b, 2*3", NULL, NULL, &r, err, sizeof(err)));
  ASSERT_STR_EQ(r.text, "a<b, 23");
  ASSERT_EQ(r.flags, 0);
  prep_result_free(&r);
  ASSERT_EQ(prep_text(" * _ ", l, NULL, &r, err, sizeof(err)), ERR_INVAL);
  ASSERT_NULL(r.text);
  prep_lexicon_free(&l);
  ASSERT_NULL(l);
  return 0;
}

TEST_IMPL(prep_phonemes_reach_the_engine)
{
  struct prep_lexicon *l = prep_lexicon_new();
  struct tts_params p = {"en-us", NULL, 175, 50, 50, 100, 0, 0};
  struct prep_result r;
  struct tts *t = NULL;
  int16_t *a = NULL, *b = NULL;
  size_t na = 0, nb = 0;
  char err[256];

  ASSERT_OK(tts_open(&t, err, sizeof(err)));
  ASSERT_OK(tts_synth(t, &p, "Keltham", &a, &na, err, sizeof(err)));
  ASSERT_OK(prep_lexicon_add(l, "Keltham", "[[b'a:nan@]]", err,
                             sizeof(err)));
  ASSERT_OK(prep_text("Keltham", l, NULL, &r, err, sizeof(err)));
  p.flags = r.flags;
  ASSERT_OK(tts_synth(t, &p, r.text, &b, &nb, err, sizeof(err)));
  ASSERT(na != nb || memcmp(a, b, na * 2) != 0);
  prep_result_free(&r);
  xfree(a);
  xfree(b);
  /* emphasis reaches the engine: the emphasised word sounds different */
  p.flags = 0;
  ASSERT_OK(tts_synth(t, &p, "I said no.", &a, &na, err, sizeof(err)));
  ASSERT_OK(prep_text("I said *no*.", NULL, NULL, &r, err, sizeof(err)));
  p.flags = r.flags;
  ASSERT_OK(tts_synth(t, &p, r.text, &b, &nb, err, sizeof(err)));
  ASSERT(na != nb || memcmp(a, b, na * 2) != 0);
  prep_result_free(&r);
  xfree(a);
  xfree(b);
  prep_lexicon_free(&l);
  tts_close(&t);
  return 0;
}
