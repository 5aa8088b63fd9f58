/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Encrypted frames (crypto/frames.c) between the two ends of a real
 * in-process handshake: roundtrip in any chunking, and tampering,
 * truncation, oversize, reorder, replay and cross-session frames fail. */
#include <stdio.h>
#include <string.h>

#include "crypto/frames.h"
#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "crypto/shs.h"
#include "node/alloc.h"
#include "tests/unit/task.h"

/* Two connected transports: c (client end) and s (server end). */
struct pair {
  char *dir;
  struct identity *a, *b;
  struct netkey *nk;
  struct frames *c, *s;
  uint8_t c_header[FRAMES_HEADER_BYTES]; /* what c sends first */
  uint8_t s_header[FRAMES_HEADER_BYTES];
};

static int
allow_all(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  (void)pub;
  (void)arg;
  return 1;
}

static void
handshake(struct pair *p, struct frames **c, struct frames **s,
          uint8_t ch[FRAMES_HEADER_BYTES], uint8_t sh[FRAMES_HEADER_BYTES])
{
  struct shs *cs = NULL, *ss = NULL;
  uint8_t msg[SHS_MSG_MAX];
  size_t n, used;

  ASSERT_OK(shs_client_new(p->a, p->nk, identity_public_key(p->b), &cs));
  ASSERT_OK(shs_server_new(p->b, p->nk, allow_all, NULL, &ss));
  /* A transport needs a finished handshake. */
  ASSERT_EQ(frames_new(cs, ch, c), ERR_INVAL);
  ASSERT_NULL(*c);
  n = shs_take_output(cs, msg);
  ASSERT_OK(shs_feed(ss, msg, n, &used));
  n = shs_take_output(ss, msg);
  ASSERT_OK(shs_feed(cs, msg, n, &used));
  n = shs_take_output(cs, msg);
  ASSERT_OK(shs_feed(ss, msg, n, &used));
  ASSERT_EQ(frames_new(ss, sh, s), ERR_INVAL); /* msg 4 not taken yet */
  n = shs_take_output(ss, msg);
  ASSERT_OK(shs_feed(cs, msg, n, &used));
  ASSERT(shs_done(cs) && shs_done(ss));
  ASSERT_OK(frames_new(cs, ch, c));
  ASSERT_OK(frames_new(ss, sh, s));
  shs_free(&cs);
  shs_free(&ss);
}

static void
pair_open(struct pair *p)
{
  char path[512];
  uint8_t key[NETKEY_BYTES];

  memset(p, 0, sizeof(*p));
  ASSERT_OK(secure_init());
  p->dir = test_mkdtemp();
  snprintf(path, sizeof(path), "%s/a.key", p->dir);
  ASSERT_OK(identity_create(path, 0, &p->a, NULL, 0));
  snprintf(path, sizeof(path), "%s/b.key", p->dir);
  ASSERT_OK(identity_create(path, 0, &p->b, NULL, 0));
  secure_random(key, sizeof(key));
  p->nk = netkey_from_bytes(key);
  ASSERT_NOT_NULL(p->nk);
  handshake(p, &p->c, &p->s, p->c_header, p->s_header);
}

static void
pair_close(struct pair *p)
{
  frames_free(&p->c);
  frames_free(&p->s);
  frames_free(&p->c); /* NULL-safe */
  identity_free(&p->a);
  identity_free(&p->b);
  netkey_free(&p->nk);
  test_rmdir(p->dir);
}

/* Seal len bytes of plain; returns a malloc'd frame of *n bytes. */
static uint8_t *
seal(struct frames *f, const void *plain, size_t len, size_t *n)
{
  uint8_t *out = malloc(frames_sealed_size(len));
  ASSERT_NOT_NULL(out);
  ASSERT_OK(frames_seal(f, plain, len, out, frames_sealed_size(len), n));
  ASSERT_EQ(*n, frames_sealed_size(len));
  return out;
}

/* Feed all of data in chunks; expects exactly one message, returned. */
static uint8_t *
read_one(struct frames *f, const uint8_t *data, size_t len, size_t chunk,
         size_t *msglen)
{
  uint8_t *msg = NULL, *got;
  size_t off = 0, used, step, gotlen;

  while (off < len) {
    step = len - off < chunk ? len - off : chunk;
    ASSERT_OK(frames_read(f, data + off, step, &used, &got, &gotlen));
    off += used;
    if (got != NULL) {
      ASSERT_NULL(msg);
      msg = got;
      *msglen = gotlen;
    }
  }
  ASSERT_NOT_NULL(msg);
  return msg;
}

