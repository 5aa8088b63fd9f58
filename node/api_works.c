/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* /api/works and /api/imports: the imported stories, their characters,
 * and imports run in the background with progress as live events. */
#define LOG_MODULE "api"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/api_internal.h"
#include "node/app.h"
#include "node/db.h"
#include "node/events.h"
#include "node/glowfic_url.h"
#include "node/hex.h"
#include "node/glowfic_listing.h"
#include "node/importer.h"
#include "node/json.h"
#include "node/log.h"
#include "node/work_store.h"
#include "node/works.h"

#define IMPORTS_RUNNING_MAX 4       /* imports at once; more get 429 */
#define IMPORTS_KEPT 64             /* finished imports remembered */
#define IMPORT_UPLOAD_MAX (64u << 20) /* bytes of an uploaded page */
#define IMPORT_URL_MAX 2048         /* bytes of a pasted URL */
#define IMPORT_ID_BYTES 8
#define IMPORT_SOURCE_MAX 256       /* bytes of an upload's file name */

struct import_job {
  char id[2 * IMPORT_ID_BYTES + 1];
  char state[16];      /* fetching|parsing|storing|done|failed */
  char *source;        /* URL or file name, for people */
  char *url;           /* NULL for an upload */
  char *data;          /* upload bytes */
  size_t len;
  char *error;
  struct json *result; /* counts once done */
  struct config *cfg;  /* private copy: the import may outlive a request */
  char *db_path;
  struct api *api;
  struct imports *im;
};

struct imports {
  pthread_mutex_t lock;
  pthread_cond_t idle; /* signalled when running drops */
  struct import_job *jobs[IMPORTS_KEPT]; /* ring, newest at next-1 */
  unsigned next;
  int running;
};

/* ---- jobs --------------------------------------------------------------- */

static void
job_free(struct import_job *j)
{
  if (j == NULL)
    return;
  xfree(j->source);
  xfree(j->url);
  xfree(j->data);
  xfree(j->error);
  json_free(j->result);
  config_free(&j->cfg);
  xfree(j->db_path);
  xfree(j);
}

/* The job as JSON; called with im->lock held. */
static struct json *
job_json(const struct import_job *j)
{
  struct json *o = json_new_object();
  json_set_str(o, "import_id", j->id);
  json_set_str(o, "source", j->source);
  json_set_str(o, "state", j->state);
  if (j->error)
    json_set_str(o, "error", j->error);
  if (j->result) {
    json_set_str(o, "work_id", json_get_str(j->result, "work_id"));
    json_set(o, "counts", json_dup(j->result));
  }
  return o;
}

static void
set_state(struct import_job *j, const char *state)
{
  struct json *o;
  pthread_mutex_lock(&j->im->lock);
  snprintf(j->state, sizeof(j->state), "%s", state);
  o = job_json(j);
  pthread_mutex_unlock(&j->im->lock);
  events_publish(j->api->events, "import", o);
  json_free(o);
}

/* Put the stored work's document in the blob store and append ImportWork,
 * through a feed on the job's own connection (appends from several
 * connections are serialised by SQLite, see feed.h). */
static int
publish(struct import_job *j, struct db *db, const struct work *w,
        const char *old_ids, size_t n_old, char *hash_hex, char *errbuf,
        size_t errlen)
{
  char id[WORK_ID_HEX];
  uint8_t net[NETKEY_ID_BYTES];
  struct feed *f = NULL;
  int err;

  netkey_id(j->api->app->net, net);
  err = feed_open(db, j->api->app->id, net, &f);
  if (err) {
    snprintf(errbuf, errlen, "cannot open the log: %s", err_str(err));
    return err;
  }
  err = works_publish_dir(f, j->api->app->dir, w, hash_hex, errbuf, errlen);
  work_id(w, id);
  if (!err && n_old && (err = works_rebase(f, id, old_ids, n_old, NULL)))
    snprintf(errbuf, errlen, "cannot request moved sentences again: %s",
             err_str(err));
  feed_free(&f);
  return err;
}

