/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The swarm's connection layer over node/peer.c: listener, dialler with
 * backoff, membership check, duplicate rule, peer table, frame dispatch.
 * See swarm.h and node/SWARM.md. */
#define LOG_MODULE "swarm"
#include "node/swarm.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/config.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/log.h"
#include "node/peer.h"

struct node;

/* One connection the swarm holds, in any state. */
struct conn {
  struct peer *p;
  struct swarm *s;
  struct node *node;   /* client: from the start; server: once ready */
  struct conn *next;   /* s->conns list */
  struct conn **pprev;
  int superseded;      /* closed as the losing duplicate */
  int join;            /* a join-plane connection (never a node's) */
  uint64_t started_ms; /* uv_now() when accepted */
  int evicted;         /* closed to make room for a newer handshake */
};

/* A node of the peer table. */
struct node {
  uv_timer_t redial;           /* data = this; closed with the swarm */
  struct swarm *s;
  uint8_t pub[IDENTITY_PUBLIC_BYTES];
  char id[IDENTITY_ID_HEX];
  char *hostport;              /* where to dial it, or NULL */
  struct sockaddr_storage addr; /* hostport resolved (numeric: at once) */
  int numeric;                 /* hostport is IP:PORT, addr is set */
  uv_getaddrinfo_t gai;        /* name lookup, while resolving */
  int resolving;
  struct conn *active;         /* the one connection in use */
  struct conn *dialing;        /* our dial in flight */
  uint64_t backoff_ms;         /* next redial delay before jitter */
  unsigned connects;           /* connections that became ready */
  uint64_t last_seen;          /* wall ms of the last frame, 0: never */
  uint64_t done_in, done_out;  /* bytes of closed connections */
  uint64_t sample_in, sample_out, sample_ms;
  double rate_in, rate_out;    /* bytes/s */
};

struct handler {
  swarm_frame_cb cb;
  void *arg;
};

struct swarm {
  uv_loop_t *loop;
  uv_tcp_t listener;           /* when listening */
  uv_timer_t stats;
  struct swarm_options opts;
  struct wire_hello hello;
  struct peer_config pcfg;
  struct peer_callbacks pcb;
  /* The listen host (port 0) when it is an IPv4 loopback address: dials to
   * loopback peers leave from it, so nodes sharing one machine are told
   * apart by source address (tests partition them that way). */
  struct sockaddr_in loop_source;
  int has_loop_source;
  struct node *nodes[SWARM_NODES_MAX];
  int nnodes;
  struct conn *conns;
  int nconns;
  struct handler handlers[WIRE_KIND_COUNT_];
  int listening;
  int port;
  int handles_open;            /* listener, stats timer, node timers */
  int lookups;                 /* name lookups in flight */
  int closing;
};

/* ---- helpers --------------------------------------------------------- */

static uint64_t
wall_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int
parse_addr(const char *hostport, struct sockaddr_storage *ss)
{
  char *host = NULL;
  int port, err;

  memset(ss, 0, sizeof(*ss));
  err = config_split_hostport(hostport, &host, &port);
  if (err)
    return err;
  if (uv_ip4_addr(host, port, (struct sockaddr_in *)ss) != 0 &&
      uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss) != 0)
    err = ERR_INVAL;
  xfree(host);
  return err;
}

static int
is_ipv4_loopback(const struct sockaddr_storage *ss)
{
  const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
  return ss->ss_family == AF_INET &&
         (ntohl(in->sin_addr.s_addr) >> 24) == 127;
}

/* A DNS name we are willing to look up: letters, digits, '-' and '.',
 * at most SWARM_HOSTNAME_MAX bytes (RFC 1035 limits). */
static int
valid_hostname(const char *h)
{
  size_t i, n = strlen(h);
  if (n == 0 || n > SWARM_HOSTNAME_MAX)
    return 0;
  for (i = 0; i < n; i++) {
    char c = h[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '.'))
      return 0;
  }
  return 1;
}

