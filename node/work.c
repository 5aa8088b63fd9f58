/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The work document: building, finishing (sentences, ids, characters) and
 * its canonical JSON form; see work.h. */
#include "node/work.h"

#include <stdio.h>
#include <string.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/hex.h"
#include "node/segment.h"

#define SENTENCE_DOMAIN "glowtalk-sentence-v1"
#define WORK_DOMAIN "glowtalk-work-v1"

struct work *
work_new(const char *source)
{
  struct work *w = xcalloc(1, sizeof(*w));
  w->source = xstrdup(source ? source : "");
  return w;
}

void
work_post_clear(struct work_post *p)
{
  size_t i;
  xfree(p->author);
  xfree(p->character);
  xfree(p->alias);
  xfree(p->screenname);
  xfree(p->icon_url);
  xfree(p->icon_keyword);
  xfree(p->created_at);
  xfree(p->updated_at);
  xfree(p->content);
  xfree(p->char_key);
  for (i = 0; i < p->n_paras; i++) {
    xfree(p->paras[i].text);
    xfree(p->paras[i].emph);
  }
  xfree(p->paras);
  for (i = 0; i < p->n_sents; i++)
    xfree(p->sents[i].text);
  xfree(p->sents);
  memset(p, 0, sizeof(*p));
}

static void
chars_clear(struct work *w)
{
  size_t i, j;
  for (i = 0; i < w->n_chars; i++) {
    struct work_character *c = &w->chars[i];
    xfree(c->key);
    xfree(c->name);
    xfree(c->screenname);
    xfree(c->author);
    xfree(c->icon_url);
    xfree(c->icon_keyword);
    for (j = 0; j < c->n_samples; j++)
      xfree(c->samples[j]);
  }
  xfree(w->chars);
  w->chars = NULL;
  w->n_chars = 0;
}

void
work_free(struct work *w)
{
  size_t i, j;
  if (w == NULL)
    return;
  for (i = 0; i < w->n_threads; i++) {
    struct work_thread *t = &w->threads[i];
    for (j = 0; j < t->n_posts; j++)
      work_post_clear(&t->posts[j]);
    xfree(t->posts);
    xfree(t->subject);
    xfree(t->description);
    xfree(t->board);
    xfree(t->section);
  }
  xfree(w->threads);
  chars_clear(w);
  xfree(w->source);
  xfree(w->key);
  xfree(w->title);
  xfree(w);
}

struct work_thread *
work_add_thread(struct work *w)
{
  struct work_thread *t;
  if (w->n_threads >= WORK_MAX_THREADS)
    return NULL;
  if (w->n_threads == w->cap_threads) {
    w->cap_threads = w->cap_threads ? 2 * w->cap_threads : 4;
    w->threads = xrealloc(w->threads, w->cap_threads * sizeof(*t));
  }
  t = &w->threads[w->n_threads++];
  memset(t, 0, sizeof(*t));
  return t;
}

struct work_post *
work_thread_add_post(struct work *w, struct work_thread *t)
{
  struct work_post *p;
  if (work_count_posts(w) >= WORK_MAX_POSTS)
    return NULL;
  if (t->n_posts == t->cap_posts) {
    t->cap_posts = t->cap_posts ? 2 * t->cap_posts : 16;
    t->posts = xrealloc(t->posts, t->cap_posts * sizeof(*p));
  }
  p = &t->posts[t->n_posts++];
  memset(p, 0, sizeof(*p));
  p->kind = WORK_POST_REPLY;
  return p;
}

/* Grow an array of size elements to hold n + 1; capacity doubles at
 * powers of two so no capacity field is needed. */
static void *
grow(void *arr, size_t n, size_t size)
{
  if (n == 0 || (n & (n - 1)) == 0)
    return xrealloc(arr, (n ? 2 * n : 1) * size);
  return arr;
}

int
work_post_add_para(struct work_post *p, const char *text, size_t len,
                   uint32_t pause, unsigned flags)
{
  struct work_para *para;
  if (p->n_paras >= WORK_MAX_PARAS)
    return ERR_TOO_BIG;
  p->paras = grow(p->paras, p->n_paras, sizeof(*p->paras));
  para = &p->paras[p->n_paras++];
  para->text = xstrndup(text, len);
  para->pause = pause;
  para->flags = flags;
  para->emph = NULL;
  para->n_emph = 0;
  return 0;
}

