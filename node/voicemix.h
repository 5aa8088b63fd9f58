/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Voice blending: a weighted mix of espeak-ng variants becomes one
 * generated variant file whose numeric settings (pitch, formants, tone,
 * breath, stress, ...) are the weighted means of the parents'. It reads
 * the installed variant files; tts installs the result. Deterministic:
 * the same blend always gives the same bytes and name. */
#ifndef GLOWTALK_VOICEMIX_H
#define GLOWTALK_VOICEMIX_H

#include <stddef.h>

#include "node/err.h"

struct voice;

#define VOICEMIX_FILE_MAX 8192 /* bytes of a parent variant file we read */

/* The variant file text for v's blend (v->nparts >= 2), read from the
 * parents in DATA_DIR/voices/!v, and its name (VOICE_MIX_PREFIX + 12 hex digits
 * of the text's hash). Caller frees *text and *name with xfree().
 * ERR_NOT_FOUND if a parent cannot be read, ERR_TOO_BIG if one is over
 * VOICEMIX_FILE_MAX, ERR_INVAL if v is not a blend; errbuf says which.
 * Complexity: O(file size) per parent. */
int voicemix_make(const struct voice *v, const char *data_dir, char **text,
                  char **name, char *errbuf, size_t errlen) WARN_UNUSED;

#endif
