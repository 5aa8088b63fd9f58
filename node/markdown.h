/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Markdown to HTML with libcmark (CommonMark), the only module that
 * includes cmark.h. For Glowfic content that has no HTML block markup:
 * the site renders Markdown-editor posts with hard line breaks, and plain
 * newline-only text the same way (paragraphs at blank lines, <br> at
 * single newlines), so one conversion serves both (GLOWFIC.md 2). */
#ifndef GLOWTALK_MARKDOWN_H
#define GLOWTALK_MARKDOWN_H

#include <stddef.h>

#include "node/buf.h"
#include "node/err.h"

#define MARKDOWN_MAX_INPUT (8u << 20) /* bytes of Markdown converted */

/* Append the HTML of the Markdown text s[0..len) to out: CommonMark with
 * single newlines as hard breaks; inline HTML passes through (the result
 * is only ever parsed for its text, never served). ERR_TOO_BIG when len
 * is over MARKDOWN_MAX_INPUT or the HTML over out's cap (out may then hold
 * part of it), -ENOMEM if libcmark fails. */
int markdown_to_html(const char *s, size_t len, struct buf *out)
    WARN_UNUSED;

#endif
