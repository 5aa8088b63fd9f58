/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Glowfic URL forms; see glowfic_url.h. Plain string parsing: scheme,
 * authority, path; query and fragment are ignored (page, per_page, view,
 * #reply-N all name the same thread). */
#include "node/glowfic_url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HOST_MAX 256 /* bytes of scheme://host:port */

/* Split "scheme://authority/path..." into the authority (lower-cased,
 * with scheme) and the path start. */
static int
split(const char *url, char auth[HOST_MAX], const char **path)
{
  const char *p, *end;
  size_t n, i;

  if (strncasecmp(url, "https://", 8) == 0)
    p = url + 8;
  else if (strncasecmp(url, "http://", 7) == 0)
    p = url + 7;
  else
    return ERR_FORBIDDEN;
  end = p + strcspn(p, "/?#");
  n = (size_t)(end - url);
  if (end == p || n >= HOST_MAX || memchr(p, '@', (size_t)(end - p)))
    return ERR_INVAL;
  for (i = 0; i < n; i++)
    auth[i] = (char)((url[i] >= 'A' && url[i] <= 'Z') ? url[i] + 32
                                                       : url[i]);
  auth[n] = '\0';
  *path = end;
  return 0;
}

int
glowfic_url_check_base(const char *base)
{
  char auth[HOST_MAX];
  const char *path;
  int err = split(base, auth, &path);
  if (err)
    return err;
  return *path == '\0' || strcmp(path, "/") == 0 ? 0 : ERR_INVAL;
}

static const char *
host_of(const char *auth)
{
  return strstr(auth, "://") + 3;
}

static int
allowed(const char *auth, const char *base_auth)
{
  const char *h = host_of(auth);
  if (strcmp(auth, base_auth) == 0)
    return 1;
  /* The public site under either name, whatever the base says: requests
   * still go to the base. */
  return strcmp(h, "glowfic.com") == 0 || strcmp(h, "www.glowfic.com") == 0;
}

/* The number after prefix at the start of path, ending at / ? # or end. */
static int
id_at(const char *path, const char *prefix, int64_t *id)
{
  size_t n = strlen(prefix);
  const char *p;
  int64_t v = 0;
  int digits = 0;

  if (strncmp(path, prefix, n) != 0)
    return 0;
  for (p = path + n; *p >= '0' && *p <= '9'; p++) {
    if (++digits > 15)
      return 0;
    v = v * 10 + (*p - '0');
  }
  if (digits == 0 || v == 0 || (*p && !strchr("/?#", *p)))
    return 0;
  *id = v;
  return 1;
}

int
glowfic_url_parse(const char *url, const char *base, struct glowfic_url *out,
                  char *errbuf, size_t errlen)
{
  static const struct {
    const char *prefix;
    enum glowfic_url_kind kind;
  } forms[] = {
    {"/posts/", GLOWFIC_URL_POST},
    {"/api/v1/posts/", GLOWFIC_URL_POST},
    {"/replies/", GLOWFIC_URL_REPLY},
    {"/boards/", GLOWFIC_URL_BOARD},
    {"/api/v1/boards/", GLOWFIC_URL_BOARD},
    {"/board_sections/", GLOWFIC_URL_SECTION},
    {"/api/v1/subcontinuities/", GLOWFIC_URL_SECTION},
  };
  char auth[HOST_MAX], base_auth[HOST_MAX];
  const char *path, *bpath;
  size_t i;
  int err;

  if (strlen(url) > GLOWFIC_URL_MAX) {
    snprintf(errbuf, errlen, "the URL is longer than %d bytes",
             GLOWFIC_URL_MAX);
    return ERR_INVAL;
  }
  err = split(base, base_auth, &bpath);
  if (err) {
    snprintf(errbuf, errlen, "glowfic-base %s is not an http(s) URL", base);
    return ERR_INVAL;
  }
  err = split(url, auth, &path);
  if (err == ERR_FORBIDDEN) {
    snprintf(errbuf, errlen, "only http(s) Glowfic URLs can be imported");
    return err;
  }
  if (err) {
    snprintf(errbuf, errlen, "malformed URL: %s", url);
    return err;
  }
  if (!allowed(auth, base_auth)) {
    snprintf(errbuf, errlen, "%s is not Glowfic (only %s%s fetched)",
             host_of(auth), host_of(base_auth),
             strcmp(host_of(base_auth), "glowfic.com") == 0
                 ? " is" : " and glowfic.com are");
    return ERR_FORBIDDEN;
  }
  for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
    if (id_at(path, forms[i].prefix, &out->id)) {
      out->kind = forms[i].kind;
      return 0;
    }
  }
  snprintf(errbuf, errlen, "not a Glowfic story URL (want /posts/ID, "
           "/replies/ID, /boards/ID or /board_sections/ID)");
  return ERR_UNSUPPORTED;
}
