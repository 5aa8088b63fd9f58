/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Glowfic thread pages (HTML) into the work document. Reads both views
 * (paginated and flat), full pages and saved fragments, old and new markup,
 * with the selector rules of GLOWFIC.md 3.5. Parsing only: no fetching,
 * no storing. */
#ifndef GLOWTALK_GLOWFIC_HTML_H
#define GLOWTALK_GLOWFIC_HTML_H

#include <stddef.h>

#include "node/err.h"
#include "node/work.h"

/* Add the posts of one thread page to w: to the thread with the page's
 * post id when w has it (later pages of a paginated thread; posts seen
 * already are skipped, an opening post goes first), else to a new thread.
 * text_flags are TEXT_* (text.h). ERR_NOT_FOUND for Glowfic's "not found
 * or private" page, ERR_PARSE for a page that is not a Glowfic thread, is
 * empty or is cut short; errbuf says which. w may have gained posts on
 * error: the caller drops it. */
int glowfic_html_parse(struct work *w, const char *data, size_t len,
                       unsigned text_flags, char *errbuf, size_t errlen)
    WARN_UNUSED;

/* The number after prefix in s ("/posts/" in "/posts/123?x"), or 0. */
int64_t glowfic_id_after(const char *s, const char *prefix);

#endif
