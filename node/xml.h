/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* HTML documents: the one module that touches libxml2. Parses HTML as
 * UTF-8 (recovering from errors, never touching the network), selects
 * nodes with XPath 1.0 and walks element trees. Nodes are borrowed
 * pointers into their document and live until xml_free(). */
#ifndef GLOWTALK_XML_H
#define GLOWTALK_XML_H

#include <stddef.h>

#include "node/err.h"

struct xml_doc;
struct xml_node;

#define XML_MAX_INPUT (256u << 20) /* bytes of HTML accepted */
#define XML_MAX_MATCHES 1000000u   /* nodes one selection may return */

/* Parse len bytes of HTML (a full page or a fragment) as UTF-8 whatever
 * the page declares. NULL with a reason in errbuf when the input is over
 * XML_MAX_INPUT or libxml2 builds no tree. Caller owns the result. */
struct xml_doc *xml_parse_html(const char *data, size_t len, char *errbuf,
                               size_t errlen);
void xml_free(struct xml_doc *doc);

#define XML_KEEP 0  /* xml_element_cb: leave the element in the tree */
#define XML_PRUNE 1 /* xml_element_cb: free the element now */

/* Called when an element's end is parsed, with its whole subtree built
 * and its ancestors in place (following siblings are not parsed yet).
 * Returns XML_KEEP, XML_PRUNE, or a negative error that stops the
 * parse. */
typedef int (*xml_element_cb)(struct xml_doc *doc, struct xml_node *el,
                              void *arg);

/* Parse like xml_parse_html, but incrementally: cb sees every element
 * named name with class token cls as soon as it ends, and may prune it,
 * so a page of many such blocks never holds more than one block's tree
 * at a time (memory stays near the input size). On a callback error the
 * parse stops, NULL is returned and *cb_err holds the error. */
struct xml_doc *xml_parse_html_stream(const char *data, size_t len,
                                      const char *name, const char *cls,
                                      xml_element_cb cb, void *arg,
                                      int *cb_err, char *errbuf,
                                      size_t errlen);

/* The root element, or NULL for an empty document. */
struct xml_node *xml_root(struct xml_doc *doc);

/* Evaluate an XPath expression relative to ctx (NULL = the document) and
 * return the matching nodes in document order. *out is an array the
 * caller frees with xfree() (NULL when nothing matched). ERR_PARSE for a
 * bad expression, ERR_TOO_BIG past XML_MAX_MATCHES. */
int xml_select(struct xml_doc *doc, struct xml_node *ctx, const char *xpath,
               struct xml_node ***out, size_t *n) WARN_UNUSED;

/* Navigation. All return NULL when there is no such node. */
/* Lower-case element name, or NULL for a non-element (text, comment). */
const char *xml_name(const struct xml_node *node);
struct xml_node *xml_first_child(const struct xml_node *node);
/* The parent element, NULL at the root. */
struct xml_node *xml_parent(const struct xml_node *node);
struct xml_node *xml_next(const struct xml_node *node);
/* Is node a text (or CDATA) node? Its UTF-8 content is xml_content(). */
int xml_is_text(const struct xml_node *node);
/* Borrowed content of a text node, or NULL. */
const char *xml_content(const struct xml_node *node);
/* Does the element's class attribute hold the token cls? (Tokens are
 * split on ASCII whitespace: "post-reply " has the token post-reply.) */
int xml_has_class(const struct xml_node *node, const char *cls);
/* The first element child named name (NULL = any) with class token cls
 * (NULL = any). */
struct xml_node *xml_child(const struct xml_node *node, const char *name,
                           const char *cls);
/* The first descendant element (depth first) named name with class cls. */
struct xml_node *xml_descendant(const struct xml_node *node,
                                const char *name, const char *cls);
/* Attribute value; caller frees with xfree(). NULL when absent. */
char *xml_attr(const struct xml_node *node, const char *name);
/* All descendant text, whitespace runs (incl. U+00A0) collapsed to one
 * space and trimmed. Caller frees with xfree(). Never NULL. */
char *xml_text(const struct xml_node *node);
/* The inner HTML of an element, serialised by libxml2. Caller frees with
 * xfree(). Never NULL. */
char *xml_inner_html(struct xml_doc *doc, const struct xml_node *node);

#endif