TEST_IMPL(frames_roundtrip)
{
  static const size_t sizes[] = {0, 1, 17, 1000, 65536, FRAMES_PLAIN_MAX};
  static const size_t chunks[] = {1, 3, 4096, (size_t)-1};
  struct pair p;
  uint8_t *plain, *frame, *msg, close_frame[FRAMES_OVERHEAD];
  size_t i, n, msglen, used;
  int dir;

  pair_open(&p);
  plain = malloc(FRAMES_PLAIN_MAX);
  ASSERT_NOT_NULL(plain);
  secure_random(plain, FRAMES_PLAIN_MAX);
  /* Headers first, one byte at a time on one side. */
  for (i = 0; i < FRAMES_HEADER_BYTES; i++) {
    ASSERT_OK(frames_read(p.s, p.c_header + i, 1, &used, &msg, &msglen));
    ASSERT_EQ(used, 1);
    ASSERT_NULL(msg);
  }
  ASSERT_OK(frames_read(p.c, p.s_header, FRAMES_HEADER_BYTES, &used, &msg,
                        &msglen));
  ASSERT_NULL(msg);
  for (dir = 0; dir < 2; dir++) {
    struct frames *tx = dir ? p.s : p.c, *rx = dir ? p.c : p.s;
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
      size_t chunk = chunks[i % (sizeof(chunks) / sizeof(chunks[0]))];
      if (sizes[i] > 100000 && chunk < 4096)
        chunk = 4096; /* keep the test quick */
      frame = seal(tx, plain, sizes[i], &n);
      msg = read_one(rx, frame, n, chunk, &msglen);
      ASSERT_EQ(msglen, sizes[i]);
      ASSERT_EQ(memcmp(msg, plain, msglen), 0);
      xfree(msg);
      free(frame);
    }
  }
  /* Two frames in one buffer: the reader stops after the first. */
  {
    size_t n1, n2;
    uint8_t *f1 = seal(p.c, "one", 3, &n1), *f2 = seal(p.c, "two!", 4, &n2);
    uint8_t *both = malloc(n1 + n2);
    memcpy(both, f1, n1);
    memcpy(both + n1, f2, n2);
    ASSERT_OK(frames_read(p.s, both, n1 + n2, &used, &msg, &msglen));
    ASSERT_EQ(used, n1);
    ASSERT_EQ(msglen, 3);
    ASSERT_EQ(memcmp(msg, "one", 3), 0);
    xfree(msg);
    ASSERT_OK(frames_read(p.s, both + n1, n2, &used, &msg, &msglen));
    ASSERT_EQ(used, n2);
    ASSERT_EQ(memcmp(msg, "two!", 4), 0);
    xfree(msg);
    free(both);
    free(f1);
    free(f2);
  }
  /* Authenticated close. */
  ASSERT_OK(frames_seal_close(p.s, close_frame, sizeof(close_frame), &n));
  ASSERT_EQ(n, FRAMES_OVERHEAD);
  ASSERT_EQ(frames_seal(p.s, "x", 1, close_frame, sizeof(close_frame), &n),
            ERR_INVAL);
  ASSERT_OK(frames_read(p.c, close_frame, FRAMES_OVERHEAD, &used, &msg,
                        &msglen));
  ASSERT_NULL(msg);
  ASSERT(frames_closed(p.c));
  ASSERT_OK(frames_eof(p.c));
  /* Nothing may follow the close. */
  ASSERT_EQ(frames_read(p.c, close_frame, 1, &used, &msg, &msglen),
            ERR_PARSE);
  ASSERT_CONTAINS(frames_error(p.c), "after the authenticated close");
  free(plain);
  pair_close(&p);
  return 0;
}

/* Deliver the headers both ways. */
static void
exchange_headers(struct pair *p)
{
  uint8_t *msg;
  size_t used, msglen;
  ASSERT_OK(frames_read(p->s, p->c_header, FRAMES_HEADER_BYTES, &used, &msg,
                        &msglen));
  ASSERT_OK(frames_read(p->c, p->s_header, FRAMES_HEADER_BYTES, &used, &msg,
                        &msglen));
}

