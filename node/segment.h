/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Sentence segmentation: the one module that touches ICU. Splits a
 * paragraph into sentences with ICU's sentence break iterator, with
 * abbreviation suppression ("Mr. Smith" stays one sentence), and splits
 * sentences longer than a cap at clause boundaries. */
#ifndef GLOWTALK_SEGMENT_H
#define GLOWTALK_SEGMENT_H

#include <stddef.h>

#include "node/err.h"

struct segment;

#define SEGMENT_MIN_CHARS 40       /* smallest accepted cap, code points */
#define SEGMENT_MAX_CHARS 5000     /* largest accepted cap, code points */
#define SEGMENT_MAX_INPUT (16u << 20) /* bytes of one paragraph */

/* Called once per sentence: text[0..len) is trimmed, non-empty and at most
 * the cap in code points. A nonzero return stops the split and is
 * returned by segment_text(). */
typedef int (*segment_cb)(const char *text, size_t len, void *arg);

/* A segmenter for locale (NULL = "en"; suppression of abbreviations is
 * added) with sentences capped at max_chars code points. ERR_INVAL for a
 * cap outside [SEGMENT_MIN_CHARS, SEGMENT_MAX_CHARS], ERR_UNSUPPORTED if
 * ICU has no sentence rules. Owes one segment_free(). */
int segment_new(const char *locale, size_t max_chars, struct segment **out)
    WARN_UNUSED;
void segment_free(struct segment *s);

/* Split len bytes of UTF-8 text, calling cb for each sentence in order.
 * Whitespace-only text yields no call. ERR_TOO_BIG over
 * SEGMENT_MAX_INPUT. Not reentrant on one segmenter. */
int segment_text(struct segment *s, const char *text, size_t len,
                 segment_cb cb, void *arg) WARN_UNUSED;

/* Code points in len bytes of UTF-8 (continuation bytes not counted). */
size_t segment_utf8_len(const char *text, size_t len);

#endif
