/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* UTF-8 repair: whatever a page or API reply sends, the work document
 * holds valid UTF-8 (its JSON must parse anywhere). libxml2 2.9 would pass
 * invalid bytes through into text, and cJSON keeps them in strings. */
#ifndef GLOWTALK_UTF8_H
#define GLOWTALK_UTF8_H

#include <stddef.h>

/* NULL when data[0..*len) is valid UTF-8 as it is; else a copy (caller
 * frees with xfree(), NUL-terminated) in which every byte that starts no
 * valid sequence (overlong forms and surrogates included) is replaced by
 * U+FFFD, with its length in *len. O(n). */
char *utf8_repair(const char *data, size_t *len);

/* A valid UTF-8 copy of the NUL-terminated s (repaired as above), or NULL
 * for NULL. Caller frees with xfree(). */
char *utf8_dup(const char *s);

#endif
