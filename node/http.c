/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* civetweb behind the narrow API of http.h. Every request enters through
 * begin_request(), passes the security checks, then is served from the
 * embedded UI files or routed to a handler. */
#define LOG_MODULE "http"
#include "node/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/config.h"
#include "node/embedded.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/log.h"

#define HTTP_ROUTES_MAX 128
#define HTTP_AUTH_MAX 512 /* bytes of a decoded Basic credential */
#define HTTP_CSRF_BYTES 32
#define HTTP_SECURITY_HEADERS                                              \
  "X-Content-Type-Options: nosniff\r\n"                                    \
  "Referrer-Policy: no-referrer\r\n"                                       \
  "X-Frame-Options: DENY\r\n"
/* Story text is untrusted: scripts only from this node, never inline. */
#define HTTP_CSP                                                           \
  "Content-Security-Policy: default-src 'self'; script-src 'self'; "       \
  "style-src 'self'; img-src 'self' data: https:; media-src 'self' blob:; " \
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"

struct route {
  char method[8];
  char *prefix;
  size_t prefix_len;
  size_t body_max; /* bytes */
  http_handler_cb cb;
  void *arg;
};

struct http_server {
  struct mg_context *ctx;
  char *host;      /* bound host as given */
  int port;        /* bound port */
  int loopback;    /* bound to a loopback address only */
  char *password;  /* NULL: none */
  char csrf[HTTP_CSRF_HEX];
  struct route routes[HTTP_ROUTES_MAX];
  int nroutes;
};

struct http_req {
  struct mg_connection *conn;
  const struct mg_request_info *ri;
  struct http_server *srv;
  const struct route *route;
  struct buf body;
  int body_read;
  int body_err;
  int head_only; /* HEAD: headers, no body */
};

static int
is_loopback_host(const char *host)
{
  return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
         strcmp(host, "::1") == 0;
}

/* ---- replies ------------------------------------------------------------ */

void
http_reply(struct http_req *req, int status, const char *content_type,
           const void *body, size_t len, const char *extra_headers)
{
  mg_printf(req->conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            HTTP_SECURITY_HEADERS "%s\r\n",
            status, mg_get_response_code_text(req->conn, status),
            content_type, len, extra_headers ? extra_headers : "");
  if (!req->head_only && len)
    mg_write(req->conn, body, len);
}

void
http_stream_start(struct http_req *req, const char *content_type,
                  const char *extra_headers)
{
  mg_printf(req->conn,
            "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nConnection: close\r\n"
            "Cache-Control: no-store\r\n" HTTP_SECURITY_HEADERS "%s\r\n",
            content_type, extra_headers ? extra_headers : "");
}

int
http_stream_write(struct http_req *req, const void *data, size_t len)
{
  if (req->head_only)
    return 0;
  return mg_write(req->conn, data, len) == (int)len ? 0 : ERR_NET;
}

void
http_reply_immutable_file(struct http_req *req, const char *path,
                          const char *content_type)
{
  /* civetweb answers Range, HEAD, If-None-Match and 404 itself; the
   * Cache-Control it sends comes from static_file_cache_control. */
  mg_send_mime_file2(req->conn, path, content_type, HTTP_SECURITY_HEADERS);
}

void
http_reply_json(struct http_req *req, int status, const struct json *j)
{
  char *text = json_print(j, 0);
  http_reply(req, status, "application/json; charset=utf-8", text,
             strlen(text), "Cache-Control: no-store\r\n");
  xfree(text);
}

void
http_reply_error(struct http_req *req, int status, const char *fmt, ...)
{
  struct json *o = json_new_object();
  char msg[512];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  json_set_str(o, "error", msg);
  json_set_int(o, "status", status);
  http_reply_json(req, status, o);
  json_free(o);
}

/* ---- request accessors -------------------------------------------------- */

const char *
http_req_method(const struct http_req *r)
{
  return r->ri->request_method;
}

const char *
http_req_path(const struct http_req *r)
{
  return r->ri->local_uri ? r->ri->local_uri : "/";
}

const char *
http_req_rest(const struct http_req *r)
{
  const char *p = http_req_path(r);
  return r->route && strlen(p) >= r->route->prefix_len
             ? p + r->route->prefix_len
             : p;
}

const char *
http_req_header(const struct http_req *r, const char *name)
{
  return mg_get_header(r->conn, name);
}