static void
maybe_free(struct swarm *s)
{
  int i;
  if (!s->closing || s->handles_open > 0 || s->nconns > 0 || s->lookups)
    return;
  for (i = 0; i < s->nnodes; i++) {
    xfree(s->nodes[i]->hostport);
    xfree(s->nodes[i]);
  }
  xfree(s);
}

static void
handle_closed(uv_handle_t *h)
{
  struct swarm *s = h->data;
  s->handles_open--;
  maybe_free(s);
}

static void
node_timer_closed(uv_handle_t *h)
{
  struct node *n = h->data;
  n->s->handles_open--;
  maybe_free(n->s);
}

static struct node *
find_node(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES])
{
  int i;
  for (i = 0; i < s->nnodes; i++) {
    if (memcmp(s->nodes[i]->pub, pub, IDENTITY_PUBLIC_BYTES) == 0)
      return s->nodes[i];
  }
  return NULL;
}

static struct node *
add_node(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES])
{
  struct node *n;
  if (s->nnodes >= SWARM_NODES_MAX)
    return NULL;
  n = xcalloc(1, sizeof(*n));
  n->s = s;
  memcpy(n->pub, pub, IDENTITY_PUBLIC_BYTES);
  hex_encode(n->id, pub, IDENTITY_PUBLIC_BYTES);
  n->backoff_ms = s->opts.backoff_min_ms;
  uv_timer_init(s->loop, &n->redial);
  n->redial.data = n;
  s->handles_open++;
  s->nodes[s->nnodes++] = n;
  return n;
}

/* Equal jitter: half the delay fixed, half random, so nodes that lost each
 * other at the same moment do not redial in lockstep. */
static uint64_t
jitter(uint64_t ms)
{
  uint32_t r;
  secure_random(&r, sizeof(r));
  return ms / 2 + (ms / 2 ? r % (ms / 2 + 1) : 0);
}

static void dial(struct node *n);

static void
on_redial(uv_timer_t *t)
{
  dial(t->data);
}

static void
schedule_redial(struct node *n)
{
  struct swarm *s = n->s;
  uint64_t delay;
  if (s->closing || n->hostport == NULL || n->active || n->dialing)
    return;
  delay = jitter(n->backoff_ms);
  n->backoff_ms *= 2;
  if (n->backoff_ms > s->opts.backoff_max_ms)
    n->backoff_ms = s->opts.backoff_max_ms;
  log_debug("%s: %.16s… in %llu ms", __func__, n->id,
            (unsigned long long)delay);
  uv_timer_start(&n->redial, on_redial, delay, 0);
}

static void
node_account(struct node *n, struct conn *c)
{
  struct peer_stats st;
  uint64_t now = uv_now(n->s->loop);
  peer_get_stats(c->p, &st);
  n->done_in += st.bytes_in;
  n->done_out += st.bytes_out;
  if (st.last_rx_ms)
    n->last_seen = wall_ms() - (now - st.last_rx_ms);
}

/* ---- peer callbacks -------------------------------------------------- */

static int
on_authorize(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  struct conn *c = arg, *o;
  char id[IDENTITY_ID_HEX];
  int joins = 0;
  if (peer_is_join(c->p)) {
    /* The invite plane: any key may present a proof, nothing more. Every
     * holder of an old code can open it, so when it is full the oldest
     * connection makes room (a real join takes milliseconds), rather
     * than silent ones locking joiners out. */
    struct conn *oldest = NULL;
    for (o = c->s->conns; o; o = o->next)
      if (o->join && !o->evicted) {
        joins++;
        if (oldest == NULL || o->started_ms <= oldest->started_ms)
          oldest = o;
      }
    if (joins >= SWARM_JOIN_CONNS_MAX && oldest) {
      log_warn("%s: %d join-plane connections open: closing the oldest",
               __func__, joins);
      oldest->evicted = 1;
      peer_close(oldest->p, WIRE_BYE_TIMEOUT, "too many joins",
                 ERR_TIMEOUT);
    }
    c->join = 1;
    return c->s->opts.on_join != NULL;
  }
  if (c->s->opts.is_member(pub, c->s->opts.member_arg))
    return 1;
  hex_encode(id, pub, IDENTITY_PUBLIC_BYTES);
  log_warn("%s: %s: %.16s… is not a member: refused", __func__,
           peer_address(c->p), id);
  return 0;
}

