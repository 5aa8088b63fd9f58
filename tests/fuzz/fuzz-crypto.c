/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* libFuzzer harness for the transport's parsers of hostile input (STYLE.md
 * G9): the first byte picks the target, the rest is the peer's bytes.
 *   0: invite_parse           1: shs server fed as msg 1 and msg 3
 *   2: shs client fed msg 2+4 3: frames_read after a valid stream header
 * Inputs are capped at FUZZ_INPUT_MAX. Build and run: make fuzz, then
 * build-fuzz/fuzz-crypto -max_total_time=60. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/frames.h"
#include "crypto/identity.h"
#include "crypto/invite.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "crypto/shs.h"
#include "node/alloc.h"

#define FUZZ_INPUT_MAX (64 * 1024) /* bytes of one input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct identity *a, *b;
static struct netkey *nk, *alt_nk; /* alt_nk: a join plane */
static struct shs *done_client, *done_server; /* one finished session */

static int
allow(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  (void)pub;
  (void)arg;
  return 1;
}

static void
setup(void)
{
  uint8_t seed[IDENTITY_SEED_BYTES] = {1}, key[NETKEY_BYTES] = {2};
  uint8_t msg[SHS_MSG_MAX];
  size_t n, used;
  int i;

  if (secure_init() != 0 || identity_from_seed(seed, &a) != 0)
    abort();
  seed[0] = 3;
  if (identity_from_seed(seed, &b) != 0 ||
      (nk = netkey_from_bytes(key)) == NULL ||
      (alt_nk = invite_join_netkey(key)) == NULL ||
      shs_client_new(a, nk, identity_public_key(b), &done_client) != 0 ||
      shs_server_new(b, nk, allow, NULL, &done_server) != 0)
    abort();
  for (i = 0; i < 2; i++) {
    n = shs_take_output(done_client, msg);
    if (shs_feed(done_server, msg, n, &used) != 0)
      abort();
    n = shs_take_output(done_server, msg);
    if (shs_feed(done_client, msg, n, &used) != 0)
      abort();
  }
  if (!shs_done(done_client) || !shs_done(done_server))
    abort();
}

/* Feed data to a handshake the way a socket would, taking output. */
static void
drive_shs(struct shs *s, const uint8_t *data, size_t size)
{
  uint8_t out[SHS_MSG_MAX];
  size_t used;

  shs_take_output(s, out);
  while (size > 0 && shs_want(s) > 0) {
    if (shs_feed(s, data, size, &used) != 0)
      break;
    data += used;
    size -= used;
    shs_take_output(s, out);
  }
}

static void
drive_frames(const uint8_t *data, size_t size)
{
  uint8_t ch[FRAMES_HEADER_BYTES], sh[FRAMES_HEADER_BYTES], *msg;
  struct frames *c = NULL, *s = NULL;
  size_t used, len;

  if (frames_new(done_client, ch, &c) != 0 ||
      frames_new(done_server, sh, &s) != 0 ||
      frames_read(s, ch, sizeof(ch), &used, &msg, &len) != 0)
    abort();
  while (size > 0) {
    if (frames_read(s, data, size, &used, &msg, &len) != 0)
      break;
    if (msg != NULL)
      abort(); /* forged a frame without the key */
    data += used;
    size -= used;
    if (frames_closed(s))
      abort();
  }
  (void)frames_eof(s);
  frames_free(&c);
  frames_free(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct invite *inv = NULL;
  struct shs *s = NULL;
  char *code;

  if (a == NULL)
    setup();
  if (size < 1 || size > FUZZ_INPUT_MAX)
    return 0;
  switch (data[0] % 4) {
  case 0:
    if (invite_parse((const char *)data + 1, size - 1, &inv) == 0) {
      code = invite_encode(inv); /* a parsed code must re-encode */
      if (code == NULL)
        abort();
      xfree(code);
    }
    invite_free(&inv);
    break;
  case 1:
    if (shs_server_new(b, nk, allow, NULL, &s) != 0 ||
        shs_server_accept_alt(s, alt_nk) != 0)
      abort();
    drive_shs(s, data + 1, size - 1);
    shs_free(&s);
    break;
  case 2:
    if (shs_client_new(a, nk, identity_public_key(b), &s) != 0)
      abort();
    drive_shs(s, data + 1, size - 1);
    shs_free(&s);
    break;
  default:
    drive_frames(data + 1, size - 1);
    break;
  }
  return 0;
}
