/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* libxml2 wrapper; see xml.h. GLOWFIC.md 3.5 explains the parser options:
 * UTF-8 forced (slices carry no charset and libxml2 would assume Latin-1;
 * a <meta charset> is ignored too: Glowfic serves UTF-8), recover
 * silently, no network, and keep blank text nodes. */
#include "node/xml.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xpath.h>

#include "node/alloc.h"
#include "node/buf.h"
#include "node/utf8.h"

#define N(x) ((xmlNodePtr)(x))
#define XML_TEXT_MAX (64u << 20) /* bytes of one node's text */

struct xml_doc {
  htmlDocPtr doc;
};

static void
quiet(void *ctx, const char *msg, ...)
{
  (void)ctx;
  (void)msg;
}

static void
init(void)
{
  static int done;
  if (done)
    return;
  done = 1;
  xmlInitParser();
  xmlSetGenericErrorFunc(NULL, quiet);
}

struct xml_doc *
xml_parse_html(const char *data, size_t len, char *errbuf, size_t errlen)
{
  struct xml_doc *d;
  htmlDocPtr doc;
  char *fixed;

  init();
  if (len > XML_MAX_INPUT || len > (size_t)INT32_MAX) {
    snprintf(errbuf, errlen, "HTML of %zu bytes is over the %u byte limit",
             len, XML_MAX_INPUT);
    return NULL;
  }
  fixed = utf8_repair(data, &len);
  if (fixed && len > (size_t)INT32_MAX) {
    xfree(fixed);
    snprintf(errbuf, errlen, "HTML is too large");
    return NULL;
  }
  doc = htmlReadMemory(fixed ? fixed : data, (int)len, NULL, "UTF-8",
                       HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                           HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                           HTML_PARSE_IGNORE_ENC);
  xfree(fixed);
  if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
    if (doc)
      xmlFreeDoc(doc);
    snprintf(errbuf, errlen, "the page is empty or not HTML");
    return NULL;
  }
  d = xmalloc(sizeof(*d));
  d->doc = doc;
  return d;
}

#define STREAM_CHUNK (256u << 10) /* bytes fed to the push parser at once */

struct stream {
  const char *name, *cls;
  xml_element_cb cb;
  void *arg;
  struct xml_doc doc;
  endElementSAXFunc end;  /* libxml2's own tree-building handler */
  int err;
};

static int has_class_node(const xmlNode *n, const char *cls);

/* After libxml2 closes the element (ctxt->node moves to its parent), hand
 * matching elements to the callback. Freeing the closed node is safe: the
 * parser keeps only names (dictionary strings), the current node (now
 * the parent) and its last-text-node buffer, reset below (xmlTextReader
 * frees parsed nodes the same way). */
static void
on_end(void *ctx, const xmlChar *name)
{
  htmlParserCtxtPtr ctxt = ctx;
  struct stream *s = ctxt->_private;
  xmlNodePtr node = ctxt->node;
  int rc;

  s->end(ctx, name);
  if (s->err || node == NULL || node->type != XML_ELEMENT_NODE ||
      !xmlStrEqual(node->name, name) || ctxt->node == node)
    return;
  if (strcmp((const char *)node->name, s->name) != 0 ||
      !has_class_node(node, s->cls))
    return;
  s->doc.doc = ctxt->myDoc;
  rc = s->cb(&s->doc, (struct xml_node *)node, s->arg);
  if (rc < 0) {
    s->err = rc;
    xmlStopParser(ctxt);
  } else if (rc == XML_PRUNE) {
    xmlUnlinkNode(node);
    xmlFreeNode(node);
    /* libxml2 appends the next characters in place to the text node it
     * made last (nodemem/nodelen describe that node's buffer); that node
     * may be gone: make it concatenate afresh. */
    ctxt->nodemem = 0;
    ctxt->nodelen = 0;
  }
}