/* The duplicate rule: of two connections between the same two nodes, keep
 * the one dialled by the node with the smaller public key; when both were
 * dialled by the same node, keep the newer (the older one is stale on the
 * dialler's side). Both ends compute the same answer. */
static int
preferred(const struct swarm *s, const struct conn *c)
{
  const uint8_t *self = identity_public_key(s->opts.id);
  const uint8_t *other = c->node->pub;
  const uint8_t *dialler = peer_is_client(c->p) ? self : other;
  const uint8_t *smaller =
      memcmp(self, other, IDENTITY_PUBLIC_BYTES) < 0 ? self : other;
  return dialler == smaller;
}

static void
on_ready(struct peer *p, void *arg)
{
  struct conn *c = arg, *old, *loser;
  struct swarm *s = c->s;
  struct node *n = c->node;

  if (c->join)
    return; /* it presents its proof next (on_frame) */
  if (n == NULL) {
    n = find_node(s, peer_key(p));
    if (n == NULL)
      n = add_node(s, peer_key(p));
    if (n == NULL) {
      peer_close(p, WIRE_BYE_SHUTDOWN, "peer table full", ERR_TOO_BIG);
      return;
    }
    c->node = n;
  } else if (!s->opts.is_member(n->pub, s->opts.member_arg)) {
    /* We dialled it, but it is no longer a member. */
    log_warn("%s: %.16s… is not a member: closing", __func__, n->id);
    peer_close(p, WIRE_BYE_SHUTDOWN, "not a member", ERR_FORBIDDEN);
    return;
  }
  old = n->active;
  if (old && old != c) {
    loser = preferred(s, c) || !preferred(s, old) ? old : c;
    loser->superseded = 1;
    log_info("%s: %.16s…: duplicate connection, keeping the one dialled by "
             "%s", __func__, n->id,
             peer_is_client((loser == old ? c : old)->p) ? "us" : "them");
    peer_close(loser->p, WIRE_BYE_DUPLICATE, "duplicate connection", 0);
    if (loser == c)
      return;
  }
  if (n->dialing == c)
    n->dialing = NULL;
  n->active = c;
  n->connects++;
  uv_timer_stop(&n->redial);
  log_info("%s: %.16s… connected (%s %s)", __func__, n->id,
           peer_is_client(p) ? "to" : "from", peer_address(p));
  if (!old && s->opts.on_link)
    s->opts.on_link(s, n->pub, 1, s->opts.link_arg);
}

static void
on_frame(struct peer *p, const struct wire_frame *f, void *arg)
{
  struct conn *c = arg;
  struct handler *h;
  if (c->join) {
    c->s->opts.on_join(c->s, p, f, c->s->opts.join_arg);
    return;
  }
  if (c->node == NULL || c->node->active != c)
    return;
  if (f->kind <= WIRE_UNKNOWN || f->kind >= WIRE_KIND_COUNT_)
    return; /* a newer peer's frame kind: ignored */
  h = &c->s->handlers[f->kind];
  if (h->cb)
    h->cb(c->s, p, c->node->pub, f, h->arg);
}

static void
on_drained(struct peer *p, void *arg)
{
  struct conn *c = arg;
  (void)p;
  if (c->node && c->node->active == c && c->s->opts.on_drained)
    c->s->opts.on_drained(c->s, c->node->pub, c->s->opts.link_arg);
}

