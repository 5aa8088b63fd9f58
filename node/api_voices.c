/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* /api/voices, /api/previews and /audio/{hash}.opus: the voice catalogue,
 * a sample line rendered now in any voice, and audio served from the
 * content-addressed store. libespeak-ng is not thread-safe, so the web
 * threads share one instance behind a lock (previews are short). */
#define LOG_MODULE "api"
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/api_internal.h"
#include "node/app.h"
#include "node/audio.h"
#include "node/blobs.h"
#include "node/blobx.h"
#include "node/config.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/log.h"
#include "node/prep.h"
#include "node/render.h"
#include "node/tts.h"
#include "node/voice.h"
#include "node/voicecat.h"

#define PREVIEW_TEXT_MAX 1000 /* bytes of a preview line */
#define PREVIEW_LEXICON_MAX 64 /* entries of a preview's own lexicon */
#define AUDIO_PATH_HEX (2 * SECURE_HASH_BYTES)

struct voices {
  pthread_mutex_t lock; /* guards everything below */
  struct tts *tts;
  struct blobs *blobs;
  struct db *db;        /* own connection: the render cache */
  struct render *render;
  struct json *catalogue; /* built once */
};

struct voices *
api_voices__new(void)
{
  struct voices *v = xcalloc(1, sizeof(*v));
  pthread_mutex_init(&v->lock, NULL);
  return v;
}

void
api_voices__free(struct voices **vp)
{
  struct voices *v;
  if (vp == NULL || *vp == NULL)
    return;
  v = *vp;
  render_free(&v->render);
  db_close(&v->db);
  blobs_close(&v->blobs);
  tts_close(&v->tts);
  json_free(v->catalogue);
  pthread_mutex_destroy(&v->lock);
  xfree(v);
  *vp = NULL;
}

/* Open the engine, store and renderer on first use; called locked. */
static int
ensure_open(struct api *api, char *errbuf, size_t errlen)
{
  struct voices *v = api->voices;
  char *path;
  int err;

  if (v->render)
    return 0;
  if (v->tts == NULL) {
    err = tts_open(&v->tts, errbuf, errlen);
    if (err)
      return err;
  }
  if (v->blobs == NULL) {
    path = datadir_file(api->app->dir, "blobs");
    err = blobs_open(path, &v->blobs);
    xfree(path);
    if (err) {
      snprintf(errbuf, errlen, "cannot open the audio store: %s",
               err_str(err));
      return err;
    }
  }
  if (v->db == NULL) {
    path = datadir_file(api->app->dir, "glowtalk.db");
    err = db_open_store(path, &v->db, errbuf, errlen);
    xfree(path);
    if (err)
      return err;
  }
  v->render = render_new(v->tts, v->blobs, v->db,
                         (int)config_get_int(api->app->cfg, "bitrate"),
                         AUDIO_COMPLEXITY_DEFAULT);
  return 0;
}

static struct json *
presets_json(void)
{
  const struct voicecat_preset *p;
  struct json *a = json_new_array();
  for (p = voicecat_presets(); p->role; p++) {
    struct json *o = json_new_object();
    json_set_str(o, "name", p->role);
    json_set_str(o, "spec", p->spec);
    json_set_str(o, "description", p->description);
    json_push(a, o);
  }
  return a;
}

/* GET /api/voices: the engine's catalogue plus role presets. */
static void
get_voices(struct http_req *req, void *arg)
{
  struct api *api = arg;
  struct voices *v = api->voices;
  char errbuf[256] = "";
  struct json *o = NULL;

  pthread_mutex_lock(&v->lock);
  if (v->catalogue == NULL && ensure_open(api, errbuf, sizeof(errbuf)) == 0)
    v->catalogue = voicecat_json(v->tts);
  if (v->catalogue) {
    o = json_dup(v->catalogue);
    if (json_get(o, "presets") == NULL)
      json_set(o, "presets", presets_json());
  }
  pthread_mutex_unlock(&v->lock);
  if (o == NULL) {
    http_reply_error(req, 500, "voices unavailable: %s", errbuf);
    return;
  }
  http_reply_json(req, 200, o);
  json_free(o);
}

struct preview_call {
  struct render *r;
  const struct render_job *job;
  struct buf *ogg;
  struct render_result *res;
  char *errbuf;
  size_t errlen;
};

static int
preview_on_big_stack(void *arg)
{
  struct preview_call *c = arg;
  return render_run(c->r, c->job, c->ogg, c->res, c->errbuf, c->errlen);
}

/* The optional "lexicon": {word: pronunciation, ...} of a preview (to
 * hear a lexicon entry before saving it): when given, text is prepared
 * with it into *prep. Replies 400 and returns non-0 on a bad entry. */
static int
preview_lexicon(struct http_req *req, const struct json *lex,
                const char *text, struct prep_result *prep)
{
  struct prep_lexicon *l;
  const struct json *m;
  char errbuf[256];
  size_t n = 0;
  int err = 0;

  if (lex == NULL || json_is_null(lex))
    return 0;
  if (!json_is_object(lex)) {
    http_reply_error(req, 400, "lexicon must be {word: pronunciation}");
    return ERR_INVAL;
  }
  l = prep_lexicon_new();
  for (m = json_first(lex); m && !err; m = json_next(m)) {
    if (++n > PREVIEW_LEXICON_MAX || !json_is_string(m)) {
      http_reply_error(req, 400, "lexicon: at most %d entries, each a "
                       "string", PREVIEW_LEXICON_MAX);
      err = ERR_INVAL;
    } else if (prep_lexicon_add(l, json_key(m), json_str(m), errbuf,
                                sizeof(errbuf))) {
      http_reply_error(req, 400, "lexicon: %s", errbuf);
      err = ERR_INVAL;
    }
  }
  if (!err && prep_text(text, l, NULL, prep, errbuf, sizeof(errbuf))) {
    http_reply_error(req, 400, "%s", errbuf);
    err = ERR_INVAL;
  }
  prep_lexicon_free(&l);
  return err;
}

