/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The encrypted transport after the secret handshake: one libsodium
 * crypto_secretstream_xchacha20poly1305 per direction, keys derived from
 * the handshake, length-prefixed frames, authenticated close. Pure: the
 * caller moves the bytes. Wraps libsodium. Design: crypto/TRANSPORT.md. */
#ifndef GLOWTALK_FRAMES_H
#define GLOWTALK_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/shs.h"
#include "node/err.h"

#define FRAMES_PLAIN_MAX (1024 * 1024) /* bytes of plaintext in one frame */
#define FRAMES_HEADER_BYTES 24         /* secretstream header, sent first */
#define FRAMES_PREFIX_BYTES 4          /* u32 big-endian ciphertext length */
#define FRAMES_ABYTES 17               /* secretstream tag + MAC per frame */
#define FRAMES_OVERHEAD (FRAMES_PREFIX_BYTES + FRAMES_ABYTES)
#define FRAMES_ERROR_MAX 128           /* bytes of frames_error(), with NUL */

struct frames;

/* Start the transport of a completed handshake s (shs_done() must be true;
 * s may be freed afterwards). Derives this side's sending and receiving
 * keys and writes into header the FRAMES_HEADER_BYTES that must be the
 * first bytes we send; the peer's header is expected as the first bytes
 * received. Errors: ERR_INVAL when s is not done, -ENOMEM. On success *out
 * owes one frames_free(). */
int frames_new(const struct shs *s, uint8_t header[FRAMES_HEADER_BYTES],
               struct frames **out) WARN_UNUSED;
/* Wipe the stream states and free; clears *f. NULL-safe. */
void frames_free(struct frames **f);

/* Bytes frames_seal() writes for a plaintext of len bytes. */
size_t frames_sealed_size(size_t len);
/* Encrypt one frame of len bytes (0 is allowed: a keep-alive) into out:
 * prefix || ciphertext, *outlen = frames_sealed_size(len). Errors:
 * ERR_TOO_BIG when len > FRAMES_PLAIN_MAX, ERR_INVAL when outcap is too
 * small or the stream was closed (nothing is written then). */
int frames_seal(struct frames *f, const void *plain, size_t len,
                uint8_t *out, size_t outcap, size_t *outlen) WARN_UNUSED;
/* The authenticated close (an empty frame tagged FINAL): after it, seal
 * refuses. Same errors as frames_seal(). */
int frames_seal_close(struct frames *f, uint8_t *out, size_t outcap,
                      size_t *outlen) WARN_UNUSED;

/* Give len received bytes. Consumes up to the end of the first frame that
 * completes (*used; keep the rest for the next call). When a data frame
 * completes, *msg is its plaintext (caller owns it: xfree(); not NULL even
 * when empty) and *msglen its length; otherwise *msg is NULL. When the
 * peer's close arrives, frames_closed() becomes 1 and *msg stays NULL.
 * Errors (the receiving side is then dead; close the connection):
 *   ERR_TOO_BIG  a length prefix over the cap (refused before allocation);
 *   ERR_CRYPTO   a frame that does not authenticate: tampered, reordered,
 *                replayed, dropped before, or under another key;
 *   ERR_PARSE    a length below the minimum, a tag we never send, bytes
 *                after the close.
 * frames_error() gives the details. */
int frames_read(struct frames *f, const uint8_t *data, size_t len,
                size_t *used, uint8_t **msg, size_t *msglen) WARN_UNUSED;
/* 1 once the peer's authenticated close has been read. */
int frames_closed(const struct frames *f);
/* Call when the connection ended: 0 after an authenticated close,
 * ERR_TRUNCATED when the stream ended without one (data may be missing),
 * or the earlier receive error. */
int frames_eof(struct frames *f) WARN_UNUSED;
/* Why receiving failed, or "". */
const char *frames_error(const struct frames *f);

#endif
