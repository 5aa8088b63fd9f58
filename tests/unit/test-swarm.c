/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The swarm's connection layer with real loopback sockets: several swarm
 * instances on one libuv loop in one process. */
#include "tests/unit/task.h"

#include <uv.h>

#include "crypto/identity.h"
#include "node/alloc.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/peer.h"
#include "node/swarm.h"
#include "tests/support/swarmh.h"

#define T_WAIT_MS 5000 /* longest wait for any condition */
#define T_POLL_MS 5    /* conditions are looked at this often */

static char *engines[] = {"espeak-ng", "sleep"};
static struct wire_hello hello = {0, NULL, 0, engines, 2, NULL, 0,
                                  "glowtalk test"};

/* A node of these tests: fast pings and timeouts, a Hello with engines. */
static void
tnode_init(struct swarmh_node *t, uint8_t seed_byte, uint8_t net_byte)
{
  swarmh_node_init(t, seed_byte, net_byte);
  t->opts.hello = &hello;
  t->opts.ping_ms = 100;
  t->opts.idle_ms = 1000;
  t->opts.handshake_ms = 1000;
}

struct pair {
  struct swarmh_node *a, *b;
};

static int
both_connected(void *arg)
{
  struct pair *p = arg;
  return swarm_connected(p->a->sw) == 1 && swarm_connected(p->b->sw) == 1;
}

static int
both_settled(void *arg)
{
  struct pair *p = arg;
  return both_connected(arg) && swarm_connections(p->a->sw) == 1 &&
         swarm_connections(p->b->sw) == 1;
}

static int
none_open(void *arg)
{
  struct pair *p = arg;
  return swarm_connections(p->a->sw) == 0 &&
         swarm_connections(p->b->sw) == 0;
}

TEST_IMPL(swarm_handshake_hello_ping)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  struct pair pr = {&a, &b};
  struct peer_stats st;
  struct peer *p;
  struct json *peers;
  char *text, id[IDENTITY_ID_HEX];

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  swarmh_start(&a);
  swarmh_start(&b);
  ASSERT_GT(swarm_port(a.sw), 0);
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), a.addr));
  ASSERT(swarmh_run_until(both_settled, &pr, T_WAIT_MS));
  ASSERT_EQ(a.ups, 1);
  ASSERT_EQ(b.ups, 1);
  ASSERT_GE(a.member_calls, 1);
  p = swarm_peer(a.sw, swarmh_pub(&b));
  ASSERT_NOT_NULL(p);
  ASSERT_EQ(peer_is_client(p), 0);
  ASSERT_OK(memcmp(peer_key(p), swarmh_pub(&b), IDENTITY_PUBLIC_BYTES));
  ASSERT_NOT_NULL(peer_hello(p));
  ASSERT_EQ(peer_hello(p)->protocol_version, WIRE_PROTOCOL_VERSION);
  ASSERT_STR_EQ(peer_hello(p)->software_version, "glowtalk test");
  ASSERT_EQ(peer_hello(p)->n_engines, 2);
  ASSERT_STR_EQ(peer_hello(p)->engines[1], "sleep");
  /* Keep-alive: with ping 100 ms and idle 1000 ms the link outlives many
   * idle periods of silence from the application. */
  swarmh_sleep(1500);
  ASSERT(both_settled(&pr));
  peer_get_stats(swarm_peer(b.sw, swarmh_pub(&a)), &st);
  ASSERT_GE(st.frames_in, 5);
  ASSERT_GE(st.frames_out, 5);
  ASSERT_GT(st.bytes_in, 0);
  /* The peer table. */
  peers = swarm_peers_json(a.sw);
  text = json_print(peers, 0);
  hex_encode(id, swarmh_pub(&b), IDENTITY_PUBLIC_BYTES);
  ASSERT_CONTAINS(text, id);
  ASSERT_CONTAINS(text, "\"connected\":true");
  ASSERT_CONTAINS(text, "\"direction\":\"in\"");
  xfree(text);
  json_free(peers);
  ASSERT_EQ(a.downs, 0);
  swarmh_finish(all, 2);
  return 0;
}

struct watch {
  struct swarmh_node *t;
  int max_conns;
};

