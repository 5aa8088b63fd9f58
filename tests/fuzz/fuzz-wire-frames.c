/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* libFuzzer harness for the swarm's frame decoder (STYLE.md G9): the input
 * is one decrypted frame plaintext from a peer. Invariants: decoding never
 * crashes, a decoded frame respects the Hello caps, and a decoded control
 * frame re-encodes. Inputs are capped at FUZZ_INPUT_MAX. Build and run:
 * make fuzz, then build-fuzz/fuzz-wire-frames -max_total_time=60. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/alloc.h"
#include "node/wire_frames.h"

#define FUZZ_INPUT_MAX (64 * 1024) /* bytes of one input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct wire_frame f;
  uint8_t *out = NULL;
  size_t len;

  if (size > FUZZ_INPUT_MAX)
    return 0;
  if (wire_frame_decode(data, size, &f) != 0)
    return 0;
  if (f.kind == WIRE_HELLO &&
      (f.u.hello.n_features > WIRE_HELLO_LIST_MAX ||
       f.u.hello.n_engines > WIRE_HELLO_LIST_MAX ||
       f.u.hello.n_voices > WIRE_HELLO_LIST_MAX))
    abort();
  if (f.kind != WIRE_UNKNOWN) {
    if (wire_frame_encode(&f, &out, &len) != 0)
      abort();
    xfree(out);
  }
  wire_frame_free(&f);
  return 0;
}
