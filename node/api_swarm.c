/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The swarm's API: members with their online state and throughput
 * (GET /api/peers), removing one (DELETE /api/peers/ID), invite codes
 * (POST, GET /api/invites, DELETE /api/invites/ID). docs/API.md. */
#define LOG_MODULE "api"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/api.h"
#include "node/api_internal.h"
#include "node/app.h"
#include "node/config.h"
#include "node/events.h"
#include "node/feed.h"
#include "node/hex.h"
#include "node/invites.h"
#include "node/json.h"
#include "node/live.h"
#include "node/log.h"
#include "node/state.h"
#include "node/status.h"

#define API_SWARM_NODE_HEX (2 * WIRE_KEY_BYTES) /* digits of a node id */

/* Tell open pages that members or invites changed: event "swarm"
 * {change, id} (docs/API.md). */
static void
publish(struct api *api, const char *change, const char *id)
{
  struct json *o;
  if (api->events == NULL)
    return;
  o = json_new_object();
  json_set_str(o, "change", change);
  json_set_str(o, "id", id);
  events_publish(api->events, "swarm", o);
  json_free(o);
}

static int64_t
now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The peer-table entry of node_id in peers, or NULL. */
static const struct json *
peer_of(const struct json *peers, const char *node_id)
{
  size_t i;
  for (i = 0; i < json_len(peers); i++) {
    const struct json *p = json_at(peers, i);
    const char *id = json_get_str(p, "node_id");
    if (id && strcmp(id, node_id) == 0)
      return p;
  }
  return NULL;
}

static void
copy_field(struct json *to, const struct json *from, const char *key)
{
  const struct json *v = from ? json_get(from, key) : NULL;
  if (v)
    json_set(to, key, json_dup(v));
  else
    json_set_null(to, key);
}

/* What this node offers the swarm: engines and render workers. */
static struct json *
this_node(const struct app *app)
{
  struct json *o = json_new_object(), *eng = json_new_array();
  int64_t workers = config_get_int(app->cfg, "workers");
  int render = config_get_bool(app->cfg, "render");
  long cores = sysconf(_SC_NPROCESSORS_ONLN);

  json_push(eng, json_new_string("espeak-ng"));
  json_set(o, "engines", eng);
  json_set_bool(o, "render", render);
  json_set_int(o, "workers", !render ? 0 : workers ? workers
                             : cores > 0 ? cores : 1);
  return o;
}

static void
get_peers(struct http_req *req, struct api *api)
{
  struct json *members, *peers, *out, *arr;
  uint8_t pub[WIRE_KEY_BYTES];
  struct db *db;
  size_t i;

  db = api__db_lock(api);
  members = invites_members_json(db, identity_public_key(api->app->id));
  api__db_unlock(api);
  if (members == NULL) {
    http_reply_error(req, 500, "cannot read the members");
    return;
  }
  peers = status_daemon_peers();
  arr = json_new_array();
  for (i = 0; i < json_len(members); i++) {
    const struct json *m = json_at(members, i);
    const char *id = json_get_str(m, "node_id");
    const struct json *p = id ? peer_of(peers, id) : NULL;
    struct json *o = json_dup(m);
    int self = json_is_true(json_get(m, "self"));
    json_set_bool(o, "online",
                  self || (p && json_is_true(json_get(p, "connected"))));
    copy_field(o, p, "address");
    copy_field(o, p, "last_seen");
    json_set_num(o, "rate_in", p ? json_num(json_get(p, "rate_in")) : 0);
    json_set_num(o, "rate_out", p ? json_num(json_get(p, "rate_out")) : 0);
    json_set_num(o, "bytes_in", p ? json_num(json_get(p, "bytes_in")) : 0);
    json_set_num(o, "bytes_out",
                 p ? json_num(json_get(p, "bytes_out")) : 0);
    json_set_num(o, "per_minute",
                 id && hex_decode(pub, sizeof(pub), id) == 0
                     ? live_node_per_minute(pub) : 0);
    json_push(arr, o);
  }
  out = json_new_object();
  json_set_str(out, "self", api->app->node_id);
  json_set(out, "members", arr);
  json_set(out, "node", this_node(api->app));
  http_reply_json(req, 200, out);
  json_free(out);
  json_free(peers);
  json_free(members);
}

