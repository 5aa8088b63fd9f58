/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* HTTP GET for the importer: the one module that touches libcurl. A
 * session spaces its requests politely, retries 429/503 after their
 * Retry-After, times out, caps the body before it grows past the limit,
 * sends a descriptive User-Agent, fetches only http(s), and follows
 * redirects only within the session's base URL. */
#ifndef GLOWTALK_FETCH_H
#define GLOWTALK_FETCH_H

#include <stddef.h>

#include "node/err.h"

#define FETCH_MAX_RETRIES 4       /* extra tries after a 429/503 */
#define FETCH_MAX_RETRY_WAIT 120  /* s: longest Retry-After honoured */
#define FETCH_DEFAULT_RETRY_WAIT 5 /* s: when a 429/503 names no wait */
#define FETCH_MAX_REDIRECTS 5
#define FETCH_USER_AGENT "glowtalk/0.1 (Glowfic audiobook importer; " \
  "+https://github.com/glowtalk)"

struct fetch;

struct fetch_opts {
  const char *base;     /* http(s)://host[:port]: redirects stay here */
  long delay_ms;        /* least time between the starts of requests */
  long timeout_s;       /* per request */
  size_t max_bytes;     /* largest body accepted */
};

struct fetch_response {
  long status;          /* final HTTP status */
  char *body;           /* NUL-terminated; owned */
  size_t len;           /* bytes, excl. the NUL */
  char *location;       /* final URL after redirects; owned */
  long total;           /* "Total" header (API paging), -1 if absent */
};

/* A session. Owes one fetch_free(). */
struct fetch *fetch_new(const struct fetch_opts *o);
void fetch_free(struct fetch *f);

/* GET url. Any status is returned in *res (the caller judges it) except
 * that 429 and 503 are retried; network failures, timeouts, a body over
 * max_bytes (ERR_TOO_BIG) and redirects off the base (ERR_FORBIDDEN) are
 * errors with errbuf set. On success owes one fetch_response_free(). */
int fetch_get(struct fetch *f, const char *url, struct fetch_response *res,
              char *errbuf, size_t errlen) WARN_UNUSED;
void fetch_response_free(struct fetch_response *res);

/* Requests made by the session (retries and redirects count). */
unsigned fetch_count(const struct fetch *f);

#endif
