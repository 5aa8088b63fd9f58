/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for the sleep:MS test engine (node/sleepeng.c) and its place in
 * voice specs and render.c: off unless test engines are on, a real wait,
 * silent audio of the estimated length, its own render keys. */
#include "tests/unit/task.h"

#include <time.h>

#include "node/alloc.h"
#include "node/audio.h"
#include "node/blobs.h"
#include "node/buf.h"
#include "node/db.h"
#include "node/json.h"
#include "node/ogg.h"
#include "node/render.h"
#include "node/sleepeng.h"
#include "node/tts.h"
#include "node/voice.h"

static int64_t
mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Playable samples at 48 kHz of an Ogg Opus file: the last granule
 * position minus the pre-skip of its OpusHead; -1 if damaged. */
static int64_t
ogg_samples(const struct buf *ogg)
{
  struct ogg_reader rd;
  const uint8_t *pkt;
  size_t len;
  int64_t granule = -1, last = -1, preskip = -1;

  ogg_reader_init(&rd, ogg->data, ogg->len);
  while (ogg_next_packet(&rd, &pkt, &len, &granule) == 1) {
    if (preskip < 0 && len >= 19 && memcmp(pkt, "OpusHead", 8) == 0)
      preskip = pkt[10] | pkt[11] << 8;
    last = granule;
  }
  ogg_reader_free(&rd);
  return preskip < 0 || last < 0 ? -1 : last - preskip;
}

