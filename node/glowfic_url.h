/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The Glowfic URLs users paste (GLOWFIC.md 6): what they name, and the
 * base URL every request goes to. Only glowfic.com, www.glowfic.com and
 * the configured base's own host are accepted. */
#ifndef GLOWTALK_GLOWFIC_URL_H
#define GLOWTALK_GLOWFIC_URL_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

enum glowfic_url_kind {
  GLOWFIC_URL_POST,    /* /posts/ID, /api/v1/posts/ID[/replies] */
  GLOWFIC_URL_REPLY,   /* /replies/ID: the thread holding that reply */
  GLOWFIC_URL_BOARD,   /* /boards/ID: a continuity */
  GLOWFIC_URL_SECTION  /* /board_sections/ID, /api/v1/subcontinuities/ID */
};

#define GLOWFIC_URL_MAX 2048 /* bytes of a URL accepted */

struct glowfic_url {
  enum glowfic_url_kind kind;
  int64_t id;
};

/* Parse url against base (the "glowfic-base" option, e.g.
 * "https://glowfic.com"). ERR_FORBIDDEN (errbuf says why) for another
 * host or scheme, ERR_UNSUPPORTED for a Glowfic page that is not a story
 * (a character, a user...), ERR_INVAL for a malformed URL. */
int glowfic_url_parse(const char *url, const char *base,
                      struct glowfic_url *out, char *errbuf, size_t errlen)
    WARN_UNUSED;

/* Check base itself: http(s)://host[:port] with no path beyond "/". */
int glowfic_url_check_base(const char *base) WARN_UNUSED;

#endif
