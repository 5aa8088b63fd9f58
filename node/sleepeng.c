/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The sleep:MS test engine (see sleepeng.h): a timed wait and silence of
 * the sentence's estimated reading time. */
#include "node/sleepeng.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node/alloc.h"
#include "node/tts.h"
#include "node/voice.h"

int64_t
sleepeng_duration_ms(const char *text, int rate, int ssml)
{
  int64_t words = 0, ms;
  int counted = 0, in_tag = 0;
  const unsigned char *p;

  if (rate <= 0)
    rate = VOICE_RATE_DEFAULT;
  for (p = (const unsigned char *)text; *p; p++) {
    if (ssml && *p == '<')
      in_tag = 1;
    if (in_tag) {
      if (*p == '>')
        in_tag = 0;
      counted = 0;
      continue;
    }
    if (isspace(*p)) {
      counted = 0;
      continue;
    }
    if (p[0] == 0xe2 && (p[1] == 0x80 || p[1] == 0x81) && p[2] != 0) {
      p += 2; /* U+2000-U+207F: dashes, quotes, ellipsis: not a word */
      continue;
    }
    if (!counted && (isalnum(*p) || *p >= 0x80)) {
      words++;
      counted = 1;
    }
  }
  ms = words * 60000 / rate;
  if (ms < SLEEPENG_MIN_MS)
    ms = SLEEPENG_MIN_MS;
  return ms > SLEEPENG_MAX_MS ? SLEEPENG_MAX_MS : ms;
}

static void
wait_ms(int ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

int
sleepeng_synth(const struct voice *v, const char *text, unsigned flags,
               int16_t **pcm, size_t *n, char *errbuf, size_t errlen)
{
  size_t len = strlen(text);
  int64_t ms;

  *pcm = NULL;
  *n = 0;
  if (strcmp(v->engine, VOICE_ENGINE_SLEEP) != 0 || v->sleep_ms < 1) {
    snprintf(errbuf, errlen, "not a " VOICE_ENGINE_SLEEP " voice");
    return ERR_INVAL;
  }
  if (text[strspn(text, " \t\r\n")] == '\0') {
    snprintf(errbuf, errlen, "empty text");
    return ERR_INVAL;
  }
  if (len > SLEEPENG_TEXT_MAX) {
    snprintf(errbuf, errlen, "text is %zu bytes, over the %d-byte limit",
             len, SLEEPENG_TEXT_MAX);
    return ERR_TOO_BIG;
  }
  ms = sleepeng_duration_ms(text, v->rate, (flags & TTS_SSML) != 0);
  /* Whole steps: a handful of lengths, so a node encodes each silence
   * once (node/render.c) and a scaling run measures the swarm, not
   * libopus encoding silence. */
  ms = (ms + SLEEPENG_STEP_MS - 1) / SLEEPENG_STEP_MS * SLEEPENG_STEP_MS;
  wait_ms(v->sleep_ms);
  *n = (size_t)(ms * SLEEPENG_RATE / 1000);
  *pcm = xcalloc(*n, sizeof(**pcm));
  return 0;
}
