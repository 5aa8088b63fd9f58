/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Lowercase hex for ids and hashes in text (logs, JSON, file names). */
#ifndef GLOWTALK_HEX_H
#define GLOWTALK_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

/* Write 2*len hex digits and a NUL into out (2*len+1 bytes). */
void hex_encode(char *out, const uint8_t *in, size_t len);
/* Decode exactly 2*outlen hex digits (either case). ERR_PARSE otherwise. */
int hex_decode(uint8_t *out, size_t outlen, const char *in) WARN_UNUSED;

#endif
