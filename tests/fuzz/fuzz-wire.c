/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* libFuzzer harness for the log's parsers of hostile input (STYLE.md G9):
 * the first byte picks the target, the rest is a peer's bytes.
 *   0: wire_entry_decode      1: wire_signed_decode then the Entry
 * Invariants: a decoded entry passes its own static checks, so it encodes
 * again, and its sentence set iterates to exactly its count. Inputs are
 * capped at FUZZ_INPUT_MAX. Build and run: make fuzz, then
 * build-fuzz/fuzz-wire -max_total_time=60. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/alloc.h"
#include "node/wire.h"

#define FUZZ_INPUT_MAX (WIRE_SIGNED_MAX + 64) /* bytes of one input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_entry(const uint8_t *buf, size_t len)
{
  struct wire_entry e;
  struct wire_iter it;
  uint8_t *again;
  uint64_t n = 0;
  uint32_t s, prev = 0;
  size_t alen;
  char errbuf[160];

  if (wire_entry_decode(buf, len, &e, errbuf, sizeof(errbuf)) != 0)
    return;
  wire_iter_init(&it, &e.sent);
  while (wire_iter_next(&it, &s)) {
    if (n > 0 && s <= prev)
      abort(); /* runs must iterate in increasing order */
    prev = s;
    n++;
  }
  if (n != e.sent.count)
    abort();
  if (e.op != WIRE_OP_UNKNOWN) {
    if (wire_entry_encode(&e, &again, &alen, errbuf, sizeof(errbuf)) != 0)
      abort(); /* what decodes must pass the same checks when encoded */
    xfree(again);
  }
  wire_entry_clear(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  uint8_t *entry, sig[WIRE_SIG_BYTES];
  size_t elen;

  if (size < 1 || size > FUZZ_INPUT_MAX)
    return 0;
  if (data[0] % 2 == 0) {
    check_entry(data + 1, size - 1);
  } else if (wire_signed_decode(data + 1, size - 1, &entry, &elen, sig) ==
             0) {
    if (elen > WIRE_ENTRY_MAX)
      abort();
    check_entry(entry, elen);
    xfree(entry);
  }
  return 0;
}
