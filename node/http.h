/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The web server: the only module that includes civetweb.h. It serves the
 * UI files compiled into the binary and routes /api requests to handlers,
 * after the checks every request passes (DESIGN.md "Web"):
 *  - Host header must name this server (DNS rebinding), unless a password
 *    protects a non-loopback bind;
 *  - state-changing methods carry the page's CSRF token (X-CSRF-Token);
 *  - a non-loopback bind requires a password (HTTP Basic), or won't start;
 *  - request bodies are capped per route.
 * Handlers run on civetweb's worker threads, several at once. */
#ifndef GLOWTALK_HTTP_H
#define GLOWTALK_HTTP_H

#include <stddef.h>

#include "node/buf.h"
#include "node/err.h"

struct http_server;
struct http_req;
struct json;

/* civetweb workers; each live-event stream holds one. */
#define HTTP_THREADS "32"
#define HTTP_BODY_MAX_DEFAULT (1u << 20) /* bytes of a JSON request body */
#define HTTP_CSRF_HEX 65                /* token text with NUL */

/* Handle req; reply with one http_reply* call. Returns nothing: errors are
 * replies too. */
typedef void (*http_handler_cb)(struct http_req *req, void *arg);

struct http_options {
  const char *hostport; /* "127.0.0.1:8008"; port 0 picks a free port */
  const char *password; /* NULL or "": none (loopback only) */
};

/* Start serving. ERR_FORBIDDEN when binding beyond loopback without a
 * password; other errors (port in use) are explained in errbuf. On success
 * one http_stop() is owed. */
int http_start(const struct http_options *opts, struct http_server **out,
               char *errbuf, size_t errlen) WARN_UNUSED;
/* Stop: waits for running handlers, then frees; clears *s. */
void http_stop(struct http_server **s);
/* The port actually bound. */
int http_port(const struct http_server *s);
/* The CSRF token pages must send back (hex). */
const char *http_csrf_token(const struct http_server *s);

/* Route METHOD requests whose path starts with prefix (longest prefix
 * wins; "" is not allowed). body_max caps the request body (0 = the
 * default). Call before requests arrive (right after http_start). */
void http_route(struct http_server *s, const char *method,
                const char *prefix, size_t body_max, http_handler_cb cb,
                void *arg);

/* The request. Strings are valid for the handler's duration. */
const char *http_req_method(const struct http_req *req);
/* The decoded path, e.g. "/api/works/3". */
const char *http_req_path(const struct http_req *req);
/* The part of the path after the route's prefix. */
const char *http_req_rest(const struct http_req *req);
/* A header's value, or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);
/* A decoded query parameter into out. ERR_NOT_FOUND when absent,
 * ERR_TOO_BIG when it does not fit. */
int http_req_query(const struct http_req *req, const char *name, char *out,
                   size_t outlen) WARN_UNUSED;
/* A header's value percent-decoded into out (for X-Filename, which
 * browsers must send as ASCII). ERR_NOT_FOUND when absent, ERR_TOO_BIG when
 * it does not fit. */
int http_req_header_decoded(const struct http_req *req, const char *name,
                            char *out, size_t outlen) WARN_UNUSED;
/* The whole body (read once). ERR_TOO_BIG past the route's cap. */
const struct buf *http_req_body(struct http_req *req, int *err);

/* Replies. extra_headers are complete "Name: value\r\n" lines or NULL. */
void http_reply(struct http_req *req, int status, const char *content_type,
                const void *body, size_t len, const char *extra_headers);
void http_reply_json(struct http_req *req, int status,
                     const struct json *j);
/* A streamed reply (Server-Sent Events): headers now, then any number of
 * http_stream_write() calls; the connection closes when the handler
 * returns. */
void http_stream_start(struct http_req *req, const char *content_type,
                       const char *extra_headers);
/* ERR_NET once the client has gone. */
int http_stream_write(struct http_req *req, const void *data, size_t len)
    WARN_UNUSED;
/* {"error": message} with the status. */
void http_reply_error(struct http_req *req, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