TEST_IMPL(sleepeng_spec_gated)
{
  struct voice v;
  struct json *j;
  char err[256], spec[VOICE_SPEC_MAX];

  voice_set_test_engines(0);
  ASSERT_EQ(voice_parse("sleep:100", &v, err, sizeof(err)), ERR_NOT_FOUND);
  ASSERT_CONTAINS(err, "test-engines");
  voice_set_test_engines(1);
  ASSERT_OK(voice_parse("sleep:100", &v, err, sizeof(err)));
  ASSERT_STR_EQ(v.engine, "sleep");
  ASSERT_EQ(v.sleep_ms, 100);
  ASSERT_OK(voice_format(&v, spec, sizeof(spec)));
  ASSERT_STR_EQ(spec, "sleep:100,rate=175,pitch=50,range=50,volume=100,"
                "wordgap=0");
  ASSERT_OK(voice_parse("sleep:40,rate=350", &v, err, sizeof(err)));
  ASSERT_EQ(v.rate, 350);
  ASSERT_EQ(voice_parse("sleep:0", &v, err, sizeof(err)), ERR_INVAL);
  ASSERT_EQ(voice_parse("sleep:60001", &v, err, sizeof(err)), ERR_INVAL);
  ASSERT_EQ(voice_parse("sleep:abc", &v, err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(voice_parse("sleep:10+m3", &v, err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(voice_parse("sleep:", &v, err, sizeof(err)), ERR_PARSE);
  /* JSON form round trip */
  ASSERT_OK(voice_parse("sleep:250", &v, err, sizeof(err)));
  j = voice_to_json(&v);
  memset(&v, 0, sizeof(v));
  ASSERT_OK(voice_from_json(j, &v, err, sizeof(err)));
  ASSERT_EQ(v.sleep_ms, 250);
  json_free(j);
  /* espeak specs are unaffected */
  ASSERT_OK(voice_parse("espeak:en-us+m3", &v, err, sizeof(err)));
  ASSERT_EQ(v.sleep_ms, 0);
  voice_set_test_engines(0);
  return 0;
}

TEST_IMPL(sleepeng_duration_estimate)
{
  ASSERT_EQ(sleepeng_duration_ms("one two three four five six seven",
                                 175, 0), 7 * 60000 / 175);
  /* punctuation alone is not a word; SSML tags are skipped */
  ASSERT_EQ(sleepeng_duration_ms("a - b -- c ...", 60, 0), 3000);
  ASSERT_EQ(sleepeng_duration_ms("<speak>a <emphasis>b</emphasis> c"
                                 "</speak>", 60, 1), 3000);
  ASSERT_EQ(sleepeng_duration_ms("\xc3\xa9t\xc3\xa9 \xe2\x80\x94 "
                                 "\xe6\x97\xa5", 60, 0), 2000);
  ASSERT_EQ(sleepeng_duration_ms("hi", 450, 0), SLEEPENG_MIN_MS);
  return 0;
}

TEST_IMPL(sleepeng_synth_waits_and_is_silent)
{
  struct voice v;
  char err[256];
  int16_t *pcm = NULL;
  size_t n = 0, i;
  int64_t t0;

  voice_set_test_engines(1);
  ASSERT_OK(voice_parse("sleep:120", &v, err, sizeof(err)));
  t0 = mono_ms();
  ASSERT_OK(sleepeng_synth(&v, "Ten words make a sentence of a fair length "
                           "here.", 0, &pcm, &n, err, sizeof(err)));
  ASSERT_GE(mono_ms() - t0, 120);
  ASSERT_EQ(n, (size_t)((10 * 60000 / 175 + SLEEPENG_STEP_MS - 1) /
                        SLEEPENG_STEP_MS * SLEEPENG_STEP_MS) *
                   SLEEPENG_RATE / 1000);
  for (i = 0; i < n; i++)
    ASSERT_EQ(pcm[i], 0);
  xfree(pcm);
  ASSERT_EQ(sleepeng_synth(&v, "  ", 0, &pcm, &n, err, sizeof(err)),
            ERR_INVAL);
  ASSERT_NULL(pcm);
  ASSERT_OK(voice_parse("espeak:en", &v, err, sizeof(err)));
  ASSERT_EQ(sleepeng_synth(&v, "x", 0, &pcm, &n, err, sizeof(err)),
            ERR_INVAL);
  voice_set_test_engines(0);
  return 0;
}

/* Through render.c: a valid Ogg Opus blob of the estimated length, cached
 * under a key of its own (never the espeak render of the same text). */
TEST_IMPL(sleepeng_render_run)
{
  struct render_job job = {NULL, "The quick brown fox jumps over the lazy "
                           "dog.", NULL, 0, 0};
  struct render_result a, b, c;
  struct blobs *blobs = NULL;
  struct tts *t = NULL;
  struct db *db = NULL;
  struct render *r;
  struct voice v, e;
  struct buf ogg;
  char err[256], *dir, *p;
  int64_t samples = 0;

  ASSERT_OK(secure_init());
  voice_set_test_engines(1);
  dir = test_mkdtemp();
  ASSERT_OK(tts_open(&t, err, sizeof(err)));
  p = xasprintf("%s/blobs", dir);
  ASSERT_OK(blobs_open(p, &blobs));
  xfree(p);
  p = xasprintf("%s/glowtalk.db", dir);
  ASSERT_OK(db_open_store(p, &db, err, sizeof(err)));
  xfree(p);
  r = render_new(t, blobs, db, AUDIO_BITRATE_DEFAULT,
                 AUDIO_COMPLEXITY_DEFAULT);
  ASSERT_OK(voice_parse("sleep:30", &v, err, sizeof(err)));
  ASSERT_OK(voice_parse("espeak:en-us", &e, err, sizeof(err)));
  job.voice = &v;
  buf_init(&ogg, BLOBS_MAX_BYTES);
  ASSERT_OK(render_run(r, &job, &ogg, &a, err, sizeof(err)));
  ASSERT_EQ(a.cached, 0);
  /* 9 words at 175 words a minute, in whole steps. */
  ASSERT_EQ(a.duration_ms, (9 * 60000 / 175 + SLEEPENG_STEP_MS - 1) /
                               SLEEPENG_STEP_MS * SLEEPENG_STEP_MS);
  samples = ogg_samples(&ogg);
  ASSERT_EQ(samples * 1000 / 48000, a.duration_ms);
  ASSERT_OK(render_run(r, &job, NULL, &b, err, sizeof(err)));
  ASSERT_EQ(b.cached, 1);
  ASSERT(memcmp(a.key, b.key, sizeof(a.key)) == 0);
  /* Another sentence of as many words: the same silence, encoded once. */
  job.text = "Nine other words fill this second test sentence here.";
  buf_free(&ogg);
  buf_init(&ogg, BLOBS_MAX_BYTES);
  ASSERT_OK(render_run(r, &job, &ogg, &c, err, sizeof(err)));
  ASSERT_EQ(c.cached, 0);
  ASSERT(memcmp(a.key, c.key, sizeof(a.key)) != 0);
  ASSERT(memcmp(a.blob, c.blob, sizeof(a.blob)) == 0);
  ASSERT_EQ(ogg_samples(&ogg), samples);
  /* Five words more: longer silence. */
  job.text = "Fourteen other words fill this third and longer test sentence, "
             "the longest one here by far.";
  ASSERT_OK(render_run(r, &job, NULL, &c, err, sizeof(err)));
  ASSERT(memcmp(a.blob, c.blob, sizeof(a.blob)) != 0);
  ASSERT(c.duration_ms > a.duration_ms);
  job.voice = &e;
  ASSERT_OK(render_run(r, &job, NULL, &c, err, sizeof(err)));
  ASSERT(memcmp(a.key, c.key, sizeof(a.key)) != 0);
  ASSERT(memcmp(a.blob, c.blob, sizeof(a.blob)) != 0);
  buf_free(&ogg);
  render_free(&r);
  db_close(&db);
  blobs_close(&blobs);
  tts_close(&t);
  test_rmdir(dir);
  voice_set_test_engines(0);
  return 0;
}
