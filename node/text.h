/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Text for speech: a post's content (HTML, or the API's Markdown or
 * newline-only text) becomes paragraphs of clean text. Every character of
 * the story is kept (curly quotes, dashes, ellipses, any script); markup
 * becomes hints: emphasis spans, blank-paragraph pauses, quote/heading/
 * list flags. Images are spoken as their alt text or skipped; links are
 * their text. Works on xml.h nodes; knows nothing of Glowfic pages. */
#ifndef GLOWTALK_TEXT_H
#define GLOWTALK_TEXT_H

#include <stddef.h>

#include "node/err.h"
#include "node/work.h"
#include "node/xml.h"

#define TEXT_SKIP_IMAGES (1u << 0) /* drop images instead of their alt */
#define TEXT_MAX_PARA (1u << 20)   /* bytes of one paragraph */
#define TEXT_MAX_DEPTH 256         /* element nesting followed */

/* Append the paragraphs of the content element (its children) to p.
 * ERR_TOO_BIG past the caps (p keeps what was added). */
int text_from_node(struct work_post *p, const struct xml_node *content,
                   unsigned flags) WARN_UNUSED;

/* Append the paragraphs of stored content text to p, the way the site
 * renders it (GLOWFIC.md 2): HTML when it has <p>, <br> or block tags;
 * otherwise Markdown with hard line breaks (node/markdown.h), which is
 * also the site's rule for newline-only text: paragraphs at blank lines,
 * line breaks at single newlines; headings, lists (ordered items keep
 * their numbers), quotes, emphasis and links become the same paragraphs
 * and hints as their HTML. */
int text_from_string(struct work_post *p, const char *content, size_t len,
                     unsigned flags) WARN_UNUSED;

#endif
