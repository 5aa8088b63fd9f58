/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Works in the web API: POST /api/imports (a Glowfic URL as {"url": ...},
 * or an uploaded saved page or API reply as the raw body), GET
 * /api/works, /api/works/{id}, /api/works/{id}/characters. Fetching and
 * parsing run outside the store lock; storing inside it. */
#define LOG_MODULE "api"
#include "node/api_works.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node/alloc.h"
#include "node/http.h"
#include "node/importer.h"
#include "node/json.h"
#include "node/log.h"
#include "node/work_store.h"

#define NAME_MAX_LEN 256 /* bytes of ?name= for an upload */

struct api_works {
  struct app *app;
  pthread_mutex_t *lock; /* guards app->db */
};

static int
status_of(int err)
{
  switch (err) {
  case ERR_NOT_FOUND: return 404;
  case ERR_TOO_BIG: return 413;
  case ERR_NET: case ERR_HTTP: case ERR_TIMEOUT: return 502;
  case ERR_DB: case ERR_DB_CORRUPT: return 500;
  default: return err > ERR_BASE_ && err < ERR_END_ ? 400 : 500;
  }
}

static void
post_import(struct http_req *req, void *arg)
{
  struct api_works *aw = arg;
  struct importer_opts opts;
  struct work_store_counts counts;
  const struct buf *body;
  const char *type = http_req_header(req, "Content-Type");
  struct json *j = NULL, *o;
  struct work *w = NULL;
  char errbuf[512], name[NAME_MAX_LEN];
  const char *url = NULL;
  int err;

  body = http_req_body(req, &err);
  if (body == NULL || err) {
    http_reply_error(req, err == ERR_TOO_BIG ? 413 : 400,
                     "cannot read the upload: %s", err_str(err));
    return;
  }
  importer_opts_from_config(&opts, aw->app->cfg);
  if (type && strncmp(type, "application/json", 16) == 0 && body->len)
    j = json_parse(body->data, body->len, errbuf, sizeof(errbuf));
  if (j && json_is_object(j) && json_get_str(j, "url") &&
      json_len(j) == 1)
    url = json_get_str(j, "url");
  if (url) {
    err = importer_from_url(url, aw->app->cfg, &opts, &w, errbuf,
                            sizeof(errbuf));
  } else {
    if (http_req_query(req, "name", name, sizeof(name)) != 0)
      snprintf(name, sizeof(name), "upload");
    err = importer_from_bytes(name, body->len ? body->data : "", body->len,
                              &opts, &w, errbuf, sizeof(errbuf));
  }
  json_free(j);
  if (!err) {
    pthread_mutex_lock(aw->lock);
    err = work_store_save(aw->app->db, w, (int64_t)time(NULL), &counts,
                          errbuf, sizeof(errbuf));
    pthread_mutex_unlock(aw->lock);
  }
  if (err) {
    log_info("import refused: %s", errbuf);
    http_reply_error(req, status_of(err), "%s", errbuf);
  } else {
    o = work_store_counts_json(w, &counts);
    http_reply_json(req, 201, o);
    json_free(o);
  }
  work_free(w);
}

static int
valid_id(const char *s, size_t n)
{
  size_t i;
  if (n != WORK_ID_HEX - 1)
    return 0;
  for (i = 0; i < n; i++) {
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  }
  return 1;
}

static void
get_works(struct http_req *req, void *arg)
{
  struct api_works *aw = arg;
  const char *rest = http_req_rest(req);
  char id[WORK_ID_HEX];
  const char *slash;
  struct json *o = NULL;
  int err;

  if (*rest == '\0' || strcmp(rest, "/") == 0) {
    pthread_mutex_lock(aw->lock);
    err = work_store_list_json(aw->app->db, &o);
    pthread_mutex_unlock(aw->lock);
    goto reply;
  }
  if (*rest != '/')
    goto not_found;
  rest++;
  slash = strchr(rest, '/');
  if (!valid_id(rest, slash ? (size_t)(slash - rest) : strlen(rest)))
    goto not_found;
  memcpy(id, rest, WORK_ID_HEX - 1);
  id[WORK_ID_HEX - 1] = '\0';
  pthread_mutex_lock(aw->lock);
  if (slash == NULL)
    err = work_store_get_json(aw->app->db, id, &o);
  else if (strcmp(slash, "/characters") == 0)
    err = work_store_characters_json(aw->app->db, id, &o);
  else
    err = ERR_UNSUPPORTED;
  pthread_mutex_unlock(aw->lock);
  if (err == ERR_UNSUPPORTED)
    goto not_found;
reply:
  if (err == ERR_NOT_FOUND) {
    http_reply_error(req, 404, "no such work");
  } else if (err) {
    log_error("%s: %s", __func__, err_str(err));
    http_reply_error(req, 500, "cannot read the store");
  } else {
    http_reply_json(req, 200, o);
  }
  json_free(o);
  return;
not_found:
  http_reply_error(req, 404, "no such page: %s", http_req_path(req));
}

struct api_works *
api_works_new(struct app *app, pthread_mutex_t *lock)
{
  struct api_works *aw = xcalloc(1, sizeof(*aw));
  aw->app = app;
  aw->lock = lock;
  return aw;
}

void
api_works_register(struct api_works *aw, struct http_server *srv)
{
  size_t cap = (size_t)config_get_int(aw->app->cfg, "fetch-max-bytes");
  http_route(srv, "POST", "/api/imports", cap, post_import, aw);
  http_route(srv, "GET", "/api/works", 0, get_works, aw);
}

void
api_works_free(struct api_works **aw)
{
  if (aw == NULL || *aw == NULL)
    return;
  xfree(*aw);
  *aw = NULL;
}
