/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* A minimal Ogg reader (RFC 3533) for our own single-stream files held in
 * memory: it yields the packets in order with the granule position of the
 * page each ends on. It checks structure and caps but not CRCs; it is used
 * on blobs whose hash was already verified. No library is wrapped. */
#ifndef GLOWTALK_OGG_H
#define GLOWTALK_OGG_H

#include <stddef.h>
#include <stdint.h>

#include "node/buf.h"
#include "node/err.h"

#define OGG_PACKET_MAX (1u << 20) /* bytes of one packet */

struct ogg_reader {
  const uint8_t *data; /* the whole file, borrowed */
  size_t len, off;     /* bytes; offset of the next page */
  const uint8_t *seg;  /* segment table of the current page */
  int nseg, iseg;      /* segments in it; next one */
  const uint8_t *body; /* next packet bytes in the current page */
  int64_t granule;     /* of the current page */
  int last_page;       /* current page has the end-of-stream flag */
  struct buf pkt;      /* packet being assembled (capped) */
};

/* Start reading data[0..len) (borrowed until ogg_reader_free()). */
void ogg_reader_init(struct ogg_reader *r, const void *data, size_t len);
void ogg_reader_free(struct ogg_reader *r);
/* Next packet: *pkt (valid until the next call), *plen, and *granule of
 * the page it ends on (-1 if no packet ends... never: a packet always ends
 * on some page). 1 for a packet, 0 at the end, ERR_PARSE for a damaged
 * stream, ERR_TOO_BIG for a packet over OGG_PACKET_MAX. */
int ogg_next_packet(struct ogg_reader *r, const uint8_t **pkt, size_t *plen,
                    int64_t *granule) WARN_UNUSED;

#endif