int
work_post_add_emph(struct work_post *p, uint32_t start, uint32_t len)
{
  struct work_para *para;
  if (p->n_paras == 0)
    return ERR_INVAL;
  para = &p->paras[p->n_paras - 1];
  if (para->n_emph >= WORK_MAX_SPANS)
    return ERR_TOO_BIG;
  para->emph = grow(para->emph, para->n_emph, sizeof(*para->emph));
  para->emph[para->n_emph].start = start;
  para->emph[para->n_emph].len = len;
  para->n_emph++;
  return 0;
}

char *
work_post_key(const struct work_thread *t, const struct work_post *p,
              size_t index)
{
  if (p->id > 0)
    return xasprintf("%c%lld", p->kind == WORK_POST_OP ? 'p' : 'r',
                     (long long)p->id);
  return xasprintf("t%lld.%zu", (long long)t->id, index);
}

void
work_sentence_id(char out[WORK_SENTENCE_ID_HEX], const char *post_key,
                 const char *text, uint32_t occurrence)
{
  uint8_t h[SECURE_HASH_BYTES];
  uint8_t stack[1024];
  uint8_t *msg = stack;
  size_t dlen = sizeof(SENTENCE_DOMAIN), klen = strlen(post_key) + 1;
  size_t tlen = strlen(text) + 1, n = dlen + klen + tlen + 4, at;

  /* domain NUL key NUL text NUL occurrence(u32 LE), hashed in one go. */
  if (n > sizeof(stack))
    msg = xmalloc(n);
  memcpy(msg, SENTENCE_DOMAIN, dlen);
  memcpy(msg + dlen, post_key, klen);
  memcpy(msg + dlen + klen, text, tlen);
  at = dlen + klen + tlen;
  msg[at] = (uint8_t)occurrence;
  msg[at + 1] = (uint8_t)(occurrence >> 8);
  msg[at + 2] = (uint8_t)(occurrence >> 16);
  msg[at + 3] = (uint8_t)(occurrence >> 24);
  secure_hash(h, msg, n, NULL, 0);
  if (msg != stack)
    xfree(msg);
  hex_encode(out, h, WORK_SENTENCE_ID_BYTES);
}

void
work_id(const struct work *w, char out[WORK_ID_HEX])
{
  uint8_t h[SECURE_HASH_BYTES];
  char *msg = xasprintf("%s%c%s", WORK_DOMAIN, 0, w->key ? w->key : "");
  size_t n = sizeof(WORK_DOMAIN) + strlen(msg + sizeof(WORK_DOMAIN));

  secure_hash(h, msg, n, NULL, 0);
  xfree(msg);
  hex_encode(out, h, (WORK_ID_HEX - 1) / 2);
}

int
work_sentence_emphasised(const struct work_post *p,
                         const struct work_sentence *s)
{
  const struct work_para *pa;
  size_t i, end;
  if (s->para >= p->n_paras)
    return 0;
  pa = &p->paras[s->para];
  end = s->offset + strlen(s->text);
  for (i = 0; i < pa->n_emph; i++) {
    if (pa->emph[i].start < end &&
        pa->emph[i].start + pa->emph[i].len > s->offset)
      return 1;
  }
  return 0;
}

size_t
work_count_posts(const struct work *w)
{
  size_t i, n = 0;
  for (i = 0; i < w->n_threads; i++)
    n += w->threads[i].n_posts;
  return n;
}

size_t
work_count_sentences(const struct work *w)
{
  size_t i, j, n = 0;
  for (i = 0; i < w->n_threads; i++)
    for (j = 0; j < w->threads[i].n_posts; j++)
      n += w->threads[i].posts[j].n_sents;
  return n;
}

uint64_t
work_count_words(const struct work *w)
{
  size_t i, j;
  uint64_t n = 0;
  for (i = 0; i < w->n_threads; i++)
    for (j = 0; j < w->threads[i].n_posts; j++)
      n += w->threads[i].posts[j].words;
  return n;
}

