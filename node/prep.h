/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Text preparation for the engine: a book's pronunciation lexicon (word ->
 * respelling, or espeak phonemes written [[...]]), emphasis markers
 * (*word*, _word_) turned into SSML <emphasis>, and the optional spoken
 * announcement of a character's name. Numbers and abbreviations are left
 * to the engine. The result carries the lexicon entries that applied, so
 * a render key changes exactly when an entry affecting the text does. */
#ifndef GLOWTALK_PREP_H
#define GLOWTALK_PREP_H

#include <stddef.h>

#include "node/err.h"

#define PREP_LEXICON_MAX 10000 /* entries in one lexicon */
#define PREP_WORD_MAX 64       /* bytes of a lexicon word */
#define PREP_REPL_MAX 256      /* bytes of a replacement */
#define PREP_TEXT_MAX 8192     /* bytes of prepared text */

struct prep_lexicon;

/* An empty lexicon. Owes one prep_lexicon_free(). */
struct prep_lexicon *prep_lexicon_new(void);
void prep_lexicon_free(struct prep_lexicon **l);
/* Add or replace an entry. word: letters, digits, ' and - (matched whole
 * and case-insensitively; UTF-8 letters allowed). repl: a respelling
 * (letters, digits, spaces, ' - . ,) or phonemes "[[...]]" (no "]]"
 * inside). ERR_INVAL with errbuf saying why; ERR_TOO_BIG when full. */
int prep_lexicon_add(struct prep_lexicon *l, const char *word,
                     const char *repl, char *errbuf, size_t errlen)
    WARN_UNUSED;
size_t prep_lexicon_count(const struct prep_lexicon *l);

struct prep_result {
  char *text;    /* prepared text for the engine */
  char *applied; /* "word=repl\n" for each entry used, sorted; "" if none */
  unsigned flags; /* TTS_PHONEMES if text holds [[...]], TTS_SSML if it
                   * is SSML (emphasis); for tts_params and render_job */
};

/* Prepare text. lex may be NULL. When speaker is not NULL its name is
 * announced first ("Alice. ..."): the caller passes it when the speaker
 * changes and announcements are on. ERR_INVAL for empty text, ERR_TOO_BIG
 * past PREP_TEXT_MAX. On success the caller frees with prep_result_free(). */
int prep_text(const char *text, const struct prep_lexicon *lex,
              const char *speaker, struct prep_result *out, char *errbuf,
              size_t errlen) WARN_UNUSED;
void prep_result_free(struct prep_result *r);

#endif