/* The import itself, on its own thread with its own store connection, so
 * a slow Glowfic never holds up the web threads. */
static void *
run_job(void *arg)
{
  struct import_job *j = arg;
  struct importer_opts opts;
  struct work_store_counts counts;
  struct work *w = NULL;
  struct db *db = NULL;
  char errbuf[512] = "", doc_hash[2 * WIRE_HASH_BYTES + 1] = "";
  char wid[WORK_ID_HEX], *old_ids = NULL;
  size_t n_old = 0;
  int err;

  importer_opts_from_config(&opts, j->cfg);
  if (j->url) {
    err = importer_from_url(j->url, j->cfg, &opts, &w, errbuf,
                            sizeof(errbuf));
  } else if (glowfic_listing_detect(j->data, j->len)) {
    /* a saved continuity or section page: its threads are fetched */
    err = importer_from_listing(j->source, j->data, j->len, NULL, 0, j->cfg,
                                &opts, &w, errbuf, sizeof(errbuf));
  } else {
    set_state(j, "parsing");
    err = importer_from_bytes(j->source, j->data, j->len, &opts, &w,
                              errbuf, sizeof(errbuf));
  }
  if (!err) {
    set_state(j, "storing");
    err = db_open_store(j->db_path, &db, errbuf, sizeof(errbuf));
  }
  if (!err) {
    work_id(w, wid);
    err = works_story_ids(db, wid, &old_ids, &n_old);
  }
  if (!err)
    err = work_store_save(db, w, (int64_t)time(NULL), &counts, errbuf,
                          sizeof(errbuf));
  if (!err)
    err = publish(j, db, w, old_ids, n_old, doc_hash, errbuf,
                  sizeof(errbuf));
  xfree(old_ids);
  db_close(&db);
  pthread_mutex_lock(&j->im->lock);
  if (err) {
    j->error = xstrdup(errbuf[0] ? errbuf : err_str(err));
    log_warn("import %s of %s failed: %s", j->id, j->source, j->error);
  } else {
    j->result = work_store_counts_json(w, &counts);
    json_set_str(j->result, "doc_hash", doc_hash); /* the blob in the log */
    log_info("imported %s: work %s", j->source, counts.work_id);
  }
  pthread_mutex_unlock(&j->im->lock);
  work_free(w);
  set_state(j, err ? "failed" : "done");
  pthread_mutex_lock(&j->im->lock);
  j->im->running--;
  pthread_cond_broadcast(&j->im->idle);
  pthread_mutex_unlock(&j->im->lock);
  return NULL;
}

struct imports *
api_works__imports_new(void)
{
  struct imports *im = xcalloc(1, sizeof(*im));
  pthread_mutex_init(&im->lock, NULL);
  pthread_cond_init(&im->idle, NULL);
  return im;
}

void
api_works__imports_free(struct imports **imp)
{
  struct imports *im;
  struct timespec deadline;
  size_t i;

  if (imp == NULL || *imp == NULL)
    return;
  im = *imp;
  *imp = NULL;
  /* A fetch from Glowfic can take minutes; wait a little, then leave the
   * threads to the process exit (their transaction never commits, so
   * nothing half-written remains) rather than free what they use. */
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 5;
  pthread_mutex_lock(&im->lock);
  while (im->running > 0 &&
         pthread_cond_timedwait(&im->idle, &im->lock, &deadline) == 0)
    ;
  if (im->running > 0) {
    log_warn("%d import(s) still running at shutdown: abandoned",
             im->running);
    pthread_mutex_unlock(&im->lock);
    return;
  }
  pthread_mutex_unlock(&im->lock);
  for (i = 0; i < IMPORTS_KEPT; i++)
    job_free(im->jobs[i]);
  pthread_cond_destroy(&im->idle);
  pthread_mutex_destroy(&im->lock);
  xfree(im);
}

