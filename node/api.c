/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* /api handlers; see api.h and docs/API.md. */
#define LOG_MODULE "api"
#include "node/api.h"

#include <pthread.h>

#include "node/api_works.h"

#include "node/alloc.h"
#include "node/app.h"
#include "node/http.h"
#include "node/json.h"
#include "node/log.h"
#include "node/status.h"

struct api {
  struct app *app;
  pthread_mutex_t lock; /* guards app->db: one connection, many threads */
  struct api_works *works; /* /api/imports, /api/works */
};

struct api *
api_new(struct app *app)
{
  struct api *api = xcalloc(1, sizeof(*api));
  api->app = app;
  pthread_mutex_init(&api->lock, NULL);
  api->works = api_works_new(app, &api->lock);
  return api;
}

void
api_free(struct api **api)
{
  if (api == NULL || *api == NULL)
    return;
  api_works_free(&(*api)->works);
  pthread_mutex_destroy(&(*api)->lock);
  xfree(*api);
  *api = NULL;
}

static void
get_status(struct http_req *req, void *arg)
{
  struct api *api = arg;
  struct json *o;
  int err;

  if (*http_req_rest(req) != '\0') {
    http_reply_error(req, 404, "no such page: %s", http_req_path(req));
    return;
  }
  pthread_mutex_lock(&api->lock);
  o = status_json(api->app, &err);
  pthread_mutex_unlock(&api->lock);
  if (o == NULL) {
    log_error("%s: %s", __func__, err_str(err));
    http_reply_error(req, 500, "cannot read the store");
    return;
  }
  http_reply_json(req, 200, o);
  json_free(o);
}

static void
not_found(struct http_req *req, void *arg)
{
  (void)arg;
  http_reply_error(req, 404, "no such API endpoint: %s %s",
                   http_req_method(req), http_req_path(req));
}

void
api_register(struct api *api, struct http_server *srv)
{
  http_route(srv, "GET", "/api/status", 0, get_status, api);
  api_works_register(api->works, srv);
  /* Anything else under /api is a JSON 404, never the UI page. */
  http_route(srv, "GET", "/api/", 0, not_found, api);
  http_route(srv, "POST", "/api/", 0, not_found, api);
  http_route(srv, "PUT", "/api/", 0, not_found, api);
  http_route(srv, "PATCH", "/api/", 0, not_found, api);
  http_route(srv, "DELETE", "/api/", 0, not_found, api);
}
