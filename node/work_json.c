/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The work document's canonical JSON form (part of the work module, see
 * work.h): keys in a fixed order, absent strings as null, no whitespace,
 * so equal works serialise to equal bytes and hash to the same blob. */
#include "node/work.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"

static struct json *
post_json(const struct work_post *p)
{
  struct json *o = json_new_object(), *arr, *e, *sp;
  size_t i, j;

  json_set_int(o, "id", p->id);
  json_set_str(o, "kind", p->kind == WORK_POST_OP ? "op" : "reply");
  json_set_int(o, "user_id", p->user_id);
  json_set_str(o, "author", p->author);
  json_set_int(o, "character_id", p->character_id);
  json_set_str(o, "character", p->character);
  json_set_str(o, "alias", p->alias);
  json_set_str(o, "screenname", p->screenname);
  json_set_str(o, "char_key", p->char_key);
  json_set_int(o, "icon_id", p->icon_id);
  json_set_str(o, "icon_url", p->icon_url);
  json_set_str(o, "icon_keyword", p->icon_keyword);
  json_set_str(o, "created_at", p->created_at);
  json_set_str(o, "updated_at", p->updated_at);
  json_set_int(o, "words", p->words);
  json_set_str(o, "content", p->content);
  arr = json_new_array();
  for (i = 0; i < p->n_paras; i++) {
    const struct work_para *pa = &p->paras[i];
    e = json_new_object();
    json_set_str(e, "text", pa->text);
    json_set_int(e, "pause", pa->pause);
    json_set_int(e, "flags", pa->flags);
    sp = json_new_array();
    for (j = 0; j < pa->n_emph; j++) {
      struct json *pair = json_new_array();
      json_push(pair, json_new_int(pa->emph[j].start));
      json_push(pair, json_new_int(pa->emph[j].len));
      json_push(sp, pair);
    }
    json_set(e, "emph", sp);
    json_push(arr, e);
  }
  json_set(o, "paras", arr);
  arr = json_new_array();
  for (i = 0; i < p->n_sents; i++) {
    e = json_new_object();
    json_set_str(e, "id", p->sents[i].id);
    json_set_int(e, "para", p->sents[i].para);
    json_set_int(e, "offset", p->sents[i].offset);
    json_set_str(e, "text", p->sents[i].text);
    json_push(arr, e);
  }
  json_set(o, "sentences", arr);
  return o;
}

static struct json *
chars_json(const struct work *w)
{
  struct json *chars = json_new_array(), *c, *s;
  size_t i, j;

  for (i = 0; i < w->n_chars; i++) {
    const struct work_character *ch = &w->chars[i];
    c = json_new_object();
    json_set_str(c, "key", ch->key);
    json_set_int(c, "id", ch->id);
    json_set_str(c, "name", ch->name);
    json_set_str(c, "screenname", ch->screenname);
    json_set_str(c, "author", ch->author);
    json_set_int(c, "user_id", ch->user_id);
    json_set_str(c, "icon_url", ch->icon_url);
    json_set_str(c, "icon_keyword", ch->icon_keyword);
    json_set_int(c, "posts", ch->posts);
    json_set_int(c, "words", (int64_t)ch->words);
    s = json_new_array();
    for (j = 0; j < ch->n_samples; j++)
      json_push(s, json_new_string(ch->samples[j]));
    json_set(c, "samples", s);
    json_push(chars, c);
  }
  return chars;
}

/* Print v (cJSON's own formatting, so the stream matches work_to_json),
 * send it, free it. */
static void
emit(struct json *v, work_sink_cb sink, void *arg)
{
  char *s = json_print(v, 0);
  sink(s, strlen(s), arg);
  xfree(s);
  json_free(v);
}

static struct json *
str_or_null(const char *s)
{
  return s ? json_new_string(s) : json_new_null();
}

#define LIT(s) sink(s, sizeof(s) - 1, arg)

