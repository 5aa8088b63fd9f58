/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for node/voice.c: spec grammar, ranges, mixes, JSON, canonical. */
#include "tests/unit/task.h"

#include "node/alloc.h"
#include "node/json.h"
#include "node/tts.h"
#include "node/voice.h"

static int
parse_err(const char *spec, char *err, size_t errlen)
{
  struct voice v;

  return voice_parse(spec, &v, err, errlen);
}

TEST_IMPL(voice_parse_spec)
{
  struct voice v;
  char err[256], out[VOICE_SPEC_MAX + 64];

  ASSERT_OK(voice_parse("espeak:en-gb-scotland+m3,rate=170,pitch=40", &v,
                        err, sizeof(err)));
  ASSERT_STR_EQ(v.engine, "espeak");
  ASSERT_STR_EQ(v.lang, "en-gb-scotland");
  ASSERT_EQ(v.nparts, 1);
  ASSERT_STR_EQ(v.parts[0].name, "m3");
  ASSERT_EQ(v.parts[0].weight, 100);
  ASSERT_EQ(v.rate, 170);
  ASSERT_EQ(v.pitch, 40);
  ASSERT_EQ(v.range, VOICE_RANGE_DEFAULT);
  ASSERT_OK(voice_format(&v, out, sizeof(out)));
  ASSERT_STR_EQ(out, "espeak:en-gb-scotland+m3,rate=170,pitch=40,range=50,"
                     "volume=100,wordgap=0");
  /* canonical: defaults spelled out or not give the same string */
  ASSERT_OK(voice_parse("espeak:EN-GB-Scotland+m3,wordgap=0,pitch=40,"
                        "rate=170", &v, err, sizeof(err)));
  {
    char out2[VOICE_SPEC_MAX + 64];

    ASSERT_OK(voice_format(&v, out2, sizeof(out2)));
    ASSERT_STR_EQ(out2, out);
  }
  ASSERT_OK(voice_parse("espeak:en", &v, err, sizeof(err)));
  ASSERT_EQ(v.nparts, 0);
  ASSERT_OK(voice_parse("espeak:en+m3:60+f2:40,volume=150", &v, err,
                        sizeof(err)));
  ASSERT_EQ(v.nparts, 2);
  ASSERT_EQ(v.parts[1].weight, 40);
  ASSERT_OK(voice_format(&v, out, sizeof(out)));
  ASSERT_STR_EQ(out, "espeak:en+m3:60+f2:40,rate=175,pitch=50,range=50,"
                     "volume=150,wordgap=0");
  ASSERT_OK(voice_parse("espeak:en+Mr serious", &v, err, sizeof(err)));
  ASSERT_STR_EQ(v.parts[0].name, "Mr serious");
  return 0;
}

TEST_IMPL(voice_parse_errors)
{
  char err[256], big[VOICE_SPEC_MAX + 10];

  ASSERT_EQ(parse_err("", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("en-us", err, sizeof(err)), ERR_PARSE);
  ASSERT_CONTAINS(err, "ENGINE:VOICE");
  ASSERT_EQ(parse_err("piper:en", err, sizeof(err)), ERR_NOT_FOUND);
  ASSERT_CONTAINS(err, "unknown voice engine 'piper'");
  ASSERT_EQ(parse_err("espeak:", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en/../x", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en+", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en+../m3", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en+m3:60+f2", err, sizeof(err)), ERR_INVAL);
  ASSERT_EQ(parse_err("espeak:en+m3+f2", err, sizeof(err)), ERR_INVAL);
  ASSERT_EQ(parse_err("espeak:en+m3:60+f2:30", err, sizeof(err)),
            ERR_INVAL);
  ASSERT_CONTAINS(err, "sum to 90");
  ASSERT_EQ(parse_err("espeak:en+m3:x+f2:40", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en+m3:50+m3:50", err, sizeof(err)),
            ERR_INVAL);
  ASSERT_EQ(parse_err("espeak:en+a:20+b:20+c:20+d:20+e:20", err,
                      sizeof(err)), ERR_INVAL);
  ASSERT_EQ(parse_err("espeak:en+gt_0011", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en,rate", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en,rate=fast", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en,rate=9999", err, sizeof(err)), ERR_INVAL);
  ASSERT_CONTAINS(err, "rate=9999 out of range 80-450");
  ASSERT_EQ(parse_err("espeak:en,rate=-1", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en,speed=100", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en,rate=100,rate=120", err, sizeof(err)),
            ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en,rate=100,", err, sizeof(err)), ERR_PARSE);
  ASSERT_EQ(parse_err("espeak:en\n", err, sizeof(err)), ERR_PARSE);
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  ASSERT_EQ(parse_err(big, err, sizeof(err)), ERR_TOO_BIG);
  return 0;
}

TEST_IMPL(voice_json_roundtrip)
{
  struct voice v, w;
  struct json *j, *k;
  char err[256], a[VOICE_SPEC_MAX + 64], b[VOICE_SPEC_MAX + 64], *text;
  static const char bad[] = "{\"engine\":\"espeak\",\"lang\":\"en\","
                            "\"rate\":\"fast\"}";

  ASSERT_OK(voice_parse("espeak:en-us+m3:70+f2:30,pitch=20", &v, err,
                        sizeof(err)));
  j = voice_to_json(&v);
  text = json_print(j, 0);
  k = json_parse(text, strlen(text), err, sizeof(err));
  ASSERT_NOT_NULL(k);
  ASSERT_OK(voice_from_json(k, &w, err, sizeof(err)));
  ASSERT_OK(voice_format(&v, a, sizeof(a)));
  ASSERT_OK(voice_format(&w, b, sizeof(b)));
  ASSERT_STR_EQ(a, b);
  json_free(j);
  json_free(k);
  xfree(text);
  k = json_parse(bad, strlen(bad), err, sizeof(err));
  ASSERT_EQ(voice_from_json(k, &w, err, sizeof(err)), ERR_INVAL);
  json_free(k);
  ASSERT_EQ(voice_from_json(NULL, &w, err, sizeof(err)), ERR_PARSE);
  return 0;
}

TEST_IMPL(voice_check_names)
{
  struct tts *t = NULL;
  struct voice v;
  char err[256];

  ASSERT_OK(tts_open(&t, err, sizeof(err)));
  ASSERT_OK(voice_parse("espeak:en-gb-scotland+m3:60+f2:40", &v, err,
                        sizeof(err)));
  ASSERT_OK(voice_check(&v, t, err, sizeof(err)));
  ASSERT_OK(voice_parse("espeak:xx-yy+m3", &v, err, sizeof(err)));
  ASSERT_EQ(voice_check(&v, t, err, sizeof(err)), ERR_NOT_FOUND);
  ASSERT_CONTAINS(err, "unknown espeak-ng voice 'xx-yy'");
  ASSERT_OK(voice_parse("espeak:en+m3:60+nope:40", &v, err, sizeof(err)));
  ASSERT_EQ(voice_check(&v, t, err, sizeof(err)), ERR_NOT_FOUND);
  ASSERT_CONTAINS(err, "unknown espeak-ng variant 'nope'");
  tts_close(&t);
  return 0;
}
