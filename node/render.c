/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Render one job: cache lookup, blend, synthesis, encode, store, record.
 * See render.h. */
#define LOG_MODULE "render"

#include "node/render.h"

#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/audio.h"
#include "node/blobs.h"
#include "node/log.h"
#include "node/rcache.h"
#include "node/sleepeng.h"
#include "node/tts.h"
#include "node/voice.h"
#include "node/voicemix.h"

/* The sleep:MS engine's silence, encoded once per length: encoding it
 * again for every sentence cost more CPU than everything else in a
 * scaling run (its lengths are whole words at the voice's rate, so a few
 * dozen lengths cover a book). */
#define RENDER_SILENCES 64

struct silence {
  size_t n;            /* samples; 0 = unused slot */
  int rate;
  struct buf ogg;
};

struct render {
  struct tts *tts;
  struct blobs *blobs; /* NULL: audio is only returned */
  struct db *db;       /* NULL: no cache */
  int bitrate;         /* bit/s */
  int complexity;      /* 0-10 */
  struct silence sil[RENDER_SILENCES];
  unsigned sil_next;   /* slot replaced next (round robin) */
};

struct render *
render_new(struct tts *t, struct blobs *blobs, struct db *db, int bitrate,
           int complexity)
{
  struct render *r = xcalloc(1, sizeof(*r));

  r->tts = t;
  r->blobs = blobs;
  r->db = db;
  r->bitrate = bitrate;
  r->complexity = complexity;
  return r;
}

void
render_free(struct render **r)
{
  int i;
  if (r == NULL || *r == NULL)
    return;
  for (i = 0; i < RENDER_SILENCES; i++)
    buf_free(&(*r)->sil[i].ogg);
  xfree(*r);
  *r = NULL;
}

#define SILENCE_KEY "glowtalk-silence-v2"

/* The render cache key of n samples of silence at rate as r encodes it:
 * the node's workers share each length through the cache table. */
static void
silence_key(const struct render *r, size_t n, int rate,
            uint8_t key[SECURE_HASH_BYTES])
{
  char msg[160];
  int len = snprintf(msg, sizeof(msg), "%zu %d %d %d %s", n, rate,
                     r->bitrate, r->complexity, audio_version());
  secure_hash(key, msg, (size_t)len, SILENCE_KEY, strlen(SILENCE_KEY));
}

/* Encode n samples of silence at rate into ogg, from a cache when this
 * length was encoded before (this process's, then the node's). */
static int
encode_silence(struct render *r, const int16_t *pcm, size_t n, int rate,
               struct buf *ogg)
{
  uint8_t key[SECURE_HASH_BYTES], h[SECURE_HASH_BYTES];
  struct rcache_entry e;
  struct silence *sl;
  int i, err, stored = 0;

  for (i = 0; i < RENDER_SILENCES; i++)
    if (r->sil[i].n == n && r->sil[i].rate == rate)
      return buf_append(ogg, r->sil[i].ogg.data, r->sil[i].ogg.len);
  if (r->db != NULL && r->blobs != NULL) {
    silence_key(r, n, rate, key);
    if (rcache_get(r->db, key, &e) == 0 &&
        blobs_get(r->blobs, e.blob, ogg) == 0)
      stored = 1;
    else
      ogg->len = 0; /* a blob gone or cut short: encode again */
  }
  if (!stored) {
    (void)pcm; /* silence: made without reading it */
    err = audio_encode_silence(n, rate, r->bitrate, ogg);
    if (err)
      return err;
    if (r->db != NULL && r->blobs != NULL &&
        blobs_put(r->blobs, ogg->data, ogg->len, h) == 0) {
      memcpy(e.blob, h, SECURE_HASH_BYTES);
      e.size = (int64_t)ogg->len;
      e.duration_ms = (int64_t)n * 1000 / rate;
      if (rcache_put(r->db, key, &e) != 0)
        log_debug("silence of %zu samples not cached", n);
    }
  }
  sl = &r->sil[r->sil_next++ % RENDER_SILENCES];
  buf_free(&sl->ogg);
  buf_init(&sl->ogg, BLOBS_MAX_BYTES);
  if (buf_append(&sl->ogg, ogg->data, ogg->len) == 0) {
    sl->n = n;
    sl->rate = rate;
  } else {
    sl->n = 0;
  }
  return 0;
}

/* A cache hit whose blob is still stored: fill res and audio. */
static int
try_cache(struct render *r, struct buf *audio, struct render_result *res)
{
  struct rcache_entry e;

  if (r->db == NULL || r->blobs == NULL ||
      rcache_get(r->db, res->key, &e) != 0 ||
      blobs_size(r->blobs, e.blob) != e.size)
    return 0; /* not cached, or the blob was lost or torn: render */
  if (audio != NULL && blobs_get(r->blobs, e.blob, audio) != 0)
    return 0; /* damaged: render again */
  memcpy(res->blob, e.blob, SECURE_HASH_BYTES);
  res->size = e.size;
  res->duration_ms = e.duration_ms;
  res->cached = 1;
  return 1;
}

