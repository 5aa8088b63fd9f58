/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* What an import did, as JSON (part of the work_store module, see
 * work_store.h), shared by `glowtalk import --json` and /api/imports. The
 * web API's views of stored works are in node/api_works.c. */
#include "node/work_store.h"

#include "node/json.h"

struct json *
work_store_counts_json(const struct work *w,
                       const struct work_store_counts *c)
{
  struct json *o = json_new_object();
  json_set_str(o, "work_id", c->work_id);
  json_set_str(o, "key", w->key);
  json_set_str(o, "title", w->title);
  json_set_int(o, "threads", c->threads);
  json_set_int(o, "posts", c->posts);
  json_set_int(o, "characters", c->characters);
  json_set_int(o, "sentences", c->sentences);
  json_set_int(o, "words", c->words);
  json_set_int(o, "new_posts", c->new_posts);
  json_set_int(o, "changed_posts", c->changed_posts);
  json_set_int(o, "new_sentences", c->new_sentences);
  json_set_int(o, "removed_sentences", c->removed_sentences);
  return o;
}
