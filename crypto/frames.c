/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Encrypted frames over secretstream; see frames.h and TRANSPORT.md. The
 * stream states (which hold keys) live in one sodium_malloc'd block;
 * ciphertext buffers come from node/alloc.h after the length check. */
#include "crypto/frames.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/internal.h"
#include "node/alloc.h"

/* crypto_kdf context (exactly 8 bytes) and subkey ids; see TRANSPORT.md. */
#define KDF_CONTEXT "GTstrm01"
#define KDF_ID_CLIENT_TO_SERVER 1
#define KDF_ID_SERVER_TO_CLIENT 2
#define KEY_BYTES crypto_secretstream_xchacha20poly1305_KEYBYTES
/* Largest ciphertext a prefix may announce. */
#define CIPHER_MAX (FRAMES_PLAIN_MAX + FRAMES_ABYTES)

_Static_assert(FRAMES_HEADER_BYTES ==
                   crypto_secretstream_xchacha20poly1305_HEADERBYTES,
               "header size");
_Static_assert(FRAMES_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES,
               "per-frame overhead");
_Static_assert(KEY_BYTES == crypto_kdf_KEYBYTES, "kdf key size");
_Static_assert(SHS__SESSION_BYTES == crypto_kdf_KEYBYTES, "session size");
_Static_assert(sizeof(KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES,
               "kdf context");

enum {
  RD_HEADER, /* waiting for the peer's secretstream header */
  RD_PREFIX, /* waiting for a length prefix */
  RD_BODY,   /* waiting for the ciphertext */
  RD_CLOSED, /* authenticated close received */
  RD_FAILED  /* receive error; err holds it */
};

struct frames {
  crypto_secretstream_xchacha20poly1305_state tx; /* our sending stream */
  crypto_secretstream_xchacha20poly1305_state rx; /* the peer's stream */
  uint8_t rx_key[KEY_BYTES]; /* kept until the peer's header arrives */
  int tx_closed;             /* we sent our close */
  int rd;                    /* RD_* */
  int err;                   /* receive error when rd == RD_FAILED */
  uint8_t small[FRAMES_HEADER_BYTES]; /* header or prefix being received */
  size_t small_len;          /* bytes of small filled */
  uint8_t *body;             /* xmalloc'd ciphertext being received */
  size_t body_len;           /* bytes of body filled */
  size_t body_need;          /* ciphertext length announced by the prefix */
  char error[FRAMES_ERROR_MAX];
};

int
frames_new(const struct shs *s, uint8_t header[FRAMES_HEADER_BYTES],
           struct frames **out)
{
  uint8_t session[SHS__SESSION_BYTES], tx_key[KEY_BYTES];
  struct frames *f;
  int err, client = shs_is_client(s);

  *out = NULL;
  if (!shs_done(s))
    return ERR_INVAL;
  err = shs__session_secret(s, session);
  if (err)
    return err;
  f = sodium_malloc(sizeof(*f));
  if (f == NULL) {
    sodium_memzero(session, sizeof(session));
    return -ENOMEM;
  }
  memset(f, 0, sizeof(*f));
  crypto_kdf_derive_from_key(tx_key, KEY_BYTES,
                             client ? KDF_ID_CLIENT_TO_SERVER
                                    : KDF_ID_SERVER_TO_CLIENT,
                             KDF_CONTEXT, session);
  crypto_kdf_derive_from_key(f->rx_key, KEY_BYTES,
                             client ? KDF_ID_SERVER_TO_CLIENT
                                    : KDF_ID_CLIENT_TO_SERVER,
                             KDF_CONTEXT, session);
  crypto_secretstream_xchacha20poly1305_init_push(&f->tx, header, tx_key);
  sodium_memzero(session, sizeof(session));
  sodium_memzero(tx_key, sizeof(tx_key));
  f->rd = RD_HEADER;
  *out = f;
  return 0;
}

void
frames_free(struct frames **f)
{
  if (f == NULL || *f == NULL)
    return;
  xfree((*f)->body);
  sodium_free(*f); /* zeroes the states and keys */
  *f = NULL;
}

size_t
frames_sealed_size(size_t len)
{
  return FRAMES_OVERHEAD + len;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* The prefix is the additional data of its frame, so a changed length is
 * a frame that does not authenticate, not merely a framing slip. */
static int
seal(struct frames *f, const void *plain, size_t len, uint8_t tag,
     uint8_t *out, size_t outcap, size_t *outlen)
{
  *outlen = 0;
  if (len > FRAMES_PLAIN_MAX)
    return ERR_TOO_BIG;
  if (f->tx_closed || outcap < frames_sealed_size(len))
    return ERR_INVAL;
  put_be32(out, (uint32_t)(len + FRAMES_ABYTES));
  crypto_secretstream_xchacha20poly1305_push(
      &f->tx, out + FRAMES_PREFIX_BYTES, NULL, plain, len, out,
      FRAMES_PREFIX_BYTES, tag);
  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    f->tx_closed = 1;
    sodium_memzero(&f->tx, sizeof(f->tx));
  }
  *outlen = frames_sealed_size(len);
  return 0;
}

int
frames_seal(struct frames *f, const void *plain, size_t len, uint8_t *out,
            size_t outcap, size_t *outlen)
{
  return seal(f, plain, len, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
              out, outcap, outlen);
}

int
frames_seal_close(struct frames *f, uint8_t *out, size_t outcap,
                  size_t *outlen)
{
  return seal(f, NULL, 0, crypto_secretstream_xchacha20poly1305_TAG_FINAL,
              out, outcap, outlen);
}

/* Record a receive error, wipe the receiving side; returns err. */
__attribute__((format(printf, 3, 4))) static int
rx_fail(struct frames *f, int err, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(f->error, sizeof(f->error), fmt, ap);
  va_end(ap);
  sodium_memzero(&f->rx, sizeof(f->rx));
  sodium_memzero(f->rx_key, sizeof(f->rx_key));
  xfree(f->body);
  f->body = NULL;
  f->rd = RD_FAILED;
  f->err = err;
  return err;
}

/* Fill f->small up to want bytes; 1 when full. */
static int
fill_small(struct frames *f, size_t want, const uint8_t **data, size_t *len)
{
  size_t take = want - f->small_len;

  if (take > *len)
    take = *len;
  memcpy(f->small + f->small_len, *data, take);
  f->small_len += take;
  *data += take;
  *len -= take;
  return f->small_len == want;
}

/* A complete ciphertext in f->body: authenticate and decrypt it. */
static int
open_body(struct frames *f, uint8_t **msg, size_t *msglen)
{
  size_t plain_len = f->body_need - FRAMES_ABYTES;
  uint8_t *plain = xmalloc(plain_len > 0 ? plain_len : 1);
  unsigned long long mlen = 0;
  uint8_t tag = 0;

  if (crypto_secretstream_xchacha20poly1305_pull(
          &f->rx, plain, &mlen, &tag, f->body, f->body_need, f->small,
          FRAMES_PREFIX_BYTES) != 0) {
    xfree(plain);
    return rx_fail(f, ERR_CRYPTO, "frame does not authenticate (tampered, "
                   "reordered, replayed or under another key)");
  }
  xfree(f->body);
  f->body = NULL;
  f->small_len = 0;
  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    xfree(plain);
    if (mlen != 0)
      return rx_fail(f, ERR_PARSE, "close frame carries data");
    sodium_memzero(&f->rx, sizeof(f->rx));
    f->rd = RD_CLOSED;
    return 0;
  }
  if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
    xfree(plain);
    return rx_fail(f, ERR_PARSE, "frame has unexpected tag %u",
                   (unsigned)tag);
  }
  *msg = plain;
  *msglen = (size_t)mlen;
  f->rd = RD_PREFIX;
  return 0;
}