static int
watch_gone(void *arg)
{
  struct watch *w = arg;
  int n = swarm_connections(w->t->sw);
  if (n > w->max_conns)
    w->max_conns = n;
  return w->max_conns > 0 && n == 0;
}

TEST_IMPL(swarm_wrong_network_key_refused)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  struct pair pr = {&a, &b};
  struct watch w = {&b, 0};

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 8); /* another network */
  b.opts.backoff_min_ms = 10000;
  swarmh_start(&a);
  swarmh_start(&b);
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), a.addr));
  w.max_conns = swarm_connections(b.sw); /* the dial in flight */
  ASSERT_EQ(w.max_conns, 1);
  ASSERT(swarmh_run_until(watch_gone, &w, T_WAIT_MS));
  ASSERT(swarmh_run_until(none_open, &pr, T_WAIT_MS));
  ASSERT_EQ(swarm_connected(a.sw), 0);
  ASSERT_EQ(swarm_connected(b.sw), 0);
  ASSERT_EQ(a.member_calls, 0); /* refused at msg 1, before any key */
  ASSERT_EQ(a.ups + b.ups, 0);
  swarmh_finish(all, 2);
  return 0;
}

TEST_IMPL(swarm_non_member_refused)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  struct pair pr = {&a, &b};
  struct watch w = {&b, 0};

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  a.refuse_all = 1;
  b.opts.backoff_min_ms = 10000;
  swarmh_start(&a);
  swarmh_start(&b);
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), a.addr));
  w.max_conns = swarm_connections(b.sw); /* the dial in flight */
  ASSERT_EQ(w.max_conns, 1);
  ASSERT(swarmh_run_until(watch_gone, &w, T_WAIT_MS));
  ASSERT(swarmh_run_until(none_open, &pr, T_WAIT_MS));
  ASSERT_EQ(a.member_calls, 1);
  ASSERT_EQ(a.ups + b.ups, 0);
  swarmh_finish(all, 2);
  return 0;
}

struct trio {
  struct swarmh_node *a, *b, *c;
};

static int
trio_up(void *arg)
{
  struct trio *t = arg;
  return swarm_connected(t->a->sw) == 2 && swarm_connected(t->b->sw) == 1 &&
         swarm_connected(t->c->sw) == 1;
}

static int
b_dropped(void *arg)
{
  struct trio *t = arg;
  return t->a->downs > 0 && t->b->downs > 0;
}

TEST_IMPL(swarm_garbage_and_oversized_frames_drop_peer)
{
  struct swarmh_node a, b, c, *all[] = {&a, &b, &c};
  struct trio tr = {&a, &b, &c};
  /* A frame whose body is field 20 (a kind this build does not know). */
  static const uint8_t unknown[] = {0xa2, 0x01, 0x00};
  static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x42};
  static const uint8_t huge[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
  struct peer_stats st;
  struct peer *p;

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  tnode_init(&c, 3, 7);
  swarmh_start(&a);
  swarmh_start(&b);
  swarmh_start(&c);
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), a.addr));
  ASSERT_OK(swarm_add_peer(c.sw, swarmh_pub(&a), a.addr));
  ASSERT(swarmh_run_until(trio_up, &tr, T_WAIT_MS));

  /* Unknown kinds are ignored, not fatal. */
  ASSERT_OK(peer_test_send_plain(swarm_peer(b.sw, swarmh_pub(&a)), unknown,
                                 sizeof(unknown)));
  swarmh_sleep(200);
  ASSERT(trio_up(&tr));
  ASSERT_EQ(a.downs, 0);

  /* Garbage protobuf in a valid encrypted frame: B is dropped. */
  ASSERT_OK(peer_test_send_plain(swarm_peer(b.sw, swarmh_pub(&a)), garbage,
                                 sizeof(garbage)));
  ASSERT(swarmh_run_until(b_dropped, &tr, T_WAIT_MS));
  ASSERT_EQ(swarm_connected(c.sw), 1);
  ASSERT_EQ(c.downs, 0);
  /* B redials and is served again. */
  ASSERT(swarmh_run_until(trio_up, &tr, T_WAIT_MS));

  /* A length prefix far over the cap: dropped before any allocation. */
  a.downs = b.downs = 0;
  ASSERT_OK(peer_test_send_raw(swarm_peer(b.sw, swarmh_pub(&a)), huge,
                               sizeof(huge)));
  ASSERT(swarmh_run_until(b_dropped, &tr, T_WAIT_MS));
  ASSERT_EQ(c.downs, 0);
  /* C was served throughout: its link is up and frames keep flowing. */
  p = swarm_peer(c.sw, swarmh_pub(&a));
  ASSERT_NOT_NULL(p);
  peer_get_stats(p, &st);
  swarmh_sleep(300);
  ASSERT_EQ(swarm_peer(c.sw, swarmh_pub(&a)), p);
  {
    struct peer_stats st2;
    peer_get_stats(p, &st2);
    ASSERT_GT(st2.frames_in, st.frames_in);
  }
  ASSERT(swarmh_run_until(trio_up, &tr, T_WAIT_MS));
  swarmh_finish(all, 3);
  return 0;
}

