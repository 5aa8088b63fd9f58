/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* All allocation goes through here (STYLE.md E9), so tests can count
 * allocations. x* functions abort on failure: they are for small internal
 * allocations. Growth that input controls uses the try_* forms, capped. */
#ifndef GLOWTALK_ALLOC_H
#define GLOWTALK_ALLOC_H

#include <stddef.h>

/* Allocate or abort with a message. Never return NULL. Caller frees with
 * xfree(). */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formatted string, allocated. Caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like malloc/realloc: NULL on failure, for sizes that input decides. */
void *try_malloc(size_t size);
void *try_realloc(void *ptr, size_t size);

/* Free; xfree(NULL) does nothing. */
void xfree(void *ptr);

/* Number of live allocations made through this module (for leak tests). */
long alloc_live_count(void);

#endif
