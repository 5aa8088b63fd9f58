/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Source to work; see importer.h. */
#include "node/importer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/glowfic_api.h"
#include "node/glowfic_html.h"
#include "node/glowfic_listing.h"
#include "node/json.h"
#include "node/text.h"

void
importer_opts_from_config(struct importer_opts *o, const struct config *cfg)
{
  const char *images = config_get(cfg, "images");
  memset(o, 0, sizeof(*o));
  o->text_flags = images && strcmp(images, "skip") == 0 ? TEXT_SKIP_IMAGES
                                                        : 0;
  o->max_chars = (size_t)config_get_int(cfg, "sentence-max-chars");
  o->max_bytes = (size_t)config_get_int(cfg, "fetch-max-bytes");
}

static int
from_json(struct work *w, const char *data, size_t len,
          const struct importer_opts *o, char *errbuf, size_t errlen)
{
  char jerr[128];
  struct json *j = json_parse(data, len, jerr, sizeof(jerr));
  struct work_thread *t;
  const char *msg;
  size_t added;
  int err;

  if (j == NULL) {
    snprintf(errbuf, errlen, "invalid JSON: %s", jerr);
    return ERR_PARSE;
  }
  msg = glowfic_api_error(j);
  if (msg) {
    snprintf(errbuf, errlen, "Glowfic API error: %s", msg);
    err = ERR_NOT_FOUND;
  } else if (json_is_array(j)) {
    t = work_add_thread(w);
    err = glowfic_api_replies(w, t, j, o->text_flags, &added, errbuf,
                              errlen);
    if (!err && added == 0) {
      snprintf(errbuf, errlen, "the API reply holds no replies");
      err = ERR_PARSE;
    }
  } else {
    err = glowfic_api_post(w, j, o->text_flags, errbuf, errlen);
  }
  json_free(j);
  return err;
}

int
importer_from_bytes(const char *source, const char *data, size_t len,
                    const struct importer_opts *o, struct work **out,
                    char *errbuf, size_t errlen)
{
  struct work *w;
  size_t i = 0;
  int err;

  *out = NULL;
  if (len > o->max_bytes) {
    snprintf(errbuf, errlen, "%s is %zu bytes, over the limit of %zu "
             "(fetch-max-bytes)", source, len, o->max_bytes);
    return ERR_TOO_BIG;
  }
  while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' ||
                     data[i] == '\t'))
    i++;
  if (i == len) {
    snprintf(errbuf, errlen, "%s is empty", source);
    return ERR_PARSE;
  }
  if (data[i] != '{' && data[i] != '[' && glowfic_listing_detect(data, len)) {
    snprintf(errbuf, errlen, "%s is a saved continuity or section page: "
             "import it with 'glowtalk import FILE', which fetches its "
             "threads", source);
    return ERR_UNSUPPORTED;
  }
  w = work_new(source);
  if (data[i] == '{' || data[i] == '[')
    err = from_json(w, data, len, o, errbuf, errlen);
  else
    err = glowfic_html_parse(w, data, len, o->text_flags, errbuf, errlen);
  if (!err) {
    err = work_finish(w, o->max_chars);
    if (err == ERR_PARSE)
      snprintf(errbuf, errlen, "%s has no story text", source);
    else if (err)
      snprintf(errbuf, errlen, "cannot split %s into sentences: %s", source,
               err_str(err));
  }
  if (err) {
    work_free(w);
    return err;
  }
  *out = w;
  return 0;
}

int
importer_read_file(const char *path, const struct importer_opts *o,
                   char **out, size_t *len, char *errbuf, size_t errlen)
{
  struct stat sb;
  char *data = NULL;
  size_t got = 0;
  ssize_t n;
  int fd, err = 0;

  *out = NULL;
  *len = 0;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = -errno;
    snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(-err));
    return err;
  }
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    snprintf(errbuf, errlen, "%s is not a regular file", path);
    err = ERR_INVAL;
    goto out;
  }
  if ((uint64_t)sb.st_size > o->max_bytes) {
    snprintf(errbuf, errlen, "%s is %lld bytes, over the limit of %zu "
             "(fetch-max-bytes)", path, (long long)sb.st_size, o->max_bytes);
    err = ERR_TOO_BIG;
    goto out;
  }
  data = try_malloc((size_t)sb.st_size + 1);
  if (data == NULL) {
    err = -ENOMEM;
    snprintf(errbuf, errlen, "out of memory reading %s", path);
    goto out;
  }
  while (got < (size_t)sb.st_size) {
    n = read(fd, data + got, (size_t)sb.st_size - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  data[got] = '\0';
  *out = data;
  *len = got;
  data = NULL;
out:
  xfree(data);
  close(fd);
  return err;
}

int
importer_from_file(const char *path, const struct importer_opts *o,
                   struct work **out, char *errbuf, size_t errlen)
{
  char *data = NULL;
  size_t len = 0;
  int err;

  *out = NULL;
  err = importer_read_file(path, o, &data, &len, errbuf, errlen);
  if (!err)
    err = importer_from_bytes(path, data, len, o, out, errbuf, errlen);
  xfree(data);
  return err;
}