/* POST /api/imports: {"url": ...} as JSON, or the raw bytes of a saved
 * page with X-Filename. Answers 202 at once. */
static void
post_import(struct http_req *req, void *arg)
{
  struct api *api = arg;
  struct imports *im = api->imports;
  const char *ctype = http_req_header(req, "Content-Type");
  char fname[IMPORT_SOURCE_MAX];
  struct import_job *j;
  struct json *body = NULL, *o;
  const struct buf *raw;
  uint8_t idb[IMPORT_ID_BYTES];
  struct glowfic_url parsed;
  char errbuf[256];
  pthread_attr_t attr;
  pthread_t thread;
  int err;

  j = xcalloc(1, sizeof(*j));
  if (ctype && strncmp(ctype, "application/json", 16) == 0) {
    const char *url;
    body = api__body_json(req);
    if (body == NULL)
      goto drop;
    url = json_get_str(body, "url");
    if (url == NULL || *url == '\0' || strlen(url) > IMPORT_URL_MAX) {
      http_reply_error(req, 400, "give the story's URL as {\"url\": "
                       "\"https://glowfic.com/posts/...\"}");
      goto drop;
    }
    /* Refuse what the importer would refuse, now rather than later. */
    if (glowfic_url_parse(url, config_get(api->app->cfg, "glowfic-base"),
                          &parsed, errbuf, sizeof(errbuf))) {
      http_reply_error(req, 400, "%s", errbuf);
      goto drop;
    }
    j->url = xstrdup(url);
    j->source = xstrdup(url);
  } else {
    raw = http_req_body(req, &err);
    if (err == ERR_TOO_BIG) {
      http_reply_error(req, 413, "a saved page may be at most %u MiB",
                       IMPORT_UPLOAD_MAX >> 20);
      goto drop;
    }
    if (err || raw->len == 0) {
      http_reply_error(req, 400, "send a saved Glowfic page (HTML or API "
                       "JSON) as the request body");
      goto drop;
    }
    j->data = xmalloc(raw->len);
    memcpy(j->data, raw->data, raw->len);
    j->len = raw->len;
    if (http_req_header_decoded(req, "X-Filename", fname, sizeof(fname)) ||
        fname[0] == '\0')
      snprintf(fname, sizeof(fname), "uploaded page");
    j->source = xstrdup(fname);
  }
  secure_random(idb, sizeof(idb));
  hex_encode(j->id, idb, sizeof(idb));
  snprintf(j->state, sizeof(j->state), "%s", j->url ? "fetching"
                                                    : "parsing");
  j->cfg = config_dup(api->app->cfg);
  j->db_path = xasprintf("%s/glowtalk.db", api->app->dir);
  j->api = api;
  j->im = im;

  pthread_mutex_lock(&im->lock);
  if (im->running >= IMPORTS_RUNNING_MAX) {
    pthread_mutex_unlock(&im->lock);
    http_reply_error(req, 429, "%d imports are already running: wait for "
                     "one to finish", IMPORTS_RUNNING_MAX);
    goto drop;
  }
  /* Keep the newest IMPORTS_KEPT; an old finished job makes room. */
  if (im->jobs[im->next % IMPORTS_KEPT] &&
      strcmp(im->jobs[im->next % IMPORTS_KEPT]->state, "done") != 0 &&
      strcmp(im->jobs[im->next % IMPORTS_KEPT]->state, "failed") != 0) {
    pthread_mutex_unlock(&im->lock);
    http_reply_error(req, 429, "too many imports in flight");
    goto drop;
  }
  job_free(im->jobs[im->next % IMPORTS_KEPT]);
  im->jobs[im->next % IMPORTS_KEPT] = j;
  im->next++;
  im->running++;
  o = job_json(j);
  pthread_mutex_unlock(&im->lock);

  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&thread, &attr, run_job, j) != 0) {
    pthread_mutex_lock(&im->lock);
    im->running--;
    snprintf(j->state, sizeof(j->state), "failed");
    j->error = xstrdup("cannot start the import");
    pthread_mutex_unlock(&im->lock);
    http_reply_error(req, 500, "cannot start the import");
  } else {
    http_reply_json(req, 202, o);
  }
  pthread_attr_destroy(&attr);
  json_free(o);
  json_free(body);
  return;