struct xml_doc *
xml_parse_html_stream(const char *data, size_t len, const char *name,
                      const char *cls, xml_element_cb cb, void *arg,
                      int *cb_err, char *errbuf, size_t errlen)
{
  xmlSAXHandler sax;
  htmlParserCtxtPtr ctxt;
  struct stream s;
  struct xml_doc *d;
  htmlDocPtr doc;
  size_t off = 0, n;
  char *fixed;

  init();
  *cb_err = 0;
  if (len > XML_MAX_INPUT) {
    snprintf(errbuf, errlen, "HTML of %zu bytes is over the %u byte limit",
             len, XML_MAX_INPUT);
    return NULL;
  }
  fixed = utf8_repair(data, &len);
  if (fixed)
    data = fixed;
  memset(&s, 0, sizeof(s));
  s.name = name;
  s.cls = cls;
  s.cb = cb;
  s.arg = arg;
  memcpy(&sax, &htmlDefaultSAXHandler, sizeof(sax));
  s.end = sax.endElement;
  sax.endElement = on_end;
  ctxt = htmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL,
                                  XML_CHAR_ENCODING_UTF8);
  if (ctxt == NULL) {
    xfree(fixed);
    snprintf(errbuf, errlen, "out of memory");
    return NULL;
  }
  htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                               HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                               HTML_PARSE_IGNORE_ENC);
  ctxt->_private = &s;
  do {
    n = len - off < STREAM_CHUNK ? len - off : STREAM_CHUNK;
    htmlParseChunk(ctxt, data + off, (int)n, off + n == len);
    off += n;
  } while (off < len && !s.err);
  doc = ctxt->myDoc;
  ctxt->myDoc = NULL;
  htmlFreeParserCtxt(ctxt);
  xfree(fixed);
  if (s.err || doc == NULL || xmlDocGetRootElement(doc) == NULL) {
    if (doc)
      xmlFreeDoc(doc);
    *cb_err = s.err;
    if (!s.err)
      snprintf(errbuf, errlen, "the page is empty or not HTML");
    return NULL;
  }
  d = xmalloc(sizeof(*d));
  d->doc = doc;
  return d;
}

void
xml_free(struct xml_doc *doc)
{
  if (doc == NULL)
    return;
  xmlFreeDoc(doc->doc);
  xfree(doc);
}

struct xml_node *
xml_root(struct xml_doc *doc)
{
  return (struct xml_node *)xmlDocGetRootElement(doc->doc);
}

int
xml_select(struct xml_doc *doc, struct xml_node *ctx, const char *xpath,
           struct xml_node ***out, size_t *n)
{
  xmlXPathContextPtr xc = NULL;
  xmlXPathObjectPtr res = NULL;
  size_t i, count;
  int err = 0;

  *out = NULL;
  *n = 0;
  xc = xmlXPathNewContext(doc->doc);
  if (xc == NULL)
    return -12;
  xc->node = ctx ? N(ctx) : (xmlNodePtr)doc->doc;
  res = xmlXPathEvalExpression((const xmlChar *)xpath, xc);
  if (res == NULL || res->type != XPATH_NODESET) {
    err = ERR_PARSE;
    goto out;
  }
  count = res->nodesetval ? (size_t)res->nodesetval->nodeNr : 0;
  if (count > XML_MAX_MATCHES) {
    err = ERR_TOO_BIG;
    goto out;
  }
  if (count) {
    *out = xmalloc(count * sizeof(**out));
    for (i = 0; i < count; i++)
      (*out)[i] = (struct xml_node *)res->nodesetval->nodeTab[i];
  }
  *n = count;
out:
  xmlXPathFreeObject(res);
  xmlXPathFreeContext(xc);
  return err;
}

const char *
xml_name(const struct xml_node *node)
{
  if (node == NULL || N(node)->type != XML_ELEMENT_NODE)
    return NULL;
  return (const char *)N(node)->name;
}

struct xml_node *
xml_first_child(const struct xml_node *node)
{
  return node ? (struct xml_node *)N(node)->children : NULL;
}

struct xml_node *
xml_parent(const struct xml_node *node)
{
  xmlNodePtr p = node ? N(node)->parent : NULL;
  return p && p->type == XML_ELEMENT_NODE ? (struct xml_node *)p : NULL;
}

struct xml_node *
xml_next(const struct xml_node *node)
{
  return node ? (struct xml_node *)N(node)->next : NULL;
}

int
xml_is_text(const struct xml_node *node)
{
  return node && (N(node)->type == XML_TEXT_NODE ||
                  N(node)->type == XML_CDATA_SECTION_NODE);
}

