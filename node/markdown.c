/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Markdown to HTML; wraps libcmark (see markdown.h). */
#include "node/markdown.h"

#include <errno.h>
#include <stdlib.h>

#include <cmark.h>

int
markdown_to_html(const char *s, size_t len, struct buf *out)
{
  char *html;
  int err;

  if (len > MARKDOWN_MAX_INPUT)
    return ERR_TOO_BIG;
  html = cmark_markdown_to_html(s, len, CMARK_OPT_HARDBREAKS |
                                CMARK_OPT_UNSAFE |
                                CMARK_OPT_VALIDATE_UTF8);
  if (html == NULL)
    return -ENOMEM;
  err = buf_append_str(out, html);
  free(html); /* libcmark's allocator: the C library's */
  return err;
}