drop:
  json_free(body);
  job_free(j);
}

/* GET /api/imports/{id} */
static void
get_import(struct http_req *req, void *arg)
{
  struct api *api = arg;
  struct imports *im = api->imports;
  const char *id = http_req_rest(req);
  struct json *o = NULL;
  size_t i;

  pthread_mutex_lock(&im->lock);
  for (i = 0; i < IMPORTS_KEPT; i++) {
    if (im->jobs[i] && strcmp(im->jobs[i]->id, id) == 0) {
      o = job_json(im->jobs[i]);
      break;
    }
  }
  pthread_mutex_unlock(&im->lock);
  if (o == NULL) {
    http_reply_error(req, 404, "no import %s", id);
    return;
  }
  http_reply_json(req, 200, o);
  json_free(o);
}

/* ---- works -------------------------------------------------------------- */

#define WORK_COUNTS_SQL                                                    \
  "SELECT w.work_id, w.title, w.source, w.imported_at,"                    \
  " (SELECT count(*) FROM work_threads t WHERE t.work_id = w.work_id),"    \
  " (SELECT count(*) FROM work_posts p WHERE p.work_id = w.work_id),"      \
  " (SELECT count(*) FROM work_characters c WHERE c.work_id = w.work_id)," \
  " (SELECT count(*) FROM work_sentences s WHERE s.work_id = w.work_id),"  \
  " (SELECT coalesce(sum(words), 0) FROM work_posts p"                     \
  "   WHERE p.work_id = w.work_id)"                                        \
  " FROM works w"

static struct json *
work_row_json(struct db_stmt *st)
{
  struct json *o = json_new_object();
  json_set_str(o, "id", db_col_text(st, 0));
  json_set_str(o, "title", db_col_text(st, 1));
  json_set_str(o, "source", db_col_text(st, 2));
  json_set_int(o, "imported_at", db_col_int(st, 3));
  json_set_int(o, "threads", db_col_int(st, 4));
  json_set_int(o, "posts", db_col_int(st, 5));
  json_set_int(o, "characters", db_col_int(st, 6));
  json_set_int(o, "sentences", db_col_int(st, 7));
  json_set_int(o, "words", db_col_int(st, 8));
  return o;
}

static void
get_works(struct http_req *req, void *arg)
{
  struct api *api = arg;
  struct db *db = api__db_lock(api);
  struct db_stmt *st = NULL;
  struct json *o = json_new_object(), *list = json_new_array();
  int rc = DB_DONE;

  if (db_prepare(db, WORK_COUNTS_SQL " ORDER BY w.imported_at DESC, "
                 "w.work_id", &st) == 0) {
    while ((rc = db_step(st)) == DB_ROW) {
      struct json *w = work_row_json(st);
      json_set(w, "books", api_books__of_work(db, db_col_text(st, 0)));
      json_push(list, w);
    }
  } else {
    rc = ERR_DB;
  }
  db_finalize(&st);
  api__db_unlock(api);
  json_set(o, "works", list);
  if (rc < 0)
    http_reply_error(req, 500, "cannot read the works");
  else
    http_reply_json(req, 200, o);
  json_free(o);
}

