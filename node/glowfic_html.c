/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Glowfic HTML pages; see glowfic_html.h. Blocks are selected with the
 * XPath of GLOWFIC.md 3.5 (class tokens, never literal class strings);
 * the fields of a block are then read by walking its direct children in
 * the same shape the site's templates give them. */
#include "node/glowfic_html.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "node/alloc.h"
#include "node/text.h"
#include "node/xml.h"

#define C(x) "contains(concat(' ',normalize-space(@class),' '),' " x " ')"
/* The OP hidden behind "+ Show First Post" on pages after the first. */
#define XP_HIDDEN_OP                                                      \
  "//div[" C("post-expander") "]//div[" C("post-post") "][not(ancestor::"  \
  "div[" C("post-content") "])]"
#define NOT_FOUND_TITLE "Continuities | Glowfic Constellation"
#define TITLE_SUFFIX " | Glowfic Constellation"

int64_t
glowfic_id_after(const char *s, const char *prefix)
{
  const char *p;
  int64_t v = 0;
  int digits = 0;

  if (s == NULL)
    return 0;
  p = strstr(s, prefix);
  if (p == NULL)
    return 0;
  for (p += strlen(prefix); *p >= '0' && *p <= '9' && digits < 15; p++) {
    v = v * 10 + (*p - '0');
    digits++;
  }
  return digits ? v : 0;
}

/* xml_text of a node, NULL when the node is absent or its text empty. */
static char *
text_or_null(const struct xml_node *n)
{
  char *s;
  if (n == NULL)
    return NULL;
  s = xml_text(n);
  if (*s == '\0') {
    xfree(s);
    return NULL;
  }
  return s;
}

/* The id in the first <a href> under n that contains prefix. */
static int64_t
link_id(const struct xml_node *n, const char *prefix)
{
  struct xml_node *a = xml_descendant(n, "a", NULL);
  char *href = xml_attr(a, "href");
  int64_t id = glowfic_id_after(href, prefix);
  xfree(href);
  return id;
}

static int64_t
permalink_id(const struct xml_node *block, const char *prefix)
{
  struct xml_node *pad = xml_child(block, "div", "padding-10");
  struct xml_node *edit = xml_child(pad, "div", "post-edit-box");
  struct xml_node *c;
  int64_t id = 0;

  for (c = xml_first_child(edit); c && id == 0; c = xml_next(c)) {
    char *rel, *href;
    if (xml_name(c) == NULL || strcmp(xml_name(c), "a") != 0)
      continue;
    rel = xml_attr(c, "rel");
    href = xml_attr(c, "href");
    if (rel && strcmp(rel, "alternate") == 0)
      id = glowfic_id_after(href, prefix);
    xfree(rel);
    xfree(href);
  }
  return id;
}

/* Any /posts/N link in the block's edit box ("mark unread" links carry
 * the thread id in both views). */
static int64_t
thread_id_of(const struct xml_node *block)
{
  struct xml_node *pad = xml_child(block, "div", "padding-10");
  struct xml_node *edit = xml_child(pad, "div", "post-edit-box");
  struct xml_node *c;
  int64_t id = 0;

  for (c = xml_first_child(edit); c && id == 0; c = xml_next(c)) {
    char *href = xml_attr(c, "href");
    id = glowfic_id_after(href, "/posts/");
    xfree(href);
  }
  return id;
}

static char *
timestamp(const struct xml_node *footer, const char *cls)
{
  struct xml_node *span = xml_descendant(footer, "span", cls);
  struct xml_node *t = xml_child(span, "time", NULL);
  char *v;
  if (span == NULL)
    return NULL;
  v = xml_attr(t, "datetime");
  if (v && *v)
    return v;
  xfree(v);
  return text_or_null(span); /* old markup: "Nov 21, 2015 11:46 PM" */
}

static int
read_block(struct xml_doc *doc, const struct xml_node *block,
           struct work_post *p, unsigned text_flags, char *errbuf,
           size_t errlen)
{
  struct xml_node *pad, *info, *icon, *img, *itext, *ch, *content, *anchor;
  char *v;
  int err;

  p->kind = xml_has_class(block, "post-post") ? WORK_POST_OP
                                              : WORK_POST_REPLY;
  anchor = xml_child(block, "a", "noheight");
  v = xml_attr(anchor, "id");
  p->id = glowfic_id_after(v, "reply-");
  xfree(v);
  if (p->id == 0)
    p->id = permalink_id(block, p->kind == WORK_POST_OP ? "/posts/"
                                                        : "/replies/");
  pad = xml_child(block, "div", "padding-10");
  info = xml_child(pad, "div", "post-info-box");
  icon = xml_child(info, "div", "post-icon");
  img = xml_descendant(icon, "img", NULL);
  if (img) {
    p->icon_url = xml_attr(img, "src");
    p->icon_keyword = xml_attr(img, "title");
    if (p->icon_keyword == NULL)
      p->icon_keyword = xml_attr(img, "alt");
    p->icon_id = link_id(icon, "/icons/");
  }
  itext = xml_child(info, "div", "post-info-text");
  ch = xml_child(itext, "div", "post-character");
  p->character = text_or_null(ch);
  if (p->character) {
    p->character_id = link_id(ch, "/characters/");
    p->screenname = text_or_null(xml_child(itext, "div", "post-screenname"));
  }
  p->author = text_or_null(xml_child(itext, "div", "post-author"));
  p->user_id = link_id(xml_child(itext, "div", "post-author"), "/users/");
  {
    struct xml_node *footer = xml_child(block, "div", "post-footer");
    p->created_at = timestamp(footer, "post-posted");
    p->updated_at = timestamp(footer, "post-updated");
  }
  content = xml_child(pad, "div", "post-content");
  if (content == NULL) {
    snprintf(errbuf, errlen, "a post has no content: the page is cut short "
             "or not a Glowfic thread");
    return ERR_PARSE;
  }
  p->content = xml_inner_html(doc, content);
  err = text_from_node(p, content, text_flags);
  if (err)
    snprintf(errbuf, errlen, "a post's text is too large");
  return err;
}

