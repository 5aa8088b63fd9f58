/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Text preparation: lexicon, emphasis markers, speaker announcement (see
 * prep.h). The lexicon is a sorted array searched by bsearch. */
#include "node/prep.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/alloc.h"
#include "node/buf.h"
#include "node/tts.h"

struct entry {
  char word[PREP_WORD_MAX]; /* lower case (ASCII folded) */
  char *repl;
};

struct prep_lexicon {
  struct entry *e; /* sorted by word */
  size_t n, cap;
};

struct prep_lexicon *
prep_lexicon_new(void)
{
  return xcalloc(1, sizeof(struct prep_lexicon));
}

void
prep_lexicon_free(struct prep_lexicon **lp)
{
  size_t i;

  if (lp == NULL || *lp == NULL)
    return;
  for (i = 0; i < (*lp)->n; i++)
    xfree((*lp)->e[i].repl);
  xfree((*lp)->e);
  xfree(*lp);
  *lp = NULL;
}

size_t
prep_lexicon_count(const struct prep_lexicon *l)
{
  return l->n;
}

static int
word_byte(unsigned char c)
{
  return isalnum(c) || c >= 0x80;
}

/* Length of the word at s (letters, digits, UTF-8, and ' or - between
 * them), 0 if s does not start one. */
static size_t
word_len(const char *s)
{
  size_t n = 0;

  while (word_byte((unsigned char)s[n]) ||
         ((s[n] == '\'' || s[n] == '-') && n > 0 &&
          word_byte((unsigned char)s[n + 1])))
    n++;
  return n;
}

static void
fold(char *dst, const char *src, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    dst[i] = (char)tolower((unsigned char)src[i]);
  dst[n] = '\0';
}

static int
cmp_entry(const void *a, const void *b)
{
  return strcmp(((const struct entry *)a)->word,
                ((const struct entry *)b)->word);
}

static int
repl_ok(const char *r)
{
  size_t n = strlen(r), i;

  if (n == 0 || n >= PREP_REPL_MAX)
    return 0;
  if (strncmp(r, "[[", 2) == 0)
    return n > 4 && strcmp(r + n - 2, "]]") == 0 &&
           strstr(r + 2, "]]") == r + n - 2 && strchr(r, '\n') == NULL;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)r[i];

    if (!word_byte(c) && !strchr(" '-.,", c))
      return 0;
  }
  return 1;
}

int
prep_lexicon_add(struct prep_lexicon *l, const char *word,
                 const char *repl, char *errbuf, size_t errlen)
{
  struct entry key, *found;
  size_t wn = strlen(word);

  if (wn == 0 || wn >= PREP_WORD_MAX || word_len(word) != wn) {
    snprintf(errbuf, errlen, "lexicon word '%.64s' is not one word", word);
    return ERR_INVAL;
  }
  if (!repl_ok(repl)) {
    snprintf(errbuf, errlen, "lexicon replacement for '%s' must be a "
             "respelling or [[phonemes]] under %d bytes", word,
             PREP_REPL_MAX);
    return ERR_INVAL;
  }
  fold(key.word, word, wn);
  found = l->n ? bsearch(&key, l->e, l->n, sizeof(*l->e), cmp_entry) : NULL;
  if (found != NULL) {
    xfree(found->repl);
    found->repl = xstrdup(repl);
    return 0;
  }
  if (l->n >= PREP_LEXICON_MAX) {
    snprintf(errbuf, errlen, "lexicon is full (%d entries)",
             PREP_LEXICON_MAX);
    return ERR_TOO_BIG;
  }
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 16;
    l->e = xrealloc(l->e, l->cap * sizeof(*l->e));
  }
  key.repl = xstrdup(repl);
  l->e[l->n++] = key;
  qsort(l->e, l->n, sizeof(*l->e), cmp_entry);
  return 0;
}

/* Emphasis marker at s[i]: MARK_OPEN ('*' or '_' before a word),
 * MARK_CLOSE (after one), 0 otherwise. */
#define MARK_OPEN 1
#define MARK_CLOSE 2
static int
marker(const char *s, size_t i, size_t n)
{
  int before = i > 0 && word_byte((unsigned char)s[i - 1]);
  int after = i + 1 < n && word_byte((unsigned char)s[i + 1]);

  if (s[i] != '*' && s[i] != '_')
    return 0;
  if (after && !before)
    return MARK_OPEN;
  if (before && !after)
    return MARK_CLOSE;
  return 0;
}

