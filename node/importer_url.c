/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* URL imports (part of the importer module, see importer.h): which
 * requests a thread, reply, continuity or section takes, in the order
 * GLOWFIC.md 7 recommends. */
#include "node/importer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/alloc.h"
#include "node/fetch.h"
#include "node/glowfic_api.h"
#include "node/glowfic_html.h"
#include "node/glowfic_listing.h"
#include "node/glowfic_url.h"
#include "node/json.h"
#include "node/utf8.h"

#define LOG_MODULE "import"
#include "node/log.h"

/* Anonymous HTML requests are limited far more tightly than the API (25
 * per 5 minutes per IP, and more than 25 in a minute bans for an hour:
 * GLOWFIC.md 4), so an import spaces its HTML requests at least this far
 * apart whatever glowfic-delay says. */
#define HTML_MIN_INTERVAL_MS 12000
#define MAX_OP_AUTHORS 20 /* authors asked about the OP's character */

struct ctx {
  struct fetch *f;
  const char *base;
  struct timespec last_html; /* start of the last HTML request */
  int had_html;
  const struct importer_opts *o;
  char *errbuf;
  size_t errlen;
};

/* GET path from the base; a non-2xx status is an error with Glowfic's
 * message when the body has one. */
static int
get(struct ctx *c, const char *path, struct fetch_response *res)
{
  char *url = xasprintf("%s%s", c->base, path);
  struct json *j;
  const char *msg = NULL;
  char jerr[64];
  int err;

  err = fetch_get(c->f, url, res, c->errbuf, c->errlen);
  if (err)
    goto out;
  if (res->status >= 200 && res->status < 300) {
    /* The site answers a missing or private post with a redirect to the
     * list of continuities. */
    if (strstr(path, "/posts/") && strstr(res->location, "/boards") &&
        !strstr(path, "/boards")) {
      snprintf(c->errbuf, c->errlen, "%s: Glowfic says the post does not "
               "exist or is private", url);
      err = ERR_NOT_FOUND;
      fetch_response_free(res);
    }
    goto out;
  }
  j = json_parse(res->body, res->len, jerr, sizeof(jerr));
  msg = glowfic_api_error(j);
  snprintf(c->errbuf, c->errlen, "%s: HTTP %ld%s%s", url, res->status,
           msg ? ": " : "", msg ? msg : "");
  json_free(j);
  err = res->status == 404 ? ERR_NOT_FOUND
        : res->status == 403 || res->status == 401 ? ERR_FORBIDDEN
                                                   : ERR_HTTP;
  fetch_response_free(res);
out:
  xfree(url);
  return err;
}

static int
get_json(struct ctx *c, const char *path, struct json **out)
{
  struct fetch_response res;
  char jerr[128];
  int err = get(c, path, &res);
  if (err)
    return err;
  *out = json_parse(res.body, res.len, jerr, sizeof(jerr));
  if (*out == NULL) {
    snprintf(c->errbuf, c->errlen, "%s%s: invalid JSON: %s", c->base, path,
             jerr);
    err = ERR_PARSE;
  }
  fetch_response_free(&res);
  return err;
}

