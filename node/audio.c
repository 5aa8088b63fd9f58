/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Wraps libopusenc and libopus (the only includer of their headers): an
 * Ogg Opus encoder with tags and chapter comments. See audio.h. */
#include "node/audio.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <opus.h>
#include <opusenc.h>

#include "node/alloc.h"
#include "node/ogg.h"

/* A fixed Ogg serial number ("Glow"): our streams are never multiplexed
 * or chained, and a fixed serial makes equal input give equal bytes, which
 * the content-addressed store relies on. */
#define AUDIO_SERIAL 0x476c6f77
#define SILENCE_CHUNK 4096 /* samples of zeros written at a time */
#define RS_CHUNK 4096      /* input samples resampled at a time */
#define RS_RATE 24000      /* Hz we resample odd rates (22050) up to */

struct audio_enc {
  OggOpusEnc *enc;
  audio_write_cb cb;
  void *arg;
  int rate;           /* input Hz */
  int err;            /* first error of the stream */
  uint64_t samples;   /* written so far */
  /* Resampling rate -> RS_RATE (when rate is not an Opus rate): */
  int resample;       /* 1 if on */
  double pos;         /* next output position, in input samples of win */
  int16_t win[RS_CHUNK + 3];   /* 3 samples of history, then input */
  int16_t out[RS_CHUNK * 2 + 8];
};

static int
write_cb(void *user, const unsigned char *ptr, opus_int32 len)
{
  struct audio_enc *e = user;
  int err;

  if (e->err != 0)
    return 1;
  err = e->cb(e->arg, ptr, (size_t)len);
  if (err != 0) {
    e->err = err;
    return 1;
  }
  return 0;
}

static int
close_cb(void *user)
{
  (void)user;
  return 0;
}

static int
add_tag(OggOpusComments *c, const char *tag, const char *val)
{
  if (val == NULL)
    return 0;
  if (strlen(val) > AUDIO_TAG_MAX)
    return ERR_INVAL;
  return ope_comments_add(c, tag, val) == OPE_OK ? 0 : ERR_AUDIO;
}

static int
add_chapters(OggOpusComments *c, const struct audio_chapter *ch, size_t n)
{
  char tag[32], val[32];
  size_t i;
  int err = 0;

  for (i = 0; i < n && err == 0; i++) {
    uint64_t ms = ch[i].start_ms;

    snprintf(tag, sizeof(tag), "CHAPTER%03zu", i + 1);
    snprintf(val, sizeof(val), "%02llu:%02u:%02u.%03u",
             (unsigned long long)(ms / 3600000), (unsigned)(ms / 60000 % 60),
             (unsigned)(ms / 1000 % 60), (unsigned)(ms % 1000));
    err = add_tag(c, tag, val);
    if (err == 0) {
      snprintf(tag, sizeof(tag), "CHAPTER%03zuNAME", i + 1);
      err = add_tag(c, tag, ch[i].name ? ch[i].name : "");
    }
  }
  return err;
}

