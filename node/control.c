/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Control socket server (libuv pipe) and blocking client; see control.h. */
#define LOG_MODULE "control"
#include "node/control.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/buf.h"
#include "node/json.h"
#include "node/log.h"

struct op {
  char *name;
  control_op_cb cb;
  void *arg;
};

struct control_server {
  uv_pipe_t pipe;
  char *path;
  struct op ops[CONTROL_OPS_MAX];
  int nops;
  int nconns;   /* open client connections */
  int closing;
};

struct conn {
  uv_pipe_t pipe;
  uv_timer_t idle;
  struct control_server *srv;
  struct buf in;
  int handles_open; /* pipe and timer: free when both closed */
  int replied;
};

static void
maybe_free_server(struct control_server *s)
{
  int i;
  if (!s->closing || s->nconns > 0 || s->pipe.data != NULL)
    return;
  for (i = 0; i < s->nops; i++)
    xfree(s->ops[i].name);
  xfree(s->path);
  xfree(s);
}

static void
conn_handle_closed(uv_handle_t *h)
{
  struct conn *c = h->data;
  struct control_server *s;
  if (--c->handles_open > 0)
    return;
  s = c->srv;
  buf_free(&c->in);
  xfree(c);
  s->nconns--;
  maybe_free_server(s);
}

static void
conn_close(struct conn *c)
{
  if (!uv_is_closing((uv_handle_t *)&c->pipe)) {
    uv_close((uv_handle_t *)&c->pipe, conn_handle_closed);
    uv_close((uv_handle_t *)&c->idle, conn_handle_closed);
  }
}

struct write_req {
  uv_write_t req;
  char *text;
  struct conn *conn;
};

static void
on_written(uv_write_t *req, int status)
{
  struct write_req *w = (struct write_req *)req;
  (void)status;
  xfree(w->text);
  conn_close(w->conn);
  xfree(w);
}

static void
reply(struct conn *c, struct json *result, const char *error)
{
  struct json *o = json_new_object();
  struct write_req *w = xcalloc(1, sizeof(*w));
  uv_buf_t b;
  char *text;

  json_set_bool(o, "ok", result != NULL);
  if (result)
    json_set(o, "result", result);
  else
    json_set_str(o, "error", error);
  text = json_print(o, 0);
  json_free(o);
  w->text = xasprintf("%s\n", text);
  xfree(text);
  w->conn = c;
  c->replied = 1;
  b = uv_buf_init(w->text, (unsigned)strlen(w->text));
  if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, on_written) != 0) {
    xfree(w->text);
    xfree(w);
    conn_close(c);
  }
}

static void
dispatch(struct conn *c, const char *line, size_t len)
{
  char errbuf[512] = "";
  struct json *req, *result;
  const char *opname;
  int i;

  req = json_parse(line, len, errbuf, sizeof(errbuf));
  if (req == NULL) {
    reply(c, NULL, errbuf);
    return;
  }
  opname = json_get_str(req, "op");
  for (i = 0; opname && i < c->srv->nops; i++) {
    if (strcmp(c->srv->ops[i].name, opname) == 0)
      break;
  }
  if (opname == NULL || i == c->srv->nops) {
    snprintf(errbuf, sizeof(errbuf), "unknown operation '%s'",
             opname ? opname : "(none)");
    reply(c, NULL, errbuf);
  } else {
    result = c->srv->ops[i].cb(json_get(req, "args"), c->srv->ops[i].arg,
                               errbuf, sizeof(errbuf));
    reply(c, result, errbuf[0] ? errbuf : "operation failed");
  }
  json_free(req);
}

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
  (void)h;
  (void)suggested;
  b->base = xmalloc(65536);
  b->len = 65536;
}

static void
on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *b)
{
  struct conn *c = stream->data;
  char *nl;

  if (n > 0 && !c->replied) {
    if (buf_append(&c->in, b->base, (size_t)n) != 0) {
      uv_read_stop(stream);
      reply(c, NULL, "request too large");
    } else if ((nl = memchr(c->in.data, '\n', c->in.len)) != NULL) {
      uv_read_stop(stream);
      dispatch(c, c->in.data, (size_t)(nl - c->in.data));
    }
  } else if (n < 0 && !c->replied) {
    conn_close(c);
  }
  xfree(b->base);
}

static void
on_idle(uv_timer_t *t)
{
  struct conn *c = t->data;
  if (!c->replied)
    conn_close(c);
}

static void
on_connection(uv_stream_t *server, int status)
{
  struct control_server *s = server->data;
  struct conn *c;

  if (status < 0)
    return;
  c = xcalloc(1, sizeof(*c));
  c->srv = s;
  buf_init(&c->in, CONTROL_MSG_MAX);
  uv_pipe_init(server->loop, &c->pipe, 0);
  uv_timer_init(server->loop, &c->idle);
  c->pipe.data = c;
  c->idle.data = c;
  c->handles_open = 2;
  s->nconns++;
  if (uv_accept(server, (uv_stream_t *)&c->pipe) != 0 ||
      uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, on_read) != 0) {
    conn_close(c);
    return;
  }
  uv_timer_start(&c->idle, on_idle, CONTROL_IDLE_MS, 0);
}