/* 1 if text has an emphasis span (an opening and a later closing mark). */
static int
has_emphasis(const char *s)
{
  size_t i, n = strlen(s);
  int open = 0;

  for (i = 0; i < n; i++) {
    int m = marker(s, i, n);

    if (m == MARK_OPEN)
      open = 1;
    else if (m == MARK_CLOSE && open)
      return 1;
  }
  return 0;
}

/* Append s[0..n) with the lexicon applied; used[] marks entries used.
 * In SSML mode emphasis marks become <emphasis> (depth counts the open
 * ones) and & < > are escaped; otherwise marks are dropped (the engine
 * would read them out). Brackets always become parentheses so the text
 * can never open a phoneme block of its own. */
static int
emit(struct buf *out, const char *s, size_t n, const struct prep_lexicon *l,
     unsigned char *used, int ssml, int *depth)
{
  size_t i = 0;
  int err = 0;

  while (i < n && err == 0) {
    size_t w = word_len(s + i);
    int m;

    if (w > 0 && i + w > n)
      w = n - i;
    if (w > 0) {
      struct entry key, *found = NULL;

      if (l != NULL && l->n > 0 && w < PREP_WORD_MAX) {
        fold(key.word, s + i, w);
        found = bsearch(&key, l->e, l->n, sizeof(*l->e), cmp_entry);
      }
      if (found != NULL) {
        used[found - l->e] = 1;
        err = buf_append_str(out, found->repl);
      } else {
        err = buf_append(out, s + i, w);
      }
      i += w;
      continue;
    }
    m = marker(s, i, n);
    if (ssml && m == MARK_OPEN) {
      err = buf_append_str(out, "<emphasis>");
      (*depth)++;
    } else if (ssml && m == MARK_CLOSE && *depth > 0) {
      err = buf_append_str(out, "</emphasis>");
      (*depth)--;
    } else if (s[i] == '*' || s[i] == '_') {
      ; /* a stray mark: dropped */
    } else if (s[i] == '[') {
      err = buf_append(out, "(", 1);
    } else if (s[i] == ']') {
      err = buf_append(out, ")", 1);
    } else if (ssml && s[i] == '<') {
      err = buf_append_str(out, "&lt;");
    } else if (ssml && s[i] == '>') {
      err = buf_append_str(out, "&gt;");
    } else if (ssml && s[i] == '&') {
      err = buf_append_str(out, "&amp;");
    } else {
      err = buf_append(out, s + i, 1);
    }
    i++;
  }
  return err;
}

int
prep_text(const char *text, const struct prep_lexicon *lex,
          const char *speaker, struct prep_result *out, char *errbuf,
          size_t errlen)
{
  struct buf t, a;
  unsigned char *used = NULL;
  size_t i, n = lex ? lex->n : 0;
  int err = 0, ssml = has_emphasis(text), depth = 0;

  memset(out, 0, sizeof(*out));
  if (text[strspn(text, " \t\r\n*_")] == '\0') {
    snprintf(errbuf, errlen, "nothing to say: the text is empty");
    return ERR_INVAL;
  }
  buf_init(&t, PREP_TEXT_MAX);
  buf_init(&a, PREP_LEXICON_MAX * (PREP_WORD_MAX + PREP_REPL_MAX + 2));
  used = xcalloc(n ? n : 1, 1);
  if (speaker != NULL && speaker[0] != '\0') {
    err = emit(&t, speaker, strlen(speaker), lex, used, ssml, &depth);
    if (err == 0)
      err = buf_append_str(&t, ". ");
  }
  if (err == 0)
    err = emit(&t, text, strlen(text), lex, used, ssml, &depth);
  while (err == 0 && depth-- > 0)
    err = buf_append_str(&t, "</emphasis>");
  if (ssml)
    out->flags |= TTS_SSML;
  for (i = 0; i < n && err == 0; i++)
    if (used[i]) {
      err = buf_printf(&a, "%s=%s\n", lex->e[i].word, lex->e[i].repl);
      if (strncmp(lex->e[i].repl, "[[", 2) == 0)
        out->flags |= TTS_PHONEMES;
    }
  xfree(used);
  if (err != 0) {
    snprintf(errbuf, errlen, "prepared text is over %d bytes",
             PREP_TEXT_MAX);
    buf_free(&t);
    buf_free(&a);
    memset(out, 0, sizeof(*out));
    return ERR_TOO_BIG;
  }
  out->text = buf_take(&t, NULL);
  out->applied = buf_take(&a, NULL);
  return 0;
}

void
prep_result_free(struct prep_result *r)
{
  xfree(r->text);
  xfree(r->applied);
  memset(r, 0, sizeof(*r));
}