static int
store(struct render *r, const struct buf *ogg, struct render_result *res,
      char *errbuf, size_t errlen)
{
  struct rcache_entry e;
  int err;

  if (r->blobs == NULL) {
    secure_hash(res->blob, ogg->data, ogg->len, NULL, 0);
    return 0;
  }
  err = blobs_put(r->blobs, ogg->data, ogg->len, res->blob);
  if (err != 0) {
    snprintf(errbuf, errlen, "cannot store audio: %s", err_str(err));
    return err;
  }
  if (r->db == NULL)
    return 0;
  memcpy(e.blob, res->blob, SECURE_HASH_BYTES);
  e.size = res->size;
  e.duration_ms = res->duration_ms;
  err = rcache_put(r->db, res->key, &e);
  if (err != 0)
    snprintf(errbuf, errlen, "cannot record render: %s", err_str(err));
  return err;
}

int
render_run(struct render *r, const struct render_job *job,
           struct buf *audio, struct render_result *res, char *errbuf,
           size_t errlen)
{
  char spec[VOICE_SPEC_MAX + 64];
  char *mix = NULL, *mixname = NULL;
  const struct voice *v = job->voice;
  struct rcache_key_parts kp;
  struct tts_params p;
  struct buf ogg;
  int16_t *pcm = NULL;
  size_t n = 0;
  int err, is_sleep, rate;

  memset(res, 0, sizeof(*res));
  buf_init(&ogg, BLOBS_MAX_BYTES);
  err = voice_check(v, r->tts, errbuf, errlen);
  if (err == 0 && voice_format(v, spec, sizeof(spec)) != 0) {
    snprintf(errbuf, errlen, "voice spec too long");
    err = ERR_TOO_BIG;
  }
  if (err == 0 && v->nparts > 1)
    err = voicemix_make(v, tts_data_dir(r->tts), &mix, &mixname, errbuf,
                        errlen);
  if (err != 0)
    goto out;
  is_sleep = strcmp(v->engine, VOICE_ENGINE_SLEEP) == 0;
  memset(&kp, 0, sizeof(kp));
  kp.engine = v->engine;
  kp.engine_version = is_sleep ? SLEEPENG_VERSION : tts_version(r->tts);
  kp.voice = spec;
  kp.mix = mix;
  kp.text = job->text;
  kp.lexicon = job->lexicon;
  kp.flags = job->flags;
  kp.audio = audio_version();
  kp.bitrate = r->bitrate;
  kp.complexity = r->complexity;
  kp.take = job->take;
  rcache_context(&kp, res->context);
  rcache_key_from(res->context, kp.text, kp.take, res->key);
  if (try_cache(r, audio, res))
    goto out;
  if (mixname != NULL && !tts_variant_exists(r->tts, mixname)) {
    err = tts_variant_install(r->tts, mixname, mix);
    if (err != 0) {
      snprintf(errbuf, errlen, "cannot install blend: %s", err_str(err));
      goto out;
    }
  }
  p.voice = v->lang;
  p.variant = mixname ? mixname : (v->nparts ? v->parts[0].name : NULL);
  p.rate = v->rate;
  p.pitch = v->pitch;
  p.range = v->range;
  p.volume = v->volume;
  p.wordgap = v->wordgap;
  p.flags = job->flags;
  rate = is_sleep ? SLEEPENG_RATE : tts_sample_rate(r->tts);
  if (is_sleep)
    err = sleepeng_synth(v, job->text, job->flags, &pcm, &n, errbuf,
                         errlen);
  else
    err = tts_synth(r->tts, &p, job->text, &pcm, &n, errbuf, errlen);
  if (err != 0)
    goto out;
  err = is_sleep ? encode_silence(r, pcm, n, rate, &ogg)
                 : audio_encode(pcm, n, rate, r->bitrate, r->complexity,
                                NULL, &ogg);
  if (err != 0) {
    snprintf(errbuf, errlen, "cannot encode audio: %s", err_str(err));
    goto out;
  }
  res->size = (int64_t)ogg.len;
  res->duration_ms = (int64_t)n * 1000 / rate;
  err = store(r, &ogg, res, errbuf, errlen);
  if (err == 0 && audio != NULL)
    err = buf_append(audio, ogg.data, ogg.len);
out:
  buf_free(&ogg);
  xfree(pcm);
  xfree(mix);
  xfree(mixname);
  return err;
}