int
http_req_query(const struct http_req *r, const char *name, char *out,
               size_t outlen)
{
  const char *q = r->ri->query_string;
  int n;
  if (q == NULL)
    return ERR_NOT_FOUND;
  n = mg_get_var(q, strlen(q), name, out, outlen);
  if (n == -1)
    return ERR_NOT_FOUND;
  if (n < 0)
    return ERR_TOO_BIG;
  return 0;
}

int
http_req_header_decoded(const struct http_req *r, const char *name,
                        char *out, size_t outlen)
{
  const char *v = mg_get_header(r->conn, name);
  if (v == NULL)
    return ERR_NOT_FOUND;
  if (mg_url_decode(v, (int)strlen(v), out, (int)outlen, 0) < 0)
    return ERR_TOO_BIG;
  return 0;
}

const struct buf *
http_req_body(struct http_req *r, int *err)
{
  char chunk[16384];
  int n;

  if (!r->body_read) {
    r->body_read = 1;
    if (r->ri->content_length > (long long)r->body.max) {
      r->body_err = ERR_TOO_BIG;
    } else {
      while ((n = mg_read(r->conn, chunk, sizeof(chunk))) > 0) {
        r->body_err = buf_append(&r->body, chunk, (size_t)n);
        if (r->body_err)
          break;
      }
      if (n < 0 && !r->body_err)
        r->body_err = ERR_NET;
    }
  }
  *err = r->body_err;
  return &r->body;
}

/* ---- checks ------------------------------------------------------------- */

/* DNS rebinding: a page on evil.example resolved to 127.0.0.1 still sends
 * "Host: evil.example". Only names of this server pass. */
static int
host_allowed(const struct http_server *s, const char *hosthdr)
{
  char host[256];
  const char *colon;
  size_t hlen;
  long port = 80;

  if (hosthdr == NULL)
    return 0;
  if (!s->loopback && s->password)
    return 1; /* password-protected: the password is the gate */
  if (hosthdr[0] == '[') {
    const char *close = strchr(hosthdr, ']');
    if (close == NULL)
      return 0;
    hlen = (size_t)(close - hosthdr - 1);
    if (hlen >= sizeof(host))
      return 0;
    memcpy(host, hosthdr + 1, hlen);
    colon = close[1] == ':' ? close + 1 : NULL;
  } else {
    colon = strchr(hosthdr, ':');
    hlen = colon ? (size_t)(colon - hosthdr) : strlen(hosthdr);
    if (hlen >= sizeof(host))
      return 0;
    memcpy(host, hosthdr, hlen);
  }
  host[hlen] = '\0';
  if (colon) {
    char *end;
    port = strtol(colon + 1, &end, 10);
    if (*end != '\0')
      return 0;
  }
  if (port != s->port)
    return 0;
  return is_loopback_host(host) || strcasecmp(host, s->host) == 0;
}

static int
password_ok(const struct http_server *s, const char *auth)
{
  uint8_t cred[HTTP_AUTH_MAX];
  size_t len = 0, plen;
  const uint8_t *colon;
  int ok;

  if (s->password == NULL)
    return 1;
  if (auth == NULL || strncasecmp(auth, "Basic ", 6) != 0)
    return 0;
  if (secure_base64_decode(cred, sizeof(cred), &len, auth + 6,
                           strlen(auth + 6)))
    return 0;
  colon = memchr(cred, ':', len);
  if (colon == NULL)
    return 0;
  colon++;
  plen = strlen(s->password);
  ok = (size_t)(cred + len - colon) == plen &&
       secure_compare(colon, s->password, plen) == 0;
  secure_wipe(cred, sizeof(cred));
  return ok;
}

static int
csrf_ok(const struct http_server *s, const char *token)
{
  return token && strlen(token) == HTTP_CSRF_HEX - 1 &&
         secure_compare(token, s->csrf, HTTP_CSRF_HEX - 1) == 0;
}

static int
is_safe_method(const char *m)
{
  return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ||
         strcmp(m, "OPTIONS") == 0;
}

/* ---- static files ------------------------------------------------------- */

static const char *
content_type_of(const char *name)
{
  static const char *const map[][2] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"}};
  const char *dot = strrchr(name, '.');
  size_t i;
  for (i = 0; dot && i < sizeof(map) / sizeof(map[0]); i++) {
    if (strcmp(dot, map[i][0]) == 0)
      return map[i][1];
  }
  return "application/octet-stream";
}

