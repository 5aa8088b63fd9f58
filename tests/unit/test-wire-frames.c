/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The Frame envelope: roundtrips, caps, unknown kinds, garbage. */
#include "tests/unit/task.h"

#include "crypto/frames.h"
#include "node/alloc.h"
#include "node/wire_frames.h"

TEST_IMPL(wire_frames_roundtrip)
{
  char *feat[] = {"ping-padding"}, *eng[] = {"espeak-ng", "sleep"};
  struct wire_frame in, out;
  uint8_t *buf, pad[100];
  size_t len;

  memset(&in, 0, sizeof(in));
  in.kind = WIRE_HELLO;
  in.u.hello.protocol_version = WIRE_PROTOCOL_VERSION;
  in.u.hello.features = feat;
  in.u.hello.n_features = 1;
  in.u.hello.engines = eng;
  in.u.hello.n_engines = 2;
  in.u.hello.software_version = "glowtalk 0.1.0";
  ASSERT_OK(wire_frame_encode(&in, &buf, &len));
  ASSERT_OK(wire_frame_decode(buf, len, &out));
  xfree(buf);
  ASSERT_EQ(out.kind, WIRE_HELLO);
  ASSERT_EQ(out.u.hello.protocol_version, WIRE_PROTOCOL_VERSION);
  ASSERT_EQ(out.u.hello.n_engines, 2);
  ASSERT_STR_EQ(out.u.hello.engines[1], "sleep");
  ASSERT_STR_EQ(out.u.hello.features[0], "ping-padding");
  ASSERT_EQ(out.u.hello.n_voices, 0);
  ASSERT_STR_EQ(out.u.hello.software_version, "glowtalk 0.1.0");
  wire_frame_free(&out);
  wire_frame_free(&out); /* idempotent */

  memset(&in, 0, sizeof(in));
  memset(pad, 0xab, sizeof(pad));
  in.kind = WIRE_PING;
  in.u.ping.nonce = UINT64_MAX;
  in.u.ping.padding = pad;
  in.u.ping.padding_len = sizeof(pad);
  ASSERT_OK(wire_frame_encode(&in, &buf, &len));
  ASSERT_OK(wire_frame_decode(buf, len, &out));
  xfree(buf);
  ASSERT_EQ(out.kind, WIRE_PING);
  ASSERT(out.u.ping.nonce == UINT64_MAX);
  ASSERT_EQ(out.u.ping.padding_len, sizeof(pad));
  ASSERT_OK(memcmp(out.u.ping.padding, pad, sizeof(pad)));
  wire_frame_free(&out);

  memset(&in, 0, sizeof(in));
  in.kind = WIRE_GOODBYE;
  in.u.goodbye.code = WIRE_BYE_DUPLICATE;
  in.u.goodbye.reason = "duplicate connection";
  ASSERT_OK(wire_frame_encode(&in, &buf, &len));
  ASSERT_OK(wire_frame_decode(buf, len, &out));
  xfree(buf);
  ASSERT_EQ(out.kind, WIRE_GOODBYE);
  ASSERT_EQ(out.u.goodbye.code, WIRE_BYE_DUPLICATE);
  ASSERT_STR_EQ(out.u.goodbye.reason, "duplicate connection");
  wire_frame_free(&out);

  memset(&in, 0, sizeof(in));
  in.kind = WIRE_PONG;
  in.u.pong.nonce = 42;
  ASSERT_OK(wire_frame_encode(&in, &buf, &len));
  ASSERT_OK(wire_frame_decode(buf, len, &out));
  xfree(buf);
  ASSERT_EQ(out.kind, WIRE_PONG);
  ASSERT_EQ(out.u.pong.nonce, 42);
  wire_frame_free(&out);
  return 0;
}

TEST_IMPL(wire_frames_unknown_and_garbage)
{
  /* Body in field 20 (the replication range): unknown here, ignored. */
  static const uint8_t unknown[] = {0xa2, 0x01, 0x02, 0x08, 0x01};
  static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x42};
  /* Hello whose engines field claims more bytes than there are. */
  static const uint8_t cut[] = {0x0a, 0x05, 0x1a, 0x09, 'a'};
  struct wire_frame f;
  uint8_t byte;
  int i, err;

  ASSERT_OK(wire_frame_decode(unknown, sizeof(unknown), &f));
  ASSERT_EQ(f.kind, WIRE_UNKNOWN);
  wire_frame_free(&f);
  ASSERT_OK(wire_frame_decode(unknown, 0, &f)); /* empty: no body */
  ASSERT_EQ(f.kind, WIRE_UNKNOWN);
  wire_frame_free(&f);
  ASSERT_EQ(wire_frame_decode(garbage, sizeof(garbage), &f), ERR_PARSE);
  ASSERT_EQ(wire_frame_decode(cut, sizeof(cut), &f), ERR_PARSE);
  ASSERT_EQ(wire_frame_decode(garbage, FRAMES_PLAIN_MAX + 1, &f),
            ERR_TOO_BIG);
  /* Every single byte decodes to something or is refused, never crashes. */
  for (i = 0; i < 256; i++) {
    byte = (uint8_t)i;
    err = wire_frame_decode(&byte, 1, &f);
    ASSERT(err == 0 || err == ERR_PARSE);
    wire_frame_free(&f);
  }
  return 0;
}

TEST_IMPL(wire_frames_caps)
{
  char *many[WIRE_HELLO_LIST_MAX + 1], big[WIRE_STRING_MAX + 2];
  struct wire_frame in, out;
  uint8_t *buf;
  size_t len;
  int i;

  for (i = 0; i <= WIRE_HELLO_LIST_MAX; i++)
    many[i] = "x";
  memset(big, 'v', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  memset(&in, 0, sizeof(in));
  in.kind = WIRE_HELLO;
  in.u.hello.voices = many;
  in.u.hello.n_voices = WIRE_HELLO_LIST_MAX + 1;
  ASSERT_EQ(wire_frame_encode(&in, &buf, &len), ERR_INVAL);
  in.u.hello.n_voices = WIRE_HELLO_LIST_MAX;
  ASSERT_OK(wire_frame_encode(&in, &buf, &len));
  ASSERT_OK(wire_frame_decode(buf, len, &out));
  ASSERT_EQ(out.u.hello.n_voices, WIRE_HELLO_LIST_MAX);
  wire_frame_free(&out);
  xfree(buf);
  /* A Goodbye reason over the cap is refused on decode. */
  memset(&in, 0, sizeof(in));
  in.kind = WIRE_GOODBYE;
  in.u.goodbye.reason = big;
  ASSERT_OK(wire_frame_encode(&in, &buf, &len));
  ASSERT_EQ(wire_frame_decode(buf, len, &out), ERR_TOO_BIG);
  xfree(buf);
  /* A kind we cannot send. */
  memset(&in, 0, sizeof(in));
  in.kind = WIRE_UNKNOWN;
  ASSERT_EQ(wire_frame_encode(&in, &buf, &len), ERR_INVAL);
  ASSERT_STR_EQ(wire_kind_name(WIRE_PONG), "pong");
  return 0;
}