int
audio_enc_new(int rate, int bitrate, int complexity,
              const struct audio_tags *tags,
              const struct audio_chapter *chapters, size_t nchapters,
              audio_write_cb cb, void *arg, struct audio_enc **out)
{
  OpusEncCallbacks cbs = {write_cb, close_cb};
  OggOpusComments *c = NULL;
  struct audio_enc *e = NULL;
  int err = 0, oerr = 0;

  *out = NULL;
  if (rate < 8000 || rate > 192000 || complexity < 0 || complexity > 10 ||
      nchapters > AUDIO_CHAPTERS_MAX)
    return ERR_INVAL;
  if (bitrate < AUDIO_BITRATE_MIN)
    bitrate = AUDIO_BITRATE_MIN;
  if (bitrate > AUDIO_BITRATE_MAX)
    bitrate = AUDIO_BITRATE_MAX;
  c = ope_comments_create();
  if (c == NULL)
    return ERR_AUDIO;
  if (tags != NULL) {
    err = add_tag(c, "TITLE", tags->title);
    if (err == 0)
      err = add_tag(c, "ARTIST", tags->artist);
    if (err == 0)
      err = add_tag(c, "ALBUM", tags->album);
  }
  if (err == 0)
    err = add_chapters(c, chapters, nchapters);
  if (err != 0)
    goto fail;
  e = xcalloc(1, sizeof(*e));
  e->cb = cb;
  e->arg = arg;
  e->rate = rate;
  /* libopusenc resamples every input to 48 kHz; from 22050 Hz (espeak-ng)
   * its resampler costs about as much as the encoder at complexity 0. A
   * cubic upsampling to 24 kHz first makes its work a cheap 1:2 (see
   * docs/PERFORMANCE.md). */
  e->resample = rate < RS_RATE && rate != 8000 && rate != 12000 &&
                rate != 16000;
  e->pos = 1.0;
  e->enc = ope_encoder_create_callbacks(&cbs, e, c,
                                        e->resample ? RS_RATE : rate, 1, 0,
                                        &oerr);
  if (e->enc == NULL) {
    err = ERR_AUDIO;
    goto fail;
  }
  if (ope_encoder_ctl(e->enc, OPE_SET_SERIALNO(AUDIO_SERIAL)) != OPE_OK ||
      ope_encoder_ctl(e->enc, OPUS_SET_BITRATE(bitrate)) != OPE_OK ||
      ope_encoder_ctl(e->enc, OPUS_SET_COMPLEXITY(complexity)) != OPE_OK ||
      ope_encoder_ctl(e->enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) !=
          OPE_OK ||
      (bitrate <= AUDIO_WIDEBAND_MAX_BITRATE &&
       ope_encoder_ctl(e->enc, OPUS_SET_MAX_BANDWIDTH(
                                   OPUS_BANDWIDTH_WIDEBAND)) != OPE_OK)) {
    err = ERR_AUDIO;
    goto fail;
  }
  ope_comments_destroy(c);
  *out = e;
  return 0;

fail:
  if (e != NULL && e->enc != NULL)
    ope_encoder_destroy(e->enc);
  xfree(e);
  ope_comments_destroy(c);
  return err;
}

static int16_t
clamp16(double v)
{
  return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
}

/* Catmull-Rom interpolation of k new samples (win[3..3+k)) to RS_RATE.
 * Output lags input by about one sample; three samples are kept. */
static int
resample_chunk(struct audio_enc *e, const int16_t *pcm, size_t k)
{
  double step = (double)e->rate / RS_RATE;
  size_t len = k + 3, m = 0;

  memcpy(e->win + 3, pcm, k * sizeof(*pcm));
  while (e->pos + 2 < (double)len) {
    size_t i = (size_t)e->pos;
    double f = e->pos - (double)i, p0 = e->win[i - 1], p1 = e->win[i],
           p2 = e->win[i + 1], p3 = e->win[i + 2];

    e->out[m++] = clamp16(
        p1 + 0.5 * f * (p2 - p0 + f * (2 * p0 - 5 * p1 + 4 * p2 - p3 +
                                       f * (3 * (p1 - p2) + p3 - p0))));
    e->pos += step;
  }
  memmove(e->win, e->win + k, 3 * sizeof(*e->win));
  e->pos -= (double)k;
  if (m > 0 && ope_encoder_write(e->enc, e->out, (int)m) != OPE_OK)
    return ERR_AUDIO;
  return 0;
}

int
audio_enc_write(struct audio_enc *e, const int16_t *pcm, size_t n)
{
  if (e->resample) {
    while (n > 0 && e->err == 0) {
      size_t k = n > RS_CHUNK ? RS_CHUNK : n;
      int err = resample_chunk(e, pcm, k);

      if (err != 0 && e->err == 0)
        e->err = err;
      e->samples += k;
      pcm += k;
      n -= k;
    }
    return e->err;
  }
  while (n > 0 && e->err == 0) {
    int k = n > (1u << 20) ? (1 << 20) : (int)n;

    if (ope_encoder_write(e->enc, pcm, k) != OPE_OK && e->err == 0)
      e->err = ERR_AUDIO;
    e->samples += (uint64_t)k;
    pcm += k;
    n -= (size_t)k;
  }
  return e->err;
}

int
audio_enc_silence(struct audio_enc *e, unsigned ms)
{
  static const int16_t zeros[SILENCE_CHUNK];
  uint64_t n = (uint64_t)ms * (uint64_t)e->rate / 1000;

  while (n > 0 && e->err == 0) {
    size_t k = n > SILENCE_CHUNK ? SILENCE_CHUNK : (size_t)n;
    int err = audio_enc_write(e, zeros, k);

    if (err != 0)
      return err;
    n -= k;
  }
  return e->err;
}

