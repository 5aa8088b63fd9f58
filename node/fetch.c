/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* libcurl GETs; see fetch.h. Redirects are followed by hand so each hop
 * is checked against the base and counts as a polite request. */
#include "node/fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "node/alloc.h"
#include "node/buf.h"

#define LOG_MODULE "fetch"
#include "node/log.h"

struct fetch {
  CURL *curl;
  char *base;          /* lower-cased scheme://host[:port] */
  long delay_ms;
  long timeout_s;
  size_t max_bytes;
  struct timespec last; /* start of the previous request */
  int have_last;
  unsigned count;
};

struct hdrs {
  long retry_after;    /* s, -1 if absent */
  long total;          /* -1 if absent */
};

static void
init(void)
{
  static int done;
  if (!done) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    done = 1;
  }
}

struct fetch *
fetch_new(const struct fetch_opts *o)
{
  struct fetch *f = xcalloc(1, sizeof(*f));
  size_t i;

  init();
  f->curl = curl_easy_init();
  if (f->curl == NULL) {
    fprintf(stderr, "glowtalk: libcurl failed to initialise\n");
    abort();
  }
  f->base = xstrdup(o->base);
  for (i = 0; f->base[i]; i++) {
    if (f->base[i] >= 'A' && f->base[i] <= 'Z')
      f->base[i] = (char)(f->base[i] + 32);
  }
  if (i > 0 && f->base[i - 1] == '/')
    f->base[i - 1] = '\0';
  f->delay_ms = o->delay_ms;
  f->timeout_s = o->timeout_s;
  f->max_bytes = o->max_bytes;
  return f;
}

void
fetch_free(struct fetch *f)
{
  if (f == NULL)
    return;
  curl_easy_cleanup(f->curl);
  xfree(f->base);
  xfree(f);
}

unsigned
fetch_count(const struct fetch *f)
{
  return f->count;
}

void
fetch_response_free(struct fetch_response *res)
{
  xfree(res->body);
  xfree(res->location);
  memset(res, 0, sizeof(*res));
}

static void
sleep_ms(long ms)
{
  struct timespec ts;
  if (ms <= 0)
    return;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* Wait until delay_ms have passed since the previous request began. */
static void
be_polite(struct fetch *f)
{
  struct timespec now;
  long elapsed;

  clock_gettime(CLOCK_MONOTONIC, &now);
  if (f->have_last) {
    elapsed = (now.tv_sec - f->last.tv_sec) * 1000 +
              (now.tv_nsec - f->last.tv_nsec) / 1000000;
    if (elapsed < f->delay_ms)
      sleep_ms(f->delay_ms - elapsed);
    clock_gettime(CLOCK_MONOTONIC, &now);
  }
  f->last = now;
  f->have_last = 1;
  f->count++;
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
  struct buf *b = arg;
  /* Returning less than given makes libcurl stop with a write error. */
  if (buf_append(b, data, size * n) != 0)
    return 0;
  return size * n;
}

static long
header_long(const char *v, size_t len)
{
  char tmp[32];
  char *end;
  long n;
  while (len > 0 && (*v == ' ' || *v == '\t')) {
    v++;
    len--;
  }
  while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
                     v[len - 1] == ' '))
    len--;
  if (len == 0 || len >= sizeof(tmp))
    return -1;
  memcpy(tmp, v, len);
  tmp[len] = '\0';
  errno = 0;
  n = strtol(tmp, &end, 10);
  if (errno || *end || n < 0)
    return -1; /* an HTTP date instead of seconds: use the default */
  return n;
}

static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
  struct hdrs *h = arg;
  size_t len = size * n;
  if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0)
    h->retry_after = header_long(data + 12, len - 12);
  else if (len > 6 && strncasecmp(data, "Total:", 6) == 0)
    h->total = header_long(data + 6, len - 6);
  return len;
}

static int
within_base(const struct fetch *f, const char *url)
{
  size_t n = strlen(f->base);
  return strncasecmp(url, f->base, n) == 0 &&
         (url[n] == '\0' || url[n] == '/' || url[n] == '?');
}

/* One request, no retries, no redirects followed. */
static int
get_once(struct fetch *f, const char *url, struct buf *body,
         struct hdrs *h, long *status, char **redirect, char *errbuf,
         size_t errlen)
{
  CURL *c = f->curl;
  CURLcode rc;
  char *loc = NULL;

  buf_reset(body);
  h->retry_after = -1;
  h->total = -1;
  *redirect = NULL;
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, FETCH_USER_AGENT);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, f->timeout_s);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, f->timeout_s);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_bytes);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
  be_polite(f);
  rc = curl_easy_perform(c);
  if (rc == CURLE_WRITE_ERROR || rc == CURLE_FILESIZE_EXCEEDED) {
    snprintf(errbuf, errlen, "%s: the response is over the limit of %zu "
             "bytes (fetch-max-bytes)", url, f->max_bytes);
    return ERR_TOO_BIG;
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    snprintf(errbuf, errlen, "%s: timed out after %ld s", url,
             f->timeout_s);
    return ERR_TIMEOUT;
  }
  if (rc != CURLE_OK) {
    snprintf(errbuf, errlen, "%s: %s", url, curl_easy_strerror(rc));
    return ERR_NET;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
  if (*status >= 300 && *status < 400 &&
      curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
    *redirect = xstrdup(loc);
  return 0;
}

int
fetch_get(struct fetch *f, const char *url, struct fetch_response *res,
          char *errbuf, size_t errlen)
{
  struct buf body;
  struct hdrs h;
  char *cur = xstrdup(url), *redirect = NULL;
  int tries = 0, hops = 0, err;
  long status = 0, wait;

  memset(res, 0, sizeof(*res));
  buf_init(&body, f->max_bytes);
  for (;;) {
    if (!within_base(f, cur)) {
      snprintf(errbuf, errlen, "%s is outside %s: not fetched", cur,
               f->base);
      err = ERR_FORBIDDEN;
      goto fail;
    }
    err = get_once(f, cur, &body, &h, &status, &redirect, errbuf, errlen);
    if (err)
      goto fail;
    if ((status == 429 || status == 503) && tries < FETCH_MAX_RETRIES) {
      wait = h.retry_after >= 0 ? h.retry_after : FETCH_DEFAULT_RETRY_WAIT;
      if (wait > FETCH_MAX_RETRY_WAIT)
        wait = FETCH_MAX_RETRY_WAIT;
      log_info("%s: HTTP %ld, retrying in %ld s", cur, status, wait);
      sleep_ms(wait * 1000);
      tries++;
      continue;
    }
    if (redirect) {
      if (++hops > FETCH_MAX_REDIRECTS) {
        snprintf(errbuf, errlen, "%s: too many redirects", url);
        err = ERR_HTTP;
        goto fail;
      }
      xfree(cur);
      cur = redirect;
      redirect = NULL;
      continue;
    }
    break;
  }
  res->status = status;
  res->total = h.total;
  res->body = buf_take(&body, &res->len);
  res->location = cur;
  return 0;
fail:
  xfree(redirect);
  xfree(cur);
  buf_free(&body);
  return err;
}
