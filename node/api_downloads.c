/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* GET /books/{id}/feed.xml: an audiobook as a podcast (RSS 2.0), one item
 * per fully rendered post or thread, each enclosing the part's download
 * (/books/{id}/book.opus?post=KEY or ?thread=N) with its exact size in
 * bytes: the download is encoded on the fly, so its size is known once it
 * was produced (a download, or a measuring pass here) and kept by the
 * export's key (book_export_key). URLs are absolute, built from the Host
 * the request came to (checked: a host name, an IPv4 or a bracketed IPv6
 * address with an optional port). See docs/API.md. */
#define LOG_MODULE "api"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/alloc.h"
#include "node/api_internal.h"
#include "node/app.h"
#include "node/audio.h"
#include "node/blobs.h"
#include "node/book.h"
#include "node/config.h"
#include "node/datadir.h"
#include "node/buf.h"
#include "node/db.h"
#include "node/hex.h"
#include "node/http.h"
#include "node/log.h"

#define FEED_ITEMS_MAX 2000      /* items in one feed */
#define FEED_HOST_MAX 255        /* bytes of a Host header */
#define FEED_MAX (8u << 20)      /* bytes of a feed */
#define FEED_MEASURE_MS 3000     /* ms one request spends measuring the
                                  * sizes of parts never downloaded; the
                                  * rest wait for the next request */

/* A published part: what its item says. */
struct item {
  char *key;            /* post key or thread position */
  char *title;
  int64_t sentences, ms;
  int64_t bytes;        /* exact size of its download, or -1 */
  struct book_export *x; /* its download, while its size is unknown */
  uint8_t ekey[BOOK_EXPORT_KEY_BYTES];
};

struct feed_ctx {
  const char *base;     /* "http://host:port" */
  const char *book_hex;
  int per_thread;
  int64_t posts;
  struct item *items;
  size_t n;
  struct blobs *blobs;  /* the downloads read their audio from it */
};

/* Append s with XML's five special characters escaped. */
static int
xml_text(struct buf *b, const char *s)
{
  int err = 0;

  for (; s && *s && !err; s++) {
    switch (*s) {
    case '&': err = buf_append_str(b, "&amp;"); break;
    case '<': err = buf_append_str(b, "&lt;"); break;
    case '>': err = buf_append_str(b, "&gt;"); break;
    case '"': err = buf_append_str(b, "&quot;"); break;
    case '\'': err = buf_append_str(b, "&apos;"); break;
    default:
      /* Control characters are not allowed in XML 1.0. */
      if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' &&
          *s != '\r')
        err = buf_append_str(b, " ");
      else
        err = buf_append(b, s, 1);
    }
  }
  return err;
}

/* 1 if host is a name, an IPv4 address or [IPv6], with an optional
 * :port: nothing that could break out of a URL or the XML. */
static int
host_ok(const char *host)
{
  size_t i, n = host ? strlen(host) : 0;

  if (n == 0 || n > FEED_HOST_MAX)
    return 0;
  for (i = 0; i < n; i++) {
    char c = host[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
          c == '[' || c == ']'))
      return 0;
  }
  return 1;
}