static void
on_close(struct peer *p, int reason, void *arg)
{
  struct conn *c = arg;
  struct swarm *s = c->s;
  struct node *n = c->node;
  struct peer_stats st;
  uint64_t ready_ms;

  peer_get_stats(p, &st);
  ready_ms = st.ready_ms;
  *c->pprev = c->next;
  if (c->next)
    c->next->pprev = c->pprev;
  s->nconns--;
  if (n) {
    node_account(n, c);
    if (n->active == c) {
      n->active = NULL;
      log_info("%s: %.16s… disconnected: %s", __func__, n->id,
               reason ? err_str(reason) : "closed");
      /* A link that held resets the backoff; one dropped right after
       * Hello (a peer that refuses us) keeps growing it. */
      if (uv_now(s->loop) - ready_ms >= SWARM_STABLE_MS)
        n->backoff_ms = s->opts.backoff_min_ms;
      if (s->opts.on_link && !s->closing)
        s->opts.on_link(s, n->pub, 0, s->opts.link_arg);
    } else if (!c->superseded && reason) {
      log_debug("%s: dial %.16s… failed: %s", __func__, n->id,
                err_str(reason));
    }
    if (n->dialing == c)
      n->dialing = NULL;
    schedule_redial(n);
  }
  xfree(c);
  maybe_free(s);
}

static struct conn *
conn_new(struct swarm *s, struct node *n)
{
  struct conn *c = xcalloc(1, sizeof(*c));
  c->s = s;
  c->node = n;
  return c;
}

static void
conn_link(struct swarm *s, struct conn *c)
{
  c->next = s->conns;
  if (c->next)
    c->next->pprev = &c->next;
  c->pprev = &s->conns;
  s->conns = c;
  s->nconns++;
}

static void connect_node(struct node *n);

/* Prefer an IPv4 answer: a name with both usually listens on both, and
 * 127.0.0.1 is what loopback tests bind. */
static void
on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
  struct node *n = req->data;
  struct swarm *s = n->s;
  struct addrinfo *ai, *pick = NULL;

  n->resolving = 0;
  s->lookups--;
  for (ai = status == 0 ? res : NULL; ai; ai = ai->ai_next) {
    if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
        (pick == NULL || (pick->ai_family != AF_INET &&
                          ai->ai_family == AF_INET)))
      pick = ai;
  }
  if (pick && pick->ai_addrlen <= sizeof(n->addr)) {
    memset(&n->addr, 0, sizeof(n->addr));
    memcpy(&n->addr, pick->ai_addr, pick->ai_addrlen);
  }
  uv_freeaddrinfo(res);
  if (s->closing) {
    maybe_free(s);
    return;
  }
  if (pick == NULL) {
    log_warn("%s: cannot resolve %s: %s", __func__, n->hostport,
             status ? uv_strerror(status) : "no address");
    schedule_redial(n);
    return;
  }
  connect_node(n);
}

static void
dial(struct node *n)
{
  struct swarm *s = n->s;
  struct addrinfo hints;
  char *host = NULL, port[8];
  int p, err;

  if (s->closing || n->hostport == NULL || n->active || n->dialing ||
      n->resolving)
    return;
  if (n->numeric) {
    connect_node(n);
    return;
  }
  if (config_split_hostport(n->hostport, &host, &p) != 0)
    return; /* checked in swarm_add_peer */
  snprintf(port, sizeof(port), "%d", p);
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  n->gai.data = n;
  err = uv_getaddrinfo(s->loop, &n->gai, on_resolved, host, port, &hints);
  xfree(host);
  if (err) {
    log_warn("%s: %s: %s", __func__, n->hostport, uv_strerror(err));
    schedule_redial(n);
    return;
  }
  n->resolving = 1;
  s->lookups++;
}

static void
connect_node(struct node *n)
{
  struct swarm *s = n->s;
  struct peer_config cfg;
  struct conn *c;
  int err;

  if (s->nconns >= SWARM_CONNS_MAX) {
    schedule_redial(n);
    return;
  }
  c = conn_new(s, n);
  cfg = s->pcfg;
  if (s->has_loop_source && is_ipv4_loopback(&n->addr))
    cfg.source = (const struct sockaddr *)&s->loop_source;
  err = peer_connect(s->loop, &cfg, (struct sockaddr *)&n->addr, n->pub,
                     &s->pcb, c, &c->p);
  if (err) {
    log_warn("%s: %s: %s", __func__, n->hostport, err_str(err));
    xfree(c);
    schedule_redial(n);
    return;
  }
  conn_link(s, c);
  n->dialing = c;
}

/* ---- listening ------------------------------------------------------- */

static void
refused_closed(uv_handle_t *h)
{
  xfree(h);
}