static void
remove_peer(struct http_req *req, struct api *api, const char *id)
{
  struct wire_entry e;
  struct feed *f;
  struct json *o;
  int member = 0, err, removed = 0;
  int64_t n = 0;
  struct db_stmt *s = NULL;

  memset(&e, 0, sizeof(e));
  if (strlen(id) != API_SWARM_NODE_HEX ||
      hex_decode(e.key, WIRE_KEY_BYTES, id) != 0) {
    http_reply_error(req, 400, "'%s' is not a node id (64 hex digits)", id);
    return;
  }
  if (strcmp(id, api->app->node_id) == 0) {
    http_reply_error(req, 400, "this node cannot remove itself");
    return;
  }
  api__db_lock(api);
  f = api_books__feed(api);
  err = f ? feed_sync(f, NULL) : ERR_DB;
  if (!err)
    err = db_prepare(api->app->db, "SELECT removed_lamport IS NOT NULL "
                     "FROM st_members WHERE node=?1", &s);
  if (!err)
    err = db_bind_blob(s, 1, e.key, WIRE_KEY_BYTES);
  if (!err) {
    int rc = db_step(s);
    if (rc == DB_ROW) {
      n = 1;
      removed = (int)db_col_int(s, 0);
    }
    err = rc < 0 ? rc : 0;
  }
  db_finalize(&s);
  if (!err && n && !removed)
    err = state_is_member(feed_state(f), e.key, UINT64_MAX, &member);
  if (!err && member) {
    e.op = WIRE_OP_REMOVE;
    err = feed_append(f, &e, NULL);
  }
  api__db_unlock(api);
  wire_entry_clear(&e);
  if (err == ERR_FORBIDDEN)
    http_reply_error(req, 403, "this node may not write to the swarm's log");
  else if (err)
    http_reply_error(req, 500, "cannot remove: %s", err_str(err));
  else if (!n)
    http_reply_error(req, 404, "%s is not a member of this swarm", id);
  else if (removed || !member)
    http_reply_error(req, 409, "%s was removed already", id);
  else {
    o = json_new_object();
    json_set_str(o, "removed", id);
    http_reply_json(req, 200, o);
    json_free(o);
    publish(api, "remove", id);
  }
}

static void
on_peers(struct http_req *req, void *arg)
{
  const char *rest = http_req_rest(req);
  const char *method = http_req_method(req);

  if (strcmp(method, "GET") == 0 && rest[0] == '\0')
    get_peers(req, arg);
  else if (strcmp(method, "DELETE") == 0 && rest[0] == '/' && rest[1])
    remove_peer(req, arg, rest + 1);
  else
    http_reply_error(req, 404, "no such API endpoint: %s %s", method,
                     http_req_path(req));
}

/* ---- invites --------------------------------------------------------- */