/* Slow reader: B stops reading; A fills its queue until peer_can_send()
 * says no, B resumes and A hears the queue drained; then B stops again and
 * A, sending regardless, drops B at the hard cap. */
struct flood {
  struct swarmh_node *a, *b;
  uv_idle_t idle;
  int respect;        /* stop when peer_can_send() says no */
  int blocked;        /* peer_can_send() said no */
  int send_failed;    /* peer_send returned ERR_TOO_BIG */
  size_t max_queued;
};

static uint8_t pad[64 * 1024];

static void
on_flood(uv_idle_t *h)
{
  struct flood *f = h->data;
  struct peer *p = swarm_peer(f->a->sw, swarmh_pub(f->b));
  struct wire_frame fr;
  struct peer_stats st;

  if (p == NULL)
    return;
  if (!peer_can_send(p)) {
    f->blocked = 1;
    if (f->respect)
      return;
  }
  memset(&fr, 0, sizeof(fr));
  fr.kind = WIRE_PING;
  fr.u.ping.padding = pad;
  fr.u.ping.padding_len = sizeof(pad);
  if (peer_send(p, &fr) == ERR_TOO_BIG) {
    f->send_failed = 1;
    return;
  }
  peer_get_stats(p, &st);
  if (st.queued > f->max_queued)
    f->max_queued = st.queued;
}

static int
flood_blocked(void *arg)
{
  return ((struct flood *)arg)->blocked;
}

static int
flood_drained(void *arg)
{
  return ((struct flood *)arg)->a->drained > 0;
}

static int
flood_dropped(void *arg)
{
  struct flood *f = arg;
  return f->send_failed && swarm_peer(f->a->sw, swarmh_pub(f->b)) == NULL;
}

TEST_IMPL(swarm_slow_reader_backpressure_then_drop)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  struct pair pr = {&a, &b};
  struct flood f;

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  a.opts.queue_soft = 256 * 1024;
  a.opts.queue_hard = 1024 * 1024;
  a.opts.idle_ms = b.opts.idle_ms = 5000;
  b.opts.backoff_min_ms = 10000; /* no redial during the test */
  swarmh_start(&a);
  swarmh_start(&b);
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), a.addr));
  ASSERT(swarmh_run_until(both_settled, &pr, T_WAIT_MS));

  memset(&f, 0, sizeof(f));
  f.a = &a;
  f.b = &b;
  f.respect = 1;
  peer_read_stop(swarm_peer(b.sw, swarmh_pub(&a)));
  uv_idle_init(swarmh_loop(), &f.idle);
  f.idle.data = &f;
  uv_idle_start(&f.idle, on_flood);
  ASSERT(swarmh_run_until(flood_blocked, &f, T_WAIT_MS));
  ASSERT_LE(f.max_queued, a.opts.queue_soft + sizeof(pad) + 64);
  ASSERT_EQ(a.drained, 0);
  uv_idle_stop(&f.idle);
  /* B reads again: A's queue drains and A is told. */
  peer_read_start(swarm_peer(b.sw, swarmh_pub(&a)));
  ASSERT(swarmh_run_until(flood_drained, &f, T_WAIT_MS));
  ASSERT(both_connected(&pr));

  /* B stops for good; A ignores back-pressure and hits the hard cap. */
  peer_read_stop(swarm_peer(b.sw, swarmh_pub(&a)));
  f.respect = 0;
  uv_idle_start(&f.idle, on_flood);
  ASSERT(swarmh_run_until(flood_dropped, &f, T_WAIT_MS));
  ASSERT_LE(f.max_queued, a.opts.queue_hard);
  ASSERT_EQ(a.downs, 1);
  uv_close((uv_handle_t *)&f.idle, NULL);
  swarmh_finish(all, 2);
  return 0;
}