/* The oldest accepted connection still in its handshake (not a join
 * plane's, which has its own cap), and how many there are. */
static struct conn *
oldest_pending(struct swarm *s, int *n)
{
  struct conn *c, *old = NULL;
  *n = 0;
  for (c = s->conns; c; c = c->next)
    if (!c->evicted && !c->join && c->node == NULL &&
        !peer_is_client(c->p) && !peer_is_ready(c->p)) {
      (*n)++;
      if (old == NULL || c->started_ms <= old->started_ms)
        old = c;
    }
  return old;
}

static void
on_connection(uv_stream_t *server, int status)
{
  struct swarm *s = server->data;
  struct conn *c, *old;
  uv_tcp_t *t;
  int pending, room = 0;

  if (status < 0) {
    log_warn("%s: %s", __func__, uv_strerror(status));
    return;
  }
  /* Anyone can open TCP connections and stay silent: past
   * SWARM_PENDING_MAX handshakes (or the connection cap) the oldest one
   * makes room, so silent sockets cannot lock members out; a real
   * handshake takes milliseconds. */
  old = s->closing ? NULL : oldest_pending(s, &pending);
  if (old && (pending >= SWARM_PENDING_MAX ||
              s->nconns >= SWARM_CONNS_MAX)) {
    old->evicted = 1;
    log_debug("%s: %s: handshake evicted for a newer one", __func__,
              peer_address(old->p));
    peer_close(old->p, WIRE_BYE_TIMEOUT, "too many handshakes",
               ERR_TIMEOUT);
    room = 1;
  }
  if (s->closing || (s->nconns >= SWARM_CONNS_MAX && !room)) {
    t = xmalloc(sizeof(*t));
    uv_tcp_init(s->loop, t);
    (void)uv_accept(server, (uv_stream_t *)t);
    uv_close((uv_handle_t *)t, refused_closed);
    return;
  }
  c = conn_new(s, NULL);
  c->started_ms = uv_now(s->loop);
  if (peer_accept(s->loop, server, &s->pcfg, &s->pcb, c, &c->p) != 0) {
    xfree(c);
    return;
  }
  conn_link(s, c);
}

static int
start_listening(struct swarm *s, char *errbuf, size_t errlen)
{
  struct sockaddr_storage ss;
  int err, len = sizeof(ss);

  if (parse_addr(s->opts.listen, &ss) != 0) {
    snprintf(errbuf, errlen, "listen address '%s' is not a numeric "
             "host:port", s->opts.listen);
    return ERR_INVAL;
  }
  uv_tcp_init(s->loop, &s->listener);
  s->listener.data = s;
  s->listening = 1;
  s->handles_open++;
  err = uv_tcp_bind(&s->listener, (struct sockaddr *)&ss, 0);
  if (!err)
    err = uv_listen((uv_stream_t *)&s->listener, SWARM_BACKLOG,
                    on_connection);
  if (!err)
    err = uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &len);
  if (err) {
    snprintf(errbuf, errlen, "cannot listen on %s: %s", s->opts.listen,
             uv_strerror(err));
    return err;
  }
  if (is_ipv4_loopback(&ss)) {
    memcpy(&s->loop_source, &ss, sizeof(s->loop_source));
    s->loop_source.sin_port = 0;
    s->has_loop_source = 1;
  }
  s->port = ntohs(ss.ss_family == AF_INET6
                      ? ((struct sockaddr_in6 *)&ss)->sin6_port
                      : ((struct sockaddr_in *)&ss)->sin_port);
  return 0;
}

/* ---- stats ----------------------------------------------------------- */

static void
sample(struct node *n, uint64_t now)
{
  struct peer_stats st = {0};
  uint64_t in = n->done_in, out = n->done_out, dt = now - n->sample_ms;

  if (n->active) {
    peer_get_stats(n->active->p, &st);
    in += st.bytes_in;
    out += st.bytes_out;
    if (st.last_rx_ms)
      n->last_seen = wall_ms() - (now - st.last_rx_ms);
  }
  if (dt > 0 && n->sample_ms) {
    n->rate_in = (double)(in - n->sample_in) * 1000.0 / (double)dt;
    n->rate_out = (double)(out - n->sample_out) * 1000.0 / (double)dt;
  }
  n->sample_in = in;
  n->sample_out = out;
  n->sample_ms = now;
}