/* ---- direct writer ------------------------------------------------------
 * Posts are most of a work: they are written straight to the sink in
 * cJSON's exact unformatted style (the unit test compares the bytes with
 * json_print(work_to_json())), without building a tree per post. */

#define OUT_CHUNK 8192 /* bytes gathered before calling the sink */

struct out {
  work_sink_cb sink;
  void *arg;
  char buf[OUT_CHUNK];
  size_t len;
};

static void
out_flush(struct out *o)
{
  if (o->len)
    o->sink(o->buf, o->len, o->arg);
  o->len = 0;
}

static void
out_raw(struct out *o, const char *s, size_t n)
{
  if (n > sizeof(o->buf) - o->len) {
    out_flush(o);
    if (n > sizeof(o->buf)) {
      o->sink(s, n, o->arg);
      return;
    }
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}

#define OUT_LIT(o, s) out_raw(o, s, sizeof(s) - 1)

/* cJSON's print_string_ptr: \" \\ \b \f \n \r \t, other bytes < 32 as
 * \u00XX, everything else as is. */
static void
out_str(struct out *o, const char *s)
{
  const char *run;
  char esc[8];

  if (s == NULL) {
    OUT_LIT(o, "null");
    return;
  }
  OUT_LIT(o, "\"");
  while (*s) {
    run = s;
    while (*s && (unsigned char)*s >= 32 && *s != '"' && *s != '\\')
      s++;
    out_raw(o, run, (size_t)(s - run));
    if (*s == '\0')
      break;
    switch (*s) {
    case '"': OUT_LIT(o, "\\\""); break;
    case '\\': OUT_LIT(o, "\\\\"); break;
    case '\b': OUT_LIT(o, "\\b"); break;
    case '\f': OUT_LIT(o, "\\f"); break;
    case '\n': OUT_LIT(o, "\\n"); break;
    case '\r': OUT_LIT(o, "\\r"); break;
    case '\t': OUT_LIT(o, "\\t"); break;
    default:
      snprintf(esc, sizeof(esc), "\\u%04x", (unsigned char)*s);
      out_raw(o, esc, 6);
    }
    s++;
  }
  OUT_LIT(o, "\"");
}

/* cJSON's print_number for integral values: %d when the value fits an
 * int, else %1.15g (exact below 10^15, which ids and counts are). */
static void
out_int(struct out *o, int64_t v)
{
  char num[32];
  int n;
  if (v >= INT32_MIN && v <= INT32_MAX)
    n = snprintf(num, sizeof(num), "%d", (int)v);
  else
    n = snprintf(num, sizeof(num), "%1.15g", (double)v);
  out_raw(o, num, (size_t)n);
}

#define KEY_STR(o, k, v) (OUT_LIT(o, "\"" k "\":"), out_str(o, v))
#define KEY_INT(o, k, v) (OUT_LIT(o, "\"" k "\":"), out_int(o, v))

/* The same bytes as json_print(post_json(p), 0). */
static void
out_post(struct out *o, const struct work_post *p)
{
  size_t i, j;

  OUT_LIT(o, "{");
  KEY_INT(o, "id", p->id);
  OUT_LIT(o, ",");
  KEY_STR(o, "kind", p->kind == WORK_POST_OP ? "op" : "reply");
  OUT_LIT(o, ",");
  KEY_INT(o, "user_id", p->user_id);
  OUT_LIT(o, ",");
  KEY_STR(o, "author", p->author);
  OUT_LIT(o, ",");
  KEY_INT(o, "character_id", p->character_id);
  OUT_LIT(o, ",");
  KEY_STR(o, "character", p->character);
  OUT_LIT(o, ",");
  KEY_STR(o, "alias", p->alias);
  OUT_LIT(o, ",");
  KEY_STR(o, "screenname", p->screenname);
  OUT_LIT(o, ",");
  KEY_STR(o, "char_key", p->char_key);
  OUT_LIT(o, ",");
  KEY_INT(o, "icon_id", p->icon_id);
  OUT_LIT(o, ",");
  KEY_STR(o, "icon_url", p->icon_url);
  OUT_LIT(o, ",");
  KEY_STR(o, "icon_keyword", p->icon_keyword);
  OUT_LIT(o, ",");
  KEY_STR(o, "created_at", p->created_at);
  OUT_LIT(o, ",");
  KEY_STR(o, "updated_at", p->updated_at);
  OUT_LIT(o, ",");
  KEY_INT(o, "words", p->words);
  OUT_LIT(o, ",");
  KEY_STR(o, "content", p->content);
  OUT_LIT(o, ",\"paras\":[");
  for (i = 0; i < p->n_paras; i++) {
    const struct work_para *pa = &p->paras[i];
    if (i)
      OUT_LIT(o, ",");
    OUT_LIT(o, "{");
    KEY_STR(o, "text", pa->text);
    OUT_LIT(o, ",");
    KEY_INT(o, "pause", pa->pause);
    OUT_LIT(o, ",");
    KEY_INT(o, "flags", pa->flags);
    OUT_LIT(o, ",\"emph\":[");
    for (j = 0; j < pa->n_emph; j++) {
      if (j)
        OUT_LIT(o, ",");
      OUT_LIT(o, "[");
      out_int(o, pa->emph[j].start);
      OUT_LIT(o, ",");
      out_int(o, pa->emph[j].len);
      OUT_LIT(o, "]");
    }
    OUT_LIT(o, "]}");
  }
  OUT_LIT(o, "],\"sentences\":[");
  for (i = 0; i < p->n_sents; i++) {
    if (i)
      OUT_LIT(o, ",");
    OUT_LIT(o, "{");
    KEY_STR(o, "id", p->sents[i].id);
    OUT_LIT(o, ",");
    KEY_INT(o, "para", p->sents[i].para);
    OUT_LIT(o, ",");
    KEY_INT(o, "offset", p->sents[i].offset);
    OUT_LIT(o, ",");
    KEY_STR(o, "text", p->sents[i].text);
    OUT_LIT(o, "}");
  }
  OUT_LIT(o, "]}");
}

void
work_json_stream(const struct work *w, work_sink_cb sink, void *arg)
{
  size_t i, j;

  LIT("{\"format\":");
  emit(json_new_int(WORK_FORMAT), sink, arg);
  LIT(",\"key\":");
  emit(str_or_null(w->key), sink, arg);
  LIT(",\"source\":");
  emit(str_or_null(w->source), sink, arg);
  LIT(",\"title\":");
  emit(str_or_null(w->title), sink, arg);
  LIT(",\"threads\":[");
  for (i = 0; i < w->n_threads; i++) {
    const struct work_thread *th = &w->threads[i];
    if (i)
      LIT(",");
    LIT("{\"id\":");
    emit(json_new_int(th->id), sink, arg);
    LIT(",\"subject\":");
    emit(str_or_null(th->subject), sink, arg);
    LIT(",\"description\":");
    emit(str_or_null(th->description), sink, arg);
    LIT(",\"board\":");
    emit(str_or_null(th->board), sink, arg);
    LIT(",\"section\":");
    emit(str_or_null(th->section), sink, arg);
    LIT(",\"posts\":[");
    {
      struct out *o = xmalloc(sizeof(*o));
      o->sink = sink;
      o->arg = arg;
      o->len = 0;
      for (j = 0; j < th->n_posts; j++) {
        if (j)
          OUT_LIT(o, ",");
        out_post(o, &th->posts[j]);
      }
      out_flush(o);
      xfree(o);
    }
    LIT("]}");
  }
  LIT("],\"characters\":");
  emit(chars_json(w), sink, arg);
  LIT("}");
}

struct json *
work_to_json(const struct work *w)
{
  struct json *o = json_new_object(), *threads, *posts, *chars, *t;
  size_t i, j;

  json_set_int(o, "format", WORK_FORMAT);
  json_set_str(o, "key", w->key);
  json_set_str(o, "source", w->source);
  json_set_str(o, "title", w->title);
  threads = json_new_array();
  for (i = 0; i < w->n_threads; i++) {
    const struct work_thread *th = &w->threads[i];
    t = json_new_object();
    json_set_int(t, "id", th->id);
    json_set_str(t, "subject", th->subject);
    json_set_str(t, "description", th->description);
    json_set_str(t, "board", th->board);
    json_set_str(t, "section", th->section);
    posts = json_new_array();
    for (j = 0; j < th->n_posts; j++)
      json_push(posts, post_json(&th->posts[j]));
    json_set(t, "posts", posts);
    json_push(threads, t);
  }
  json_set(o, "threads", threads);
  chars = chars_json(w);
  json_set(o, "characters", chars);
  return o;
}

/* ---- reading back ----------------------------------------------------- */

struct rd {
  char *errbuf;
  size_t errlen;
  int bad;
};

static void
fail_at(struct rd *r, const char *what)
{
  if (!r->bad)
    snprintf(r->errbuf, r->errlen, "work document: bad or missing %s",
             what);
  r->bad = 1;
}

/* A string or null member; NULL for null. */
static char *
get_str(struct rd *r, const struct json *o, const char *key)
{
  const struct json *v = json_get(o, key);
  if (json_is_string(v))
    return xstrdup(json_str(v));
  if (!json_is_null(v))
    fail_at(r, key);
  return NULL;
}

static int64_t
get_int(struct rd *r, const struct json *o, const char *key)
{
  int64_t v = 0;
  if (json_int(json_get(o, key), &v) != 0)
    fail_at(r, key);
  return v;
}

static const struct json *
get_arr(struct rd *r, const struct json *o, const char *key)
{
  const struct json *v = json_get(o, key);
  if (!json_is_array(v)) {
    fail_at(r, key);
    return NULL;
  }
  return v;
}

static void
read_post(struct rd *r, const struct json *o, struct work_post *p)
{
  const struct json *arr, *e, *sp;
  const char *kind = json_get_str(o, "kind");
  char *text;
  size_t k;

  p->id = get_int(r, o, "id");
  if (kind && strcmp(kind, "op") == 0)
    p->kind = WORK_POST_OP;
  else if (kind && strcmp(kind, "reply") == 0)
    p->kind = WORK_POST_REPLY;
  else
    fail_at(r, "kind");
  p->user_id = get_int(r, o, "user_id");
  p->author = get_str(r, o, "author");
  p->character_id = get_int(r, o, "character_id");
  p->character = get_str(r, o, "character");
  p->alias = get_str(r, o, "alias");
  p->screenname = get_str(r, o, "screenname");
  p->char_key = get_str(r, o, "char_key");
  p->icon_id = get_int(r, o, "icon_id");
  p->icon_url = get_str(r, o, "icon_url");
  p->icon_keyword = get_str(r, o, "icon_keyword");
  p->created_at = get_str(r, o, "created_at");
  p->updated_at = get_str(r, o, "updated_at");
  p->words = (uint32_t)get_int(r, o, "words");
  p->content = get_str(r, o, "content");
  arr = get_arr(r, o, "paras");
  for (e = json_first(arr); e && !r->bad; e = json_next(e)) {
    text = get_str(r, e, "text");
    if (text == NULL || work_post_add_para(p, text, strlen(text),
                                           (uint32_t)get_int(r, e, "pause"),
                                           (unsigned)get_int(r, e, "flags")))
      fail_at(r, "paragraph");
    xfree(text);
    sp = get_arr(r, e, "emph");
    for (k = 0; sp && k < json_len(sp) && !r->bad; k++) {
      int64_t st, ln;
      const struct json *pair = json_at(sp, k);
      if (json_len(pair) != 2 || json_int(json_at(pair, 0), &st) ||
          json_int(json_at(pair, 1), &ln) ||
          work_post_add_emph(p, (uint32_t)st, (uint32_t)ln))
        fail_at(r, "emph");
    }
  }
  arr = get_arr(r, o, "sentences");
  if (arr && json_len(arr) > WORK_MAX_SENTENCES)
    fail_at(r, "sentences");
  for (e = json_first(arr); e && !r->bad; e = json_next(e)) {
    const char *id = json_get_str(e, "id");
    struct work_sentence *s;
    text = get_str(r, e, "text");
    if (id == NULL || strlen(id) != WORK_SENTENCE_ID_HEX - 1 || !text) {
      xfree(text);
      fail_at(r, "sentence");
      break;
    }
    p->sents = xrealloc(p->sents, (p->n_sents + 1) * sizeof(*p->sents));
    s = &p->sents[p->n_sents++];
    memcpy(s->id, id, WORK_SENTENCE_ID_HEX);
    s->para = (uint32_t)get_int(r, e, "para");
    s->offset = (uint32_t)get_int(r, e, "offset");
    s->text = text;
  }
}

static void
read_char(struct rd *r, const struct json *o, struct work *w)
{
  struct work_character *c;
  const struct json *s, *e;

  w->chars = xrealloc(w->chars, (w->n_chars + 1) * sizeof(*w->chars));
  c = &w->chars[w->n_chars++];
  memset(c, 0, sizeof(*c));
  c->key = get_str(r, o, "key");
  c->id = get_int(r, o, "id");
  c->name = get_str(r, o, "name");
  c->screenname = get_str(r, o, "screenname");
  c->author = get_str(r, o, "author");
  c->user_id = get_int(r, o, "user_id");
  c->icon_url = get_str(r, o, "icon_url");
  c->icon_keyword = get_str(r, o, "icon_keyword");
  c->posts = (uint32_t)get_int(r, o, "posts");
  c->words = (uint64_t)get_int(r, o, "words");
  s = get_arr(r, o, "samples");
  for (e = json_first(s); e && c->n_samples < WORK_SAMPLES;
       e = json_next(e)) {
    if (!json_is_string(e)) {
      fail_at(r, "samples");
      break;
    }
    c->samples[c->n_samples++] = xstrdup(json_str(e));
  }
  if (c->key == NULL || c->name == NULL)
    fail_at(r, "character");
}

struct work *
work_from_json(const struct json *doc, char *errbuf, size_t errlen)
{
  struct rd r = {errbuf, errlen, 0};
  struct work *w;
  const struct json *threads, *t, *posts, *p, *chars, *c;
  int64_t format;

  format = get_int(&r, doc, "format");
  if (r.bad || format != WORK_FORMAT) {
    snprintf(errbuf, errlen, "work document: unknown format");
    return NULL;
  }
  w = work_new(NULL);
  xfree(w->source);
  w->source = get_str(&r, doc, "source");
  w->key = get_str(&r, doc, "key");
  w->title = get_str(&r, doc, "title");
  threads = get_arr(&r, doc, "threads");
  for (t = json_first(threads); t && !r.bad; t = json_next(t)) {
    struct work_thread *th = work_add_thread(w);
    if (th == NULL) {
      fail_at(&r, "threads");
      break;
    }
    th->id = get_int(&r, t, "id");
    th->subject = get_str(&r, t, "subject");
    th->description = get_str(&r, t, "description");
    th->board = get_str(&r, t, "board");
    th->section = get_str(&r, t, "section");
    posts = get_arr(&r, t, "posts");
    for (p = json_first(posts); p && !r.bad; p = json_next(p)) {
      struct work_post *wp = work_thread_add_post(w, th);
      if (wp == NULL) {
        fail_at(&r, "posts");
        break;
      }
      read_post(&r, p, wp);
    }
  }
  chars = get_arr(&r, doc, "characters");
  for (c = json_first(chars); c && !r.bad; c = json_next(c))
    read_char(&r, c, w);
  if (r.bad || w->source == NULL || w->key == NULL) {
    if (!r.bad)
      fail_at(&r, "source or key");
    work_free(w);
    return NULL;
  }
  return w;
}