/* Threads of a work, in reading order. */
static int
add_threads(struct db *db, const char *work_id, struct json *o)
{
  struct db_stmt *st = NULL;
  struct json *list = json_new_array();
  int rc, err;

  err = db_prepare(db, "SELECT t.position, t.glowfic_id, t.subject, "
                   "t.description, (SELECT count(*) FROM work_posts p "
                   "WHERE p.work_id = t.work_id AND p.thread_pos = "
                   "t.position) FROM work_threads t WHERE t.work_id = ? "
                   "ORDER BY t.position", &st);
  if (!err)
    err = db_bind_text(st, 1, work_id, -1);
  while (!err && (rc = db_step(st)) == DB_ROW) {
    struct json *t = json_new_object();
    json_set_int(t, "id", db_col_int(st, 0));
    json_set_int(t, "glowfic_id", db_col_int(st, 1));
    json_set_str(t, "title", db_col_text(st, 2));
    json_set_str(t, "description", db_col_text(st, 3));
    json_set_int(t, "posts", db_col_int(st, 4));
    json_push(list, t);
  }
  if (!err && rc < 0)
    err = rc;
  db_finalize(&st);
  json_set(o, "threads", list);
  return err;
}

/* GET /api/works/{id} and /api/works/{id}/characters */
static void get_characters(struct http_req *req, struct api *api,
                           const char *work_id);

static void
get_work(struct http_req *req, void *arg)
{
  struct api *api = arg;
  const char *rest = http_req_rest(req);
  char work_id[WORK_ID_HEX];
  const char *slash = strchr(rest, '/');
  size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
  struct db_stmt *st = NULL;
  struct json *o = NULL;
  struct db *db;
  int rc = ERR_DB;

  if (idlen == 0 || idlen >= sizeof(work_id)) {
    http_reply_error(req, 404, "no such work");
    return;
  }
  memcpy(work_id, rest, idlen);
  work_id[idlen] = '\0';
  if (slash && strcmp(slash, "/characters") == 0) {
    get_characters(req, api, work_id);
    return;
  }
  if (slash) {
    http_reply_error(req, 404, "no such page: %s", http_req_path(req));
    return;
  }
  db = api__db_lock(api);
  if (db_prepare(db, WORK_COUNTS_SQL " WHERE w.work_id = ?", &st) == 0 &&
      db_bind_text(st, 1, work_id, -1) == 0) {
    rc = db_step(st);
    if (rc == DB_ROW) {
      o = work_row_json(st);
      json_del(o, "threads"); /* the count becomes the list */
      if (add_threads(db, work_id, o))
        rc = ERR_DB;
    }
  }
  db_finalize(&st);
  api__db_unlock(api);
  if (rc == DB_DONE)
    http_reply_error(req, 404, "no work %s", work_id);
  else if (rc < 0)
    http_reply_error(req, 500, "cannot read the work");
  else
    http_reply_json(req, 200, o);
  json_free(o);
}

/* The first sentences of a post, as a sample line for casting. */
static char *
sample_text(struct db *db, const char *work_id, const char *post_key)
{
  struct db_stmt *st = NULL;
  struct buf b;

  buf_init(&b, 400);
  if (db_prepare(db, "SELECT text FROM work_sentences WHERE work_id = ? "
                 "AND post_key = ? ORDER BY position LIMIT 3", &st) == 0 &&
      db_bind_text(st, 1, work_id, -1) == 0 &&
      db_bind_text(st, 2, post_key, -1) == 0) {
    while (db_step(st) == DB_ROW) {
      if ((b.len && buf_append(&b, " ", 1)) ||
          buf_append_str(&b, db_col_text(st, 0)))
        break; /* long enough */
    }
  }
  db_finalize(&st);
  return buf_take(&b, NULL);
}

static struct json *
samples_json(struct db *db, const char *work_id, const char *keys_json)
{
  struct json *arr = json_new_array(), *keys;
  char errbuf[64];
  size_t i;

  keys = json_parse(keys_json ? keys_json : "[]",
                    keys_json ? strlen(keys_json) : 2, errbuf,
                    sizeof(errbuf));
  for (i = 0; i < json_len(keys); i++) {
    const char *k = json_str(json_at(keys, i));
    char *text = k ? sample_text(db, work_id, k) : NULL;
    if (text && *text)
      json_push(arr, json_new_string(text));
    xfree(text);
  }
  json_free(keys);
  return arr;
}