const char *
xml_content(const struct xml_node *node)
{
  return xml_is_text(node) ? (const char *)N(node)->content : NULL;
}

static int
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

int
xml_has_class(const struct xml_node *node, const char *cls)
{
  if (xml_name(node) == NULL)
    return 0;
  return has_class_node(N(node), cls);
}

static int
has_class_node(const xmlNode *n, const char *cls)
{
  xmlAttrPtr a;
  const char *p, *start;
  size_t clen = strlen(cls);
  int found = 0;

  /* Read the attribute's text node in place: no copy per test. */
  a = xmlHasProp((xmlNodePtr)n, (const xmlChar *)"class");
  if (a == NULL || a->children == NULL || a->children->next != NULL ||
      a->children->type != XML_TEXT_NODE || a->children->content == NULL)
    return 0;
  p = (const char *)a->children->content;
  while (*p && !found) {
    while (is_space(*p))
      p++;
    start = p;
    while (*p && !is_space(*p))
      p++;
    if ((size_t)(p - start) == clen && memcmp(start, cls, clen) == 0)
      found = 1;
  }
  return found;
}

static int
matches(const struct xml_node *node, const char *name, const char *cls)
{
  const char *nm = xml_name(node);
  if (nm == NULL)
    return 0;
  if (name && strcmp(nm, name) != 0)
    return 0;
  return cls == NULL || xml_has_class(node, cls);
}

struct xml_node *
xml_child(const struct xml_node *node, const char *name, const char *cls)
{
  xmlNodePtr c;
  if (node == NULL)
    return NULL;
  for (c = N(node)->children; c; c = c->next) {
    if (matches((struct xml_node *)c, name, cls))
      return (struct xml_node *)c;
  }
  return NULL;
}

struct xml_node *
xml_descendant(const struct xml_node *node, const char *name,
               const char *cls)
{
  xmlNodePtr c;
  struct xml_node *hit;
  if (node == NULL)
    return NULL;
  for (c = N(node)->children; c; c = c->next) {
    if (matches((struct xml_node *)c, name, cls))
      return (struct xml_node *)c;
    hit = xml_descendant((struct xml_node *)c, name, cls);
    if (hit)
      return hit;
  }
  return NULL;
}

char *
xml_attr(const struct xml_node *node, const char *name)
{
  xmlChar *v;
  char *s;
  if (xml_name(node) == NULL)
    return NULL;
  v = xmlGetProp(N(node), (const xmlChar *)name);
  if (v == NULL)
    return NULL;
  s = xstrdup((const char *)v);
  xmlFree(v);
  return s;
}

/* Append text with whitespace collapsed; *space says a space is owed. */
static void
append_collapsed(struct buf *b, const char *s, int *space)
{
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    if (is_space((char)*p) || (p[0] == 0xc2 && p[1] == 0xa0)) {
      *space = 1;
      p += *p == 0xc2 ? 2 : 1;
      continue;
    }
    if (*space && b->len > 0 && buf_append(b, " ", 1) != 0)
      return;
    *space = 0;
    if (buf_append(b, p, 1) != 0)
      return;
    p++;
  }
}

static void
gather(const xmlNode *n, struct buf *b, int *space)
{
  const xmlNode *c;
  for (c = n->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content)
        append_collapsed(b, (const char *)c->content, space);
    } else if (c->type == XML_ELEMENT_NODE) {
      gather(c, b, space);
    }
  }
}

char *
xml_text(const struct xml_node *node)
{
  struct buf b;
  int space = 0;
  buf_init(&b, XML_TEXT_MAX);
  if (node)
    gather(N(node), &b, &space);
  return buf_take(&b, NULL);
}

char *
xml_inner_html(struct xml_doc *doc, const struct xml_node *node)
{
  xmlBufferPtr xb;
  xmlNodePtr c;
  char *s;

  xb = xmlBufferCreate();
  if (xb == NULL)
    return xstrdup("");
  for (c = N(node)->children; c; c = c->next)
    htmlNodeDump(xb, doc->doc, c);
  s = xstrdup((const char *)xmlBufferContent(xb));
  xmlBufferFree(xb);
  return s;
}