static struct work_thread *
find_thread(struct work *w, int64_t id)
{
  size_t i;
  for (i = 0; i < w->n_threads; i++) {
    if (w->threads[i].id == id && id > 0)
      return &w->threads[i];
  }
  return NULL;
}

static int
seen(const struct work_thread *t, size_t n, const struct work_post *p)
{
  size_t i;
  if (p->id == 0)
    return 0;
  for (i = 0; i < n; i++) {
    if (t->posts[i].id == p->id && t->posts[i].kind == p->kind)
      return 1;
  }
  return 0;
}

static void
page_meta(struct xml_doc *doc, struct work_thread *t)
{
  struct xml_node **nodes = NULL;
  size_t n = 0;
  char *s;

  if (t->subject == NULL &&
      xml_select(doc, NULL, "//span[@id='post-title']", &nodes, &n) == 0 &&
      n > 0)
    t->subject = text_or_null(nodes[0]);
  xfree(nodes);
  nodes = NULL;
  if (t->subject == NULL &&
      xml_select(doc, NULL, "//head/title", &nodes, &n) == 0 && n > 0) {
    s = text_or_null(nodes[0]);
    if (s && strlen(s) > strlen(TITLE_SUFFIX) &&
        strcmp(s + strlen(s) - strlen(TITLE_SUFFIX), TITLE_SUFFIX) == 0) {
      s[strlen(s) - strlen(TITLE_SUFFIX)] = '\0';
      t->subject = s;
      s = NULL;
    }
    xfree(s);
  }
  xfree(nodes);
  nodes = NULL;
  if (t->description == NULL &&
      xml_select(doc, NULL, "//div[" C("post-subheader") "]", &nodes,
                 &n) == 0 && n > 0)
    t->description = text_or_null(nodes[0]);
  xfree(nodes);
}

static int64_t
canonical_id(struct xml_doc *doc)
{
  struct xml_node **nodes = NULL;
  size_t n = 0;
  int64_t id = 0;
  char *href;

  if (xml_select(doc, NULL, "//link[@rel='canonical']", &nodes, &n) == 0 &&
      n > 0) {
    href = xml_attr(nodes[0], "href");
    id = glowfic_id_after(href, "/posts/");
    xfree(href);
  }
  xfree(nodes);
  return id;
}

static int
is_not_found(struct xml_doc *doc)
{
  struct xml_node **nodes = NULL;
  size_t n = 0;
  char *s = NULL;
  int hit = 0;

  if (xml_select(doc, NULL, "//head/title", &nodes, &n) == 0 && n > 0) {
    s = text_or_null(nodes[0]);
    hit = s && strcmp(s, NOT_FOUND_TITLE) == 0;
  }
  xfree(s);
  xfree(nodes);
  return hit;
}

/* A full page that lacks its closing tag was cut short in transit. */
static int
is_truncated(const char *data, size_t len)
{
  size_t i;
  int html = 0;
  for (i = 0; i + 5 <= len && i < 4096; i++) {
    if (strncasecmp(data + i, "<html", 5) == 0) {
      html = 1;
      break;
    }
  }
  if (!html)
    return 0;
  for (i = len; i >= 7 && len - i < 4096; i--) {
    if (strncasecmp(data + i - 7, "</html>", 7) == 0)
      return 0;
  }
  return 1;
}

/* Blocks as the streaming parser hands them over, before the page says
 * which thread they belong to. */
struct collect {
  unsigned text_flags;
  struct work_post *posts;
  size_t n, cap;
  int64_t thread_id;      /* first thread id a block names */
  int have_op;
  int last_footer;        /* the latest block had its footer */
  char *errbuf;
  size_t errlen;
};

/* GLOWFIC.md 3.5: a post block is a .post-container that is not inside a
 * .post-content (posts quoted in posts) nor a .post-expander (the hidden
 * OP of later pages, read separately). */
static int
is_block(const struct xml_node *n)
{
  const struct xml_node *a;
  for (a = xml_parent(n); a; a = xml_parent(a)) {
    const char *nm = xml_name(a);
    if (nm && strcmp(nm, "div") == 0 &&
        (xml_has_class(a, "post-content") ||
         xml_has_class(a, "post-expander")))
      return 0;
  }
  return 1;
}

