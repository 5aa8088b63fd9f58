/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for node/audio.c, checked by real decoders: opusinfo (no errors),
 * opusdec (duration within 1%), ffprobe (chapters, tags). */
#include "tests/unit/task.h"

#include <math.h>

#include "node/alloc.h"
#include "node/audio.h"

#define RATE 22050

/* Run cmd and return its stdout (caller frees with free()). */
static char *
run(const char *cmd)
{
  FILE *p = popen(cmd, "r");
  char *out = calloc(1, 65536);
  size_t n;

  ASSERT_NOT_NULL(p);
  n = fread(out, 1, 65535, p);
  out[n] = '\0';
  ASSERT_EQ(pclose(p), 0);
  return out;
}

static int16_t *
tone(size_t n)
{
  int16_t *pcm = xmalloc(n * sizeof(*pcm));
  size_t i;

  for (i = 0; i < n; i++)
    pcm[i] = (int16_t)(8000 * sin(2 * M_PI * 220.0 * (double)i / RATE));
  return pcm;
}

/* Frames of a WAV decoded by opusdec, at RATE. */
static long
decoded_frames(const char *dir, const char *opus)
{
  char *cmd = xasprintf("opusdec --quiet --rate 22050 '%s' '%s/out.wav' && "
                        "stat -c %%s '%s/out.wav'", opus, dir, dir);
  char *out = run(cmd);
  long bytes = strtol(out, NULL, 10);

  xfree(cmd);
  free(out);
  return (bytes - 44) / 2; /* 16-bit mono after a 44-byte header */
}