static void
server_closed(uv_handle_t *h)
{
  struct control_server *s = h->data;
  s->pipe.data = NULL;
  maybe_free_server(s);
}

int
control_server_start(uv_loop_t *loop, const char *dir,
                     struct control_server **out, char *errbuf,
                     size_t errlen)
{
  struct control_server *s;
  int err;

  *out = NULL;
  s = xcalloc(1, sizeof(*s));
  s->path = xasprintf("%s/%s", dir, CONTROL_SOCKET_NAME);
  if (strlen(s->path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
    snprintf(errbuf, errlen, "data dir path is too long for a unix socket "
             "(%s)", s->path);
    err = ERR_TOO_BIG;
    goto fail;
  }
  unlink(s->path); /* stale from a killed daemon; we hold the lock */
  uv_pipe_init(loop, &s->pipe, 0);
  s->pipe.data = s;
  err = uv_pipe_bind(&s->pipe, s->path);
  if (!err)
    err = uv_listen((uv_stream_t *)&s->pipe, 16, on_connection);
  if (err) {
    snprintf(errbuf, errlen, "cannot listen on %s: %s", s->path,
             uv_strerror(err));
    /* The handle is initialised: free s in its close callback (E8). */
    s->closing = 1;
    uv_close((uv_handle_t *)&s->pipe, server_closed);
    return err;
  }
  *out = s;
  return 0;

fail:
  xfree(s->path);
  xfree(s);
  return err;
}

void
control_server_register(struct control_server *s, const char *op,
                        control_op_cb cb, void *arg)
{
  if (s->nops >= CONTROL_OPS_MAX) {
    log_error("%s: too many operations", __func__);
    abort();
  }
  s->ops[s->nops].name = xstrdup(op);
  s->ops[s->nops].cb = cb;
  s->ops[s->nops].arg = arg;
  s->nops++;
}

void
control_server_close(struct control_server **sp)
{
  struct control_server *s;
  if (sp == NULL || *sp == NULL)
    return;
  s = *sp;
  *sp = NULL;
  s->closing = 1;
  unlink(s->path);
  uv_close((uv_handle_t *)&s->pipe, server_closed);
}

/* ---- client ------------------------------------------------------------- */

static long
now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
control_call(const char *dir, const char *op, const struct json *args,
             int timeout_ms, struct json **result, char *errbuf,
             size_t errlen)
{
  struct sockaddr_un addr;
  struct json *req, *resp = NULL;
  struct buf in;
  char *text = NULL, *line = NULL, chunk[65536];
  long deadline = now_ms() + timeout_ms;
  size_t off, len;
  int fd = -1, err = 0;

  *result = NULL;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  if (snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", dir,
               CONTROL_SOCKET_NAME) >= (int)sizeof(addr.sun_path))
    return ERR_NOT_FOUND;
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    close(fd);
    return ERR_NOT_FOUND; /* no socket, or a stale one: no daemon */
  }
  buf_init(&in, CONTROL_MSG_MAX);
  req = json_new_object();
  json_set_str(req, "op", op);
  if (args)
    json_set(req, "args", json_dup(args));
  text = json_print(req, 0);
  json_free(req);
  line = xasprintf("%s\n", text);
  len = strlen(line);
  for (off = 0; off < len;) {
    ssize_t n = write(fd, line + off, len - off);
    if (n < 0) {
      err = ERR_NET;
      snprintf(errbuf, errlen, "daemon closed the control socket");
      goto out;
    }
    off += (size_t)n;
  }
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    long left = deadline - now_ms();
    ssize_t n;
    if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
      err = ERR_TIMEOUT;
      snprintf(errbuf, errlen, "the daemon did not answer in %d ms",
               timeout_ms);
      goto out;
    }
    n = read(fd, chunk, sizeof(chunk));
    if (n <= 0)
      break;
    if (buf_append(&in, chunk, (size_t)n)) {
      err = ERR_TOO_BIG;
      snprintf(errbuf, errlen, "the daemon's answer is too large");
      goto out;
    }
    if (memchr(in.data, '\n', in.len))
      break;
  }
  resp = in.len ? json_parse(in.data, in.len, errbuf, errlen) : NULL;
  if (resp == NULL) {
    err = ERR_PARSE;
    if (in.len == 0)
      snprintf(errbuf, errlen, "the daemon closed the connection");
    goto out;
  }
  if (!json_is_true(json_get(resp, "ok"))) {
    err = ERR_INVAL;
    snprintf(errbuf, errlen, "%s", json_get_str(resp, "error")
                                       ? json_get_str(resp, "error")
                                       : "the daemon refused");
    goto out;
  }
  *result = json_dup(json_get(resp, "result"));
out:
  json_free(resp);
  buf_free(&in);
  xfree(text);
  xfree(line);
  close(fd);
  return err;
}
