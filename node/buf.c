/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Capped growable buffer; see buf.h. */
#include "node/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"

void
buf_init(struct buf *b, size_t max)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

static int
reserve(struct buf *b, size_t extra)
{
  size_t need, cap;
  char *p;

  if (extra > b->max - b->len)
    return ERR_TOO_BIG;
  need = b->len + extra + 1;
  if (need <= b->cap)
    return 0;
  cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
  p = try_realloc(b->data, cap);
  if (p == NULL)
    return -12; /* -ENOMEM */
  b->data = p;
  b->cap = cap;
  return 0;
}

int
buf_append(struct buf *b, const void *data, size_t n)
{
  int err = reserve(b, n);
  if (err)
    return err;
  if (n)
    memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int
buf_append_str(struct buf *b, const char *s)
{
  return buf_append(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
  va_list ap;
  int n, err;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return ERR_INVAL;
  err = reserve(b, (size_t)n);
  if (err)
    return err;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

void
buf_reset(struct buf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

char *
buf_take(struct buf *b, size_t *len)
{
  char *p = b->data;
  if (len)
    *len = b->len;
  if (p == NULL)
    p = xstrdup("");
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  return p;
}

void
buf_free(struct buf *b)
{
  xfree(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}
