/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The control socket DATA/control.sock: commands that change state talk to
 * the running daemon through it when there is one (DESIGN.md), so that one
 * process owns the node's feed and hears of every change at once.
 * Protocol: one request per connection, one JSON line each way:
 *   -> {"op": "NAME", "args": {...}}
 *   <- {"ok": true, "result": ...} | {"ok": false, "error": "..."}
 * The socket is only reachable by this user (mode 0600 by umask). */
#ifndef GLOWTALK_CONTROL_H
#define GLOWTALK_CONTROL_H

#include <stddef.h>

#include <uv.h>

#include "node/err.h"

struct json;
struct control_server;

#define CONTROL_SOCKET_NAME "control.sock"
#define CONTROL_MSG_MAX (4u << 20)   /* bytes of one request or reply */
#define CONTROL_IDLE_MS 30000        /* a silent client is dropped */
#define CONTROL_OPS_MAX 64

/* Handle one operation. Return the result (the server takes it and frees
 * it), or NULL with a one-line reason in errbuf. Runs on the loop thread. */
typedef struct json *(*control_op_cb)(const struct json *args, void *arg,
                                      char *errbuf, size_t errlen);

/* Listen on DIR/control.sock (replacing a stale socket: the caller holds
 * the data dir lock). Owes one control_server_close(). */
int control_server_start(uv_loop_t *loop, const char *dir,
                         struct control_server **out, char *errbuf,
                         size_t errlen) WARN_UNUSED;
/* Add an operation. Names are unique; call before requests arrive. */
void control_server_register(struct control_server *s, const char *op,
                             control_op_cb cb, void *arg);
/* Stop listening, drop open connections and remove the socket file. The
 * memory is released once libuv has closed the handles (run the loop). */
void control_server_close(struct control_server **s);

/* Client: call op on the daemon of dir, waiting at most timeout_ms.
 * ERR_NOT_FOUND when no daemon listens there (then act directly).
 * On success *result is the daemon's result (caller frees); on a refused
 * operation ERR_INVAL with the daemon's reason in errbuf. */
int control_call(const char *dir, const char *op, const struct json *args,
                 int timeout_ms, struct json **result, char *errbuf,
                 size_t errlen) WARN_UNUSED;

#endif
