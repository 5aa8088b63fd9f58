/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* See status.h. */
#include "node/status.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "node/app.h"
#include "node/control.h"
#include "node/feed.h"
#include "node/json.h"
#include "node/state.h"
#include "node/statecache.h"
#include "node/version.h"

/* The capabilities this build has, so the UI offers only what works. */
static struct json *
features_json(void)
{
  static const char *const features[] = {"import", "voices", "books",
                                         "swarm"};
  struct json *a = json_new_array();
  size_t i;
  for (i = 0; i < sizeof(features) / sizeof(features[0]); i++)
    json_push(a, json_new_string(features[i]));
  return a;
}

/* Authors frozen by a fork (node/LOG.md): the UI must show these. */
static struct json *
forks_json(struct app *app, int *err)
{
  struct json *a = json_new_array();
  struct db_stmt *s = NULL;
  int rc;

  *err = db_prepare(app->db, "SELECT lower(hex(author)), frozen_seq FROM "
                    "log_frozen ORDER BY author", &s);
  if (*err)
    return a;
  while ((rc = db_step(s)) == DB_ROW) {
    struct json *f = json_new_object();
    json_set_str(f, "node_id", db_col_text(s, 0) ? db_col_text(s, 0) : "");
    json_set_int(f, "frozen_at_seq", db_col_int(s, 1));
    json_push(a, f);
  }
  *err = rc < 0 ? rc : 0;
  db_finalize(&s);
  return a;
}

#define STATUS_PING_MS 2000 /* a live daemon answers in microseconds */

static pthread_mutex_t peers_lock = PTHREAD_MUTEX_INITIALIZER;
static status_peers_cb peers_cb;   /* guarded by peers_lock */
static void *peers_arg;

void
status_set_peers(status_peers_cb cb, void *arg)
{
  pthread_mutex_lock(&peers_lock);
  peers_cb = cb;
  peers_arg = arg;
  pthread_mutex_unlock(&peers_lock);
}

/* The peer table: from our own swarm in the daemon, else from the running
 * daemon over the control socket, else none. */
static struct json *
peers_json(struct app *app, int in_daemon, int running)
{
  struct json *peers = NULL;
  char errbuf[256];

  if (in_daemon) {
    pthread_mutex_lock(&peers_lock);
    if (peers_cb)
      peers = peers_cb(peers_arg);
    pthread_mutex_unlock(&peers_lock);
  } else if (running && control_call(app->dir, "peers", NULL, STATUS_PING_MS,
                                     &peers, errbuf, sizeof(errbuf)) != 0) {
    peers = NULL;
  }
  if (peers && !json_is_array(peers)) {
    json_free(peers);
    peers = NULL;
  }
  return peers ? peers : json_new_array();
}

static status_peers_cb repl_cb;    /* guarded by peers_lock */
static void *repl_arg;

void
status_set_replication(status_peers_cb cb, void *arg)
{
  pthread_mutex_lock(&peers_lock);
  repl_cb = cb;
  repl_arg = arg;
  pthread_mutex_unlock(&peers_lock);
}

/* The replication object: the daemon's, else the fence from the store. */
static struct json *
replication_json(struct app *app, int in_daemon, int running)
{
  struct json *r = NULL;
  struct feed *f = NULL;
  uint8_t net[NETKEY_ID_BYTES];
  uint64_t behind = 0;
  char errbuf[256];

  if (in_daemon) {
    pthread_mutex_lock(&peers_lock);
    if (repl_cb)
      r = repl_cb(repl_arg);
    pthread_mutex_unlock(&peers_lock);
  } else if (running &&
             control_call(app->dir, "replication", NULL, STATUS_PING_MS, &r,
                          errbuf, sizeof(errbuf)) != 0) {
    r = NULL;
  }
  if (r && json_is_object(r))
    return r;
  json_free(r);
  netkey_id(app->net, net);
  if (feed_open(app->db, app->id, net, &f) == 0) {
    feed_set_head_dir(f, app->dir);
    if (feed_behind(f, &behind) != 0)
      behind = 0;
    feed_free(&f);
  }
  r = json_new_object();
  json_set_bool(r, "fenced", behind > 0);
  json_set_int(r, "behind", (int64_t)behind);
  json_set_int(r, "quarantined", 0);
  return r;
}

static status_blobs_cb blobs_cb;   /* guarded by peers_lock */
static void *blobs_arg;

void
status_set_blobs(status_blobs_cb cb, void *arg)
{
  pthread_mutex_lock(&peers_lock);
  blobs_cb = cb;
  blobs_arg = arg;
  pthread_mutex_unlock(&peers_lock);
}