/* ---- finishing -------------------------------------------------------- */

static uint32_t
count_words(const char *s)
{
  uint32_t n = 0;
  int in = 0;
  for (; *s; s++) {
    int sp = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
    if (!sp && !in)
      n++;
    in = !sp;
  }
  return n;
}

/* ---- a small string map ------------------------------------------------
 * Open addressing with FNV-1a; keys are borrowed. Keeps work_finish linear
 * when a hostile page has a million characters or a post repeats one line
 * a hundred thousand times. */

#define MAP_MIN_CAP 64  /* slots, a power of two */
#define LINEAR_MAX 32   /* sentences of a post scanned without the map */

struct strmap_e {
  const char *key; /* NULL = empty slot */
  size_t val;
};

struct strmap {
  struct strmap_e *e;
  size_t cap, n;
};

static uint64_t
fnv1a(const char *s)
{
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

static struct strmap_e *
map_find(struct strmap_e *e, size_t cap, const char *key)
{
  size_t i = (size_t)fnv1a(key) & (cap - 1);
  while (e[i].key && strcmp(e[i].key, key) != 0)
    i = (i + 1) & (cap - 1);
  return &e[i];
}

/* The value slot of key, added with value 0 when new (*added = 1). */
static size_t *
map_slot(struct strmap *m, const char *key, int *added)
{
  struct strmap_e *slot;
  size_t i;

  if (2 * (m->n + 1) > m->cap) {
    size_t cap = m->cap ? 2 * m->cap : MAP_MIN_CAP;
    struct strmap_e *e = xcalloc(cap, sizeof(*e));
    for (i = 0; i < m->cap; i++) {
      if (m->e[i].key)
        *map_find(e, cap, m->e[i].key) = m->e[i];
    }
    xfree(m->e);
    m->e = e;
    m->cap = cap;
  }
  slot = map_find(m->e, m->cap, key);
  *added = slot->key == NULL;
  if (*added) {
    slot->key = key;
    slot->val = 0;
    m->n++;
  }
  return &slot->val;
}

static void
map_free(struct strmap *m)
{
  xfree(m->e);
  memset(m, 0, sizeof(*m));
}

struct seg_ctx {
  struct work_post *post;
  const char *post_key;
  const char *para_text;
  uint32_t para;
  struct strmap seen;  /* sentence text -> times seen, past LINEAR_MAX */
  int err;
};

static int
on_sentence(const char *text, size_t len, void *arg)
{
  struct seg_ctx *c = arg;
  struct work_post *p = c->post;
  struct work_sentence *s;
  uint32_t occ = 0;
  size_t i;

  if (p->n_sents >= WORK_MAX_SENTENCES)
    return ERR_TOO_BIG;
  p->sents = grow(p->sents, p->n_sents, sizeof(*p->sents));
  s = &p->sents[p->n_sents];
  s->text = xstrndup(text, len);
  s->para = c->para;
  s->offset = (uint32_t)(text - c->para_text);
  if (p->n_sents < LINEAR_MAX) {
    /* Most posts: a short scan beats a table. */
    for (i = 0; i < p->n_sents; i++) {
      if (strcmp(p->sents[i].text, s->text) == 0)
        occ++;
    }
  } else {
    int added;
    size_t *count;
    if (c->seen.n == 0) { /* first time past the scan: count what is in */
      for (i = 0; i < p->n_sents; i++)
        (*map_slot(&c->seen, p->sents[i].text, &added))++;
    }
    count = map_slot(&c->seen, s->text, &added);
    occ = (uint32_t)*count;
    (*count)++;
  }
  work_sentence_id(s->id, c->post_key, s->text, occ);
  p->n_sents++;
  return 0;
}

static char *
char_key(const struct work_post *p)
{
  if (p->character == NULL)
    return NULL;
  if (p->character_id > 0)
    return xasprintf("c:%lld", (long long)p->character_id);
  return xasprintf("n:%s\x1f%s\x1f%s", p->character,
                   p->screenname ? p->screenname : "",
                   p->author ? p->author : "");
}

/* chars maps a character key to its index + 1 in w->chars (the keys are
 * the characters' own strings, which stay put when w->chars grows). */
static void
collect_char(struct work *w, struct strmap *chars, const struct work_post *p,
             const char *pkey)
{
  struct work_character *c;
  int added;
  size_t *idx = map_slot(chars, p->char_key, &added);

  if (!added) {
    c = &w->chars[*idx - 1];
  } else {
    w->chars = grow(w->chars, w->n_chars, sizeof(*w->chars));
    c = &w->chars[w->n_chars++];
    memset(c, 0, sizeof(*c));
    c->key = xstrdup(p->char_key);
    /* The map must not keep the post's string: point it at ours. */
    map_find(chars->e, chars->cap, p->char_key)->key = c->key;
    *idx = w->n_chars;
    c->id = p->character_id;
    /* The canonical name: an alias is per post, the character is not. */
    c->name = xstrdup(p->character);
    c->screenname = p->screenname ? xstrdup(p->screenname) : NULL;
    c->author = p->author ? xstrdup(p->author) : NULL;
    c->user_id = p->user_id;
  }
  if (c->icon_url == NULL && p->icon_url) {
    c->icon_url = xstrdup(p->icon_url);
    c->icon_keyword = p->icon_keyword ? xstrdup(p->icon_keyword) : NULL;
  }
  if (c->author == NULL && p->author)
    c->author = xstrdup(p->author);
  c->posts++;
  c->words += p->words;
  if (c->n_samples < WORK_SAMPLES && p->n_sents > 0)
    c->samples[c->n_samples++] = xstrdup(pkey);
}

static void
derive_key(struct work *w)
{
  size_t i;
  if (w->key)
    return;
  for (i = 0; i < w->n_threads; i++) {
    if (w->threads[i].id > 0) {
      w->key = xasprintf("glowfic:post:%lld", (long long)w->threads[i].id);
      return;
    }
  }
  for (i = 0; i < w->n_threads; i++) {
    if (w->threads[i].n_posts > 0 && w->threads[i].posts[0].id > 0) {
      w->key = xasprintf("glowfic:reply:%lld",
                         (long long)w->threads[i].posts[0].id);
      return;
    }
  }
  w->key = xasprintf("source:%s", w->source);
}

int
work_finish(struct work *w, size_t max_chars)
{
  struct segment *seg = NULL;
  struct strmap chars;
  struct seg_ctx c;
  size_t i, j, k;
  char *pkey = NULL;
  int err;

  if (work_count_posts(w) == 0)
    return ERR_PARSE;
  err = segment_new("en", max_chars, &seg);
  if (err)
    return err;
  chars_clear(w);
  memset(&chars, 0, sizeof(chars));
  memset(&c, 0, sizeof(c));
  for (i = 0; i < w->n_threads; i++) {
    struct work_thread *t = &w->threads[i];
    for (j = 0; j < t->n_posts; j++) {
      struct work_post *p = &t->posts[j];
      pkey = work_post_key(t, p, j);
      for (k = 0; k < p->n_sents; k++)
        xfree(p->sents[k].text);
      p->n_sents = 0;
      p->words = 0;
      c.post = p;
      c.post_key = pkey;
      for (k = 0; k < p->n_paras; k++) {
        c.para = (uint32_t)k;
        c.para_text = p->paras[k].text;
        p->words += count_words(p->paras[k].text);
        err = segment_text(seg, p->paras[k].text, strlen(p->paras[k].text),
                           on_sentence, &c);
        if (err)
          goto fail;
      }
      map_free(&c.seen);
      xfree(p->char_key);
      p->char_key = char_key(p);
      if (p->char_key)
        collect_char(w, &chars, p, pkey);
      xfree(pkey);
      pkey = NULL;
    }
  }
  if (work_count_sentences(w) == 0) {
    err = ERR_PARSE;
    goto fail;
  }
  if (w->title == NULL && w->n_threads > 0 && w->threads[0].subject)
    w->title = xstrdup(w->threads[0].subject);
  derive_key(w);
  map_free(&chars);
  segment_free(seg);
  return 0;
fail:
  map_free(&c.seen);
  map_free(&chars);
  xfree(pkey);
  segment_free(seg);
  return err;
}
