/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Content to paragraphs; see text.h. One pass over the element tree with
 * a paragraph buffer: block elements and <br> end a paragraph, an empty
 * <p>/<div> (e.g. <p>&nbsp;</p>) counts as a pause before the next one. */
#include "node/text.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "node/alloc.h"
#include "node/buf.h"
#include "node/markdown.h"

#define MAX_SPANS 1024 /* emphasis spans kept per paragraph */
#define TEXT_MAX_LIST_DIGITS 9 /* digits of an <ol start> we read */

struct walk {
  struct work_post *post;
  unsigned flags;       /* TEXT_* */
  struct buf b;         /* current paragraph */
  int space;            /* a space is owed before the next character */
  uint32_t pause;       /* empty blocks since the last paragraph */
  int quote, heading, item, pre; /* depth counters for paragraph flags */
  int emph;             /* depth inside emphasis elements */
  long ol_next;         /* number of the next <li> of the innermost <ol>;
                         * 0 inside <ul> or no list */
  char label[24];       /* "3." owed before the item's first text */
  size_t emph_start;    /* where the open emphasis began in b */
  struct work_span spans[MAX_SPANS];
  size_t n_spans;
  int err;
};

static const char *const blocks[] = {
  "p", "div", "blockquote", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2",
  "h3", "h4", "h5", "h6", "pre", "table", "thead", "tbody", "tfoot", "tr",
  "td", "th", "details", "summary", "hr", "section", "article", "center",
  "figure", "figcaption", "body", "html", NULL};
static const char *const emphasis[] = {"em", "i", "strong", "b", "u", "cite",
                                       "mark", "big", NULL};
static const char *const skipped[] = {"script", "style", "head", "title",
                                      "noscript", "template", NULL};

static int
in_list(const char *name, const char *const *list)
{
  size_t i;
  for (i = 0; list[i]; i++) {
    if (strcmp(name, list[i]) == 0)
      return 1;
  }
  return 0;
}

static void
close_span(struct walk *w)
{
  size_t start = w->emph_start;
  if (w->b.len > start && w->n_spans < MAX_SPANS) {
    w->spans[w->n_spans].start = (uint32_t)start;
    w->spans[w->n_spans].len = (uint32_t)(w->b.len - start);
    w->n_spans++;
  }
}

static void
flush(struct walk *w)
{
  unsigned fl = 0;
  size_t i;
  int err;

  if (w->err)
    return;
  if (w->emph)
    close_span(w);
  if (w->b.len > 0) {
    if (w->quote)
      fl |= WORK_PARA_QUOTE;
    if (w->heading)
      fl |= WORK_PARA_HEADING;
    if (w->item)
      fl |= WORK_PARA_ITEM;
    if (w->pre)
      fl |= WORK_PARA_PRE;
    err = work_post_add_para(w->post, w->b.data, w->b.len, w->pause, fl);
    for (i = 0; !err && i < w->n_spans; i++)
      err = work_post_add_emph(w->post, w->spans[i].start, w->spans[i].len);
    if (err)
      w->err = err;
    w->pause = 0;
  }
  buf_reset(&w->b);
  w->n_spans = 0;
  w->space = 0;
  w->emph_start = 0;
}

static int
is_space(const unsigned char *p, size_t *n)
{
  if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') {
    *n = 1;
    return 1;
  }
  if (p[0] == 0xc2 && p[1] == 0xa0) { /* U+00A0 no-break space */
    *n = 2;
    return 1;
  }
  return 0;
}

static void
add_text(struct walk *w, const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  const unsigned char *run;
  size_t n;

  while (*p && !w->err) {
    if (is_space(p, &n)) {
      w->space = 1;
      p += n;
      continue;
    }
    if (w->label[0] != '\0') {
      /* an ordered item's number, before its first word (even when the
       * item's text is in a nested paragraph) */
      if ((w->b.len > 0 && buf_append(&w->b, " ", 1) != 0) ||
          buf_append_str(&w->b, w->label) != 0)
        goto too_big;
      w->label[0] = '\0';
      w->space = 1;
    }
    if (w->space && w->b.len > 0 && buf_append(&w->b, " ", 1) != 0)
      goto too_big;
    if (w->space && w->emph && w->emph_start == w->b.len - 1)
      w->emph_start = w->b.len;
    w->space = 0;
    run = p;
    while (*p && !is_space(p, &n))
      p++;
    if (buf_append(&w->b, run, (size_t)(p - run)) != 0)
      goto too_big;
  }
  return;
too_big:
  w->err = ERR_TOO_BIG;
}

static void walk_children(struct walk *w, const struct xml_node *n,
                          int depth);

/* The first number of an <ol>: its start attribute (as Markdown's
 * "1999. " makes it), else 1. */
static long
list_start(const struct xml_node *n)
{
  char *start = xml_attr(n, "start");
  long v = 0;
  size_t i;

  for (i = 0; start && start[i] >= '0' && start[i] <= '9' &&
              i < TEXT_MAX_LIST_DIGITS; i++)
    v = v * 10 + (start[i] - '0');
  if (start == NULL || i == 0 || start[i] != '\0')
    v = 1;
  xfree(start);
  return v;
}