/* Feed one whole buffer; return the error (0 if it read fine). */
static int
feed_all(struct frames *f, const uint8_t *data, size_t len)
{
  uint8_t *msg = NULL;
  size_t used, msglen;
  int err = frames_read(f, data, len, &used, &msg, &msglen);
  xfree(msg);
  return err;
}

TEST_IMPL(frames_tamper_fails)
{
  struct pair p;
  uint8_t *frame, hdr[FRAMES_HEADER_BYTES];
  size_t n, pos;
  int failures = 0;

  /* Every byte of a frame after the length prefix, and the prefix made
   * smaller (a longer one just waits for bytes that never come). */
  for (pos = FRAMES_PREFIX_BYTES - 1; pos < frames_sealed_size(5); pos++) {
    pair_open(&p);
    exchange_headers(&p);
    frame = seal(p.c, "hello", 5, &n);
    if (pos == FRAMES_PREFIX_BYTES - 1)
      frame[pos]--;
    else
      frame[pos] ^= 0x20;
    ASSERT_EQ(feed_all(p.s, frame, n - (pos == FRAMES_PREFIX_BYTES - 1)),
              ERR_CRYPTO);
    ASSERT_CONTAINS(frames_error(p.s), "does not authenticate");
    /* The error sticks. */
    ASSERT_EQ(feed_all(p.s, frame, 1), ERR_CRYPTO);
    ASSERT_EQ(frames_eof(p.s), ERR_CRYPTO);
    failures++;
    free(frame);
    pair_close(&p);
  }
  ASSERT_EQ(failures, 1 + 5 + FRAMES_ABYTES);

  /* A changed stream header breaks the first frame. */
  pair_open(&p);
  memcpy(hdr, p.c_header, sizeof(hdr));
  hdr[3] ^= 1;
  ASSERT_OK(feed_all(p.s, hdr, sizeof(hdr)));
  frame = seal(p.c, "hello", 5, &n);
  ASSERT_EQ(feed_all(p.s, frame, n), ERR_CRYPTO);
  free(frame);
  pair_close(&p);
  return 0;
}

TEST_IMPL(frames_truncate_fails)
{
  struct pair p;
  uint8_t *frame;
  size_t n;

  /* Whole frames but no close. */
  pair_open(&p);
  exchange_headers(&p);
  frame = seal(p.c, "hello", 5, &n);
  ASSERT_OK(feed_all(p.s, frame, n));
  ASSERT_EQ(frames_eof(p.s), ERR_TRUNCATED);
  ASSERT_CONTAINS(frames_error(p.s), "without its authenticated close");
  free(frame);
  pair_close(&p);

  /* Half a frame. */
  pair_open(&p);
  exchange_headers(&p);
  frame = seal(p.c, "hello", 5, &n);
  ASSERT_OK(feed_all(p.s, frame, n / 2));
  ASSERT_EQ(frames_eof(p.s), ERR_TRUNCATED);
  free(frame);
  pair_close(&p);

  /* Half a header. */
  pair_open(&p);
  ASSERT_OK(feed_all(p.s, p.c_header, FRAMES_HEADER_BYTES / 2));
  ASSERT_EQ(frames_eof(p.s), ERR_TRUNCATED);
  pair_close(&p);
  return 0;
}

TEST_IMPL(frames_oversize_refused_before_allocation)
{
  struct pair p;
  uint8_t prefix[FRAMES_PREFIX_BYTES], *big, out[64];
  uint32_t clen = FRAMES_PLAIN_MAX + FRAMES_ABYTES + 1;
  size_t n;
  long live;

  pair_open(&p);
  exchange_headers(&p);
  prefix[0] = (uint8_t)(clen >> 24);
  prefix[1] = (uint8_t)(clen >> 16);
  prefix[2] = (uint8_t)(clen >> 8);
  prefix[3] = (uint8_t)clen;
  live = alloc_live_count();
  ASSERT_EQ(feed_all(p.s, prefix, sizeof(prefix)), ERR_TOO_BIG);
  ASSERT_EQ(alloc_live_count(), live);
  ASSERT_CONTAINS(frames_error(p.s), "exceeds the cap");
  /* The largest length a u32 can say. */
  memset(prefix, 0xff, sizeof(prefix));
  ASSERT_EQ(feed_all(p.c, prefix, sizeof(prefix)), ERR_TOO_BIG);
  ASSERT_EQ(alloc_live_count(), live);
  pair_close(&p);

  /* Shorter than a tag. */
  pair_open(&p);
  exchange_headers(&p);
  memset(prefix, 0, sizeof(prefix));
  prefix[3] = FRAMES_ABYTES - 1;
  ASSERT_EQ(feed_all(p.s, prefix, sizeof(prefix)), ERR_PARSE);
  /* The sender refuses too, and a too small buffer. */
  big = malloc(FRAMES_PLAIN_MAX + 1);
  ASSERT_NOT_NULL(big);
  ASSERT_EQ(frames_seal(p.c, big, FRAMES_PLAIN_MAX + 1, big, 0, &n),
            ERR_TOO_BIG);
  ASSERT_EQ(frames_seal(p.c, "hello", 5, out, frames_sealed_size(5) - 1,
                        &n),
            ERR_INVAL);
  ASSERT_EQ(n, 0);
  free(big);
  pair_close(&p);
  return 0;
}