/* Embedded files are looked up by exact name, so no path can escape. */
static const struct embedded_file *
find_ui_file(const char *path)
{
  char name[512];
  unsigned long i;
  if (snprintf(name, sizeof(name), "ui%s", path) >= (int)sizeof(name))
    return NULL;
  for (i = 0; i < embedded_ui_count; i++) {
    if (strcmp(embedded_ui[i].name, name) == 0)
      return &embedded_ui[i];
  }
  return NULL;
}

/* index.html carries the CSRF token in a placeholder. */
static void
serve_index(struct http_req *req, const struct embedded_file *f)
{
  static const char mark[] = "{{CSRF_TOKEN}}";
  const char *text = (const char *)f->data, *at = strstr(text, mark);
  struct buf out;

  buf_init(&out, f->size + HTTP_CSRF_HEX);
  if (at == NULL ||
      buf_append(&out, text, (size_t)(at - text)) ||
      buf_append_str(&out, req->srv->csrf) ||
      buf_append_str(&out, at + sizeof(mark) - 1)) {
    http_reply_error(req, 500, "cannot build the page");
  } else {
    http_reply(req, 200, "text/html; charset=utf-8", out.data, out.len,
               "Cache-Control: no-store\r\n" HTTP_CSP);
  }
  buf_free(&out);
}

static int
serve_static(struct http_req *req)
{
  const char *path = http_req_path(req);
  const struct embedded_file *f;

  if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
    f = find_ui_file("/index.html");
    if (f == NULL)
      return 0;
    serve_index(req, f);
    return 1;
  }
  f = strcmp(path, "/index.html") != 0 ? find_ui_file(path) : NULL;
  if (f == NULL)
    return 0;
  http_reply(req, 200, content_type_of(f->name), f->data, f->size,
             "Cache-Control: no-cache\r\n");
  return 1;
}

/* ---- dispatch ----------------------------------------------------------- */