int
frames_read(struct frames *f, const uint8_t *data, size_t len, size_t *used,
            uint8_t **msg, size_t *msglen)
{
  size_t start = len, take;
  uint32_t clen;
  int err = 0;

  *used = 0;
  *msg = NULL;
  *msglen = 0;
  if (f->rd == RD_FAILED)
    return f->err;
  while (len > 0 && *msg == NULL && err == 0) {
    switch (f->rd) {
    case RD_HEADER:
      if (!fill_small(f, FRAMES_HEADER_BYTES, &data, &len))
        break;
      if (crypto_secretstream_xchacha20poly1305_init_pull(
              &f->rx, f->small, f->rx_key) != 0)
        err = rx_fail(f, ERR_CRYPTO, "bad stream header");
      sodium_memzero(f->rx_key, sizeof(f->rx_key));
      f->small_len = 0;
      if (!err)
        f->rd = RD_PREFIX;
      break;
    case RD_PREFIX:
      if (!fill_small(f, FRAMES_PREFIX_BYTES, &data, &len))
        break;
      clen = get_be32(f->small);
      if (clen < FRAMES_ABYTES) {
        err = rx_fail(f, ERR_PARSE, "frame length %u below the minimum %d",
                      (unsigned)clen, FRAMES_ABYTES);
        break;
      }
      if (clen > CIPHER_MAX) {
        err = rx_fail(f, ERR_TOO_BIG, "frame of %u bytes exceeds the cap "
                      "of %d", (unsigned)(clen - FRAMES_ABYTES),
                      FRAMES_PLAIN_MAX);
        break;
      }
      f->body_need = clen;
      f->body_len = 0;
      f->body = xmalloc(clen);
      f->rd = RD_BODY;
      break;
    case RD_BODY:
      take = f->body_need - f->body_len;
      if (take > len)
        take = len;
      memcpy(f->body + f->body_len, data, take);
      f->body_len += take;
      data += take;
      len -= take;
      if (f->body_len == f->body_need)
        err = open_body(f, msg, msglen);
      break;
    case RD_CLOSED:
      err = rx_fail(f, ERR_PARSE, "data after the authenticated close");
      break;
    }
    if (f->rd == RD_CLOSED)
      break;
  }
  *used = start - len;
  return err;
}

int
frames_closed(const struct frames *f)
{
  return f->rd == RD_CLOSED;
}

int
frames_eof(struct frames *f)
{
  if (f->rd == RD_CLOSED)
    return 0;
  if (f->rd == RD_FAILED)
    return f->err;
  return rx_fail(f, ERR_TRUNCATED, "stream ended without its authenticated "
                 "close");
}

const char *
frames_error(const struct frames *f)
{
  return f->error;
}