TEST_IMPL(swarm_duplicate_connections_settle)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  struct pair pr = {&a, &b};
  struct json *pa, *pb;
  const char *da, *db;
  int a_smaller;

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  swarmh_start(&a);
  swarmh_start(&b);
  /* Both dial each other at once. */
  ASSERT_OK(swarm_add_peer(a.sw, swarmh_pub(&b), b.addr));
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), a.addr));
  ASSERT(swarmh_run_until(both_settled, &pr, T_WAIT_MS));
  swarmh_sleep(500); /* nothing flaps afterwards */
  ASSERT(both_settled(&pr));
  pa = swarm_peers_json(a.sw);
  pb = swarm_peers_json(b.sw);
  da = json_get_str(json_at(pa, 0), "direction");
  db = json_get_str(json_at(pb, 0), "direction");
  a_smaller = memcmp(swarmh_pub(&a), swarmh_pub(&b), IDENTITY_PUBLIC_BYTES) < 0;
  /* The kept connection is the one the smaller key dialled, on both. */
  ASSERT_STR_EQ(da, a_smaller ? "out" : "in");
  ASSERT_STR_EQ(db, a_smaller ? "in" : "out");
  ASSERT_EQ(a.downs, 0);
  ASSERT_EQ(b.downs, 0);
  json_free(pa);
  json_free(pb);
  swarmh_finish(all, 2);
  return 0;
}

TEST_IMPL(swarm_self_connection_refused)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  struct watch w = {&a, 0};

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  a.opts.backoff_min_ms = 10000;
  swarmh_start(&a);
  swarmh_start(&b);
  ASSERT_EQ(swarm_add_peer(a.sw, swarmh_pub(&a), a.addr), ERR_INVAL);
  ASSERT_EQ(swarm_add_peer(a.sw, swarmh_pub(&b), "not an address"), ERR_INVAL);
  ASSERT_EQ(swarm_add_peer(a.sw, swarmh_pub(&b), "bad_name:9"), ERR_INVAL);
  ASSERT_EQ(swarm_add_peer(a.sw, swarmh_pub(&b), "name:0"), ERR_INVAL);
  /* Our own address under another node's key: the handshake fails (we
   * cannot open a box meant for B), so we never talk to ourselves. */
  ASSERT_OK(swarm_add_peer(a.sw, swarmh_pub(&b), a.addr));
  w.max_conns = swarm_connections(a.sw);
  ASSERT_EQ(w.max_conns, 1);
  ASSERT(swarmh_run_until(watch_gone, &w, T_WAIT_MS));
  ASSERT_EQ(swarm_connected(a.sw), 0);
  ASSERT_EQ(a.ups, 0);
  swarmh_finish(all, 2);
  return 0;
}

static int
b_down(void *arg)
{
  struct pair *p = arg;
  return swarm_connected(p->b->sw) == 0;
}

TEST_IMPL(swarm_reconnect_after_restart)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  struct pair pr = {&a, &b};
  struct json *peers;
  int64_t connects = 0;
  char listen[64];

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  swarmh_start(&a);
  swarmh_start(&b);
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), a.addr));
  ASSERT(swarmh_run_until(both_settled, &pr, T_WAIT_MS));
  /* A goes away; B notices and keeps redialling with backoff. */
  swarmh_stop(&a);
  ASSERT(swarmh_run_until(b_down, &pr, T_WAIT_MS));
  ASSERT_EQ(b.downs, 1);
  swarmh_sleep(400); /* several failed dials at 20..200 ms */
  ASSERT_EQ(swarm_connected(b.sw), 0);
  /* A comes back on the same port. */
  snprintf(listen, sizeof(listen), "%s", a.addr);
  a.opts.listen = listen;
  swarmh_start(&a);
  ASSERT(swarmh_run_until(both_settled, &pr, T_WAIT_MS));
  peers = swarm_peers_json(b.sw);
  ASSERT_OK(json_int(json_get(json_at(peers, 0), "connects"), &connects));
  ASSERT_EQ(connects, 2);
  json_free(peers);
  ASSERT_EQ(b.ups, 2);
  swarmh_finish(all, 2);
  return 0;
}