static const struct route *
match_route(const struct http_server *s, const char *method,
            const char *path, int *path_known)
{
  const struct route *best = NULL;
  int i;

  *path_known = 0;
  for (i = 0; i < s->nroutes; i++) {
    const struct route *r = &s->routes[i];
    if (strncmp(path, r->prefix, r->prefix_len) != 0)
      continue;
    *path_known = 1;
    if (strcmp(r->method, method) != 0 &&
        !(strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
      continue;
    if (best == NULL || r->prefix_len > best->prefix_len)
      best = r;
  }
  return best;
}

static int
begin_request(struct mg_connection *conn)
{
  const struct mg_request_info *ri = mg_get_request_info(conn);
  struct http_server *s = ri->user_data;
  struct http_req req;
  const struct route *route;
  int known;

  memset(&req, 0, sizeof(req));
  req.conn = conn;
  req.ri = ri;
  req.srv = s;
  req.head_only = strcmp(ri->request_method, "HEAD") == 0;
  buf_init(&req.body, HTTP_BODY_MAX_DEFAULT);

  if (!host_allowed(s, mg_get_header(conn, "Host"))) {
    http_reply_error(&req, 403, "this server does not answer to that Host "
                     "name");
    goto out;
  }
  if (!password_ok(s, mg_get_header(conn, "Authorization"))) {
    http_reply(&req, 401, "text/plain; charset=utf-8", "password needed\n",
               16, "WWW-Authenticate: Basic realm=\"Glowtalk\"\r\n");
    goto out;
  }
  if (!is_safe_method(ri->request_method) &&
      !csrf_ok(s, mg_get_header(conn, "X-CSRF-Token"))) {
    http_reply_error(&req, 403, "missing or wrong CSRF token: reload the "
                     "page");
    goto out;
  }
  route = match_route(s, ri->request_method, http_req_path(&req), &known);
  if (route) {
    req.route = route;
    req.body.max = route->body_max;
    route->cb(&req, route->arg);
    goto out;
  }
  if (is_safe_method(ri->request_method) && serve_static(&req))
    goto out;
  if (known)
    http_reply_error(&req, 405, "method %s not allowed here",
                     ri->request_method);
  else
    http_reply_error(&req, 404, "no such page: %s", http_req_path(&req));
out:
  buf_free(&req.body);
  return 1; /* handled: civetweb must not look for files on disk */
}

static int
log_message(const struct mg_connection *conn, const char *message)
{
  (void)conn;
  log_warn("%s", message);
  return 1;
}

int
http_start(const struct http_options *opts, struct http_server **out,
           char *errbuf, size_t errlen)
{
  struct mg_callbacks callbacks;
  struct mg_server_port ports[4];
  struct http_server *s;
  uint8_t token[HTTP_CSRF_BYTES];
  char listen[300], *host = NULL;
  const char *options[16];
  int port, n = 0, err;

  *out = NULL;
  if (config_split_hostport(opts->hostport, &host, &port)) {
    snprintf(errbuf, errlen, "bad UI address '%s'", opts->hostport);
    return ERR_INVAL;
  }
  s = xcalloc(1, sizeof(*s));
  s->host = host;
  s->loopback = is_loopback_host(host);
  if (opts->password && *opts->password)
    s->password = xstrdup(opts->password);
  if (!s->loopback && s->password == NULL) {
    snprintf(errbuf, errlen, "the UI on %s would be reachable from other "
             "machines: set ui-password (GLOWTALK_UI_PASSWORD) or bind "
             "127.0.0.1", opts->hostport);
    err = ERR_FORBIDDEN;
    goto fail;
  }
  secure_random(token, sizeof(token));
  hex_encode(s->csrf, token, sizeof(token));
  if (strchr(host, ':'))
    snprintf(listen, sizeof(listen), "[%s]:%d", host, port);
  else
    snprintf(listen, sizeof(listen), "%s:%d", host, port);
  options[n++] = "listening_ports";
  options[n++] = listen;
  options[n++] = "num_threads";
  options[n++] = HTTP_THREADS;
  options[n++] = "request_timeout_ms";
  options[n++] = "30000";
  options[n++] = "enable_keep_alive";
  options[n++] = "yes";
  /* Headers and body go out in two writes: without this, Nagle holds the
   * body until the client's delayed ACK (40 ms per answer). */
  options[n++] = "tcp_nodelay";
  options[n++] = "1";
  /* Only audio blobs are sent as files, and they are content-addressed. */
  options[n++] = "static_file_cache_control";
  options[n++] = "public, max-age=31536000, immutable";
  options[n] = NULL;
  memset(&callbacks, 0, sizeof(callbacks));
  callbacks.begin_request = begin_request;
  callbacks.log_message = log_message;
  mg_init_library(0);
  s->ctx = mg_start(&callbacks, s, options);
  if (s->ctx == NULL) {
    snprintf(errbuf, errlen, "cannot serve the UI on %s (is the port in "
             "use?)", opts->hostport);
    mg_exit_library();
    err = ERR_NET;
    goto fail;
  }
  memset(ports, 0, sizeof(ports));
  s->port = mg_get_server_ports(s->ctx, 4, ports) > 0 ? ports[0].port : port;
  log_info("web UI on http://%s:%d/", strchr(host, ':') ? "[::1]" : host,
           s->port);
  *out = s;
  return 0;

fail:
  xfree(s->password);
  xfree(s->host);
  xfree(s);
  return err;
}

void
http_stop(struct http_server **sp)
{
  struct http_server *s;
  int i;
  if (sp == NULL || *sp == NULL)
    return;
  s = *sp;
  mg_stop(s->ctx);
  mg_exit_library();
  for (i = 0; i < s->nroutes; i++)
    xfree(s->routes[i].prefix);
  if (s->password) {
    secure_wipe(s->password, strlen(s->password));
    xfree(s->password);
  }
  xfree(s->host);
  xfree(s);
  *sp = NULL;
}

int
http_port(const struct http_server *s)
{
  return s->port;
}
const char *
http_csrf_token(const struct http_server *s)
{
  return s->csrf;
}

void
http_route(struct http_server *s, const char *method, const char *prefix,
           size_t body_max, http_handler_cb cb, void *arg)
{
  struct route *r;
  if (s->nroutes >= HTTP_ROUTES_MAX || prefix[0] != '/') {
    log_error("%s: cannot add route %s %s", __func__, method, prefix);
    abort();
  }
  r = &s->routes[s->nroutes++];
  snprintf(r->method, sizeof(r->method), "%s", method);
  r->prefix = xstrdup(prefix);
  r->prefix_len = strlen(prefix);
  r->body_max = body_max ? body_max : HTTP_BODY_MAX_DEFAULT;
  r->cb = cb;
  r->arg = arg;
}