static void
on_stats(uv_timer_t *t)
{
  struct swarm *s = t->data;
  uint64_t now = uv_now(s->loop);
  struct conn *c, *next;
  int i;
  for (i = 0; i < s->nnodes; i++)
    sample(s->nodes[i], now);
  for (c = s->conns; c; c = next) {
    next = c->next;
    if (c->join && now - c->started_ms >= SWARM_JOIN_MS)
      peer_close(c->p, WIRE_BYE_TIMEOUT, "join took too long",
                 ERR_TIMEOUT);
  }
}

/* ---- API ------------------------------------------------------------- */

int
swarm_start(uv_loop_t *loop, const struct swarm_options *opts,
            struct swarm **out, char *errbuf, size_t errlen)
{
  struct swarm *s = xcalloc(1, sizeof(*s));
  int err;

  *out = NULL;
  s->loop = loop;
  s->opts = *opts;
  if (!s->opts.backoff_min_ms)
    s->opts.backoff_min_ms = SWARM_BACKOFF_MIN_MS;
  if (!s->opts.backoff_max_ms)
    s->opts.backoff_max_ms = SWARM_BACKOFF_MAX_MS;
  s->hello = *opts->hello;
  if (!s->hello.protocol_version)
    s->hello.protocol_version = WIRE_PROTOCOL_VERSION;
  s->pcfg.id = opts->id;
  s->pcfg.net = opts->net;
  s->pcfg.hello = &s->hello;
  s->pcfg.ping_ms = opts->ping_ms;
  s->pcfg.idle_ms = opts->idle_ms;
  s->pcfg.handshake_ms = opts->handshake_ms;
  s->pcfg.queue_soft = opts->queue_soft;
  s->pcfg.queue_hard = opts->queue_hard;
  s->pcfg.alt_net = opts->on_join ? opts->join_net : NULL;
  s->pcb.authorize = on_authorize;
  s->pcb.on_ready = on_ready;
  s->pcb.on_frame = on_frame;
  s->pcb.on_close = on_close;
  s->pcb.on_drained = on_drained;
  uv_timer_init(loop, &s->stats);
  s->stats.data = s;
  s->handles_open = 1;
  uv_timer_start(&s->stats, on_stats, SWARM_STATS_MS, SWARM_STATS_MS);
  if (opts->listen && opts->listen[0]) {
    err = start_listening(s, errbuf, errlen);
    if (err) {
      swarm_close(&s);
      return err;
    }
  }
  *out = s;
  return 0;
}

void
swarm_close(struct swarm **sp)
{
  struct swarm *s;
  struct conn *c, *next;
  int i;

  if (sp == NULL || *sp == NULL)
    return;
  s = *sp;
  *sp = NULL;
  s->closing = 1;
  for (c = s->conns; c; c = next) {
    next = c->next;
    peer_close(c->p, WIRE_BYE_SHUTDOWN, "node stopping", 0);
  }
  for (i = 0; i < s->nnodes; i++) {
    if (s->nodes[i]->resolving)
      (void)uv_cancel((uv_req_t *)&s->nodes[i]->gai);
    uv_close((uv_handle_t *)&s->nodes[i]->redial, node_timer_closed);
  }
  if (s->listening)
    uv_close((uv_handle_t *)&s->listener, handle_closed);
  uv_close((uv_handle_t *)&s->stats, handle_closed);
}

int
swarm_port(const struct swarm *s)
{
  return s->port;
}

