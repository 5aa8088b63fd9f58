/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* A growable byte buffer with a hard size cap (after curl's dynbuf): what a
 * peer, page or file controls can never grow past the cap. The data is
 * always NUL-terminated so text can be used in place. */
#ifndef GLOWTALK_BUF_H
#define GLOWTALK_BUF_H

#include <stddef.h>

#include "node/err.h"

struct buf {
  char *data;   /* NULL until the first append; NUL-terminated after */
  size_t len;   /* bytes, excl. the NUL */
  size_t cap;   /* bytes allocated */
  size_t max;   /* hard cap on len, bytes */
};

/* Empty buffer that may hold at most max bytes. Owes one buf_free(). */
void buf_init(struct buf *b, size_t max);
/* Append n bytes. ERR_TOO_BIG past the cap (buffer unchanged). */
int buf_append(struct buf *b, const void *data, size_t n) WARN_UNUSED;
int buf_append_str(struct buf *b, const char *s) WARN_UNUSED;
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3))) WARN_UNUSED;
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Hand over the data (never NULL; "" if empty). Caller owns it and frees it
 * with xfree(); the buffer is left empty and reusable. */
char *buf_take(struct buf *b, size_t *len);
/* Release the memory; the buffer is left empty. */
void buf_free(struct buf *b);

#endif
