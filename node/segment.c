/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* ICU sentence breaking; see segment.h. The iterator reads the UTF-8 text
 * in place through a UText, so its boundaries are byte offsets. */
#include "node/segment.h"

#include <stdio.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <unicode/utext.h>

#include "node/alloc.h"

#define LOCALE_MAX 64 /* bytes of a locale name */

struct segment {
  UBreakIterator *bi;
  size_t max_chars; /* code points */
};

int
segment_new(const char *locale, size_t max_chars, struct segment **out)
{
  char loc[LOCALE_MAX + 16];
  UErrorCode status = U_ZERO_ERROR;
  UBreakIterator *bi;
  struct segment *s;

  *out = NULL;
  if (max_chars < SEGMENT_MIN_CHARS || max_chars > SEGMENT_MAX_CHARS)
    return ERR_INVAL;
  if (locale == NULL)
    locale = "en";
  if (strlen(locale) > LOCALE_MAX || strchr(locale, '@'))
    return ERR_INVAL;
  /* "ss=standard" turns on the CLDR sentence-break suppressions (Mr.,
   * Dr., e.g. ...), as a FilteredBreakIterator. */
  snprintf(loc, sizeof(loc), "%s@ss=standard", locale);
  bi = ubrk_open(UBRK_SENTENCE, loc, NULL, 0, &status);
  if (U_FAILURE(status) || bi == NULL)
    return ERR_UNSUPPORTED;
  s = xmalloc(sizeof(*s));
  s->bi = bi;
  s->max_chars = max_chars;
  *out = s;
  return 0;
}

void
segment_free(struct segment *s)
{
  if (s == NULL)
    return;
  ubrk_close(s->bi);
  xfree(s);
}

size_t
segment_utf8_len(const char *text, size_t len)
{
  size_t i, n = 0;
  for (i = 0; i < len; i++) {
    if (((unsigned char)text[i] & 0xc0) != 0x80)
      n++;
  }
  return n;
}

static int
is_ws(const char *p, const char *end, size_t *w)
{
  unsigned char c = (unsigned char)*p;
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
      c == '\v') {
    *w = 1;
    return 1;
  }
  if (c == 0xc2 && p + 1 < end && (unsigned char)p[1] == 0xa0) {
    *w = 2;
    return 1;
  }
  /* U+2028 / U+2029 line and paragraph separators */
  if (c == 0xe2 && p + 2 < end && (unsigned char)p[1] == 0x80 &&
      ((unsigned char)p[2] == 0xa8 || (unsigned char)p[2] == 0xa9)) {
    *w = 3;
    return 1;
  }
  return 0;
}

static void
trim(const char **text, size_t *len)
{
  const char *p = *text, *end = *text + *len;
  size_t w;
  while (p < end && is_ws(p, end, &w))
    p += w;
  while (end > p) {
    const char *q = end - 1;
    while (q > p && ((unsigned char)*q & 0xc0) == 0x80)
      q--;
    if (!is_ws(q, end, &w))
      break;
    end = q;
  }
  *text = p;
  *len = (size_t)(end - p);
}

/* Byte offset just after the first n code points of text. */
static size_t
prefix_bytes(const char *text, size_t len, size_t n)
{
  size_t i = 0, cps = 0;
  while (i < len) {
    if (((unsigned char)text[i] & 0xc0) != 0x80) {
      if (cps == n)
        return i;
      cps++;
    }
    i++;
  }
  return len;
}

/* Where to cut text[0..limit): after the last clause mark (, ; : ) or
 * before a dash, else at the last space, else at limit (a code point
 * boundary). Never returns 0. */
static size_t
clause_cut(const char *text, size_t limit)
{
  size_t i, space = 0, floor = limit / 3;
  for (i = limit; i > floor; i--) {
    const unsigned char *p = (const unsigned char *)text + i - 1;
    if ((*p == ',' || *p == ';' || *p == ':' || *p == ')') &&
        (i == limit || text[i] == ' '))
      return i;
    /* em dash U+2014 or en dash U+2013: cut before it */
    if (i + 2 <= limit && p[0] == 0xe2 && p[1] == 0x80 &&
        (p[2] == 0x94 || p[2] == 0x93) && i > 1)
      return i - 1;
    if (*p == ' ' && space == 0)
      space = i;
  }
  if (space)
    return space;
  return limit;
}

static int
emit(struct segment *s, const char *text, size_t len, segment_cb cb,
     void *arg)
{
  size_t cut;
  int err;

  trim(&text, &len);
  while (len > 0) {
    if (segment_utf8_len(text, len) <= s->max_chars)
      return cb(text, len, arg);
    cut = clause_cut(text, prefix_bytes(text, len, s->max_chars));
    {
      const char *piece = text;
      size_t plen = cut;
      trim(&piece, &plen);
      if (plen > 0) {
        err = cb(piece, plen, arg);
        if (err)
          return err;
      }
    }
    text += cut;
    len -= cut;
    trim(&text, &len);
  }
  return 0;
}

/* Does the text, after spaces and opening quotes, begin with a lower-case
 * letter? */
static int
starts_lower(const char *text, size_t len)
{
  int32_t i = 0, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
  UChar32 c;

  while (i < n) {
    U8_NEXT(text, i, n, c);
    if (c < 0)
      return 0;
    if (u_isspace(c) || c == 0xa0)
      continue;
    return u_islower(c);
  }
  return 0;
}

int
segment_text(struct segment *s, const char *text, size_t len, segment_cb cb,
             void *arg)
{
  UText ut = UTEXT_INITIALIZER;
  UErrorCode status = U_ZERO_ERROR;
  int32_t start, end;
  int err = 0;

  if (len > SEGMENT_MAX_INPUT)
    return ERR_TOO_BIG;
  if (len == 0)
    return 0;
  utext_openUTF8(&ut, text, (int64_t)len, &status);
  if (U_FAILURE(status))
    return ERR_INVAL;
  ubrk_setUText(s->bi, &ut, &status);
  if (U_FAILURE(status)) {
    err = ERR_INVAL;
    goto out;
  }
  /* UAX 29 breaks after "?" or "!" even before a lower-case word, as in
   * "Really?" she asked. For speech that is one sentence: join them. */
  start = ubrk_first(s->bi);
  for (end = ubrk_next(s->bi); end != UBRK_DONE; end = ubrk_next(s->bi)) {
    if ((size_t)end < len && starts_lower(text + end, len - (size_t)end))
      continue;
    err = emit(s, text + start, (size_t)(end - start), cb, arg);
    if (err)
      break;
    start = end;
  }
out:
  utext_close(&ut);
  return err;
}