static void
number_item(struct walk *w, long num)
{
  snprintf(w->label, sizeof(w->label), "%ld.", num);
}

static void
walk_element(struct walk *w, const struct xml_node *n, const char *name,
             int depth)
{
  size_t before;
  char *alt;

  if (in_list(name, skipped))
    return;
  if (strcmp(name, "br") == 0) {
    flush(w);
    return;
  }
  if (strcmp(name, "img") == 0) {
    if (w->flags & TEXT_SKIP_IMAGES)
      return;
    alt = xml_attr(n, "alt");
    if (alt) {
      w->space = 1;
      add_text(w, alt);
      w->space = 1;
      xfree(alt);
    }
    return;
  }
  if (in_list(name, blocks)) {
    long ol_saved = w->ol_next;

    flush(w);
    before = w->post->n_paras;
    if (strcmp(name, "ol") == 0)
      w->ol_next = list_start(n);
    else if (strcmp(name, "ul") == 0)
      w->ol_next = 0;
    else if (strcmp(name, "li") == 0 && w->ol_next > 0)
      number_item(w, w->ol_next++); /* "3. Third": the number is read */
    w->quote += strcmp(name, "blockquote") == 0;
    w->heading += name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
    w->item += !strcmp(name, "li") || !strcmp(name, "dt") ||
               !strcmp(name, "dd");
    w->pre += strcmp(name, "pre") == 0;
    walk_children(w, n, depth + 1);
    flush(w);
    w->quote -= strcmp(name, "blockquote") == 0;
    w->heading -= name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
    w->item -= !strcmp(name, "li") || !strcmp(name, "dt") ||
               !strcmp(name, "dd");
    w->pre -= strcmp(name, "pre") == 0;
    if (strcmp(name, "li") != 0)
      w->ol_next = ol_saved;
    /* An empty paragraph between paragraphs is a deliberate pause. */
    if (w->post->n_paras == before &&
        (strcmp(name, "p") == 0 || strcmp(name, "div") == 0 ||
         strcmp(name, "hr") == 0))
      w->pause++;
    return;
  }
  if (in_list(name, emphasis)) {
    if (w->emph++ == 0)
      w->emph_start = w->b.len + (w->space && w->b.len > 0);
    walk_children(w, n, depth + 1);
    if (--w->emph == 0)
      close_span(w);
    return;
  }
  /* Inline and unknown elements (a, span, time, and libxml2 2.9's <wbr>
   * that swallows its following siblings): their text counts. */
  walk_children(w, n, depth + 1);
}

static void
walk_children(struct walk *w, const struct xml_node *n, int depth)
{
  const struct xml_node *c;
  const char *name;

  if (depth > TEXT_MAX_DEPTH) {
    w->err = ERR_TOO_BIG;
    return;
  }
  for (c = xml_first_child(n); c && !w->err; c = xml_next(c)) {
    if (xml_is_text(c)) {
      add_text(w, xml_content(c));
      continue;
    }
    name = xml_name(c);
    if (name)
      walk_element(w, c, name, depth);
  }
}

int
text_from_node(struct work_post *p, const struct xml_node *content,
               unsigned flags)
{
  struct walk w;

  memset(&w, 0, sizeof(w));
  w.post = p;
  w.flags = flags;
  buf_init(&w.b, TEXT_MAX_PARA);
  walk_children(&w, content, 0);
  flush(&w);
  buf_free(&w.b);
  return w.err;
}

static int
has_markup(const char *s, size_t len)
{
  static const char *const tags[] = {"<p", "<br", "<div", "<blockquote",
                                     "<ul", "<ol", "<h1", "<h2", "<h3",
                                     "<table", "<pre", "<hr", NULL};
  size_t i, j, tl;
  for (i = 0; i < len; i++) {
    if (s[i] != '<')
      continue;
    for (j = 0; tags[j]; j++) {
      tl = strlen(tags[j]);
      if (i + tl < len && strncasecmp(s + i, tags[j], tl) == 0 &&
          (s[i + tl] == '>' || s[i + tl] == ' ' || s[i + tl] == '/' ||
           s[i + tl] == '\t' || s[i + tl] == '\n' || s[i + tl] == '\r'))
        return 1;
    }
  }
  return 0;
}

int
text_from_string(struct work_post *p, const char *content, size_t len,
                 unsigned flags)
{
  struct xml_doc *doc = NULL;
  struct xml_node *root, *body;
  struct buf html;
  char errbuf[128];
  int err;

  buf_init(&html, XML_MAX_INPUT);
  if (has_markup(content, len)) {
    err = buf_append(&html, content, len);
  } else {
    err = markdown_to_html(content, len, &html);
  }
  if (err)
    goto out;
  if (html.len == 0)
    goto out;
  doc = xml_parse_html(html.data, html.len, errbuf, sizeof(errbuf));
  if (doc == NULL)
    goto out; /* nothing to read: no paragraphs */
  root = xml_root(doc);
  body = xml_descendant(root, "body", NULL);
  err = text_from_node(p, body ? body : root, flags);
out:
  xml_free(doc);
  buf_free(&html);
  return err;
}
