/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Speech synthesis with libespeak-ng in-process: the only module that
 * includes espeak-ng headers (STYLE.md A3). It turns UTF-8 text into 16-bit
 * mono PCM, lists the installed voices and variants, and can install a
 * generated variant file (voice mixing). It knows nothing of Opus or specs.
 * libespeak-ng keeps global state and is not thread-safe, so there is at
 * most one struct tts per process; parallel renders use worker processes. */
#ifndef GLOWTALK_TTS_H
#define GLOWTALK_TTS_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

#define TTS_TEXT_MAX 8192            /* bytes of text per synthesis */
#define TTS_PCM_MAX (22050 * 600)    /* samples per synthesis (10 min) */
#define TTS_NAME_MAX 40              /* bytes of a voice or variant name */
#define TTS_VARIANT_FILE_MAX 8192    /* bytes of one variant file */
#define TTS_VOICES_MAX 1024          /* installed voices we list */

struct tts;

#define TTS_PHONEMES (1u << 0) /* [[...]] in the text are espeak phonemes */
#define TTS_SSML (1u << 1)     /* the text is SSML (<emphasis>, &amp;) */

/* What to say and how. Ranges are espeak-ng's (speak_lib.h). */
struct tts_params {
  const char *voice;   /* language voice, "en-gb-scotland" */
  const char *variant; /* file in voices/!v, or NULL for none */
  int rate;            /* words per minute, 80-450 */
  int pitch;           /* 0-99, 50 normal */
  int range;           /* pitch range 0-99, 50 normal */
  int volume;          /* 0-200, 100 normal */
  int wordgap;         /* extra pause between words, units of 10 ms */
  unsigned flags;      /* TTS_PHONEMES, TTS_SSML */
};

/* An installed language voice, from espeak_ListVoices. */
struct tts_voice_info {
  char name[64];       /* "English_(Scotland)" */
  char language[32];   /* first language: "en-gb-scotland" */
  char languages[96];  /* all it answers to, space-separated: "en-gb en" */
  char identifier[64]; /* file under voices: "gmw/en-GB-scotland" */
  int gender;          /* 0 unknown, 1 male, 2 female */
};

/* Start espeak-ng in synchronous mode with a private voices overlay (a
 * temp dir of symlinks to the installed data, where generated variants
 * can be added), or reuse the one this process started. ERR_LOCKED if a
 * handle is already open in this process, ERR_ENGINE
 * if espeak-ng cannot start (errbuf says why). Owes one tts_close(). */
int tts_open(struct tts **out, char *errbuf, size_t errlen) WARN_UNUSED;
/* End this handle and clear *t; NULL does nothing. espeak-ng itself keeps
 * running until the process exits (it cannot be restarted safely), when
 * it is stopped and the overlay removed; a later tts_open() reuses it. */
void tts_close(struct tts **t);

/* "1.51" (the library's version). Static storage. */
const char *tts_version(const struct tts *t);
/* The installed espeak-ng-data directory. Valid until tts_close(). */
const char *tts_data_dir(const struct tts *t);
/* Output sample rate in Hz (22050 for espeak-ng). */
int tts_sample_rate(const struct tts *t);

/* Installed language voices. *out is an array of *n entries; caller frees
 * it with xfree(). */
int tts_list_voices(struct tts *t, struct tts_voice_info **out, size_t *n)
    WARN_UNUSED;
/* 1 if name is an installed language voice (name or language). */
int tts_voice_exists(struct tts *t, const char *name);
/* 1 if name is a variant file (installed or generated). */
int tts_variant_exists(struct tts *t, const char *name);

/* Write a generated variant called name (letters, digits, '-', '_') with
 * the given file text into the overlay, so tts_params.variant may name it.
 * Writing the same name again replaces it. ERR_INVAL for a bad name,
 * ERR_TOO_BIG for text over TTS_VARIANT_FILE_MAX. */
int tts_variant_install(struct tts *t, const char *name, const char *text)
    WARN_UNUSED;

/* Synthesise text (UTF-8, not SSML) into 16-bit mono PCM at
 * tts_sample_rate(). On success *pcm (caller frees with xfree()) holds
 * *nsamples samples. ERR_INVAL for empty text, ERR_TOO_BIG for text over
 * TTS_TEXT_MAX or audio over TTS_PCM_MAX, ERR_NOT_FOUND for an unknown
 * voice or variant, ERR_ENGINE when espeak-ng fails; errbuf says which. On
 * failure *pcm is NULL. */
int tts_synth(struct tts *t, const struct tts_params *p, const char *text,
              int16_t **pcm, size_t *nsamples, char *errbuf, size_t errlen)
    WARN_UNUSED;

#endif
