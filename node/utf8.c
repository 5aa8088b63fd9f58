/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* UTF-8 repair; see utf8.h. */
#include "node/utf8.h"

#include <stdint.h>
#include <string.h>

#include "node/alloc.h"

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t
seq_len(const unsigned char *p, size_t avail)
{
  size_t n, i;
  uint32_t cp;

  if (p[0] < 0x80)
    return 1;
  if (p[0] >= 0xc2 && p[0] <= 0xdf)
    n = 2;
  else if (p[0] >= 0xe0 && p[0] <= 0xef)
    n = 3;
  else if (p[0] >= 0xf0 && p[0] <= 0xf4)
    n = 4;
  else
    return 0;
  if (avail < n)
    return 0;
  cp = p[0] & (0x7f >> n);
  for (i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

char *
utf8_repair(const char *data, size_t *len)
{
  const unsigned char *p = (const unsigned char *)data;
  size_t i = 0, n, out = 0, in = *len;
  char *copy;

  while (i < in) {
    if (p[i] < 0x80) { /* the common case, byte at a time */
      i++;
      continue;
    }
    n = seq_len(p + i, in - i);
    if (n == 0)
      break;
    i += n;
  }
  if (i == in)
    return NULL;
  copy = xmalloc(3 * in + 1); /* every byte may become 3 */
  memcpy(copy, data, i);
  out = i;
  while (i < in) {
    n = seq_len(p + i, in - i);
    if (n == 0) {
      memcpy(copy + out, "\xef\xbf\xbd", 3);
      out += 3;
      i++;
    } else {
      memcpy(copy + out, p + i, n);
      out += n;
      i += n;
    }
  }
  copy[out] = '\0';
  *len = out;
  return copy;
}

char *
utf8_dup(const char *s)
{
  size_t len;
  char *fixed;

  if (s == NULL)
    return NULL;
  len = strlen(s);
  fixed = utf8_repair(s, &len);
  return fixed ? fixed : xstrdup(s);
}
