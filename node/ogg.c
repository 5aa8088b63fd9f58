/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Minimal Ogg page and packet reader (see ogg.h). */
#include "node/ogg.h"

#include <string.h>

#define PAGE_HEADER 27 /* bytes before the segment table */

void
ogg_reader_init(struct ogg_reader *r, const void *data, size_t len)
{
  memset(r, 0, sizeof(*r));
  r->data = data;
  r->len = len;
  buf_init(&r->pkt, OGG_PACKET_MAX);
}

void
ogg_reader_free(struct ogg_reader *r)
{
  buf_free(&r->pkt);
}

static int
next_page(struct ogg_reader *r)
{
  const uint8_t *p = r->data + r->off;
  size_t left = r->len - r->off, body = 0;
  int i, n;

  if (left == 0)
    return 0;
  if (left < PAGE_HEADER || memcmp(p, "OggS", 4) != 0 || p[4] != 0)
    return ERR_PARSE;
  n = p[26];
  if (left < (size_t)PAGE_HEADER + (size_t)n)
    return ERR_PARSE;
  for (i = 0; i < n; i++)
    body += p[PAGE_HEADER + i];
  if (left < PAGE_HEADER + (size_t)n + body)
    return ERR_PARSE;
  r->granule = 0;
  for (i = 7; i >= 0; i--)
    r->granule = (int64_t)((uint64_t)r->granule << 8 | p[6 + i]);
  r->last_page = (p[5] & 0x04) != 0;
  r->seg = p + PAGE_HEADER;
  r->nseg = n;
  r->iseg = 0;
  r->body = p + PAGE_HEADER + n;
  r->off += PAGE_HEADER + (size_t)n + body;
  return 1;
}

int
ogg_next_packet(struct ogg_reader *r, const uint8_t **pkt, size_t *plen,
                int64_t *granule)
{
  int err;

  buf_reset(&r->pkt);
  for (;;) {
    while (r->iseg < r->nseg) {
      int s = r->seg[r->iseg++];

      err = buf_append(&r->pkt, r->body, (size_t)s);
      if (err != 0)
        return err;
      r->body += s;
      if (s < 255) {
        *pkt = (const uint8_t *)r->pkt.data;
        *plen = r->pkt.len;
        *granule = r->granule;
        return 1;
      }
    }
    err = next_page(r);
    if (err <= 0)
      return err == 0 && r->pkt.len > 0 ? ERR_PARSE : err;
  }
}