TEST_IMPL(frames_reorder_replay_drop_fail)
{
  struct pair p;
  uint8_t *f1, *f2;
  size_t n1, n2;

  /* Reorder. */
  pair_open(&p);
  exchange_headers(&p);
  f1 = seal(p.c, "first", 5, &n1);
  f2 = seal(p.c, "second", 6, &n2);
  ASSERT_EQ(feed_all(p.s, f2, n2), ERR_CRYPTO);
  free(f1);
  free(f2);
  pair_close(&p);

  /* Replay. */
  pair_open(&p);
  exchange_headers(&p);
  f1 = seal(p.c, "first", 5, &n1);
  ASSERT_OK(feed_all(p.s, f1, n1));
  ASSERT_EQ(feed_all(p.s, f1, n1), ERR_CRYPTO);
  free(f1);
  pair_close(&p);

  /* Reflection: our own frames sent back to us. */
  pair_open(&p);
  ASSERT_OK(feed_all(p.c, p.c_header, FRAMES_HEADER_BYTES));
  f1 = seal(p.c, "first", 5, &n1);
  ASSERT_EQ(feed_all(p.c, f1, n1), ERR_CRYPTO);
  free(f1);
  pair_close(&p);
  return 0;
}

TEST_IMPL(frames_other_session_fails)
{
  struct pair p;
  struct frames *c2 = NULL, *s2 = NULL;
  uint8_t ch2[FRAMES_HEADER_BYTES], sh2[FRAMES_HEADER_BYTES], *f1;
  size_t n1;

  pair_open(&p);
  /* A second session between the same two keys. */
  handshake(&p, &c2, &s2, ch2, sh2);
  /* Session 1's header and frame into session 2's reader. */
  ASSERT_OK(feed_all(s2, p.c_header, FRAMES_HEADER_BYTES));
  f1 = seal(p.c, "first", 5, &n1);
  ASSERT_EQ(feed_all(s2, f1, n1), ERR_CRYPTO);
  free(f1);
  frames_free(&c2);
  frames_free(&s2);
  pair_close(&p);
  return 0;
}

/* Random bytes after a valid header never yield a message, never close
 * the stream, and always end in an error (here or at EOF). */
TEST_IMPL(frames_random_input_never_authenticates)
{
  enum { ROUNDS = 300, LEN_MAX = 4096 };
  struct pair p;
  uint8_t buf[LEN_MAX], *msg;
  size_t len, off, used, msglen;
  int round, err;

  pair_open(&p);
  for (round = 0; round < ROUNDS; round++) {
    frames_free(&p.s);
    frames_free(&p.c);
    handshake(&p, &p.c, &p.s, p.c_header, p.s_header);
    ASSERT_OK(feed_all(p.s, p.c_header, FRAMES_HEADER_BYTES));
    secure_random(&len, sizeof(len));
    len %= LEN_MAX;
    secure_random(buf, len);
    if (round % 2 == 0 && len >= FRAMES_PREFIX_BYTES) {
      /* A plausible length so the body path is taken. */
      buf[0] = buf[1] = 0;
      buf[2] = (uint8_t)((len - FRAMES_PREFIX_BYTES) >> 8);
      buf[3] = (uint8_t)(len - FRAMES_PREFIX_BYTES);
    }
    err = 0;
    for (off = 0; off < len && !err; off += used) {
      err = frames_read(p.s, buf + off, len - off, &used, &msg, &msglen);
      ASSERT_NULL(msg);
      ASSERT(!frames_closed(p.s));
    }
    if (!err)
      err = frames_eof(p.s);
    ASSERT_LT(err, 0);
  }
  pair_close(&p);
  return 0;
}