TEST_IMPL(swarm_idle_timeout)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  struct pair pr = {&a, &b}, q = {&b, &a};
  struct peer *p;
  uint64_t t0;

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  a.opts.ping_ms = 100;
  a.opts.idle_ms = 400;
  b.opts.ping_ms = 60000; /* B never pings on its own */
  b.opts.idle_ms = 60000;
  b.opts.backoff_min_ms = 10000;
  swarmh_start(&a);
  swarmh_start(&b);
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), a.addr));
  ASSERT(swarmh_run_until(both_settled, &pr, T_WAIT_MS));
  /* While B answers A's pings, the link stays up past the idle time. */
  swarmh_sleep(800);
  ASSERT_EQ(swarm_connected(a.sw), 1);
  /* B goes silent (reads nothing, so answers nothing): A drops it. */
  p = swarm_peer(b.sw, swarmh_pub(&a));
  peer_read_stop(p);
  uv_update_time(swarmh_loop());
  t0 = uv_now(swarmh_loop());
  ASSERT(swarmh_run_until(b_down, &q, T_WAIT_MS)); /* b_down of q: A's side */
  /* A's idle clock started at B's last answer, up to one ping (100 ms)
   * before t0, and libuv timers round to the millisecond. */
  ASSERT_GE(uv_now(swarmh_loop()) - t0, 250);
  ASSERT_EQ(a.downs, 1);
  swarmh_finish(all, 2);
  return 0;
}

TEST_IMPL(swarm_other_protocol_version_refused)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  struct pair pr = {&a, &b};
  struct watch w = {&b, 0};
  struct wire_hello v2 = hello;

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  v2.protocol_version = WIRE_PROTOCOL_VERSION + 1;
  b.opts.hello = &v2;
  b.opts.backoff_min_ms = 10000;
  swarmh_start(&a);
  swarmh_start(&b);
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), a.addr));
  w.max_conns = swarm_connections(b.sw);
  ASSERT(swarmh_run_until(watch_gone, &w, T_WAIT_MS));
  ASSERT(swarmh_run_until(none_open, &pr, T_WAIT_MS));
  ASSERT_EQ(a.member_calls, 1); /* the handshake itself succeeded */
  ASSERT_EQ(a.ups, 0); /* A never went ready with a v2 peer */
  /* B (a v2 peer built from v1 code) may have accepted A's Hello, but A's
   * Goodbye{VERSION} closed it. */
  ASSERT_EQ(b.ups, b.downs);
  ASSERT_EQ(swarm_connected(b.sw), 0);
  swarmh_finish(all, 2);
  return 0;
}

/* A raw TCP client that connects and never speaks. */
struct silent {
  uv_tcp_t tcp;
  uv_connect_t req;
  int connected, eof, closed;
};

static void
silent_alloc(uv_handle_t *h, size_t n, uv_buf_t *b)
{
  static char buf[256];
  (void)h;
  (void)n;
  *b = uv_buf_init(buf, sizeof(buf));
}

static void
silent_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
  struct silent *c = s->data;
  (void)b;
  if (n < 0)
    c->eof = 1;
}

static void
silent_connected(uv_connect_t *req, int status)
{
  struct silent *c = req->data;
  ASSERT_OK(status);
  c->connected = 1;
  ASSERT_OK(uv_read_start((uv_stream_t *)&c->tcp, silent_alloc,
                          silent_read));
}

static int
silent_dropped(void *arg)
{
  return ((struct silent *)arg)->eof;
}

