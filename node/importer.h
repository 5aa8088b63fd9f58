/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Import sources into a finished work document: a saved page or API reply
 * (bytes or a file), or a Glowfic URL (fetched through fetch.h). Decides
 * which reader applies; never stores anything (work_store.h does). */
#ifndef GLOWTALK_IMPORTER_H
#define GLOWTALK_IMPORTER_H

#include <stddef.h>
#include <stdint.h>

#include "node/config.h"
#include "node/err.h"
#include "node/work.h"

struct importer_opts {
  unsigned text_flags;  /* TEXT_* (text.h), from the "images" option */
  size_t max_chars;     /* "sentence-max-chars" */
  size_t max_bytes;     /* "fetch-max-bytes": largest input accepted */
};

/* Options from a config ("images", "sentence-max-chars",
 * "fetch-max-bytes"). */
void importer_opts_from_config(struct importer_opts *o,
                               const struct config *cfg);

/* Read a saved Glowfic page (HTML) or API reply (JSON: a post, or an
 * array of replies) from data and finish it. source names it in the work.
 * On failure *out is NULL and errbuf holds one line saying why; a saved
 * listing page is ERR_UNSUPPORTED here (see importer_from_listing). */
int importer_from_bytes(const char *source, const char *data, size_t len,
                        const struct importer_opts *o, struct work **out,
                        char *errbuf, size_t errlen) WARN_UNUSED;

/* The same from a file, refused before reading when it is over
 * o->max_bytes. */
int importer_from_file(const char *path, const struct importer_opts *o,
                       struct work **out, char *errbuf, size_t errlen)
    WARN_UNUSED;

/* The bytes of a file (NUL-terminated; caller frees *out with xfree()),
 * refused before reading when over o->max_bytes. One line in errbuf on
 * failure. */
int importer_read_file(const char *path, const struct importer_opts *o,
                       char **out, size_t *len, char *errbuf, size_t errlen)
    WARN_UNUSED;

/* A saved continuity or section page (glowfic_listing.h) in data: every
 * thread it lists, in its reading order, each from the first of files
 * (nfiles saved thread pages or API replies, all pages of a thread) that
 * holds it, else fetched like importer_from_url() (which needs the
 * config's Glowfic base). A thread that is private or deleted is skipped
 * with a warning; none readable is an error. The work's key is the
 * continuity's or section's when the page names it (as importer_from_url
 * gives), so importing the URL later updates the same work. */
int importer_from_listing(const char *source, const char *data, size_t len,
                          const char *const *files, size_t nfiles,
                          const struct config *cfg,
                          const struct importer_opts *o, struct work **out,
                          char *errbuf, size_t errlen) WARN_UNUSED;

#define IMPORTER_PER_PAGE 100     /* replies per API request (the max) */
#define IMPORTER_MAX_PAGES 100000 /* API pages of one listing */

/* Fetch a Glowfic URL (glowfic_url.h forms) from the configured base
 * ("glowfic-base", "glowfic-delay", "fetch-timeout") and finish it. A
 * thread comes from the JSON API (post, then replies 100 a page) with the
 * opening post's author from the HTML page when the API cannot tell; a
 * reply permalink is resolved to its thread through its HTML page; a
 * continuity or section is every thread in reading order. One line in
 * errbuf on failure (Glowfic's own message for 404/403). */
int importer_from_url(const char *url, const struct config *cfg,
                      const struct importer_opts *o, struct work **out,
                      char *errbuf, size_t errlen) WARN_UNUSED;

#endif