/* POST /api/previews {voice, text}: render now, answer where to hear it. */
static void
post_preview(struct http_req *req, void *arg)
{
  struct api *api = arg;
  struct voices *v = api->voices;
  struct render_job job = {NULL, NULL, NULL, 0, 0};
  struct render_result res;
  struct voice voice;
  struct json *body, *o;
  const char *spec, *text;
  char errbuf[512] = "", hex[AUDIO_PATH_HEX + 1], *url;
  struct prep_result prep;
  struct buf ogg;
  int err;

  memset(&prep, 0, sizeof(prep));
  body = api__body_json(req);
  if (body == NULL)
    return;
  spec = json_get_str(body, "voice");
  text = json_get_str(body, "text");
  if (spec == NULL || text == NULL) {
    http_reply_error(req, 400, "give {\"voice\": SPEC, \"text\": TEXT}");
    goto out;
  }
  if (text[strspn(text, " \t\r\n")] == '\0' ||
      strlen(text) > PREVIEW_TEXT_MAX) {
    http_reply_error(req, 400, "the preview text must be 1 to %d bytes",
                     PREVIEW_TEXT_MAX);
    goto out;
  }
  if (voice_parse(spec, &voice, errbuf, sizeof(errbuf))) {
    http_reply_error(req, 400, "%s", errbuf);
    goto out;
  }
  if (preview_lexicon(req, json_get(body, "lexicon"), text, &prep))
    goto out;
  buf_init(&ogg, BLOBS_MAX_BYTES);
  pthread_mutex_lock(&v->lock);
  err = ensure_open(api, errbuf, sizeof(errbuf));
  if (!err)
    err = voice_check(&voice, v->tts, errbuf, sizeof(errbuf)) ? ERR_INVAL
                                                              : 0;
  if (!err) {
    job.voice = &voice;
    job.text = prep.text ? prep.text : text;
    job.lexicon = prep.applied;
    job.flags = prep.flags;
    struct preview_call c = {v->render, &job, &ogg, &res, errbuf,
                             sizeof(errbuf)};
    err = api__run_big_stack(preview_on_big_stack, &c);
  }
  pthread_mutex_unlock(&v->lock);
  buf_free(&ogg);
  if (err) {
    http_reply_error(req, err == ERR_INVAL ? 400 : 500, "%s", errbuf);
    goto out;
  }
  hex_encode(hex, res.blob, SECURE_HASH_BYTES);
  url = xasprintf("/audio/%s.opus", hex);
  o = json_new_object();
  json_set_str(o, "audio", url);
  json_set_num(o, "duration", (double)res.duration_ms / 1000.0);
  json_set_int(o, "bytes", res.size);
  json_set_bool(o, "cached", res.cached);
  http_reply_json(req, 200, o);
  json_free(o);
  xfree(url);
out:
  prep_result_free(&prep);
  json_free(body);
}

#define API_AUDIO_RETRY_AFTER "2" /* s: a 503 while fetching from peers */

/* GET /audio/{hash}.opus: exact lookup by hash, so no path can escape. */
static void
get_audio(struct http_req *req, void *arg)
{
  struct api *api = arg;
  struct voices *v = api->voices;
  const char *rest = http_req_rest(req);
  uint8_t hash[SECURE_HASH_BYTES];
  char hex[AUDIO_PATH_HEX + 1], errbuf[256], *path = NULL;

  if (strlen(rest) != AUDIO_PATH_HEX + 5 ||
      strcmp(rest + AUDIO_PATH_HEX, ".opus") != 0) {
    http_reply_error(req, 404, "no such audio");
    return;
  }
  memcpy(hex, rest, AUDIO_PATH_HEX);
  hex[AUDIO_PATH_HEX] = '\0';
  if (hex_decode(hash, sizeof(hash), hex)) {
    http_reply_error(req, 404, "no such audio");
    return;
  }
  pthread_mutex_lock(&v->lock);
  if (v->blobs != NULL || ensure_open(api, errbuf, sizeof(errbuf)) == 0) {
    if (blobs_has(v->blobs, hash) == 1)
      path = blobs_path(v->blobs, hash);
  }
  pthread_mutex_unlock(&v->lock);
  if (path == NULL && v->blobs != NULL) {
    /* Fetch-before-play: ask the swarm at playback priority, wait a
     * bounded time (node/blobx.c). */
    int rc = blobx_playback_fetch(hash, 0, BLOBX_FETCH_WAIT_MS);
    if (rc == ERR_TIMEOUT) {
      http_reply(req, 503, "text/plain", "fetching from peers\n", 20,
                 "Retry-After: " API_AUDIO_RETRY_AFTER "\r\n");
      return;
    }
    if (rc == 0)
      path = blobs_path(v->blobs, hash);
  }
  if (path == NULL) {
    http_reply_error(req, 404, "no such audio");
    return;
  }
  http_reply_immutable_file(req, path, "audio/ogg");
  xfree(path);
}

void
api_voices__register(struct api *api, struct http_server *srv)
{
  http_route(srv, "GET", "/api/voices", 0, get_voices, api);
  http_route(srv, "POST", "/api/previews", 0, post_preview, api);
  http_route(srv, "GET", "/audio/", 0, get_audio, api);
}
