/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Hex encoding; see hex.h. */
#include "node/hex.h"

#include <string.h>

void
hex_encode(char *out, const uint8_t *in, size_t len)
{
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < len; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * len] = '\0';
}

static int
nibble(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int
hex_decode(uint8_t *out, size_t outlen, const char *in)
{
  size_t i;
  if (strlen(in) != 2 * outlen)
    return ERR_PARSE;
  for (i = 0; i < outlen; i++) {
    int hi = nibble(in[2 * i]), lo = nibble(in[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return ERR_PARSE;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}