/* Wait until HTML_MIN_INTERVAL_MS have passed since the last HTML page. */
static void
html_pause(struct ctx *c)
{
  struct timespec now, ts;
  long ms;

  clock_gettime(CLOCK_MONOTONIC, &now);
  if (c->had_html) {
    ms = HTML_MIN_INTERVAL_MS -
         ((now.tv_sec - c->last_html.tv_sec) * 1000 +
          (now.tv_nsec - c->last_html.tv_nsec) / 1000000);
    if (ms > 0) {
      log_info("waiting %ld ms before the next Glowfic page", ms);
      ts.tv_sec = ms / 1000;
      ts.tv_nsec = (ms % 1000) * 1000000L;
      while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
  }
  c->last_html = now;
  c->had_html = 1;
}

/* The OP's author through the API: the author who owns the OP's character
 * (GET /api/v1/characters?post_id=P&user_id=U, GLOWFIC.md 2). */
static int
op_author_from_api(struct ctx *c, struct work_post *op,
                   const struct json *post)
{
  const struct json *a, *r;
  size_t asked = 0;

  if (op->character_id <= 0)
    return 0;
  for (a = json_first(json_get(post, "authors"));
       a && asked < MAX_OP_AUTHORS; a = json_next(a), asked++) {
    struct json *j = NULL;
    int64_t uid = 0, cid = 0;
    char *path;
    int found = 0;

    if (json_int(json_get(a, "id"), &uid) != 0 || uid <= 0)
      continue;
    path = xasprintf("/api/v1/characters?post_id=%lld&user_id=%lld",
                     (long long)op->id, (long long)uid);
    if (get_json(c, path, &j) != 0) {
      log_warn("%s", c->errbuf);
      c->errbuf[0] = '\0';
    }
    xfree(path);
    for (r = json_first(json_get(j, "results")); r && !found;
         r = json_next(r))
      found = json_int(json_get(r, "id"), &cid) == 0 &&
              cid == op->character_id;
    if (found && json_get_str(a, "username")) {
      op->user_id = uid;
      op->author = xstrdup(json_get_str(a, "username"));
    }
    json_free(j);
    if (found)
      return 1;
  }
  return 0;
}

/* The OP's author from the thread's HTML page (the API cannot say which
 * of the authors wrote it). Failing is not fatal: narration falls back to
 * the book's default voice. */
static void
op_author_from_html(struct ctx *c, struct work_post *op, int64_t id)
{
  struct fetch_response res;
  struct work *scratch;
  char *path = xasprintf("/posts/%lld", (long long)id);
  char eb[256];

  html_pause(c);
  if (get(c, path, &res) != 0) {
    log_warn("cannot read the opening post's author: %s", c->errbuf);
    c->errbuf[0] = '\0';
    xfree(path);
    return;
  }
  scratch = work_new(path);
  if (glowfic_html_parse(scratch, res.body, res.len, c->o->text_flags, eb,
                         sizeof(eb)) == 0 &&
      scratch->n_threads > 0 && scratch->threads[0].n_posts > 0 &&
      scratch->threads[0].posts[0].kind == WORK_POST_OP &&
      scratch->threads[0].posts[0].author) {
    op->author = xstrdup(scratch->threads[0].posts[0].author);
    op->user_id = scratch->threads[0].posts[0].user_id;
  } else {
    log_warn("the page of post %lld names no opening post author",
             (long long)id);
  }
  work_free(scratch);
  fetch_response_free(&res);
  xfree(path);
}

static int
thread(struct ctx *c, struct work *w, int64_t id, const char *board)
{
  struct json *j = NULL, *post = NULL;
  struct work_thread *t;
  char *path = NULL;
  size_t added, page;
  int64_t total = -1;
  int err;

  path = xasprintf("/api/v1/posts/%lld", (long long)id);
  err = get_json(c, path, &post);
  if (!err)
    err = glowfic_api_post(w, post, c->o->text_flags, c->errbuf,
                           c->errlen);
  xfree(path);
  if (err) {
    json_free(post);
    return err;
  }
  t = &w->threads[w->n_threads - 1];
  if (board && t->board == NULL)
    t->board = xstrdup(board);
  for (page = 1; page <= IMPORTER_MAX_PAGES; page++) {
    struct fetch_response res;
    char jerr[128];
    path = xasprintf("/api/v1/posts/%lld/replies?per_page=%d&page=%zu",
                     (long long)id, IMPORTER_PER_PAGE, page);
    err = get(c, path, &res);
    xfree(path);
    if (err)
      goto out;
    total = res.total;
    j = json_parse(res.body, res.len, jerr, sizeof(jerr));
    fetch_response_free(&res);
    if (j == NULL) {
      snprintf(c->errbuf, c->errlen, "replies of post %lld, page %zu: "
               "invalid JSON: %s", (long long)id, page, jerr);
      err = ERR_PARSE;
      goto out;
    }
    err = glowfic_api_replies(w, t, j, c->o->text_flags, &added, c->errbuf,
                              c->errlen);
    json_free(j);
    if (err)
      goto out;
    if (added == 0 ||
        (total >= 0 && (int64_t)page * IMPORTER_PER_PAGE >= total))
      break;
  }
  /* The API does not say which author wrote the OP: ask the API who owns
   * its character, and only then read the (rate-limited) HTML page. */
  if (t->posts[0].author == NULL &&
      !op_author_from_api(c, &t->posts[0], post))
    op_author_from_html(c, &t->posts[0], id);
out:
  json_free(post);
  return err;
}

/* The thread holding reply id: its HTML page names the post. */
static int
reply_thread(struct ctx *c, int64_t id, int64_t *post_id)
{
  struct fetch_response res;
  struct work *scratch;
  char *path = xasprintf("/replies/%lld", (long long)id);
  int err;

  html_pause(c);
  err = get(c, path, &res);

  *post_id = 0;
  if (!err) {
    scratch = work_new(path);
    err = glowfic_html_parse(scratch, res.body, res.len, c->o->text_flags,
                             c->errbuf, c->errlen);
    if (!err && scratch->n_threads > 0)
      *post_id = scratch->threads[0].id;
    if (!err && *post_id == 0) {
      snprintf(c->errbuf, c->errlen, "the page of reply %lld does not "
               "name its thread", (long long)id);
      err = ERR_PARSE;
    }
    work_free(scratch);
    fetch_response_free(&res);
  }
  xfree(path);
  return err;
}

struct listed {
  int64_t id;
  int64_t section_order;   /* order of its section; INT64_MAX sectionless */
  int64_t order;           /* section_order of the post */
};

static int
cmp_listed(const void *a, const void *b)
{
  const struct listed *x = a, *y = b;
  if (x->section_order != y->section_order)
    return x->section_order < y->section_order ? -1 : 1;
  if (x->order != y->order)
    return x->order < y->order ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* Every thread of a board (section_id 0) or of one of its sections, in
 * reading order: sections by order, posts by section_order, sectionless
 * last (GLOWFIC.md 7.1). */
static int
board(struct ctx *c, struct work *w, int64_t board_id, int64_t section_id)
{
  struct json *j = NULL;
  struct listed *list = NULL;
  size_t n = 0, page, i;
  char *path, *name = NULL;
  int err;

  path = xasprintf("/api/v1/boards/%lld", (long long)board_id);
  err = get_json(c, path, &j);
  xfree(path);
  if (err)
    return err;
  if (json_get_str(j, "name"))
    name = utf8_dup(json_get_str(j, "name"));
  json_free(j);
  for (page = 1; !err && page <= IMPORTER_MAX_PAGES; page++) {
    const struct json *r, *results;
    size_t got = 0;
    path = xasprintf("/api/v1/boards/%lld/posts?page=%zu",
                     (long long)board_id, page);
    err = get_json(c, path, &j);
    xfree(path);
    if (err)
      break;
    results = json_get(j, "results");
    for (r = json_first(results); r; r = json_next(r)) {
      const struct json *sec = json_get(r, "section");
      int64_t id = 0, sid = 0, sorder = INT64_MAX, order = 0;
      if (json_int(json_get(r, "id"), &id) != 0 || id <= 0)
        continue;
      got++;
      if (json_is_object(sec)) {
        if (json_int(json_get(sec, "id"), &sid) != 0 ||
            json_int(json_get(sec, "order"), &sorder) != 0)
          sid = 0, sorder = INT64_MAX;
      }
      if (json_int(json_get(r, "section_order"), &order) != 0)
        order = 0;
      if (section_id && sid != section_id)
        continue;
      if (n >= WORK_MAX_THREADS) {
        snprintf(c->errbuf, c->errlen, "more than %u threads",
                 WORK_MAX_THREADS);
        err = ERR_TOO_BIG;
        break;
      }
      list = xrealloc(list, (n + 1) * sizeof(*list));
      list[n].id = id;
      list[n].section_order = sorder;
      list[n].order = order;
      n++;
    }
    json_free(j);
    if (got == 0)
      break;
  }
  if (!err && n == 0) {
    snprintf(c->errbuf, c->errlen, "the continuity has no visible threads");
    err = ERR_NOT_FOUND;
  }
  if (!err) {
    size_t before, got = 0;
    qsort(list, n, sizeof(*list), cmp_listed);
    for (i = 0; i < n && !err; i++) {
      before = w->n_threads;
      err = thread(c, w, list[i].id, name);
      /* A thread the listing shows but the API refuses (made private
       * since, or deleted) is skipped: the rest of the story stands. */
      if ((err == ERR_NOT_FOUND || err == ERR_FORBIDDEN) &&
          w->n_threads == before) {
        log_warn("skipping thread %lld: %s", (long long)list[i].id,
                 c->errbuf);
        c->errbuf[0] = '\0';
        err = 0;
        continue;
      }
      got += err == 0;
    }
    if (!err && got == 0) {
      snprintf(c->errbuf, c->errlen, "none of the continuity's threads "
               "can be read (private or deleted)");
      err = ERR_NOT_FOUND;
    }
  }
  if (!err && w->title == NULL && name && section_id == 0)
    w->title = xstrdup(name);
  xfree(list);
  xfree(name);
  return err;
}

static int
section(struct ctx *c, struct work *w, int64_t id)
{
  struct json *j = NULL;
  char *path = xasprintf("/api/v1/subcontinuities/%lld", (long long)id);
  int64_t board_id = 0;
  int err = get_json(c, path, &j);

  xfree(path);
  if (err)
    return err;
  if (json_int(json_get(j, "board_id"), &board_id) != 0 || board_id <= 0) {
    snprintf(c->errbuf, c->errlen, "section %lld names no continuity",
             (long long)id);
    json_free(j);
    return ERR_PARSE;
  }
  if (json_get_str(j, "name"))
    w->title = utf8_dup(json_get_str(j, "name"));
  json_free(j);
  return board(c, w, board_id, id);
}

/* The configured Glowfic base without a trailing '/' (caller frees). */
static int
base_of(const struct config *cfg, char **out, char *errbuf, size_t errlen)
{
  char *base = xstrdup(config_get(cfg, "glowfic-base"));

  *out = NULL;
  if (base[0] && base[strlen(base) - 1] == '/')
    base[strlen(base) - 1] = '\0';
  if (glowfic_url_check_base(base) != 0) {
    snprintf(errbuf, errlen, "glowfic-base %s is not http(s)://host[:port]",
             base);
    xfree(base);
    return ERR_INVAL;
  }
  *out = base;
  return 0;
}

/* A fetch context on base (borrowed); owes fetch_free(c->f). */
static void
ctx_init(struct ctx *c, const struct config *cfg, const char *base,
         const struct importer_opts *o, char *errbuf, size_t errlen)
{
  struct fetch_opts fo;

  fo.base = base;
  fo.delay_ms = (long)config_get_int(cfg, "glowfic-delay");
  fo.timeout_s = (long)config_get_int(cfg, "fetch-timeout");
  fo.max_bytes = o->max_bytes;
  memset(c, 0, sizeof(*c));
  c->f = fetch_new(&fo);
  c->base = base;
  c->o = o;
  c->errbuf = errbuf;
  c->errlen = errlen;
}

int
importer_from_url(const char *url, const struct config *cfg,
                  const struct importer_opts *o, struct work **out,
                  char *errbuf, size_t errlen)
{
  struct glowfic_url u;
  struct ctx c;
  struct work *w = NULL;
  char *base = NULL;
  int64_t post_id;
  int err;

  *out = NULL;
  err = base_of(cfg, &base, errbuf, errlen);
  if (err)
    return err;
  err = glowfic_url_parse(url, base, &u, errbuf, errlen);
  if (err) {
    xfree(base);
    return err;
  }
  ctx_init(&c, cfg, base, o, errbuf, errlen);
  w = work_new(url);
  switch (u.kind) {
  case GLOWFIC_URL_POST:
    err = thread(&c, w, u.id, NULL);
    break;
  case GLOWFIC_URL_REPLY:
    err = reply_thread(&c, u.id, &post_id);
    if (!err)
      err = thread(&c, w, post_id, NULL);
    break;
  case GLOWFIC_URL_BOARD:
    w->key = xasprintf("glowfic:board:%lld", (long long)u.id);
    err = board(&c, w, u.id, 0);
    break;
  case GLOWFIC_URL_SECTION:
    w->key = xasprintf("glowfic:section:%lld", (long long)u.id);
    err = section(&c, w, u.id);
    break;
  }
  if (!err) {
    err = work_finish(w, o->max_chars);
    if (err)
      snprintf(errbuf, errlen, "%s has no story text", url);
  }
  log_debug("%s: %u requests", url, fetch_count(c.f));
  fetch_free(c.f);
  xfree(base);
  if (err) {
    work_free(w);
    return err;
  }
  *out = w;
  return 0;
}

/* ---- saved listing pages ---------------------------------------------- */

/* A saved thread file: its bytes and the thread id it holds. */
struct saved {
  char *data;
  size_t len;
  int64_t thread;
  int json;
};

/* Read each file and learn which thread it holds (parsing it once into a
 * scratch work). */
static int
read_saved(const char *const *files, size_t n, const struct importer_opts *o,
           struct saved *sv, char *errbuf, size_t errlen)
{
  size_t i;
  int err = 0;

  for (i = 0; i < n && !err; i++) {
    struct work *scratch;
    size_t k = 0;

    err = importer_read_file(files[i], o, &sv[i].data, &sv[i].len, errbuf,
                             errlen);
    if (err)
      break;
    while (k < sv[i].len && strchr(" \t\r\n", sv[i].data[k]))
      k++;
    sv[i].json = k < sv[i].len && (sv[i].data[k] == '{' ||
                                   sv[i].data[k] == '[');
    err = importer_from_bytes(files[i], sv[i].data, sv[i].len, o, &scratch,
                              errbuf, errlen);
    if (err)
      break;
    sv[i].thread = scratch->n_threads > 0 ? scratch->threads[0].id : 0;
    work_free(scratch);
    if (sv[i].thread <= 0) {
      snprintf(errbuf, errlen, "%s does not name its thread (save the "
               "thread's page or its API post)", files[i]);
      err = ERR_PARSE;
    }
  }
  return err;
}

/* Add the saved files of thread id to w; 1 if there were any. */
static int
add_saved(struct work *w, const struct saved *sv, size_t n, int64_t id,
          const char *const *files, const struct importer_opts *o,
          int *used, char *errbuf, size_t errlen)
{
  size_t i;
  int err = 0;

  *used = 0;
  for (i = 0; i < n && !err; i++) {
    if (sv[i].thread != id)
      continue;
    *used = 1;
    if (sv[i].json) {
      char jerr[128];
      struct json *j = json_parse(sv[i].data, sv[i].len, jerr,
                                  sizeof(jerr));

      err = j && !json_is_array(j)
              ? glowfic_api_post(w, j, o->text_flags, errbuf, errlen)
              : ERR_PARSE;
      if (err == ERR_PARSE && (j == NULL || json_is_array(j)))
        snprintf(errbuf, errlen, "%s: give a thread's API post, not only "
                 "its replies", files[i]);
      json_free(j);
    } else {
      err = glowfic_html_parse(w, sv[i].data, sv[i].len, o->text_flags,
                               errbuf, errlen);
    }
  }
  return err;
}

int
importer_from_listing(const char *source, const char *data, size_t len,
                      const char *const *files, size_t nfiles,
                      const struct config *cfg,
                      const struct importer_opts *o, struct work **out,
                      char *errbuf, size_t errlen)
{
  struct glowfic_listing l;
  struct saved *sv = NULL;
  struct work *w = NULL;
  struct ctx c;
  char *base = NULL;
  size_t i, got = 0;
  int err, fetching = 0;

  *out = NULL;
  err = glowfic_listing_parse(data, len, &l, errbuf, errlen);
  if (err)
    return err;
  sv = xcalloc(nfiles ? nfiles : 1, sizeof(*sv));
  err = read_saved(files, nfiles, o, sv, errbuf, errlen);
  if (!err)
    err = base_of(cfg, &base, errbuf, errlen);
  if (err)
    goto out;
  ctx_init(&c, cfg, base, o, errbuf, errlen);
  fetching = 1;
  w = work_new(source);
  if (l.kind == GLOWFIC_LISTING_SECTION && l.section > 0)
    w->key = xasprintf("glowfic:section:%lld", (long long)l.section);
  else if (l.kind == GLOWFIC_LISTING_BOARD && l.board > 0)
    w->key = xasprintf("glowfic:board:%lld", (long long)l.board);
  else
    w->key = xasprintf("source:%s", source);
  for (i = 0; i < l.n && !err; i++) {
    size_t before = w->n_threads;
    int used = 0;

    err = add_saved(w, sv, nfiles, l.items[i].thread, files, o, &used,
                    errbuf, errlen);
    if (!err && !used)
      err = thread(&c, w, l.items[i].thread, l.title);
    /* private or deleted since the page was saved: skip it (as board()) */
    if ((err == ERR_NOT_FOUND || err == ERR_FORBIDDEN) &&
        w->n_threads == before) {
      log_warn("skipping thread %lld: %s", (long long)l.items[i].thread,
               errbuf);
      errbuf[0] = '\0';
      err = 0;
      continue;
    }
    got += err == 0;
  }
  if (!err && got == 0) {
    snprintf(errbuf, errlen, "none of the %zu threads the page lists can "
             "be read (private or deleted)", l.n);
    err = ERR_NOT_FOUND;
  }
  if (!err && l.title) { /* the continuity's or section's name */
    xfree(w->title);
    w->title = xstrdup(l.title);
  }
  if (!err) {
    err = work_finish(w, o->max_chars);
    if (err)
      snprintf(errbuf, errlen, "%s has no story text", source);
  }
out:
  if (fetching) {
    log_debug("%s: %u requests", source, fetch_count(c.f));
    fetch_free(c.f);
  }
  for (i = 0; i < nfiles; i++)
    xfree(sv[i].data);
  xfree(sv);
  xfree(base);
  glowfic_listing_free(&l);
  if (err) {
    work_free(w);
    return err;
  }
  *out = w;
  return 0;
}
