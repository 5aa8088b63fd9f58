/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The voice catalogue: every installed language voice, every variant (with
 * its gender), and presets for common roles (Narrator, Warm, ...) built
 * from espeak-ng variants. A preset whose voice is not installed here is
 * left out. For `glowtalk voices` and GET /api/voices. */
#ifndef GLOWTALK_VOICECAT_H
#define GLOWTALK_VOICECAT_H

struct json;
struct tts;

#define VOICECAT_VARIANTS_MAX 1024 /* variant files listed */

struct voicecat_preset {
  const char *role;        /* "Narrator" */
  const char *spec;        /* voice spec */
  const char *description; /* one line */
};

/* The built-in presets, terminated by a {NULL} entry. */
const struct voicecat_preset *voicecat_presets(void);

/* {"engine":"espeak","engine_version":..., "voices":[{"lang","languages",
 * "name","gender","identifier"}], "variants":[{"name","description",
 * "gender"}], "presets":[{"role","spec","description"}], "test_engines":
 * BOOL}. While test engines are on (voice_test_engines()) the presets end
 * with the sleep:100 test engine, marked "test":true; otherwise it is
 * not listed anywhere. Caller owns it. */
struct json *voicecat_json(struct tts *t);

#endif