static void
create_invite(struct http_req *req, struct api *api)
{
  struct json *body = api__body_json(req), *o, *a;
  const struct json *jttl;
  char **addrs = NULL, *code = NULL, errbuf[256], id[INVITES_ID_HEX];
  uint64_t ttl = INVITES_TTL_DEFAULT_S;
  int64_t expires = 0;
  size_t n = 0, i;
  struct feed *f;
  int err;

  if (body == NULL)
    return;
  jttl = json_get(body, "ttl");
  if (jttl && !json_is_null(jttl) &&
      (!json_is_string(jttl) ||
       invites_parse_ttl(json_str(jttl), &ttl) != 0)) {
    json_free(body);
    http_reply_error(req, 400, "ttl must be a duration such as \"30m\", "
                     "\"24h\" or \"7d\" (at most %d days)",
                     INVITES_TTL_MAX_S / 86400);
    return;
  }
  json_free(body);
  if (invites_addresses(api->app, &addrs, &n, errbuf, sizeof(errbuf))) {
    http_reply_error(req, 409, "%s", errbuf);
    return;
  }
  api__db_lock(api);
  f = api_books__feed(api);
  err = f ? invites_create(f, api->app->id, api->app->net, addrs, n, ttl,
                           &code, id, &expires)
          : ERR_DB;
  api__db_unlock(api);
  if (err == ERR_FORBIDDEN)
    http_reply_error(req, 403, "this node may not write to the swarm's log "
                     "(not a member yet?)");
  else if (err)
    http_reply_error(req, 500, "cannot create the invite: %s",
                     err_str(err));
  else {
    o = json_new_object();
    json_set_str(o, "code", code);
    json_set_str(o, "invite_id", id);
    json_set_int(o, "expires", expires);
    a = json_new_array();
    for (i = 0; i < n; i++)
      json_push(a, json_new_string(addrs[i]));
    json_set(o, "addresses", a);
    http_reply_json(req, 201, o);
    json_free(o);
    publish(api, "invite", id);
  }
  xfree(code);
  invites_addrs_free(addrs, n);
}

static void
list_invites(struct http_req *req, struct api *api)
{
  struct json *arr, *o;
  struct db *db = api__db_lock(api);

  arr = invites_list_json(db, now_ms());
  api__db_unlock(api);
  if (arr == NULL) {
    http_reply_error(req, 500, "cannot read the invites");
    return;
  }
  o = json_new_object();
  json_set(o, "invites", arr);
  http_reply_json(req, 200, o);
  json_free(o);
}

static void
revoke_invite(struct http_req *req, struct api *api, const char *id)
{
  struct feed *f;
  struct json *o;
  int err;

  api__db_lock(api);
  f = api_books__feed(api);
  err = f ? invites_revoke(f, id) : ERR_DB;
  api__db_unlock(api);
  if (err == ERR_PARSE)
    http_reply_error(req, 400, "'%s' is not an invite id (32 hex digits)",
                     id);
  else if (err == ERR_NOT_FOUND)
    http_reply_error(req, 404, "no invite %s", id);
  else if (err == ERR_EXISTS)
    http_reply_error(req, 409, "invite %s is revoked already", id);
  else if (err == ERR_FORBIDDEN)
    http_reply_error(req, 403, "this node may not write to the swarm's log");
  else if (err)
    http_reply_error(req, 500, "cannot revoke: %s", err_str(err));
  else {
    o = json_new_object();
    json_set_str(o, "revoked", id);
    http_reply_json(req, 200, o);
    json_free(o);
    publish(api, "revoke", id);
  }
}

static void
on_invites(struct http_req *req, void *arg)
{
  const char *rest = http_req_rest(req);
  const char *method = http_req_method(req);

  if (strcmp(method, "GET") == 0 && rest[0] == '\0')
    list_invites(req, arg);
  else if (strcmp(method, "POST") == 0 && rest[0] == '\0')
    create_invite(req, arg);
  else if (strcmp(method, "DELETE") == 0 && rest[0] == '/' && rest[1])
    revoke_invite(req, arg, rest + 1);
  else
    http_reply_error(req, 404, "no such API endpoint: %s %s", method,
                     http_req_path(req));
}

void
api_swarm__register(struct api *api, struct http_server *srv)
{
  http_route(srv, "GET", "/api/peers", 0, on_peers, api);
  http_route(srv, "DELETE", "/api/peers", 0, on_peers, api);
  http_route(srv, "GET", "/api/invites", 0, on_invites, api);
  http_route(srv, "POST", "/api/invites", 0, on_invites, api);
  http_route(srv, "DELETE", "/api/invites", 0, on_invites, api);
}
