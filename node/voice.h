/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The voice model: an engine plus its parameters, written as a spec string
 *   espeak:en-gb-scotland+m3,rate=170,pitch=40
 *   espeak:en+m3:60+f2:40              (a blend of two variants)
 * or as JSON. Parsing checks syntax and ranges only; voice_check() asks
 * the engine whether the names exist. A voice is a small value type that
 * callers embed and copy. */
#ifndef GLOWTALK_VOICE_H
#define GLOWTALK_VOICE_H

#include <stddef.h>

#include "node/err.h"

struct json;
struct tts;

#define VOICE_SPEC_MAX 256   /* bytes of a spec string */
#define VOICE_NAME_MAX 40    /* bytes of a language or variant name */
#define VOICE_MIX_MAX 4      /* variants in one blend */
#define VOICE_ENGINE_ESPEAK "espeak"
/* The test engine "sleep:MS" (node/sleepeng.h): waits MS ms per sentence
 * and renders silence. Parsed only while voice_set_test_engines(1). */
#define VOICE_ENGINE_SLEEP "sleep"
#define VOICE_SLEEP_MS_MAX 60000 /* longest wait of sleep:MS */
/* Generated (blended) variants are named VOICE_MIX_PREFIX + 12 hex digits.
 * Short on purpose: libespeak-ng 1.51 joins "LANG+!v/VARIANT" into a
 * 40-byte field (overflowing with "en-gb-scotland+gtmix-<16 hex>"); the
 * longest installed language (18 bytes) + 19 fits. */
#define VOICE_MIX_PREFIX "gt_" /* generated variants; not for specs */
#define VOICE_MIX_HASH_BYTES 6

#define VOICE_RATE_DEFAULT 175
#define VOICE_PITCH_DEFAULT 50
#define VOICE_RANGE_DEFAULT 50
#define VOICE_VOLUME_DEFAULT 100
#define VOICE_WORDGAP_DEFAULT 0

struct voice_part {
  char name[VOICE_NAME_MAX]; /* variant file in espeak-ng-data/voices/!v */
  int weight;                /* percent, 1-100; all parts sum to 100 */
};

struct voice {
  char engine[16];                   /* "espeak" or "sleep" */
  char lang[VOICE_NAME_MAX];         /* language voice, lower case */
  struct voice_part parts[VOICE_MIX_MAX]; /* variants; 0 = none */
  int nparts;
  int rate;    /* words per minute, 80-450 */
  int pitch;   /* 0-99 */
  int range;   /* 0-99 */
  int volume;  /* 0-200 */
  int wordgap; /* units of 10 ms, 0-100 */
  int sleep_ms; /* engine "sleep": ms per sentence, else 0 */
};

/* Whether this process accepts test engines (the "sleep" engine) in
 * specs: the config option test-engines, set once at start (before the
 * render workers fork, which inherit it). Off by default. */
void voice_set_test_engines(int on);
int voice_test_engines(void);

/* Parse a spec string into *out (defaults for parameters not given).
 * "sleep:MS[,rate=N]" is the test engine (rate sets the reading speed its
 * silent output assumes). ERR_PARSE for malformed text, ERR_NOT_FOUND for
 * an unknown engine or a test engine while test engines are off,
 * ERR_INVAL for a value out of range or a bad mix (weights must be given
 * for every part of a blend and sum to 100); errbuf says which. */
int voice_parse(const char *spec, struct voice *out, char *errbuf,
                size_t errlen) WARN_UNUSED;
/* The JSON form: {"engine":"espeak","lang":"en","variants":[{"name":
 * "m3","weight":60},...],"rate":175,...}; missing parameters take their
 * defaults. Same errors as voice_parse(). */
int voice_from_json(const struct json *j, struct voice *out, char *errbuf,
                    size_t errlen) WARN_UNUSED;
/* The JSON form of v (every field). Caller owns the result. */
struct json *voice_to_json(const struct voice *v);
/* The canonical spec: every parameter, in a fixed order, so equal voices
 * give equal strings (used in render-cache keys). ERR_TOO_BIG if out
 * (cap bytes) is too small. */
int voice_format(const struct voice *v, char *out, size_t cap) WARN_UNUSED;
/* Whether the engine knows the language and variants: ERR_NOT_FOUND with
 * the name in errbuf if not. */
int voice_check(const struct voice *v, struct tts *t, char *errbuf,
                size_t errlen) WARN_UNUSED;

#endif
