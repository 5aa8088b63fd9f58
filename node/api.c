/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* /api handlers; see api.h and docs/API.md. */
#define LOG_MODULE "api"
#include "node/api.h"

#include <pthread.h>
#include <stdlib.h>

#include "node/alloc.h"
#include "node/api_internal.h"
#include "node/app.h"
#include "node/events.h"
#include "node/http.h"
#include "node/json.h"
#include "node/log.h"
#include "node/status.h"

#define API_EVENTS_KEEPALIVE_MS 15000 /* comment line so proxies keep it */

struct api *
api_new(struct app *app, struct events *events)
{
  struct api *api = xcalloc(1, sizeof(*api));
  api->app = app;
  api->events = events;
  pthread_mutex_init(&api->lock, NULL);
  api->imports = api_works__imports_new();
  api->voices = api_voices__new();
  api_live__start(api);
  return api;
}

void
api_free(struct api **api)
{
  if (api == NULL || *api == NULL)
    return;
  api_works__imports_free(&(*api)->imports);
  api_voices__free(&(*api)->voices);
  api_books__close(*api);
  api_live__stop(*api);
  pthread_mutex_destroy(&(*api)->lock);
  xfree(*api);
  *api = NULL;
}

struct db *
api__db_lock(struct api *api)
{
  pthread_mutex_lock(&api->lock);
  return api->app->db;
}

void
api__db_unlock(struct api *api)
{
  pthread_mutex_unlock(&api->lock);
}

#define API_BIG_STACK (16u << 20) /* bytes: what a main thread gets */

struct big_stack_call {
  int (*fn)(void *arg);
  void *arg;
  int result;
};

static void *
big_stack_main(void *p)
{
  struct big_stack_call *c = p;
  c->result = c->fn(c->arg);
  return NULL;
}

int
api__run_big_stack(int (*fn)(void *arg), void *arg)
{
  struct big_stack_call c = {fn, arg, 0};
  pthread_attr_t attr;
  pthread_t t;
  int rc;

  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, API_BIG_STACK);
  rc = pthread_create(&t, &attr, big_stack_main, &c);
  pthread_attr_destroy(&attr);
  if (rc != 0)
    return -rc;
  pthread_join(t, NULL);
  return c.result;
}

struct json *
api__body_json(struct http_req *req)
{
  const struct buf *body;
  struct json *j;
  char errbuf[128];
  int err;

  body = http_req_body(req, &err);
  if (err == ERR_TOO_BIG) {
    http_reply_error(req, 413, "request body too large");
    return NULL;
  }
  if (err) {
    http_reply_error(req, 400, "cannot read the request body");
    return NULL;
  }
  j = json_parse(body->data ? body->data : "", body->len, errbuf,
                 sizeof(errbuf));
  if (j == NULL || !json_is_object(j)) {
    http_reply_error(req, 400, "the body must be a JSON object (%s)",
                     j ? "got another JSON value" : errbuf);
    json_free(j);
    return NULL;
  }
  return j;
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
  api__db_lock(api);
  o = status_json(api->app, 1, &err);
  api__db_unlock(api);
  if (o == NULL) {
    log_error("%s: %s", __func__, err_str(err));
    http_reply_error(req, 500, "cannot read the store");
    return;
  }
  http_reply_json(req, 200, o);
  json_free(o);
}

/* GET /api/events: Server-Sent Events. A reconnecting browser sends
 * Last-Event-ID and gets what it missed; ?after=N does the same for the
 * first connection. Holds one web thread until the client goes or the
 * node stops. */
static void
get_events(struct http_req *req, void *arg)
{
  struct api *api = arg;
  const char *hdr = http_req_header(req, "Last-Event-ID");
  char param[32];
  uint64_t after;
  struct buf out;
  int err = 0;

  if (hdr == NULL && http_req_query(req, "after", param, sizeof(param)) == 0)
    hdr = param;
  after = hdr ? strtoull(hdr, NULL, 10) : events_last_id(api->events);
  buf_init(&out, EVENTS_BATCH_MAX + 4096);
  http_stream_start(req, "text/event-stream; charset=utf-8", NULL);
  err = http_stream_write(req, "retry: 2000\n\n", 13);
  while (!err) {
    buf_reset(&out);
    err = events_wait(api->events, after, API_EVENTS_KEEPALIVE_MS, &out,
                      &after);
    if (err == ERR_TIMEOUT)
      err = http_stream_write(req, ":\n\n", 3);
    else if (!err)
      err = http_stream_write(req, out.data, out.len);
  }
  buf_free(&out);
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
  http_route(srv, "GET", "/api/events", 0, get_events, api);
  api_works__register(api, srv);
  api_voices__register(api, srv);
  api_books__register(api, srv);
  api_live__register(api, srv);
  api_swarm__register(api, srv);
  /* Anything else under /api is a JSON 404, never the UI page. */
  http_route(srv, "GET", "/api/", 0, not_found, api);
  http_route(srv, "POST", "/api/", 0, not_found, api);
  http_route(srv, "PUT", "/api/", 0, not_found, api);
  http_route(srv, "PATCH", "/api/", 0, not_found, api);
  http_route(srv, "DELETE", "/api/", 0, not_found, api);
}
