/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Saved Glowfic listing pages: a continuity (/boards/ID) or a section
 * (/board_sections/ID) page lists its threads in reading order
 * (GLOWFIC.md 3.4). This reads the thread ids, in order, with their
 * sections; the threads themselves are imported by importer.h. */
#ifndef GLOWTALK_GLOWFIC_LISTING_H
#define GLOWTALK_GLOWFIC_LISTING_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

#define GLOWFIC_LISTING_MAX 10000 /* threads read from one page */

enum glowfic_listing_kind {
  GLOWFIC_LISTING_BOARD,   /* a continuity page */
  GLOWFIC_LISTING_SECTION  /* a section page */
};

struct glowfic_listing_item {
  int64_t thread;  /* post id */
  int64_t section; /* section id, 0 when sectionless or unknown */
};

struct glowfic_listing {
  enum glowfic_listing_kind kind;
  int64_t board;   /* continuity id, 0 if the page does not say */
  int64_t section; /* a section page's id, 0 if it does not say */
  char *title;     /* the table title (continuity or section name), NULL */
  struct glowfic_listing_item *items; /* reading order, no duplicates */
  size_t n;
};

/* Does data look like a listing page (thread rows, no post blocks)?
 * A cheap byte check, for choosing the reader. */
int glowfic_listing_detect(const char *data, size_t len);

/* Read the threads of a saved listing page: rows in document order,
 * sections in page order and sectionless threads last; quick page links
 * and repeats are dropped. ERR_PARSE (errbuf says why) when the page
 * lists no thread, ERR_TOO_BIG over GLOWFIC_LISTING_MAX. On success
 * glowfic_listing_free() is owed; on failure *out holds nothing. */
int glowfic_listing_parse(const char *data, size_t len,
                          struct glowfic_listing *out, char *errbuf,
                          size_t errlen) WARN_UNUSED;
void glowfic_listing_free(struct glowfic_listing *l);

#endif