uint64_t
audio_enc_samples(const struct audio_enc *e)
{
  return e->samples;
}

int
audio_enc_finish(struct audio_enc **ep)
{
  struct audio_enc *e = *ep;
  int err;

  if (e->err == 0 && ope_encoder_drain(e->enc) != OPE_OK && e->err == 0)
    e->err = ERR_AUDIO;
  err = e->err;
  audio_enc_free(ep);
  return err;
}

void
audio_enc_free(struct audio_enc **ep)
{
  struct audio_enc *e = ep ? *ep : NULL;

  if (e == NULL)
    return;
  ope_encoder_destroy(e->enc);
  xfree(e);
  *ep = NULL;
}

static int
buf_cb(void *arg, const void *data, size_t len)
{
  return buf_append(arg, data, len);
}

/* End a one-shot encode into out: finish the stream, or on error (err, or
 * one from finishing) drop it and leave out as it was at start. */
static int
finish_one_shot(struct audio_enc *e, int err, struct buf *out, size_t start)
{
  if (err != 0)
    audio_enc_free(&e);
  else
    err = audio_enc_finish(&e);
  if (err != 0) {
    out->len = start;
    if (out->data != NULL)
      out->data[start] = '\0';
  }
  return err;
}

int
audio_encode(const int16_t *pcm, size_t n, int rate, int bitrate,
             int complexity, const struct audio_tags *tags, struct buf *out)
{
  struct audio_enc *e = NULL;
  size_t start = out->len;
  int err;

  err = audio_enc_new(rate, bitrate, complexity, tags, NULL, 0, buf_cb, out,
                      &e);
  if (err != 0)
    return err;
  return finish_one_shot(e, audio_enc_write(e, pcm, n), out, start);
}

#define SILENCE_RATE 48000 /* no resampler in front of the encoder */

int
audio_encode_silence(size_t n, int rate, int bitrate, struct buf *out)
{
  struct audio_enc *e = NULL;
  size_t start = out->len;
  uint64_t ms;
  int err;

  if (rate <= 0)
    return ERR_INVAL;
  ms = (uint64_t)n * 1000 / (uint64_t)rate;
  if (ms > UINT_MAX)
    return ERR_TOO_BIG;
  err = audio_enc_new(SILENCE_RATE, bitrate, 0, NULL, NULL, 0, buf_cb, out,
                      &e);
  if (err != 0)
    return err;
  if (ope_encoder_ctl(e->enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_MUSIC)) !=
          OPE_OK ||
      ope_encoder_ctl(e->enc, OPUS_SET_MAX_BANDWIDTH(
                                  OPUS_BANDWIDTH_FULLBAND)) != OPE_OK ||
      ope_encoder_ctl(e->enc, OPUS_SET_EXPERT_FRAME_DURATION(
                                  OPUS_FRAMESIZE_120_MS)) != OPE_OK)
    err = ERR_AUDIO;
  if (err == 0)
    err = audio_enc_silence(e, (unsigned)ms);
  return finish_one_shot(e, err, out, start);
}

/* ---- assembly ---------------------------------------------------------- */

#define OPUS_HEAD_MIN 19      /* bytes of an OpusHead packet */
#define DECODE_FRAME_MAX 2880 /* samples: 120 ms at AUDIO_JOIN_RATE */

/* Pre-skip and length (48 kHz samples after the pre-skip) of a stream. */
static int
measure(const struct buf *b, int *preskip, int64_t *samples)
{
  struct ogg_reader r;
  const uint8_t *p;
  size_t len;
  int64_t g = 0, last = 0;
  int err, first = 1;

  ogg_reader_init(&r, b->data, b->len);
  while ((err = ogg_next_packet(&r, &p, &len, &g)) == 1) {
    if (first) {
      if (len < OPUS_HEAD_MIN || memcmp(p, "OpusHead", 8) != 0 ||
          p[9] != 1) {
        err = ERR_PARSE;
        break;
      }
      *preskip = p[10] | p[11] << 8;
      first = 0;
    }
    last = g;
  }
  ogg_reader_free(&r);
  if (err == 0 && (first || last < *preskip))
    err = ERR_PARSE;
  *samples = last - *preskip;
  return err;
}

