/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Opus encoding with libopusenc (the only module that includes opus
 * headers): 16-bit mono PCM in, a complete Ogg Opus stream out, with tags
 * and chapter comments; libopusenc writes the pre-skip and granule
 * positions. It knows nothing of voices, blobs or files. */
#ifndef GLOWTALK_AUDIO_H
#define GLOWTALK_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "node/buf.h"
#include "node/err.h"

#define AUDIO_BITRATE_DEFAULT 24000  /* bit/s: speech (config "bitrate") */
#define AUDIO_BITRATE_MIN 6000
#define AUDIO_BITRATE_MAX 256000
#define AUDIO_COMPLEXITY_DEFAULT 0   /* 0-10; see docs/PERFORMANCE.md */
/* At or below this bitrate (bit/s) speech is coded wideband (8 kHz audio
 * bandwidth, Opus's SILK mode): the usual choice for speech at these
 * rates, and 15% faster than letting Opus pick full band. */
#define AUDIO_WIDEBAND_MAX_BITRATE 32000
#define AUDIO_TAG_MAX 1024           /* bytes of one tag value */
#define AUDIO_CHAPTERS_MAX 999       /* chapter marks (CHAPTER001-999) */
#define AUDIO_OUT_MAX (1u << 30)     /* bytes of one encoded stream */

/* Silence between pieces, in ms (natural defaults for narrated speech;
 * the config options pause-sentence, pause-paragraph, pause-post). */
#define AUDIO_GAP_SENTENCE_MS 250
#define AUDIO_GAP_PARAGRAPH_MS 600
#define AUDIO_GAP_POST_MS 1200

struct audio_tags {
  const char *title;  /* sentence, post or book title; NULL = none */
  const char *artist; /* the character speaking; NULL = none */
  const char *album;  /* the book; NULL = none */
};

struct audio_chapter {
  uint64_t start_ms;  /* from the start of the stream */
  const char *name;   /* shown by players */
};

/* Called with each piece of the stream in order; return 0 to go on, or a
 * negative error to stop the encoder (it is then returned). */
typedef int (*audio_write_cb)(void *arg, const void *data, size_t len);

struct audio_enc;

/* An encoder for rate-Hz mono 16-bit PCM at bitrate bit/s (clamped to
 * [AUDIO_BITRATE_MIN, AUDIO_BITRATE_MAX]) and complexity 0-10, with tags
 * and chapters (copied) in the header. Output goes to cb as it is made, so
 * a stream can be served while being produced. ERR_INVAL for a bad rate,
 * complexity or tag, ERR_AUDIO if libopusenc refuses. Owes one
 * audio_enc_finish() or audio_enc_free(). */
int audio_enc_new(int rate, int bitrate, int complexity,
                  const struct audio_tags *tags,
                  const struct audio_chapter *chapters, size_t nchapters,
                  audio_write_cb cb, void *arg, struct audio_enc **out)
    WARN_UNUSED;
/* Add n samples, or ms of silence. An error from cb or libopusenc stops
 * the stream; later calls return it again. */
int audio_enc_write(struct audio_enc *e, const int16_t *pcm, size_t n)
    WARN_UNUSED;
int audio_enc_silence(struct audio_enc *e, unsigned ms) WARN_UNUSED;
/* Samples written so far (at the input rate). */
uint64_t audio_enc_samples(const struct audio_enc *e);
/* Flush the end of the stream and free the encoder (clears *e, even on
 * error). Returns the first error of the stream, if any. */
int audio_enc_finish(struct audio_enc **e) WARN_UNUSED;
/* Free without finishing (the stream is left incomplete). NULL is ok. */
void audio_enc_free(struct audio_enc **e);

/* One-shot: n samples to a complete Ogg Opus file appended to out (its
 * cap applies: ERR_TOO_BIG). The stream serial number is derived from the
 * PCM, so equal input gives equal bytes. */
int audio_encode(const int16_t *pcm, size_t n, int rate, int bitrate,
                 int complexity, const struct audio_tags *tags,
                 struct buf *out) WARN_UNUSED;

/* One-shot: the Ogg Opus file of n samples of silence at rate, made the
 * cheap way (48 kHz, 120 ms frames, no voice tuning: a quarter of
 * audio_encode()'s time), for the sleep:MS test engine. Equal input gives
 * equal bytes. */
int audio_encode_silence(size_t n, int rate, int bitrate, struct buf *out)
    WARN_UNUSED;

/* ---- assembly ----------------------------------------------------------
 * Joining sentence files into one stream for a post, thread or book.
 * Pieces are decoded (libopus) and re-encoded into one stream, rather than
 * their packets copied: each sentence file carries its own pre-skip (312
 * samples of encoder priming) and end trimming, which Ogg Opus can only
 * express at the start and end of a stream, so a packet-level join would
 * insert ~6.5 ms of priming and up to 20 ms of padding at every sentence
 * and let chapter times drift. Re-encoding keeps every duration and
 * chapter time exact, at the encoder's speed (see docs/PERFORMANCE.md). */

#define AUDIO_PIECE_MAX (64u << 20) /* bytes of one piece */
#define AUDIO_JOIN_RATE 24000       /* Hz the pieces are decoded at */

struct audio_piece {
  unsigned gap_ms;     /* silence before this piece */
  const char *chapter; /* a chapter starts here (after the gap), or NULL */
};

/* Fetch piece i's Ogg Opus bytes into out (append). 0 or an error. */
typedef int (*audio_fetch_cb)(void *arg, size_t i, struct buf *out);

/* Join n pieces (each fetched twice: once to measure, once to decode)
 * into one Ogg Opus stream with tags and a chapter for every piece that
 * names one, written to cb as it is produced. ERR_PARSE for a piece that
 * is not mono Ogg Opus, ERR_INVAL for more than AUDIO_CHAPTERS_MAX
 * chapters, or the error of fetch or cb; errbuf says which piece. */
int audio_join(const struct audio_piece *pieces, size_t n,
               audio_fetch_cb fetch, void *fetch_arg, int bitrate,
               int complexity, const struct audio_tags *tags,
               audio_write_cb cb, void *cb_arg, char *errbuf,
               size_t errlen) WARN_UNUSED;

/* "libopusenc 0.2.1, libopus 1.3.1". Static storage. */
const char *audio_version(void);

#endif
