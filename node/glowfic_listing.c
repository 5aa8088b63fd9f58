/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Saved continuity and section pages to thread lists (see
 * glowfic_listing.h). Rows follow boards/show.haml: a section header row
 * (th.continuity-header#section-ID), its post rows (td.post-subject with a
 * link to /posts/ID), a td.continuity-spacer row; sectionless rows last. */
#include "node/glowfic_listing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/alloc.h"
#include "node/xml.h"

#define ID_DIGITS_MAX 15 /* digits of an id we accept */

/* The decimal id right after prefix in s ("/posts/" in
 * "https://glowfic.com/posts/12"), when what follows it is end, or one of
 * stop (NULL: only the end). 0 if none. */
static int64_t
id_after(const char *s, const char *prefix, const char *stop)
{
  const char *p = s ? strstr(s, prefix) : NULL;
  int64_t v = 0;
  size_t i;

  if (p == NULL)
    return 0;
  p += strlen(prefix);
  for (i = 0; p[i] >= '0' && p[i] <= '9' && i < ID_DIGITS_MAX; i++)
    v = v * 10 + (p[i] - '0');
  if (i == 0 || (p[i] != '\0' && (stop == NULL || !strchr(stop, p[i]))))
    return 0;
  return v;
}

int
glowfic_listing_detect(const char *data, size_t len)
{
  static const char subject[] = "post-subject";
  static const char block[] = "post-container";
  size_t i, has_subject = 0;

  for (i = 0; i + sizeof(block) - 1 <= len; i++) {
    if (data[i] != 'p')
      continue;
    if (memcmp(data + i, block, sizeof(block) - 1) == 0)
      return 0;
    if (i + sizeof(subject) - 1 <= len &&
        memcmp(data + i, subject, sizeof(subject) - 1) == 0)
      has_subject = 1;
  }
  return has_subject != 0;
}

/* A thread id of a subject cell: its first link to /posts/ID (the
 * subject; the quick page links add ?page=, unread links /unread). */
static int64_t
subject_thread(struct xml_doc *doc, struct xml_node *td)
{
  struct xml_node **links = NULL;
  size_t n = 0, i;
  int64_t id = 0;

  if (xml_select(doc, td, ".//a[@href]", &links, &n) != 0)
    return 0;
  for (i = 0; i < n && id == 0; i++) {
    char *href = xml_attr(links[i], "href");

    id = id_after(href, "/posts/", "#");
    xfree(href);
  }
  xfree(links);
  return id;
}

/* Section header row: its id from th#section-ID or its link. */
static int64_t
header_section(struct xml_node *th)
{
  char *id = xml_attr(th, "id");
  struct xml_node *a = xml_descendant(th, "a", NULL);
  char *href = a ? xml_attr(a, "href") : NULL;
  int64_t v = 0;

  if (id && strncmp(id, "section-", 8) == 0)
    v = id_after(id, "section-", NULL);
  if (v == 0)
    v = id_after(href, "/board_sections/", "?#");
  xfree(id);
  xfree(href);
  return v;
}

static int
add_item(struct glowfic_listing *l, int64_t thread, int64_t section)
{
  size_t i;

  for (i = 0; i < l->n; i++)
    if (l->items[i].thread == thread)
      return 0; /* listed twice (page 1 quick link, pasted pages) */
  if (l->n >= GLOWFIC_LISTING_MAX)
    return ERR_TOO_BIG;
  l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
  l->items[l->n].thread = thread;
  l->items[l->n].section = section;
  l->n++;
  return 0;
}

/* The page's ids from its links: the section or continuity it belongs to
 * (breadcrumbs, paginator, "New Post" link), whichever it names. */
static void
page_ids(struct xml_doc *doc, struct glowfic_listing *l, int64_t *section)
{
  struct xml_node **links = NULL;
  size_t n = 0, i;

  if (xml_select(doc, NULL, "//a[@href]", &links, &n) != 0)
    return;
  for (i = 0; i < n; i++) {
    char *href = xml_attr(links[i], "href");
    int64_t b = id_after(href, "/boards/", "?#/");

    if (b == 0)
      b = id_after(href, "board_id=", "&#");
    if (l->board == 0 && b > 0)
      l->board = b;
    if (*section == 0)
      *section = id_after(href, "/board_sections/", "?#");
    xfree(href);
  }
  xfree(links);
}