/* Decode one piece and feed it to the encoder, trimmed to its length. */
static int
decode_into(struct audio_enc *e, const struct buf *b, int preskip,
            int64_t samples)
{
  int16_t pcm[DECODE_FRAME_MAX];
  int64_t skip = preskip / 2, left = samples / 2;
  struct ogg_reader r;
  OpusDecoder *dec;
  const uint8_t *p;
  size_t len;
  int64_t g;
  int err = 0, npkt = 0, oerr = 0;

  dec = opus_decoder_create(AUDIO_JOIN_RATE, 1, &oerr);
  if (dec == NULL)
    return ERR_AUDIO;
  ogg_reader_init(&r, b->data, b->len);
  while (left > 0 && (err = ogg_next_packet(&r, &p, &len, &g)) == 1) {
    int got;

    if (npkt++ < 2)
      continue; /* OpusHead, OpusTags */
    got = opus_decode(dec, p, (opus_int32)len, pcm, DECODE_FRAME_MAX, 0);
    if (got < 0) {
      err = ERR_AUDIO;
      break;
    }
    if (skip >= got) {
      skip -= got;
      continue;
    }
    got -= (int)skip;
    if (got > left)
      got = (int)left;
    err = audio_enc_write(e, pcm + skip, (size_t)got);
    if (err != 0)
      break;
    skip = 0;
    left -= got;
  }
  if (err == 1)
    err = 0;
  ogg_reader_free(&r);
  opus_decoder_destroy(dec);
  return err;
}

int
audio_join(const struct audio_piece *pieces, size_t n,
           audio_fetch_cb fetch, void *fetch_arg, int bitrate,
           int complexity, const struct audio_tags *tags,
           audio_write_cb cb, void *cb_arg, char *errbuf, size_t errlen)
{
  struct audio_chapter *ch = NULL;
  struct audio_enc *e = NULL;
  int *preskip = NULL;
  int64_t *samples = NULL, pos = 0; /* pos: 48 kHz samples */
  size_t i, nch = 0;
  struct buf b;
  int err = 0;

  if (errlen > 0)
    errbuf[0] = '\0';
  buf_init(&b, AUDIO_PIECE_MAX);
  preskip = xcalloc(n ? n : 1, sizeof(*preskip));
  samples = xcalloc(n ? n : 1, sizeof(*samples));
  ch = xcalloc(n ? n : 1, sizeof(*ch));
  for (i = 0; i < n && err == 0; i++) {
    buf_reset(&b);
    err = fetch(fetch_arg, i, &b);
    if (err == 0)
      err = measure(&b, &preskip[i], &samples[i]);
    if (err != 0) {
      snprintf(errbuf, errlen, "piece %zu: %s", i, err_str(err));
      goto out;
    }
    pos += (int64_t)pieces[i].gap_ms * 48;
    if (pieces[i].chapter != NULL) {
      if (nch >= AUDIO_CHAPTERS_MAX) {
        snprintf(errbuf, errlen, "more than %d chapters",
                 AUDIO_CHAPTERS_MAX);
        err = ERR_INVAL;
        goto out;
      }
      ch[nch].start_ms = (uint64_t)(pos / 48);
      ch[nch++].name = pieces[i].chapter;
    }
    pos += samples[i];
  }
  err = audio_enc_new(AUDIO_JOIN_RATE, bitrate, complexity, tags, ch, nch,
                      cb, cb_arg, &e);
  for (i = 0; i < n && err == 0; i++) {
    err = audio_enc_silence(e, pieces[i].gap_ms);
    buf_reset(&b);
    if (err == 0)
      err = fetch(fetch_arg, i, &b);
    if (err == 0)
      err = decode_into(e, &b, preskip[i], samples[i]);
    if (err != 0)
      snprintf(errbuf, errlen, "piece %zu: %s", i, err_str(err));
  }
  if (e != NULL) {
    if (err == 0)
      err = audio_enc_finish(&e);
    else
      audio_enc_free(&e);
  }
  if (err != 0 && errbuf[0] == '\0')
    snprintf(errbuf, errlen, "%s", err_str(err));
out:
  buf_free(&b);
  xfree(preskip);
  xfree(samples);
  xfree(ch);
  return err;
}

const char *
audio_version(void)
{
  static char v[96];

  if (v[0] == '\0')
    snprintf(v, sizeof(v), "%s, %s", ope_get_version_string(),
             opus_get_version_string());
  return v;
}