int
swarm_add_peer(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
               const char *hostport)
{
  struct sockaddr_storage ss;
  struct node *n;
  char *host = NULL;
  int numeric, port, ok;

  if (memcmp(pub, identity_public_key(s->opts.id),
             IDENTITY_PUBLIC_BYTES) == 0)
    return ERR_INVAL; /* ourselves */
  numeric = parse_addr(hostport, &ss) == 0;
  if (!numeric) {
    if (config_split_hostport(hostport, &host, &port) != 0)
      return ERR_INVAL;
    ok = valid_hostname(host) && port > 0;
    xfree(host);
    if (!ok)
      return ERR_INVAL;
  }
  n = find_node(s, pub);
  if (n == NULL)
    n = add_node(s, pub);
  if (n == NULL)
    return ERR_TOO_BIG;
  xfree(n->hostport);
  n->hostport = xstrdup(hostport);
  n->addr = ss;
  n->numeric = numeric;
  n->backoff_ms = s->opts.backoff_min_ms;
  dial(n);
  return 0;
}

void
swarm_set_handler(struct swarm *s, enum wire_kind kind, swarm_frame_cb cb,
                  void *arg)
{
  if ((int)kind <= WIRE_UNKNOWN || kind >= WIRE_KIND_COUNT_)
    return;
  s->handlers[kind].cb = cb;
  s->handlers[kind].arg = arg;
}

struct peer *
swarm_peer(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES])
{
  struct node *n = find_node(s, pub);
  return n && n->active ? n->active->p : NULL;
}

int
swarm_drop(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
           const char *reason)
{
  struct node *n = find_node(s, pub);
  struct conn *c, *next;
  int closed = 0;

  if (n == NULL)
    return 0;
  xfree(n->hostport);
  n->hostport = NULL;
  uv_timer_stop(&n->redial);
  for (c = s->conns; c; c = next) {
    next = c->next;
    if (c->node == n) {
      closed |= n->active == c;
      peer_close(c->p, WIRE_BYE_SHUTDOWN, reason, ERR_FORBIDDEN);
    }
  }
  if (closed)
    log_info("%s: %.16s…: %s", __func__, n->id, reason);
  return closed;
}

int
swarm_connected(const struct swarm *s)
{
  int i, k = 0;
  for (i = 0; i < s->nnodes; i++)
    k += s->nodes[i]->active != NULL;
  return k;
}

size_t
swarm_connected_keys(const struct swarm *s,
                     uint8_t (*out)[IDENTITY_PUBLIC_BYTES], size_t max)
{
  size_t k = 0;
  int i;
  for (i = 0; i < s->nnodes && k < max; i++)
    if (s->nodes[i]->active != NULL)
      memcpy(out[k++], s->nodes[i]->pub, IDENTITY_PUBLIC_BYTES);
  return k;
}

int
swarm_connections(const struct swarm *s)
{
  return s->nconns;
}

struct json *
swarm_peers_json(struct swarm *s)
{
  struct json *arr = json_new_array(), *o;
  struct peer_stats st;
  uint64_t now = uv_now(s->loop);
  int i;

  for (i = 0; i < s->nnodes; i++) {
    struct node *n = s->nodes[i];
    memset(&st, 0, sizeof(st));
    if (n->active) {
      peer_get_stats(n->active->p, &st);
      if (st.last_rx_ms)
        n->last_seen = wall_ms() - (now - st.last_rx_ms);
    }
    o = json_new_object();
    json_set_str(o, "node_id", n->id);
    if (n->active)
      json_set_str(o, "address", peer_address(n->active->p));
    else if (n->hostport)
      json_set_str(o, "address", n->hostport);
    else
      json_set_null(o, "address");
    json_set_bool(o, "connected", n->active != NULL);
    if (n->active)
      json_set_str(o, "direction",
                   peer_is_client(n->active->p) ? "out" : "in");
    else
      json_set_null(o, "direction");
    if (n->last_seen)
      json_set_int(o, "last_seen", (int64_t)n->last_seen);
    else
      json_set_null(o, "last_seen");
    json_set_int(o, "bytes_in", (int64_t)(n->done_in + st.bytes_in));
    json_set_int(o, "bytes_out", (int64_t)(n->done_out + st.bytes_out));
    json_set_num(o, "rate_in", n->active ? n->rate_in : 0);
    json_set_num(o, "rate_out", n->active ? n->rate_out : 0);
    json_set_int(o, "rtt_ms", (int64_t)st.rtt_ms);
    json_set_int(o, "connects", n->connects);
    json_push(arr, o);
  }
  return arr;
}