/* Icons are third-party URLs shown by the browser: only schemes it can
 * load under the page's policy pass (a saved page may carry relative or
 * script URLs). NULL otherwise. */
static const char *
usable_icon(const char *url)
{
  if (url && (strncmp(url, "https://", 8) == 0 ||
              strncmp(url, "http://", 7) == 0 ||
              strncmp(url, "data:image/", 11) == 0))
    return url;
  return NULL;
}

/* Characters, most words first, then one narration entry per author of
 * posts without a character (DESIGN.md: narration by the author). */
static void
get_characters(struct http_req *req, struct api *api, const char *work_id)
{
  struct db *db = api__db_lock(api);
  struct db_stmt *st = NULL;
  struct json *o = json_new_object(), *list = json_new_array();
  int64_t total = 0, exists = 0;
  int rc = 0, err;

  err = db_prepare(db, "SELECT count(*), (SELECT coalesce(sum(words), 0) "
                   "FROM work_posts WHERE work_id = ?1) FROM works WHERE "
                   "work_id = ?1", &st);
  if (!err)
    err = db_bind_text(st, 1, work_id, -1);
  if (!err && db_step(st) == DB_ROW) {
    exists = db_col_int(st, 0);
    total = db_col_int(st, 1);
  }
  db_finalize(&st);
  if (!err && exists)
    err = db_prepare(db,
      "SELECT char_key, name, screenname, author, icon_url, icon_keyword, "
      "posts, words, samples FROM work_characters WHERE work_id = ?1 "
      "UNION ALL "
      "SELECT 'narrator:' || coalesce(author, ''), NULL, NULL, author, "
      "NULL, NULL, count(*), sum(words), (SELECT json_group_array(post_key)"
      " FROM (SELECT post_key FROM work_posts q WHERE q.work_id = ?1 AND "
      "q.char_key IS NULL AND q.author IS p.author AND q.words > 0 ORDER "
      "BY thread_pos, position LIMIT 3)) FROM work_posts p WHERE "
      "p.work_id = ?1 AND p.char_key IS NULL GROUP BY author "
      "ORDER BY 8 DESC, 1", &st);
  if (!err && exists)
    err = db_bind_text(st, 1, work_id, -1);
  while (!err && exists && (rc = db_step(st)) == DB_ROW) {
    struct json *c = json_new_object();
    int64_t words = db_col_int(st, 7);
    json_set_str(c, "key", db_col_text(st, 0));
    json_set_str(c, "name", db_col_text(st, 1));
    json_set_str(c, "screenname", db_col_text(st, 2));
    json_set_str(c, "author", db_col_text(st, 3));
    json_set_str(c, "icon_url", usable_icon(db_col_text(st, 4)));
    json_set_str(c, "icon_keyword", db_col_text(st, 5));
    json_set_int(c, "posts", db_col_int(st, 6));
    json_set_int(c, "words", words);
    json_set_num(c, "share", total ? (double)words / (double)total : 0.0);
    json_set(c, "samples", samples_json(db, work_id, db_col_text(st, 8)));
    json_push(list, c);
  }
  db_finalize(&st);
  api__db_unlock(api);
  json_set(o, "characters", list);
  if (err || rc < 0)
    http_reply_error(req, 500, "cannot read the characters");
  else if (!exists)
    http_reply_error(req, 404, "no work %s", work_id);
  else
    http_reply_json(req, 200, o);
  json_free(o);
}

void
api_works__register(struct api *api, struct http_server *srv)
{
  http_route(srv, "POST", "/api/imports", IMPORT_UPLOAD_MAX, post_import,
             api);
  http_route(srv, "GET", "/api/imports/", 0, get_import, api);
  http_route(srv, "GET", "/api/works", 0, get_works, api);
  http_route(srv, "GET", "/api/works/", 0, get_work, api);
}