static int
collect_block(struct xml_doc *doc, const struct xml_node *b,
              struct collect *c)
{
  struct work_post tmp;
  int err;

  if (c->n >= WORK_MAX_POSTS) {
    snprintf(c->errbuf, c->errlen, "too many posts");
    return ERR_TOO_BIG;
  }
  memset(&tmp, 0, sizeof(tmp));
  err = read_block(doc, b, &tmp, c->text_flags, c->errbuf, c->errlen);
  if (err) {
    work_post_clear(&tmp);
    return err;
  }
  if (c->thread_id == 0)
    c->thread_id = tmp.kind == WORK_POST_OP ? permalink_id(b, "/posts/")
                                            : thread_id_of(b);
  c->have_op |= tmp.kind == WORK_POST_OP;
  c->last_footer = xml_child(b, "div", "post-footer") != NULL;
  if (c->n == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 64;
    c->posts = xrealloc(c->posts, c->cap * sizeof(*c->posts));
  }
  c->posts[c->n++] = tmp;
  return 0;
}

static int
on_block(struct xml_doc *doc, struct xml_node *el, void *arg)
{
  int err;
  if (!is_block(el))
    return XML_KEEP;
  err = collect_block(doc, el, arg);
  return err ? err : XML_PRUNE;
}

/* Move the collected posts into the thread of w they belong to. */
static int
merge(struct work *w, struct collect *c, int64_t tid)
{
  struct work_thread *t = find_thread(w, tid);
  size_t i, before;

  if (t == NULL) {
    t = work_add_thread(w);
    if (t == NULL) {
      snprintf(c->errbuf, c->errlen, "too many threads");
      return ERR_TOO_BIG;
    }
    t->id = tid;
  }
  before = t->n_posts;
  for (i = 0; i < c->n; i++) {
    struct work_post *p;
    if (seen(t, before, &c->posts[i])) { /* a repeat of an earlier page */
      work_post_clear(&c->posts[i]);
      continue;
    }
    p = work_thread_add_post(w, t);
    if (p == NULL) {
      snprintf(c->errbuf, c->errlen, "too many posts");
      return ERR_TOO_BIG;
    }
    *p = c->posts[i];
    memset(&c->posts[i], 0, sizeof(c->posts[i]));
    /* The opening post leads its thread whatever page it came from. */
    if (p->kind == WORK_POST_OP && t->n_posts > 1) {
      struct work_post op = *p;
      memmove(&t->posts[1], &t->posts[0],
              (t->n_posts - 1) * sizeof(*t->posts));
      t->posts[0] = op;
    }
  }
  return 0;
}

int
glowfic_html_parse(struct work *w, const char *data, size_t len,
                   unsigned text_flags, char *errbuf, size_t errlen)
{
  struct xml_doc *doc = NULL;
  struct xml_node **hidden = NULL;
  struct collect c;
  size_t nh = 0, i;
  int64_t tid;
  int err = 0, cb_err = 0;

  memset(&c, 0, sizeof(c));
  c.text_flags = text_flags;
  c.errbuf = errbuf;
  c.errlen = errlen;
  doc = xml_parse_html_stream(data, len, "div", "post-container", on_block,
                              &c, &cb_err, errbuf, errlen);
  if (doc == NULL) {
    err = cb_err ? cb_err : ERR_PARSE;
    goto out;
  }
  if (is_not_found(doc)) {
    snprintf(errbuf, errlen, "Glowfic says the post does not exist or is "
             "private");
    err = ERR_NOT_FOUND;
    goto out;
  }
  if (!c.have_op) {
    err = xml_select(doc, NULL, XP_HIDDEN_OP, &hidden, &nh);
    for (i = 0; !err && i < nh && i < 1; i++)
      err = collect_block(doc, hidden[i], &c);
    if (err) {
      if (err == ERR_PARSE || err == ERR_TOO_BIG)
        goto out;
      snprintf(errbuf, errlen, "cannot select the posts: %s", err_str(err));
      goto out;
    }
  }
  if (c.n == 0) {
    snprintf(errbuf, errlen, "no Glowfic posts in the page (empty, or not "
             "a Glowfic thread)");
    err = ERR_PARSE;
    goto out;
  }
  /* Every shape of block ends with its footer: a last block without one
   * was cut off in transit (a saved fragment has no </html> to miss). */
  if (is_truncated(data, len) || !c.last_footer) {
    snprintf(errbuf, errlen, "the page is cut short (%s)",
             c.last_footer ? "no </html>" : "its last post has no footer");
    err = ERR_PARSE;
    goto out;
  }
  tid = canonical_id(doc);
  if (tid == 0)
    tid = c.thread_id;
  err = merge(w, &c, tid);
  if (!err)
    page_meta(doc, find_thread(w, tid) ? find_thread(w, tid)
                                       : &w->threads[w->n_threads - 1]);
out:
  for (i = 0; i < c.n; i++)
    work_post_clear(&c.posts[i]);
  xfree(c.posts);
  xfree(hidden);
  xml_free(doc);
  return err;
}
