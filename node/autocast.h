/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Auto-cast: give every character of a work a distinct voice, the most
 * distinct voices to the characters who speak most, the same way on every
 * run. It builds voice specs only; it does not check the engine. */
#ifndef GLOWTALK_AUTOCAST_H
#define GLOWTALK_AUTOCAST_H

#include <stddef.h>

#include "node/err.h"

#define AUTOCAST_MAX 10000     /* characters cast at once */
#define AUTOCAST_DISTINCT 500  /* voices before they repeat (20 x 25) */

struct autocast_char {
  const char *name; /* character name (ties in share are broken by it) */
  double share;     /* part of the spoken words, any non-negative scale */
};

/* Cast n characters speaking lang ("en", "fr", ...; accents are varied
 * for English). out[i] receives the voice spec of chars[i] (caller frees
 * each with xfree()); the AUTOCAST_DISTINCT characters who speak most get
 * distinct specs (the rest reuse them in the same order), and a spec
 * equal to avoid (the narrator's, or NULL) is never given. Order of
 * chars does not matter. ERR_INVAL for a bad lang or share, ERR_TOO_BIG
 * over AUTOCAST_MAX; on error out is untouched. */
int autocast_assign(const struct autocast_char *chars, size_t n,
                    const char *lang, const char *avoid, char **out,
                    char *errbuf, size_t errlen) WARN_UNUSED;

#endif