TEST_IMPL(audio_encode_decoders_agree)
{
  char *dir = test_mkdtemp(), *path = xasprintf("%s/a.opus", dir), *cmd;
  struct audio_tags tags = {"A line", "Alice", "The Book"};
  size_t n = RATE * 3 + 1234;
  int16_t *pcm = tone(n);
  struct buf out;
  char *info;
  long frames;

  buf_init(&out, AUDIO_OUT_MAX);
  ASSERT_OK(audio_encode(pcm, n, RATE, AUDIO_BITRATE_DEFAULT,
                         AUDIO_COMPLEXITY_DEFAULT, &tags, &out));
  /* about 24 kbit/s */
  ASSERT_LT(out.len, (size_t)(3.1 * 24000 / 8 * 1.25));
  test_write_file(path, out.data, out.len);
  cmd = xasprintf("opusinfo '%s' 2>&1", path);
  info = run(cmd);
  xfree(cmd);
  ASSERT(strstr(info, "WARNING") == NULL && strstr(info, "ERROR") == NULL);
  ASSERT_CONTAINS(info, "Pre-skip: 312");
  ASSERT_CONTAINS(info, "Channels: 1");
  ASSERT_CONTAINS(info, "TITLE=A line");
  ASSERT_CONTAINS(info, "ARTIST=Alice");
  ASSERT_CONTAINS(info, "ALBUM=The Book");
  free(info);
  frames = decoded_frames(dir, path);
  ASSERT_GE(frames, (long)(n * 0.99));
  ASSERT_LE(frames, (long)(n * 1.01));
  /* same input, same bytes */
  {
    struct buf again;

    buf_init(&again, AUDIO_OUT_MAX);
    ASSERT_OK(audio_encode(pcm, n, RATE, AUDIO_BITRATE_DEFAULT,
                           AUDIO_COMPLEXITY_DEFAULT, &tags, &again));
    ASSERT_EQ(again.len, out.len);
    ASSERT_EQ(memcmp(again.data, out.data, out.len), 0);
    buf_free(&again);
  }
  buf_free(&out);
  xfree(pcm);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

static int
file_cb(void *arg, const void *data, size_t len)
{
  return fwrite(data, 1, len, arg) == len ? 0 : ERR_AUDIO;
}

TEST_IMPL(audio_chapters_ffprobe)
{
  char *dir = test_mkdtemp(), *path = xasprintf("%s/c.opus", dir), *cmd;
  struct audio_chapter ch[] = {{0, "Post one"}, {2500, "Post two"},
                               {61250, "Post three"}};
  struct audio_enc *e = NULL;
  int16_t *pcm = tone(RATE);
  FILE *f = fopen(path, "wb");
  char *out;
  long frames;

  ASSERT_NOT_NULL(f);
  ASSERT_OK(audio_enc_new(RATE, AUDIO_BITRATE_DEFAULT, 5, NULL, ch, 3,
                          file_cb, f, &e));
  ASSERT_OK(audio_enc_write(e, pcm, RATE));
  ASSERT_OK(audio_enc_silence(e, 61000));
  ASSERT_OK(audio_enc_write(e, pcm, RATE));
  ASSERT_EQ(audio_enc_samples(e), (uint64_t)RATE * 63);
  ASSERT_OK(audio_enc_finish(&e));
  ASSERT_NULL(e);
  ASSERT_EQ(fclose(f), 0);
  cmd = xasprintf("ffprobe -v error -show_chapters -of compact '%s'", path);
  out = run(cmd);
  xfree(cmd);
  ASSERT_CONTAINS(out, "start_time=0.000000");
  ASSERT_CONTAINS(out, "start_time=2.500000");
  ASSERT_CONTAINS(out, "start_time=61.250000");
  ASSERT_CONTAINS(out, "tag:title=Post three");
  free(out);
  frames = decoded_frames(dir, path);
  ASSERT_GE(frames, (long)(RATE * 63 * 0.99));
  ASSERT_LE(frames, (long)(RATE * 63 * 1.01));
  xfree(pcm);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

static int
fail_cb(void *arg, const void *data, size_t len)
{
  (void)arg;
  (void)data;
  (void)len;
  return -28; /* -ENOSPC */
}

TEST_IMPL(audio_errors)
{
  struct audio_enc *e = NULL;
  struct audio_tags tags = {NULL, NULL, NULL};
  char *big = xcalloc(1, AUDIO_TAG_MAX + 2);
  int16_t *pcm = tone(RATE);
  struct buf small;

  ASSERT_EQ(audio_enc_new(100, 24000, 3, NULL, NULL, 0, fail_cb, NULL, &e),
            ERR_INVAL);
  ASSERT_EQ(audio_enc_new(RATE, 24000, 11, NULL, NULL, 0, fail_cb, NULL,
                          &e), ERR_INVAL);
  memset(big, 'x', AUDIO_TAG_MAX + 1);
  tags.title = big;
  ASSERT_EQ(audio_enc_new(RATE, 24000, 3, &tags, NULL, 0, fail_cb, NULL,
                          &e), ERR_INVAL);
  ASSERT_NULL(e);
  /* a failing writer stops the stream with its error */
  ASSERT_OK(audio_enc_new(RATE, 24000, 3, NULL, NULL, 0, fail_cb, NULL,
                          &e));
  ASSERT_EQ(audio_enc_write(e, pcm, RATE), -28);
  ASSERT_EQ(audio_enc_silence(e, 100), -28);
  ASSERT_EQ(audio_enc_finish(&e), -28);
  /* an output cap leaves the buffer as it was */
  buf_init(&small, 100);
  ASSERT_EQ(audio_encode(pcm, RATE, RATE, 24000, 3, NULL, &small),
            ERR_TOO_BIG);
  ASSERT_EQ(small.len, 0);
  buf_free(&small);
  audio_enc_free(&e);
  xfree(pcm);
  xfree(big);
  return 0;
}

/* ---- assembly ---------------------------------------------------------- */

struct pieces {
  struct buf b[3];
  size_t n[3]; /* samples at RATE */
};

static int
fetch_piece(void *arg, size_t i, struct buf *out)
{
  struct pieces *p = arg;

  return buf_append(out, p->b[i].data, p->b[i].len);
}

TEST_IMPL(audio_join_chapters_and_duration)
{
  char *dir = test_mkdtemp(), *path = xasprintf("%s/j.opus", dir), *cmd;
  struct audio_piece pc[3] = {{0, "Post one"}, {250, NULL},
                              {1200, "Post two"}};
  struct audio_tags tags = {"Thread", NULL, "Book"};
  struct pieces p;
  char err[256], *out, want[64];
  FILE *f = fopen(path, "wb");
  double total, start2;
  long frames;
  int i;

  for (i = 0; i < 3; i++) {
    int16_t *pcm;

    p.n[i] = (size_t)(RATE * (1.0 + 0.37 * i));
    pcm = tone(p.n[i]);
    buf_init(&p.b[i], AUDIO_OUT_MAX);
    ASSERT_OK(audio_encode(pcm, p.n[i], RATE, AUDIO_BITRATE_DEFAULT,
                           AUDIO_COMPLEXITY_DEFAULT, NULL, &p.b[i]));
    xfree(pcm);
  }
  ASSERT_OK(audio_join(pc, 3, fetch_piece, &p, AUDIO_BITRATE_DEFAULT,
                       AUDIO_COMPLEXITY_DEFAULT, &tags, file_cb, f, err,
                       sizeof(err)));
  ASSERT_EQ(fclose(f), 0);
  cmd = xasprintf("opusinfo '%s' 2>&1", path);
  out = run(cmd);
  ASSERT(strstr(out, "WARNING") == NULL && strstr(out, "ERROR") == NULL);
  free(out);
  xfree(cmd);
  /* chapter 2 starts after pieces 0 and 1 and the gaps before 1 and 2 */
  start2 = (double)(p.n[0] + p.n[1]) / RATE + 0.25 + 1.2;
  cmd = xasprintf("ffprobe -v error -show_chapters -of compact '%s'", path);
  out = run(cmd);
  ASSERT_CONTAINS(out, "start_time=0.000000");
  ASSERT_CONTAINS(out, "tag:title=Post two");
  snprintf(want, sizeof(want), "start_time=%.2f", start2);
  ASSERT_CONTAINS(out, want);
  free(out);
  xfree(cmd);
  total = start2 + (double)p.n[2] / RATE;
  frames = decoded_frames(dir, path);
  ASSERT_GE(frames, (long)(total * RATE * 0.99));
  ASSERT_LE(frames, (long)(total * RATE * 1.01));
  /* a piece that is not Ogg Opus is refused, naming it */
  buf_reset(&p.b[1]);
  ASSERT_OK(buf_append(&p.b[1], "not ogg", 7));
  ASSERT_EQ(audio_join(pc, 3, fetch_piece, &p, AUDIO_BITRATE_DEFAULT,
                       AUDIO_COMPLEXITY_DEFAULT, &tags, file_cb, NULL, err,
                       sizeof(err)), ERR_PARSE);
  ASSERT_CONTAINS(err, "piece 1");
  for (i = 0; i < 3; i++)
    buf_free(&p.b[i]);
  xfree(path);
  test_rmdir(dir);
  return 0;
}
