/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The one place that calls malloc/free (STYLE.md C5, E9). Counts live
 * blocks so tests can assert a module released everything. */
#include "node/alloc.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_long live_blocks;

static void
oom(size_t size)
{
  fprintf(stderr, "glowtalk: out of memory allocating %zu bytes\n", size);
  abort();
}

void *
try_malloc(size_t size)
{
  void *p = malloc(size ? size : 1);
  if (p != NULL)
    atomic_fetch_add(&live_blocks, 1);
  return p;
}

void *
try_realloc(void *ptr, size_t size)
{
  void *p;
  if (ptr == NULL)
    return try_malloc(size);
  p = realloc(ptr, size ? size : 1);
  return p;
}

void *
xmalloc(size_t size)
{
  void *p = try_malloc(size);
  if (p == NULL)
    oom(size);
  return p;
}

void *
xcalloc(size_t n, size_t size)
{
  void *p;
  if (n != 0 && size > (size_t)-1 / n)
    oom((size_t)-1);
  p = calloc(n ? n : 1, size ? size : 1);
  if (p == NULL)
    oom(n * size);
  atomic_fetch_add(&live_blocks, 1);
  return p;
}

void *
xrealloc(void *ptr, size_t size)
{
  void *p = try_realloc(ptr, size);
  if (p == NULL)
    oom(size);
  return p;
}

char *
xstrdup(const char *s)
{
  return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
  size_t len = strnlen(s, n);
  char *p = xmalloc(len + 1);
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

char *
xasprintf(const char *fmt, ...)
{
  va_list ap;
  int len;
  char *p;

  va_start(ap, fmt);
  len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (len < 0)
    oom(0);
  p = xmalloc((size_t)len + 1);
  va_start(ap, fmt);
  vsnprintf(p, (size_t)len + 1, fmt, ap);
  va_end(ap);
  return p;
}

void
xfree(void *ptr)
{
  if (ptr == NULL)
    return;
  atomic_fetch_sub(&live_blocks, 1);
  free(ptr);
}

long
alloc_live_count(void)
{
  return atomic_load(&live_blocks);
}