/* Blob sharing stats, found like the peer table. */
static struct json *
blobs_json(struct app *app, int in_daemon, int running)
{
  struct json *blobs = NULL;
  char errbuf[256];

  if (in_daemon) {
    pthread_mutex_lock(&peers_lock);
    if (blobs_cb)
      blobs = blobs_cb(blobs_arg);
    pthread_mutex_unlock(&peers_lock);
  } else if (running && control_call(app->dir, "blobs", NULL, STATUS_PING_MS,
                                     &blobs, errbuf, sizeof(errbuf)) != 0) {
    blobs = NULL;
  }
  if (blobs && !json_is_object(blobs)) {
    json_free(blobs);
    blobs = NULL;
  }
  return blobs ? blobs : json_new_object();
}

/* Is a daemon running on this data dir? Ask it over the control socket. */
static struct json *
daemon_json(struct app *app, int in_daemon)
{
  struct json *o = json_new_object(), *pong = NULL;
  char errbuf[256];

  if (in_daemon) {
    json_set_bool(o, "running", 1);
    json_set_int(o, "pid", (int64_t)getpid());
  } else if (control_call(app->dir, "ping", NULL, STATUS_PING_MS, &pong, errbuf,
                   sizeof(errbuf)) == 0 &&
      strcmp(json_get_str(pong, "node_id") ? json_get_str(pong, "node_id")
                                           : "", app->node_id) == 0) {
    int64_t pid = 0;
    json_set_bool(o, "running", 1);
    if (json_int(json_get(pong, "pid"), &pid) == 0)
      json_set_int(o, "pid", pid);
  } else {
    json_set_bool(o, "running", 0);
  }
  json_free(pong);
  return o;
}

/* Works in the log and here: {"in_log": works named by an ImportWork,
 * "stored": works in the works tables, "awaiting": works whose current
 * document is not stored here yet (its blob not fetched, or refused)}. */
static struct json *
works_json(struct app *app, int *err)
{
  static const char *const q[] = {
    "SELECT count(*) FROM st_works",
    "SELECT count(*) FROM works",
    "SELECT count(*) FROM st_works s LEFT JOIN works w USING (work_id)"
    " WHERE w.doc_hash IS NULL OR w.doc_hash <> lower(hex(s.doc_hash))"};
  static const char *const key[] = {"in_log", "stored", "awaiting"};
  struct json *o = json_new_object();
  int64_t v;
  size_t i;

  for (i = 0; i < 3 && !*err; i++) {
    *err = db_query_int(app->db, q[i], &v);
    if (!*err)
      json_set_int(o, key[i], v);
  }
  return o;
}

struct json *
status_json(struct app *app, int in_daemon, int *err)
{
  struct json *o, *queue, *daemon;
  struct state_counts counts;
  int version = 0;

  *err = db_schema_version(app->db, &version);
  if (*err)
    return NULL;
  o = json_new_object();
  json_set_str(o, "node_id", app->node_id);
  json_set_str(o, "network_id", app->network_id);
  json_set_int(o, "schema_version", version);
  json_set_str(o, "version", GLOWTALK_VERSION);
  json_set_str(o, "data", app->dir);
  {
    /* The reducer's hash and queue counts, straight from the store. */
    char hash[2 * STATE_HASH_BYTES + 1];
    *err = statecache_hash_hex(app->db, hash, NULL);
    if (!*err)
      *err = statecache_counts(app->db, &counts);
    if (*err) {
      json_free(o);
      return NULL;
    }
    json_set_str(o, "state_hash", hash);
  }
  json_set(o, "forks", forks_json(app, err));
  if (*err) {
    json_free(o);
    return NULL;
  }
  daemon = daemon_json(app, in_daemon);
  json_set(o, "daemon", daemon); /* o owns it; still readable below */
  json_set(o, "features", features_json());
  json_set(o, "peers", peers_json(app, in_daemon,
                                  json_is_true(json_get(daemon, "running"))));
  json_set(o, "replication",
           replication_json(app, in_daemon,
                            json_is_true(json_get(daemon, "running"))));
  json_set(o, "blobs", blobs_json(app, in_daemon,
                                  json_is_true(json_get(daemon, "running"))));
  queue = json_new_object();
  json_set_int(queue, "pending", counts.pending);
  json_set_int(queue, "claimed", counts.claimed);
  json_set_int(queue, "done", counts.done);
  json_set_int(queue, "failed", counts.failed);
  json_set(o, "queue", queue);
  json_set(o, "works", works_json(app, err));
  if (*err) {
    json_free(o);
    return NULL;
  }
  return o;
}

struct json *
status_daemon_peers(void)
{
  struct json *peers = NULL;
  pthread_mutex_lock(&peers_lock);
  if (peers_cb)
    peers = peers_cb(peers_arg);
  pthread_mutex_unlock(&peers_lock);
  if (peers && !json_is_array(peers)) {
    json_free(peers);
    peers = NULL;
  }
  return peers ? peers : json_new_array();
}
