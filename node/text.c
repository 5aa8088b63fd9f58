/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Content to paragraphs; see text.h. One pass over the element tree with
 * a paragraph buffer: block elements and <br> end a paragraph, an empty
 * <p>/<div> (e.g. <p>&nbsp;</p>) counts as a pause before the next one. */
#include "node/text.h"

#include <string.h>
#include <strings.h>

#include "node/alloc.h"
#include "node/buf.h"

#define MAX_SPANS 1024 /* emphasis spans kept per paragraph */

struct walk {
  struct work_post *post;
  unsigned flags;       /* TEXT_* */
  struct buf b;         /* current paragraph */
  int space;            /* a space is owed before the next character */
  uint32_t pause;       /* empty blocks since the last paragraph */
  int quote, heading, item, pre; /* depth counters for paragraph flags */
  int emph;             /* depth inside emphasis elements */
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
    flush(w);
    before = w->post->n_paras;
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

static int
word_char(const char *s, size_t i, size_t len)
{
  unsigned char c;
  if (i >= len)
    return 0;
  c = (unsigned char)s[i];
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

static int
blank_at(const char *s, size_t i, size_t len)
{
  return i >= len || s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
         s[i] == '\r';
}

/* Markdown's inline marks, for text from the Markdown editor (GLOWFIC.md
 * 2; it cannot be told apart, and in plain text the same marks mean the
 * same thing): *em*, _em_, **strong**, __strong__ become emphasis and
 * [text](url) its text, so the voice never reads out asterisks. A mark
 * opens before a non-blank and after a non-word character, closes after
 * a non-blank and before a non-word character, within one paragraph.
 * Returns the bytes consumed at s[i] (0: not a mark). */
static size_t
md_inline(const char *s, size_t i, size_t len, struct buf *out, int *err)
{
  size_t n = 1, j, end;
  char c = s[i];

  end = i;
  while (end < len && !(s[end] == '\n' && end + 1 < len &&
                        (s[end + 1] == '\n' || s[end + 1] == '\r')))
    end++;
  if (c == '[') {
    size_t close = i + 1, paren;
    while (close < end && s[close] != ']' && s[close] != '[')
      close++;
    if (close >= end || close + 1 >= end || s[close + 1] != '(')
      return 0;
    for (paren = close + 2; paren < end && s[paren] != ')' &&
                            !blank_at(s, paren, len); paren++)
      ;
    if (paren >= end || s[paren] != ')')
      return 0;
    *err = buf_append(out, s + i + 1, close - i - 1);
    return paren + 1 - i;
  }
  if (i > 0 && word_char(s, i - 1, len))
    return 0;
  if (i + 1 < len && s[i + 1] == c)
    n = 2;
  if (blank_at(s, i + n, len) || s[i + n] == c)
    return 0;
  for (j = i + n + 1; j + n <= end; j++) {
    if (s[j] == c && (n == 1 || s[j + 1] == c) && !blank_at(s, j - 1, len) &&
        !word_char(s, j + n, len) && (j + n >= len || s[j + n] != c)) {
      *err = buf_append_str(out, n == 2 ? "<strong>" : "<em>");
      if (!*err)
        *err = buf_append(out, s + i + n, j - i - n);
      if (!*err)
        *err = buf_append_str(out, n == 2 ? "</strong>" : "</em>");
      return j + n - i;
    }
  }
  return 0;
}

/* The site's rule for text without <p>/<br>: paragraphs at blank lines,
 * <br> at single newlines (WritableHelper#sanitize_written_content), with
 * Markdown's inline marks read as emphasis (md_inline). */
static int
newline_html(const char *s, size_t len, struct buf *out)
{
  size_t i = 0;
  int err = buf_append_str(out, "<p>");
  while (!err && i < len) {
    if (s[i] == '\r') {
      i++;
      continue;
    }
    if (s[i] == '\n') {
      size_t j = i + 1, nl = 1;
      while (j < len && (s[j] == '\n' || s[j] == '\r' || s[j] == ' ' ||
                         s[j] == '\t')) {
        nl += s[j] == '\n';
        j++;
      }
      err = buf_append_str(out, nl > 1 ? "</p><p>" : "<br>");
      i = j;
      continue;
    }
    if (s[i] == '*' || s[i] == '_' || s[i] == '[') {
      size_t used = md_inline(s, i, len, out, &err);
      if (used) {
        i += used;
        continue;
      }
    }
    err = buf_append(out, s + i, 1);
    i++;
  }
  if (!err)
    err = buf_append_str(out, "</p>");
  return err;
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
    err = newline_html(content, len, &html);
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
