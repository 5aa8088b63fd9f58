/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The control socket: a real libuv server in a thread, the blocking client
 * in the test's thread. */
#include "tests/unit/task.h"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/control.h"
#include "node/json.h"

struct server_thread {
  uv_loop_t loop;
  uv_async_t stop;
  struct control_server *srv;
  pthread_t thread;
  int calls;
};

static struct json *
op_echo(const struct json *args, void *arg, char *errbuf, size_t errlen)
{
  struct server_thread *st = arg;
  struct json *o;
  st->calls++;
  if (json_get_str(args, "fail")) {
    snprintf(errbuf, errlen, "refused: %s", json_get_str(args, "fail"));
    return NULL;
  }
  o = json_new_object();
  json_set_str(o, "echo", json_get_str(args, "text"));
  return o;
}

static void
on_stop(uv_async_t *a)
{
  struct server_thread *st = a->data;
  control_server_close(&st->srv);
  uv_close((uv_handle_t *)&st->stop, NULL);
}

static void *
run_loop(void *arg)
{
  struct server_thread *st = arg;
  uv_run(&st->loop, UV_RUN_DEFAULT);
  return NULL;
}

static void
start(struct server_thread *st, const char *dir)
{
  char err[256];
  memset(st, 0, sizeof(*st));
  ASSERT_OK(uv_loop_init(&st->loop));
  ASSERT_OK(control_server_start(&st->loop, dir, &st->srv, err,
                                 sizeof(err)));
  control_server_register(st->srv, "echo", op_echo, st);
  ASSERT_OK(uv_async_init(&st->loop, &st->stop, on_stop));
  st->stop.data = st;
  ASSERT_OK(pthread_create(&st->thread, NULL, run_loop, st));
}

static void
stop(struct server_thread *st)
{
  uv_async_send(&st->stop);
  pthread_join(st->thread, NULL);
  ASSERT_OK(uv_loop_close(&st->loop));
}

TEST_IMPL(control_call_roundtrip)
{
  char *dir = test_mkdtemp();
  struct server_thread st;
  struct json *args, *res = NULL;
  char err[256];
  long live;

  live = alloc_live_count();
  args = json_new_object();
  start(&st, dir);
  json_set_str(args, "text", "h\xc3\xa9llo");
  ASSERT_OK(control_call(dir, "echo", args, 5000, &res, err, sizeof(err)));
  ASSERT_STR_EQ(json_get_str(res, "echo"), "h\xc3\xa9llo");
  json_free(res);
  res = NULL;
  ASSERT_EQ(control_call(dir, "nope", args, 5000, &res, err, sizeof(err)),
            ERR_INVAL);
  ASSERT_CONTAINS(err, "unknown operation 'nope'");
  json_set_str(args, "fail", "no way");
  ASSERT_EQ(control_call(dir, "echo", args, 5000, &res, err, sizeof(err)),
            ERR_INVAL);
  ASSERT_STR_EQ(err, "refused: no way");
  ASSERT_NULL(res);
  ASSERT_EQ(st.calls, 2);
  stop(&st);
  /* The server released everything once the loop closed its handles. */
  json_free(args);
  ASSERT_EQ(alloc_live_count(), live);
  /* No daemon: the socket file is gone. */
  ASSERT_EQ(control_call(dir, "echo", NULL, 1000, &res, err, sizeof(err)),
            ERR_NOT_FOUND);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(control_rejects_garbage_and_oversize)
{
  char *dir = test_mkdtemp();
  struct server_thread st;
  struct sockaddr_un addr;
  char reply[512], *big;
  ssize_t n;
  size_t i;
  int fd;

  start(&st, dir);
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/control.sock", dir);
  /* Not JSON: an error reply, the server lives on. */
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_OK(connect(fd, (struct sockaddr *)&addr, sizeof(addr)));
  ASSERT_EQ(write(fd, "{nope\n", 6), 6);
  n = read(fd, reply, sizeof(reply) - 1);
  ASSERT_GT(n, 0);
  reply[n] = '\0';
  ASSERT_CONTAINS(reply, "\"ok\":false");
  close(fd);
  /* Over the cap without a newline: refused, not buffered forever. */
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_OK(connect(fd, (struct sockaddr *)&addr, sizeof(addr)));
  big = malloc(1 << 20);
  memset(big, 'x', 1 << 20);
  for (i = 0; i < (CONTROL_MSG_MAX >> 20) + 1; i++) {
    if (write(fd, big, 1 << 20) < 0)
      break;
  }
  n = read(fd, reply, sizeof(reply) - 1);
  ASSERT_GT(n, 0);
  reply[n] = '\0';
  ASSERT_CONTAINS(reply, "too large");
  close(fd);
  free(big);
  ASSERT_EQ(st.calls, 0);
  stop(&st);
  test_rmdir(dir);
  return 0;
}