TEST_IMPL(swarm_handshake_timeout)
{
  struct swarmh_node a, *all[] = {&a};
  struct sockaddr_in sa;
  struct silent c;
  uint64_t t0;

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  a.opts.handshake_ms = 300;
  swarmh_start(&a);
  memset(&c, 0, sizeof(c));
  ASSERT_OK(uv_ip4_addr("127.0.0.1", swarm_port(a.sw), &sa));
  ASSERT_OK(uv_tcp_init(swarmh_loop(), &c.tcp));
  c.tcp.data = &c;
  c.req.data = &c;
  ASSERT_OK(uv_tcp_connect(&c.req, &c.tcp, (struct sockaddr *)&sa,
                           silent_connected));
  uv_update_time(swarmh_loop());
  t0 = uv_now(swarmh_loop());
  swarmh_sleep(100);
  ASSERT(c.connected);
  ASSERT_EQ(swarm_connections(a.sw), 1);
  ASSERT(swarmh_run_until(silent_dropped, &c, T_WAIT_MS));
  ASSERT_GE(uv_now(swarmh_loop()) - t0, 300);
  ASSERT_EQ(swarm_connections(a.sw), 0);
  ASSERT_EQ(a.member_calls, 0);
  uv_close((uv_handle_t *)&c.tcp, NULL);
  swarmh_finish(all, 1);
  return 0;
}

TEST_IMPL(swarm_dial_by_name)
{
  struct swarmh_node a, b, c, *all[] = {&a, &b, &c};
  struct pair pr = {&a, &b};
  char name[64];

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  tnode_init(&c, 3, 7); /* never started: only its key is used */
  swarmh_start(&a);
  swarmh_start(&b);
  snprintf(name, sizeof(name), "localhost:%d", swarm_port(a.sw));
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), name));
  ASSERT(swarmh_run_until(both_settled, &pr, T_WAIT_MS));
  /* Closing with a lookup in flight cancels or waits for it (a node
   * with a name is looked up before each dial). */
  ASSERT_OK(swarm_add_peer(a.sw, swarmh_pub(&c), "localhost:1"));
  swarmh_finish(all, 3);
  return 0;
}

#define SILENT_EXTRA 10 /* silent sockets past SWARM_PENDING_MAX */

struct crowd {
  struct silent c[SWARM_PENDING_MAX + SILENT_EXTRA];
  int n;
};

static int
crowd_in(void *arg)
{
  struct crowd *cr = arg;
  int i, up = 0, gone = 0;
  for (i = 0; i < cr->n; i++) {
    up += cr->c[i].connected;
    gone += cr->c[i].eof;
  }
  return up == cr->n && gone >= SILENT_EXTRA;
}

/* Silent TCP sockets (anyone can open them, no key needed) past
 * SWARM_PENDING_MAX close the oldest handshakes instead of locking
 * members out: a member still connects at once. */
TEST_IMPL(swarm_silent_sockets_evicted)
{
  struct swarmh_node a, b, *all[] = {&a, &b};
  struct pair pr = {&a, &b};
  struct sockaddr_in sa;
  static struct crowd cr;
  char addr[64];
  int i, gone = 0;

  swarmh_setup(T_POLL_MS);
  tnode_init(&a, 1, 7);
  tnode_init(&b, 2, 7);
  swarmh_start(&a);
  swarmh_start(&b);
  memset(&cr, 0, sizeof(cr));
  cr.n = SWARM_PENDING_MAX + SILENT_EXTRA;
  ASSERT_OK(uv_ip4_addr("127.0.0.1", swarm_port(a.sw), &sa));
  for (i = 0; i < cr.n; i++) {
    struct silent *c = &cr.c[i];
    ASSERT_OK(uv_tcp_init(swarmh_loop(), &c->tcp));
    c->tcp.data = c;
    c->req.data = c;
    ASSERT_OK(uv_tcp_connect(&c->req, &c->tcp, (struct sockaddr *)&sa,
                             silent_connected));
    swarmh_sleep(2); /* in order: the first ones are the oldest */
  }
  ASSERT(swarmh_run_until(crowd_in, &cr, T_WAIT_MS));
  for (i = 0; i < SILENT_EXTRA; i++)
    gone += cr.c[i].eof;
  ASSERT_EQ(gone, SILENT_EXTRA); /* the oldest went */
  snprintf(addr, sizeof(addr), "127.0.0.1:%d", swarm_port(a.sw));
  ASSERT_OK(swarm_add_peer(b.sw, swarmh_pub(&a), addr));
  ASSERT(swarmh_run_until(both_connected, &pr, T_WAIT_MS));
  for (i = 0; i < cr.n; i++)
    uv_close((uv_handle_t *)&cr.c[i].tcp, NULL);
  swarmh_finish(all, 2);
  return 0;
}
