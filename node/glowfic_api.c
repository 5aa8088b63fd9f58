/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Glowfic API bodies; see glowfic_api.h. Field names follow the site's
 * presenters (PostPresenter, ReplyPresenter) as listed in GLOWFIC.md 2. */
#include "node/glowfic_api.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/text.h"
#include "node/utf8.h"

/* API strings may hold bytes that are not UTF-8 (cJSON keeps them). */
static char *
dup_or_null(const char *s)
{
  return s && *s ? utf8_dup(s) : NULL;
}

static int64_t
int_of(const struct json *o, const char *key)
{
  int64_t v = 0;
  if (json_int(json_get(o, key), &v) != 0)
    return 0;
  return v;
}

/* character, icon, content and timestamps: shared by posts and replies */
static int
fill_common(struct work_post *p, const struct json *o, unsigned text_flags,
            char *errbuf, size_t errlen)
{
  const struct json *ch = json_get(o, "character");
  const struct json *icon = json_get(o, "icon");
  const char *content = json_get_str(o, "content");
  const char *display = json_get_str(o, "character_name");
  int err;

  if (json_is_object(ch)) {
    p->character_id = int_of(ch, "id");
    p->character = dup_or_null(json_get_str(ch, "name"));
    p->screenname = dup_or_null(json_get_str(ch, "screenname"));
    if (display && p->character && strcmp(display, p->character) != 0)
      p->alias = utf8_dup(display);
  }
  if (json_is_object(icon)) {
    p->icon_id = int_of(icon, "id");
    p->icon_url = dup_or_null(json_get_str(icon, "url"));
    p->icon_keyword = dup_or_null(json_get_str(icon, "keyword"));
  }
  p->created_at = dup_or_null(json_get_str(o, "created_at"));
  p->updated_at = dup_or_null(json_get_str(o, "updated_at"));
  if (content == NULL) {
    snprintf(errbuf, errlen, "a post in the API reply has no content");
    return ERR_PARSE;
  }
  p->content = utf8_dup(content);
  err = text_from_string(p, content, strlen(content), text_flags);
  if (err)
    snprintf(errbuf, errlen, "a post's text is too large");
  return err;
}

int
glowfic_api_post(struct work *w, const struct json *post,
                 unsigned text_flags, char *errbuf, size_t errlen)
{
  struct work_thread *t;
  struct work_post *p;
  const struct json *authors, *board;
  int64_t id;

  id = int_of(post, "id");
  if (!json_is_object(post) || id <= 0 || !json_get_str(post, "subject")) {
    snprintf(errbuf, errlen, "the API reply is not a Glowfic post");
    return ERR_PARSE;
  }
  t = work_add_thread(w);
  if (t == NULL) {
    snprintf(errbuf, errlen, "too many threads");
    return ERR_TOO_BIG;
  }
  t->id = id;
  t->subject = utf8_dup(json_get_str(post, "subject"));
  t->description = dup_or_null(json_get_str(post, "description"));
  board = json_get(post, "board");
  t->board = dup_or_null(json_get_str(board, "name"));
  t->section = dup_or_null(json_get_str(json_get(post, "section"), "name"));
  p = work_thread_add_post(w, t);
  if (p == NULL) {
    snprintf(errbuf, errlen, "too many posts");
    return ERR_TOO_BIG;
  }
  p->kind = WORK_POST_OP;
  p->id = id;
  authors = json_get(post, "authors");
  if (json_len(authors) == 1) {
    p->user_id = int_of(json_at(authors, 0), "id");
    p->author = dup_or_null(json_get_str(json_at(authors, 0), "username"));
  }
  return fill_common(p, post, text_flags, errbuf, errlen);
}

/* The reply ids a thread holds: an open-addressing set, so merging page
 * after page (or one huge saved array) stays linear. */
struct idset {
  int64_t *slot; /* 0 = empty (ids are positive) */
  size_t cap, n;
};

static size_t
id_hash(int64_t id, size_t cap)
{
  return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

/* Add id; returns 1 if it was there already. */
static int
idset_add(struct idset *s, int64_t id)
{
  size_t i;
  if (2 * (s->n + 1) > s->cap) {
    struct idset big = {NULL, s->cap ? 2 * s->cap : 256, 0};
    big.slot = xcalloc(big.cap, sizeof(*big.slot));
    for (i = 0; i < s->cap; i++) {
      if (s->slot[i])
        idset_add(&big, s->slot[i]);
    }
    xfree(s->slot);
    *s = big;
  }
  for (i = id_hash(id, s->cap); s->slot[i]; i = (i + 1) & (s->cap - 1)) {
    if (s->slot[i] == id)
      return 1;
  }
  s->slot[i] = id;
  s->n++;
  return 0;
}

int
glowfic_api_replies(struct work *w, struct work_thread *t,
                    const struct json *page, unsigned text_flags,
                    size_t *added, char *errbuf, size_t errlen)
{
  const struct json *r, *user;
  struct idset ids = {NULL, 0, 0};
  struct work_post *p;
  size_t i;
  int64_t id;
  int err = 0;

  *added = 0;
  if (!json_is_array(page)) {
    snprintf(errbuf, errlen, "the API reply is not a list of replies");
    return ERR_PARSE;
  }
  for (i = 0; i < t->n_posts; i++) {
    if (t->posts[i].kind == WORK_POST_REPLY && t->posts[i].id > 0)
      idset_add(&ids, t->posts[i].id);
  }
  for (r = json_first(page); r; r = json_next(r)) {
    id = int_of(r, "id");
    if (!json_is_object(r) || id <= 0) {
      snprintf(errbuf, errlen, "a reply in the API reply has no id");
      err = ERR_PARSE;
      break;
    }
    if (idset_add(&ids, id))
      continue;
    p = work_thread_add_post(w, t);
    if (p == NULL) {
      snprintf(errbuf, errlen, "too many posts");
      err = ERR_TOO_BIG;
      break;
    }
    p->kind = WORK_POST_REPLY;
    p->id = id;
    user = json_get(r, "user");
    p->user_id = int_of(user, "id");
    p->author = dup_or_null(json_get_str(user, "username"));
    err = fill_common(p, r, text_flags, errbuf, errlen);
    if (err)
      break;
    (*added)++;
  }
  xfree(ids.slot);
  return err;
}

const char *
glowfic_api_error(const struct json *body)
{
  const struct json *errors = json_get(body, "errors");
  if (!json_is_array(errors) || json_len(errors) == 0)
    return NULL;
  return json_get_str(json_at(errors, 0), "message");
}
