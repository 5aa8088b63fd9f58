/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The "sleep:MS" test engine: it "renders" a sentence by waiting MS
 * milliseconds and returning silence as long as the sentence would take
 * to read aloud, so swarm scaling can be measured without spending CPU.
 * Only reachable while test engines are on (voice_set_test_engines). */
#ifndef GLOWTALK_SLEEPENG_H
#define GLOWTALK_SLEEPENG_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

struct voice;

#define SLEEPENG_VERSION "sleep-3" /* in render keys: bump if output changes */
#define SLEEPENG_RATE 24000        /* Hz of the silent PCM (an Opus rate) */
#define SLEEPENG_MIN_MS 300        /* shortest sentence */
#define SLEEPENG_STEP_MS 1000      /* the silence is rounded up to this */
#define SLEEPENG_MAX_MS 600000     /* longest sentence (10 min) */
#define SLEEPENG_TEXT_MAX 8192     /* bytes of text, as tts.h */

/* How long text takes to read at rate words per minute: words (runs of
 * non-space characters with a letter, digit or non-ASCII character other
 * than general punctuation (U+2000-U+207F) in them, SSML tags skipped
 * when ssml is set) * 60000 / rate, clamped to SLEEPENG_MIN_MS ..
 * SLEEPENG_MAX_MS. */
int64_t sleepeng_duration_ms(const char *text, int rate, int ssml);

/* Wait v->sleep_ms ms, then give sleepeng_duration_ms() of silence,
 * rounded up to whole SLEEPENG_STEP_MS, at SLEEPENG_RATE in *pcm (caller
 * frees with xfree()), *n samples. flags are TTS_* (TTS_SSML matters).
 * ERR_INVAL for empty text or a voice that is not the sleep engine,
 * ERR_TOO_BIG for text over SLEEPENG_TEXT_MAX; errbuf says which, *pcm is
 * NULL. */
int sleepeng_synth(const struct voice *v, const char *text, unsigned flags,
                   int16_t **pcm, size_t *n, char *errbuf, size_t errlen)
    WARN_UNUSED;

#endif
