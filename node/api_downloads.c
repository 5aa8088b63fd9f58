/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* GET /books/{id}/feed.xml: an audiobook as a podcast (RSS 2.0), one item
 * per fully rendered post or thread, each enclosing the part's download
 * (/books/{id}/book.opus?post=KEY or ?thread=N). URLs are absolute, built
 * from the Host the request came to (checked: a host name, an IPv4 or a
 * bracketed IPv6 address with an optional port). See docs/API.md. */
#define LOG_MODULE "api"
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/api_internal.h"
#include "node/book.h"
#include "node/buf.h"
#include "node/db.h"
#include "node/hex.h"
#include "node/http.h"

#define FEED_ITEMS_MAX 2000      /* items in one feed */
#define FEED_HOST_MAX 255        /* bytes of a Host header */
#define FEED_MAX (8u << 20)      /* bytes of a feed */
#define FEED_OGG_OVERHEAD 4096   /* bytes of headers and tags per file,
                                  * added to the length estimate */

struct feed_ctx {
  struct buf *out;
  const char *base;     /* "http://host:port" */
  const char *book_hex;
  int per_thread;
  int64_t items, posts;
  int err;
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

static int
add_item(void *arg, const struct book_part *p)
{
  struct feed_ctx *c = arg;
  struct buf *b = c->out;
  char title[512];
  int err;

  c->posts++;
  if (p->ready < p->sentences || p->sentences == 0)
    return 0; /* only fully rendered parts are published */
  if (c->items == FEED_ITEMS_MAX)
    return 0;
  c->items++;
  if (c->per_thread)
    snprintf(title, sizeof(title), "%s",
             p->thread_title && p->thread_title[0] ? p->thread_title
                                                   : "Thread");
  else
    snprintf(title, sizeof(title), "%lld. %s", (long long)c->posts,
             p->speaker ? p->speaker : "Narrator");
  err = buf_append_str(b, "<item><title>");
  if (!err)
    err = xml_text(b, title);
  if (!err)
    err = buf_printf(b, "</title><guid isPermaLink=\"false\">glowtalk:%s:"
                     "%s:", c->book_hex, c->per_thread ? "thread" : "post");
  if (!err)
    err = xml_text(b, p->key);
  if (!err)
    err = buf_printf(b, "</guid><enclosure url=\"%s/books/%s/book.opus?%s=",
                     c->base, c->book_hex, c->per_thread ? "thread"
                                                         : "post");
  if (!err)
    err = url_part(b, p->key);
  if (!err)
    err = buf_printf(b, "\" length=\"%lld\" type=\"audio/ogg\"/>"
                     "<itunes:duration>%lld</itunes:duration>"
                     "<description>", (long long)(p->bytes +
                                                  FEED_OGG_OVERHEAD),
                     (long long)((p->ms + 999) / 1000));
  if (!err)
    err = buf_printf(b, "%lld sentences.</description></item>\n",
                     (long long)p->sentences);
  return err;
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
  c.out = &out;
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
    err = book_parts(db, book, c.per_thread, add_item, &c);
  api__db_unlock(api);
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
  xfree(name);
  xfree(base);
}