/* Append s percent-encoded for a URL query value (which is XML-safe). */
static int
url_part(struct buf *b, const char *s)
{
  int err = 0;

  for (; s && *s && !err; s++) {
    unsigned char ch = (unsigned char)*s;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
        (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.')
      err = buf_append(b, s, 1);
    else
      err = buf_printf(b, "%%%02X", ch);
  }
  return err;
}

/* book_parts callback: keep each fully rendered part (up to
 * FEED_ITEMS_MAX). */
static int
collect_item(void *arg, const struct book_part *p)
{
  struct feed_ctx *c = arg;
  struct item *it;
  char title[512];

  c->posts++;
  if (p->ready < p->sentences || p->sentences == 0)
    return 0; /* only fully rendered parts are published */
  if (c->n == FEED_ITEMS_MAX)
    return 0;
  if (c->per_thread)
    snprintf(title, sizeof(title), "%s",
             p->thread_title && p->thread_title[0] ? p->thread_title
                                                   : "Thread");
  else
    snprintf(title, sizeof(title), "%lld. %s", (long long)c->posts,
             p->speaker ? p->speaker : "Narrator");
  if (c->items == NULL)
    c->items = xcalloc(FEED_ITEMS_MAX, sizeof(*c->items));
  it = &c->items[c->n++];
  it->key = xstrdup(p->key);
  it->title = xstrdup(title);
  it->sentences = p->sentences;
  it->ms = p->ms;
  it->bytes = -1;
  return 0;
}

static int
write_item(struct buf *b, const struct feed_ctx *c, const struct item *it)
{
  int err;

  err = buf_append_str(b, "<item><title>");
  if (!err)
    err = xml_text(b, it->title);
  if (!err)
    err = buf_printf(b, "</title><guid isPermaLink=\"false\">glowtalk:%s:"
                     "%s:", c->book_hex, c->per_thread ? "thread" : "post");
  if (!err)
    err = xml_text(b, it->key);
  if (!err)
    err = buf_printf(b, "</guid><enclosure url=\"%s/books/%s/book.opus?%s=",
                     c->base, c->book_hex, c->per_thread ? "thread"
                                                         : "post");
  if (!err)
    err = url_part(b, it->key);
  if (!err)
    err = buf_printf(b, "\" length=\"%lld\" type=\"audio/ogg\"/>"
                     "<itunes:duration>%lld</itunes:duration>"
                     "<description>", (long long)it->bytes,
                     (long long)((it->ms + 999) / 1000));
  if (!err)
    err = buf_printf(b, "%lld sentences.</description></item>\n",
                     (long long)it->sentences);
  return err;
}

/* Each item's download as get_book_opus makes it (same options, so the
 * same key) and its size if it is known. Locked. */
static int
plan_items(struct api *api, struct db *db, const uint8_t *book,
           const char *name, struct feed_ctx *c)
{
  struct config *cfg = api->app->cfg;
  struct book_export_opts o;
  char *path;
  size_t i;
  int err;

  path = datadir_file(api->app->dir, "blobs");
  err = blobs_open(path, &c->blobs);
  xfree(path);
  if (err)
    return err;
  memset(&o, 0, sizeof(o));
  o.gap_sentence_ms = (unsigned)config_get_int(cfg, "pause-sentence");
  o.gap_paragraph_ms = (unsigned)config_get_int(cfg, "pause-paragraph");
  o.gap_post_ms = (unsigned)config_get_int(cfg, "pause-post");
  o.bitrate = (int)config_get_int(cfg, "bitrate");
  o.complexity = AUDIO_COMPLEXITY_DEFAULT;
  o.title = name;
  for (i = 0; i < c->n && !err; i++) {
    struct item *it = &c->items[i];
    o.post_key = c->per_thread ? NULL : it->key;
    o.has_thread = c->per_thread;
    o.thread = c->per_thread ? strtoll(it->key, NULL, 10) : 0;
    err = book_export_open(db, c->blobs, book, &o, NULL, &it->x);
    if (err == ERR_NOT_FOUND) { /* its audio is not all here */
      err = 0;
      continue;
    }
    if (err)
      break;
    book_export_key(it->x, it->ekey);
    if (book_export_size_get(db, it->ekey, &it->bytes) == 0)
      book_export_free(&it->x);
  }
  return err;
}

static int64_t
mono_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct measure_call {
  struct book_export *x;
  int64_t bytes;
  char errbuf[256];
};

static int
measure_on_big_stack(void *arg)
{
  struct measure_call *m = arg;
  return book_export_measure(m->x, &m->bytes, m->errbuf, sizeof(m->errbuf));
}

/* Measure the items whose size is unknown, for at most FEED_MEASURE_MS,
 * keeping each size found. Not locked: encoding reads only the blobs. */
static void
measure_items(struct api *api, struct feed_ctx *c)
{
  int64_t until = mono_ms() + FEED_MEASURE_MS;
  size_t i;
  int err;

  for (i = 0; i < c->n && mono_ms() < until; i++) {
    struct item *it = &c->items[i];
    struct measure_call m;
    if (it->x == NULL)
      continue;
    memset(&m, 0, sizeof(m));
    m.x = it->x;
    err = api__run_big_stack(measure_on_big_stack, &m);
    if (err) {
      log_warn("cannot measure a part of a book: %s", m.errbuf);
      continue;
    }
    it->bytes = m.bytes;
    err = book_export_size_put(api__db_lock(api), it->ekey, it->bytes);
    api__db_unlock(api);
    if (err)
      log_warn("cannot keep an export's size: %s", err_str(err));
  }
}

void
api_downloads__feed(struct http_req *req, struct api *api,
                    const uint8_t *book)
{
  const char *host = http_req_header(req, "Host");
  char per[16], hex[2 * WIRE_BOOK_ID_BYTES + 1], *base = NULL;
  struct feed_ctx c;
  struct db_stmt *s = NULL;
  struct buf out;
  struct db *db;
  char *name = NULL;
  size_t i;
  int64_t waiting = 0;
  int err;

  err = http_req_query(req, "per", per, sizeof(per));
  if (err == ERR_NOT_FOUND)
    snprintf(per, sizeof(per), "post");
  else if (err || (strcmp(per, "post") != 0 && strcmp(per, "thread") != 0)) {
    http_reply_error(req, 400, "per must be post or thread");
    return;
  }
  if (!host_ok(host)) {
    http_reply_error(req, 400, "the Host header must name this server");
    return;
  }
  hex_encode(hex, book, WIRE_BOOK_ID_BYTES);
  base = xasprintf("http://%s", host);
  memset(&c, 0, sizeof(c));
  buf_init(&out, FEED_MAX);
  c.base = base;
  c.book_hex = hex;
  c.per_thread = strcmp(per, "thread") == 0;
  db = api__db_lock(api);
  err = db_prepare(db, "SELECT name FROM st_books WHERE book = ?1 AND"
                   " created = 1 AND deleted = 0", &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  if (!err && db_step(s) == DB_ROW)
    name = xstrdup(db_col_text(s, 0) ? db_col_text(s, 0) : "");
  db_finalize(&s);
  if (!err && name == NULL)
    err = ERR_NOT_FOUND;
  if (!err)
    err = buf_append_str(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<rss version=\"2.0\" xmlns:itunes=\"http://www."
                         "itunes.com/dtds/podcast-1.0.dtd\"><channel>"
                         "<title>");
  if (!err)
    err = xml_text(&out, name);
  if (!err)
    err = buf_printf(&out, "</title><link>%s/#/books/%s/read</link>"
                     "<description>", base, hex);
  if (!err)
    err = xml_text(&out, name);
  if (!err)
    err = buf_printf(&out, ", an audiobook made with Glowtalk: one episode "
                     "per %s, published once it is fully rendered."
                     "</description><generator>Glowtalk</generator>\n",
                     per);
  if (!err)
    err = book_parts(db, book, c.per_thread, collect_item, &c);
  if (!err)
    err = plan_items(api, db, book, name, &c);
  api__db_unlock(api);
  if (!err)
    measure_items(api, &c);
  /* Items whose size is not known yet are published by a later request. */
  for (i = 0; !err && i < c.n; i++) {
    if (c.items[i].bytes >= 0)
      err = write_item(&out, &c, &c.items[i]);
    else
      waiting++;
  }
  if (!err && waiting)
    err = buf_printf(&out, "<!-- %lld more parts are rendered; they are "
                     "published once their download's size is measured. "
                     "-->\n", (long long)waiting);
  if (!err)
    err = buf_append_str(&out, "</channel></rss>\n");
  if (err == ERR_NOT_FOUND)
    http_reply_error(req, 404, "no such book, or its work is not imported "
                     "here");
  else if (err == ERR_TOO_BIG)
    http_reply_error(req, 500, "the feed is too large");
  else if (err)
    http_reply_error(req, 500, "cannot read the book");
  else
    http_reply(req, 200, "application/rss+xml; charset=utf-8", out.data,
               out.len, "Cache-Control: no-cache\r\n");
  buf_free(&out);
  for (i = 0; i < c.n; i++) {
    xfree(c.items[i].key);
    xfree(c.items[i].title);
    book_export_free(&c.items[i].x);
  }
  xfree(c.items);
  blobs_close(&c.blobs);
  xfree(name);
  xfree(base);
}