static char *
table_title(struct xml_doc *doc)
{
  struct xml_node **th = NULL;
  const struct xml_node *c;
  size_t n = 0;
  char *title = NULL;

  if (xml_select(doc, NULL, "//th[contains(concat(' ', normalize-space("
                 "@class), ' '), ' table-title ')] | //thead//th", &th,
                 &n) != 0 || n == 0) {
    xfree(th);
    return NULL;
  }
  /* its first text: the name, before any action links */
  for (c = xml_first_child(th[0]); c && !title; c = xml_next(c)) {
    if (xml_is_text(c)) {
      const char *t = xml_content(c);
      size_t a, b;

      a = t ? strspn(t, " \t\r\n") : 0;
      b = t ? strlen(t) : 0;
      while (b > a && strchr(" \t\r\n", t[b - 1]))
        b--;
      if (b > a)
        title = xasprintf("%.*s", (int)(b - a), t + a);
    } else if (xml_name(c) && strcmp(xml_name(c), "a") != 0) {
      char *t = xml_text(c);

      if (t[0])
        title = t;
      else
        xfree(t);
    }
  }
  xfree(th);
  return title;
}

/* Sectionless threads after every section's (stable). */
static void
sectionless_last(struct glowfic_listing *l)
{
  struct glowfic_listing_item *sorted;
  size_t i, k = 0;

  sorted = xcalloc(l->n ? l->n : 1, sizeof(*sorted));
  for (i = 0; i < l->n; i++)
    if (l->items[i].section != 0)
      sorted[k++] = l->items[i];
  for (i = 0; i < l->n; i++)
    if (l->items[i].section == 0)
      sorted[k++] = l->items[i];
  xfree(l->items);
  l->items = sorted;
}

int
glowfic_listing_parse(const char *data, size_t len,
                      struct glowfic_listing *out, char *errbuf,
                      size_t errlen)
{
  struct glowfic_listing l;
  struct xml_doc *doc;
  struct xml_node **rows = NULL;
  size_t n = 0, i;
  int64_t section = 0;
  int headers = 0, err = 0;

  memset(out, 0, sizeof(*out));
  memset(&l, 0, sizeof(l));
  doc = xml_parse_html(data, len, errbuf, errlen);
  if (doc == NULL)
    return ERR_PARSE;
  if (xml_select(doc, NULL, "//tr", &rows, &n) != 0)
    n = 0;
  for (i = 0; i < n && !err; i++) {
    struct xml_node *th = xml_child(rows[i], "th", "continuity-header");
    struct xml_node *td = xml_child(rows[i], "td", "post-subject");
    int64_t id;

    if (th != NULL) {
      section = header_section(th);
      headers++;
    } else if (xml_child(rows[i], "td", "continuity-spacer") != NULL) {
      section = 0;
    } else if (td != NULL && (id = subject_thread(doc, td)) > 0) {
      err = add_item(&l, id, section);
    }
  }
  xfree(rows);
  if (!err && l.n == 0) {
    snprintf(errbuf, errlen, "the page lists no Glowfic threads");
    err = ERR_PARSE;
  } else if (err) {
    snprintf(errbuf, errlen, "the page lists more than %d threads",
             GLOWFIC_LISTING_MAX);
  }
  if (!err) {
    int64_t linked = 0;

    page_ids(doc, &l, &linked);
    l.title = table_title(doc);
    /* A section page has no section headers and its breadcrumbs link the
     * continuity; a continuity page without sections links none. Its own
     * id is in its paginator links, if anywhere. */
    l.kind = headers == 0 && l.board != 0 ? GLOWFIC_LISTING_SECTION
                                          : GLOWFIC_LISTING_BOARD;
    if (l.kind == GLOWFIC_LISTING_SECTION)
      l.section = linked;
    sectionless_last(&l);
  }
  xml_free(doc);
  if (err) {
    glowfic_listing_free(&l);
    return err;
  }
  *out = l;
  return 0;
}

void
glowfic_listing_free(struct glowfic_listing *l)
{
  if (l == NULL)
    return;
  xfree(l->items);
  xfree(l->title);
  memset(l, 0, sizeof(*l));
}
