/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Codec quality and speed for the complexity/bandwidth choice (RENDER.md,
 * docs/PERFORMANCE.md):
 *   bench-codec encode IN.wav OUT.opus BITRATE COMPLEXITY
 *       our encoder (node/audio.c) on a 16-bit mono WAV; prints
 *       "audio_s encode_s x_realtime bytes"
 *   bench-codec compare REF.wav DECODED.wav
 *       both 16-bit mono at one rate (opusdec --rate); aligns them and
 *       prints "snr_db lsd_db lsd_low_db lsd_high_db high_ratio": SNR, the
 *       log-spectral distance over all bands, below and above 8 kHz, and
 *       the share of the reference's 8-11 kHz energy the decoded keeps. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/alloc.h"
#include "node/audio.h"
#include "node/buf.h"
#include "tests/bench/benchclock.h"

#define WAV_MAX (64u << 20)  /* bytes of a WAV we read */
#define FFT_N 512            /* frame of the spectral distance */
#define LAG_MAX 400          /* samples of misalignment searched */
#define SPLIT_HZ 8000.0      /* wideband edge */
#define ACTIVE_DB 40.0       /* frames within this of the loudest count */

struct wav {
  int16_t *pcm;
  size_t n;
  int rate;
};

static uint32_t
le32(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static int
read_wav(const char *path, struct wav *w)
{
  FILE *f = fopen(path, "rb");
  uint8_t *d = xmalloc(WAV_MAX);
  size_t len = f ? fread(d, 1, WAV_MAX, f) : 0, off = 12;
  int ok = 0;

  if (f)
    fclose(f);
  memset(w, 0, sizeof(*w));
  if (len < 44 || memcmp(d, "RIFF", 4) || memcmp(d + 8, "WAVE", 4))
    goto out;
  while (off + 8 <= len) {
    uint32_t sz = le32(d + off + 4);

    if (memcmp(d + off, "fmt ", 4) == 0 && off + 24 <= len)
      w->rate = (int)le32(d + off + 12);
    if (memcmp(d + off, "data", 4) == 0) {
      if (sz > len - off - 8)
        sz = (uint32_t)(len - off - 8);
      w->n = sz / 2;
      w->pcm = xmalloc(w->n * 2 + 2);
      memcpy(w->pcm, d + off + 8, w->n * 2);
      ok = w->rate > 0;
      break;
    }
    off += 8 + sz + (sz & 1);
  }
out:
  xfree(d);
  if (!ok)
    fprintf(stderr, "bench-codec: %s is not a 16-bit mono WAV\n", path);
  return ok ? 0 : -1;
}

static int
encode(const char *in, const char *out, int bitrate, int complexity)
{
  struct wav w;
  struct buf ogg;
  double t0, t1;
  FILE *f;

  if (read_wav(in, &w) != 0)
    return 1;
  buf_init(&ogg, AUDIO_OUT_MAX);
  t0 = bench_wall_s();
  if (audio_encode(w.pcm, w.n, w.rate, bitrate, complexity, NULL, &ogg)) {
    fprintf(stderr, "bench-codec: encode failed\n");
    return 1;
  }
  t1 = bench_wall_s();
  f = fopen(out, "wb");
  if (f == NULL || fwrite(ogg.data, 1, ogg.len, f) != ogg.len)
    return 1;
  fclose(f);
  printf("%.3f %.4f %.1f %zu\n", (double)w.n / w.rate, t1 - t0,
         (double)w.n / w.rate / (t1 - t0), ogg.len);
  buf_free(&ogg);
  xfree(w.pcm);
  return 0;
}

/* In-place radix-2 FFT of n (a power of two) complex values. */
static void
fft(double *re, double *im, size_t n)
{
  size_t i, j = 0, len, k;

  for (i = 1; i < n; i++) {
    size_t bit = n >> 1;

    for (; j & bit; bit >>= 1)
      j ^= bit;
    j ^= bit;
    if (i < j) {
      double t = re[i];

      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (len = 2; len <= n; len <<= 1) {
    double ang = -2 * M_PI / (double)len;

    for (i = 0; i < n; i += len)
      for (k = 0; k < len / 2; k++) {
        double wr = cos(ang * (double)k), wi = sin(ang * (double)k);
        double ur = re[i + k], ui = im[i + k];
        double vr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
        double vi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;

        re[i + k] = ur + vr;
        im[i + k] = ui + vi;
        re[i + k + len / 2] = ur - vr;
        im[i + k + len / 2] = ui - vi;
      }
  }
}

/* Power spectrum (FFT_N / 2 bins) of x[0..FFT_N) under a Hann window. */
static void
power(const int16_t *x, double *out)
{
  double re[FFT_N], im[FFT_N];
  size_t i;

  for (i = 0; i < FFT_N; i++) {
    re[i] = x[i] * (0.5 - 0.5 * cos(2 * M_PI * (double)i / FFT_N));
    im[i] = 0;
  }
  fft(re, im, FFT_N);
  for (i = 0; i < FFT_N / 2; i++)
    out[i] = re[i] * re[i] + im[i] * im[i] + 1e-3;
}

/* The lag of b against a (b[i + lag] ~ a[i]) with the best correlation. */
static long
best_lag(const struct wav *a, const struct wav *b)
{
  size_t n = a->n < b->n ? a->n : b->n, i;
  long lag, best = 0;
  double top = -1e300;

  if (n > (size_t)a->rate * 4)
    n = (size_t)a->rate * 4;
  for (lag = -LAG_MAX; lag <= LAG_MAX; lag++) {
    double s = 0;

    for (i = LAG_MAX; i + LAG_MAX < n; i++)
      s += (double)a->pcm[i] * b->pcm[(long)i + lag];
    if (s > top) {
      top = s;
      best = lag;
    }
  }
  return best;
}

static int
compare(const char *ref, const char *dec)
{
  struct wav a, b;
  double pa[FFT_N / 2], pb[FFT_N / 2], sig = 0, noise = 0, loud = 0;
  double lsd = 0, lo = 0, hi = 0, ha = 0, hb = 0;
  size_t i, n, frames = 0, split, start;
  long lag;

  if (read_wav(ref, &a) != 0 || read_wav(dec, &b) != 0)
    return 1;
  if (a.rate != b.rate) {
    fprintf(stderr, "bench-codec: rates differ (%d, %d)\n", a.rate, b.rate);
    return 1;
  }
  lag = best_lag(&a, &b);
  start = LAG_MAX;
  n = (a.n < b.n ? a.n : b.n) - 2 * LAG_MAX;
  for (i = start; i < n; i++) {
    double d = (double)a.pcm[i] - b.pcm[(long)i + lag];

    sig += (double)a.pcm[i] * a.pcm[i];
    noise += d * d;
  }
  split = (size_t)(SPLIT_HZ * FFT_N / a.rate);
  /* loudest frame, for the activity threshold */
  for (i = start; i + FFT_N < n; i += FFT_N / 2) {
    double e = 0;
    size_t k;

    power(a.pcm + i, pa);
    for (k = 0; k < FFT_N / 2; k++)
      e += pa[k];
    if (e > loud)
      loud = e;
  }
  for (i = start; i + FFT_N < n; i += FFT_N / 2) {
    double e = 0, d = 0, dl = 0, dh = 0;
    size_t k;

    power(a.pcm + i, pa);
    power(b.pcm + (long)i + lag, pb);
    for (k = 0; k < FFT_N / 2; k++)
      e += pa[k];
    if (10 * log10(loud / e) > ACTIVE_DB)
      continue; /* silence between words: not judged */
    for (k = 1; k < FFT_N / 2; k++) {
      double x = 10 * log10(pa[k] / pb[k]);

      d += x * x;
      if (k < split)
        dl += x * x;
      else
        dh += x * x;
      if (k >= split) {
        ha += pa[k];
        hb += pb[k];
      }
    }
    lsd += sqrt(d / (FFT_N / 2 - 1));
    lo += sqrt(dl / (double)(split - 1));
    hi += sqrt(dh / (double)(FFT_N / 2 - split));
    frames++;
  }
  if (frames == 0)
    frames = 1;
  printf("%.2f %.2f %.2f %.2f %.3f\n", 10 * log10(sig / (noise + 1)),
         lsd / frames, lo / frames, hi / frames, hb / (ha + 1));
  xfree(a.pcm);
  xfree(b.pcm);
  return 0;
}

int
main(int argc, char **argv)
{
  if (argc == 6 && strcmp(argv[1], "encode") == 0)
    return encode(argv[2], argv[3], (int)strtol(argv[4], NULL, 10),
                  (int)strtol(argv[5], NULL, 10));
  if (argc == 4 && strcmp(argv[1], "compare") == 0)
    return compare(argv[2], argv[3]);
  fprintf(stderr, "usage: bench-codec encode IN.wav OUT.opus BITRATE "
          "COMPLEXITY | compare REF.wav DECODED.wav\n");
  return 2;
}
