/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* One swarm connection: libuv TCP, the SHS state machine, secretstream
 * frames, Hello, keep-alive, timeouts and the bounded write queue. See
 * peer.h and node/SWARM.md. */
#define LOG_MODULE "peer"
#include "node/peer.h"

#include <stdio.h>
#include <string.h>

#include "crypto/frames.h"
#include "crypto/secure.h"
#include "crypto/shs.h"
#include "node/alloc.h"
#include "node/log.h"

#define PEER_TICK_MIN_MS 10   /* finest timer tick */
#define PEER_ADDR_MAX 64      /* bytes of "host:port" with NUL */

enum peer_state {
  PEER_CONNECTING,  /* client: TCP connect in flight */
  PEER_HANDSHAKE,   /* SHS messages */
  PEER_HELLO,       /* frames up, our Hello sent, waiting for theirs */
  PEER_READY
};

struct peer {
  uv_tcp_t tcp;              /* data = this */
  uv_timer_t timer;          /* ticks; close deadline once closing */
  uv_connect_t connect;      /* client only */
  uv_loop_t *loop;
  struct peer_config cfg;    /* defaults applied */
  struct peer_callbacks cb;
  void *arg;
  enum peer_state state;
  int client;
  struct shs *shs;           /* during the handshake */
  struct frames *fr;         /* after it */
  uint8_t key[IDENTITY_PUBLIC_BYTES]; /* expected / proven peer key */
  int have_key;
  int join;                  /* handshook with cfg.alt_net */
  uint8_t session_id[SHS_SESSION_ID_BYTES];
  int have_session;
  struct wire_frame hello;   /* their Hello, once received */
  int have_hello;
  int handles_open;          /* tcp + timer still to close */
  int closing;               /* peer_close() or a drop began */
  int handles_closing;       /* uv_close() called */
  int silent;                /* constructor failed: no on_close */
  int close_err;             /* reason given to on_close */
  int reading;
  int blocked;               /* peer_can_send() said no */
  size_t queued;             /* bytes in writes not yet completed */
  uint64_t started_ms, last_rx_ms, last_ping_ms, last_progress_ms;
  uint64_t ping_nonce, ping_sent_ms;
  struct peer_stats st;
  char addr[PEER_ADDR_MAX];
};

struct wreq {
  uv_write_t req;
  struct peer *p;
  size_t len;                /* bytes in data */
  uint8_t data[];
};

static void close_handles(struct peer *p, int err);
static void consume(struct peer *p, const uint8_t *data, size_t len);

/* ---- lifetime -------------------------------------------------------- */

static void
on_handle_closed(uv_handle_t *h)
{
  struct peer *p = h->data;
  if (--p->handles_open > 0)
    return;
  if (!p->silent)
    p->cb.on_close(p, p->close_err, p->arg);
  shs_free(&p->shs);
  frames_free(&p->fr);
  wire_frame_free(&p->hello);
  xfree(p);
}

/* Close both handles now; pending writes are cancelled (their callbacks
 * free their buffers before on_handle_closed runs). */
static void
close_handles(struct peer *p, int err)
{
  if (p->handles_closing)
    return;
  if (!p->closing)
    p->close_err = err;
  p->closing = 1;
  p->handles_closing = 1;
  shs_free(&p->shs);
  uv_close((uv_handle_t *)&p->tcp, on_handle_closed);
  uv_close((uv_handle_t *)&p->timer, on_handle_closed);
}

static uint64_t
tick_ms(const struct peer_config *c)
{
  uint64_t t = c->ping_ms;
  if (c->idle_ms < t)
    t = c->idle_ms;
  if (c->handshake_ms < t)
    t = c->handshake_ms;
  t /= 4;
  return t < PEER_TICK_MIN_MS ? PEER_TICK_MIN_MS : t;
}

static void on_tick(uv_timer_t *t);

static struct peer *
peer_alloc(uv_loop_t *loop, const struct peer_config *cfg,
           const struct peer_callbacks *cb, void *arg)
{
  struct peer *p = xcalloc(1, sizeof(*p));
  p->loop = loop;
  p->cfg = *cfg;
  if (!p->cfg.ping_ms)
    p->cfg.ping_ms = PEER_PING_MS;
  if (!p->cfg.idle_ms)
    p->cfg.idle_ms = PEER_IDLE_MS;
  if (!p->cfg.handshake_ms)
    p->cfg.handshake_ms = PEER_HANDSHAKE_MS;
  if (!p->cfg.queue_soft)
    p->cfg.queue_soft = PEER_QUEUE_SOFT;
  if (!p->cfg.queue_hard)
    p->cfg.queue_hard = PEER_QUEUE_HARD;
  p->cb = *cb;
  p->arg = arg;
  p->started_ms = uv_now(loop);
  p->last_progress_ms = p->started_ms;
  return p;
}

/* Both handles are initialised here; from then on the peer is freed only
 * in on_handle_closed (STYLE.md E8). */
static int
init_handles(struct peer *p)
{
  int err = uv_tcp_init(p->loop, &p->tcp);
  if (err)
    return err;
  uv_timer_init(p->loop, &p->timer);
  p->tcp.data = p;
  p->timer.data = p;
  p->handles_open = 2;
  uv_timer_start(&p->timer, on_tick, tick_ms(&p->cfg), tick_ms(&p->cfg));
  return 0;
}

/* ---- writing --------------------------------------------------------- */

static void
on_written(uv_write_t *req, int status)
{
  struct wreq *w = (struct wreq *)req;
  struct peer *p = w->p;

  p->queued -= w->len;
  p->st.queued = p->queued;
  p->last_progress_ms = uv_now(p->loop);
  xfree(w);
  if (status < 0 && !p->closing) {
    log_debug("%s: write to %s: %s", __func__, p->addr, uv_strerror(status));
    close_handles(p, ERR_NET);
    return;
  }
  if (p->closing) {
    if (p->queued == 0)
      close_handles(p, p->close_err);
    return;
  }
  if (p->blocked && p->queued <= p->cfg.queue_soft / 2) {
    p->blocked = 0;
    if (p->cb.on_drained)
      p->cb.on_drained(p, p->arg);
  }
}

/* Queue w (len bytes filled in). Takes w in every case. */
static int
write_req(struct peer *p, struct wreq *w)
{
  uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)w->len);
  int err;

  w->p = p;
  err = uv_write(&w->req, (uv_stream_t *)&p->tcp, &b, 1, on_written);
  if (err) {
    xfree(w);
    close_handles(p, ERR_NET);
    return err;
  }
  p->queued += w->len;
  p->st.queued = p->queued;
  p->st.bytes_out += w->len;
  if (p->queued >= p->cfg.queue_soft)
    p->blocked = 1;
  return 0;
}

/* Reserve a write of len bytes, enforcing the hard cap: past it the peer
 * is dropped (it stopped reading) and NULL is returned. */
static struct wreq *
wreq_new(struct peer *p, size_t len)
{
  struct wreq *w;
  if (p->queued + len > p->cfg.queue_hard) {
    log_warn("%s: %s stopped reading (%zu bytes queued): dropped",
             __func__, p->addr, p->queued);
    close_handles(p, ERR_TOO_BIG);
    return NULL;
  }
  w = xmalloc(sizeof(*w) + (len ? len : 1));
  w->len = len;
  return w;
}

static int
write_bytes(struct peer *p, const void *data, size_t len)
{
  struct wreq *w = wreq_new(p, len);
  if (w == NULL)
    return ERR_TOO_BIG;
  memcpy(w->data, data, len);
  return write_req(p, w);
}

/* Seal one plaintext frame and queue it. */
static int
send_plain(struct peer *p, const void *plain, size_t len)
{
  struct wreq *w;
  size_t n;
  int err;

  if (len > FRAMES_PLAIN_MAX)
    return ERR_TOO_BIG;
  w = wreq_new(p, frames_sealed_size(len));
  if (w == NULL)
    return ERR_TOO_BIG;
  err = frames_seal(p->fr, plain, len, w->data, w->len, &n);
  if (err) {
    xfree(w);
    return err;
  }
  p->st.frames_out++;
  return write_req(p, w);
}

static int
send_frame(struct peer *p, const struct wire_frame *f)
{
  uint8_t *plain = NULL;
  size_t len;
  int err = wire_frame_encode(f, &plain, &len);
  if (!err)
    err = send_plain(p, plain, len);
  xfree(plain);
  return err;
}

/* Send what the handshake has to say. */
static int
flush_shs(struct peer *p)
{
  uint8_t msg[SHS_MSG_MAX];
  size_t n = shs_take_output(p->shs, msg);
  return n ? write_bytes(p, msg, n) : 0;
}

/* ---- closing --------------------------------------------------------- */

void
peer_close(struct peer *p, int code, const char *reason, int err)
{
  struct wire_frame bye;
  struct wreq *w;
  size_t n;

  if (p->closing)
    return;
  p->closing = 1;
  p->close_err = err;
  if (p->reading)
    uv_read_stop((uv_stream_t *)&p->tcp);
  p->reading = 0;
  if (p->fr == NULL || p->queued + 2 * FRAMES_OVERHEAD + WIRE_STRING_MAX +
                           16 > p->cfg.queue_hard) {
    close_handles(p, err);
    return;
  }
  /* An orderly close: Goodbye, then the authenticated FINAL frame, then
   * the socket once they are written (or after PEER_CLOSE_MS). */
  memset(&bye, 0, sizeof(bye));
  bye.kind = WIRE_GOODBYE;
  bye.u.goodbye.code = (uint32_t)code;
  bye.u.goodbye.reason = reason;
  if (code != 0 && send_frame(p, &bye) != 0 && p->handles_closing)
    return;
  w = wreq_new(p, FRAMES_OVERHEAD);
  if (w == NULL)
    return;
  if (frames_seal_close(p->fr, w->data, w->len, &n) != 0) {
    xfree(w);
    close_handles(p, err);
    return;
  }
  if (write_req(p, w) != 0)
    return;
  uv_timer_stop(&p->timer);
  uv_timer_start(&p->timer, on_tick, PEER_CLOSE_MS, 0);
}

/* ---- timers ---------------------------------------------------------- */

static void
on_tick(uv_timer_t *t)
{
  struct peer *p = t->data;
  uint64_t now = uv_now(p->loop);
  struct wire_frame ping;

  if (p->closing) {
    close_handles(p, p->close_err); /* the final write did not finish */
    return;
  }
  if (p->state != PEER_READY) {
    if (now - p->started_ms >= p->cfg.handshake_ms) {
      log_debug("%s: %s: handshake timed out", __func__, p->addr);
      peer_close(p, WIRE_BYE_TIMEOUT, "handshake timed out", ERR_TIMEOUT);
    }
    return;
  }
  if (now - p->last_rx_ms >= p->cfg.idle_ms) {
    log_info("%s: %s: idle for %llu ms: closing", __func__, p->addr,
             (unsigned long long)(now - p->last_rx_ms));
    peer_close(p, WIRE_BYE_TIMEOUT, "idle", ERR_TIMEOUT);
    return;
  }
  if (p->queued > 0 && now - p->last_progress_ms >= p->cfg.idle_ms) {
    log_warn("%s: %s: writes stalled: dropped", __func__, p->addr);
    close_handles(p, ERR_TIMEOUT);
    return;
  }
  if (now - p->last_rx_ms >= p->cfg.ping_ms &&
      now - p->last_ping_ms >= p->cfg.ping_ms) {
    memset(&ping, 0, sizeof(ping));
    ping.kind = WIRE_PING;
    secure_random(&p->ping_nonce, sizeof(p->ping_nonce));
    ping.u.ping.nonce = p->ping_nonce;
    p->last_ping_ms = now;
    p->ping_sent_ms = now;
    (void)send_frame(p, &ping); /* failure has closed the peer */
  }
}

/* ---- reading --------------------------------------------------------- */

static void
got_hello(struct peer *p, struct wire_frame *f)
{
  char why[WIRE_STRING_MAX];

  if (f->kind != WIRE_HELLO) {
    wire_frame_free(f);
    peer_close(p, WIRE_BYE_PROTOCOL, "first frame is not Hello", ERR_PARSE);
    return;
  }
  if (f->u.hello.protocol_version != WIRE_PROTOCOL_VERSION) {
    snprintf(why, sizeof(why), "protocol version %u not supported (we "
             "speak %d)", f->u.hello.protocol_version, WIRE_PROTOCOL_VERSION);
    log_warn("%s: %s: %s", __func__, p->addr, why);
    wire_frame_free(f);
    peer_close(p, WIRE_BYE_VERSION, why, ERR_UNSUPPORTED);
    return;
  }
  p->hello = *f;
  p->have_hello = 1;
  p->state = PEER_READY;
  p->st.ready_ms = uv_now(p->loop);
  if (p->cb.on_ready)
    p->cb.on_ready(p, p->arg);
}

static void
handle_frame(struct peer *p, const uint8_t *msg, size_t len)
{
  struct wire_frame f, pong;
  int err;

  p->st.frames_in++;
  p->last_rx_ms = uv_now(p->loop);
  p->st.last_rx_ms = p->last_rx_ms;
  err = wire_frame_decode(msg, len, &f);
  if (err) {
    log_warn("%s: %s: undecodable frame (%s): dropped", __func__, p->addr,
             err_str(err));
    peer_close(p, WIRE_BYE_PROTOCOL, "undecodable frame", err);
    return;
  }
  if (!p->have_hello) {
    got_hello(p, &f);
    return;
  }
  switch (f.kind) {
  case WIRE_HELLO:
    peer_close(p, WIRE_BYE_PROTOCOL, "second Hello", ERR_PARSE);
    break;
  case WIRE_PING:
    memset(&pong, 0, sizeof(pong));
    pong.kind = WIRE_PONG;
    pong.u.pong.nonce = f.u.ping.nonce;
    (void)send_frame(p, &pong);
    break;
  case WIRE_PONG:
    if (p->ping_sent_ms && f.u.pong.nonce == p->ping_nonce) {
      p->st.rtt_ms = p->last_rx_ms - p->ping_sent_ms;
      p->ping_sent_ms = 0;
    }
    break;
  case WIRE_GOODBYE:
    log_info("%s: %s says goodbye (%u): %s", __func__, p->addr,
             f.u.goodbye.code, f.u.goodbye.reason);
    peer_close(p, 0, NULL, 0);
    break;
  default:
    if (p->cb.on_frame)
      p->cb.on_frame(p, &f, p->arg);
    break;
  }
  wire_frame_free(&f);
}

/* The handshake is done: start the frames and say Hello. */
static void
start_frames(struct peer *p)
{
  uint8_t header[FRAMES_HEADER_BYTES];
  struct wire_frame hello;
  int err;

  memcpy(p->key, shs_peer_key(p->shs), IDENTITY_PUBLIC_BYTES);
  p->have_key = 1;
  p->join = shs_used_alt(p->shs);
  p->have_session = shs_session_id(p->shs, p->session_id) == 0;
  err = frames_new(p->shs, header, &p->fr);
  shs_free(&p->shs);
  if (err) {
    close_handles(p, err);
    return;
  }
  p->state = PEER_HELLO;
  if (write_bytes(p, header, sizeof(header)) != 0)
    return;
  memset(&hello, 0, sizeof(hello));
  hello.kind = WIRE_HELLO;
  hello.u.hello = *p->cfg.hello;
  err = send_frame(p, &hello);
  if (err && !p->closing)
    close_handles(p, err);
}

static void
consume(struct peer *p, const uint8_t *data, size_t len)
{
  uint8_t *msg;
  size_t used, msglen;
  int err;

  while (len > 0 && !p->closing) {
    if (p->shs) {
      err = shs_feed(p->shs, data, len, &used);
      if (!err)
        err = flush_shs(p);
      if (err) {
        log_info("%s: %s: handshake failed: %s", __func__, p->addr,
                 p->shs ? shs_error(p->shs) : err_str(err));
        close_handles(p, err);
        return;
      }
      data += used;
      len -= used;
      if (shs_done(p->shs))
        start_frames(p);
      continue;
    }
    err = frames_read(p->fr, data, len, &used, &msg, &msglen);
    if (err) {
      log_warn("%s: %s: %s: dropped", __func__, p->addr,
               frames_error(p->fr));
      peer_close(p, WIRE_BYE_PROTOCOL, "bad frame", err);
      return;
    }
    data += used;
    len -= used;
    if (msg) {
      handle_frame(p, msg, msglen);
      xfree(msg);
    }
    if (frames_closed(p->fr) && !p->closing)
      peer_close(p, 0, NULL, 0);
  }
}

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
  (void)h;
  (void)suggested;
  b->base = xmalloc(PEER_READ_CHUNK);
  b->len = PEER_READ_CHUNK;
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
  struct peer *p = s->data;
  int err;

  if (n > 0 && !p->closing) {
    p->st.bytes_in += (uint64_t)n;
    consume(p, (const uint8_t *)b->base, (size_t)n);
  } else if (n < 0 && !p->closing) {
    if (p->fr && n == UV_EOF)
      err = frames_eof(p->fr);
    else
      err = n == UV_EOF ? ERR_NET : (int)n;
    if (err)
      log_debug("%s: %s: connection ended: %s", __func__, p->addr,
                err_str(err));
    close_handles(p, err);
  }
  xfree(b->base);
}

static void
start_reading(struct peer *p)
{
  char ip[48] = "";
  struct sockaddr_storage ss;
  int len = sizeof(ss), port = 0;

  uv_tcp_nodelay(&p->tcp, 1);
  if (uv_tcp_getpeername(&p->tcp, (struct sockaddr *)&ss, &len) == 0) {
    if (ss.ss_family == AF_INET6) {
      uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof(ip));
      port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
      snprintf(p->addr, sizeof(p->addr), "[%s]:%d", ip, port);
    } else {
      uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof(ip));
      port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
      snprintf(p->addr, sizeof(p->addr), "%s:%d", ip, port);
    }
  }
  p->state = PEER_HANDSHAKE;
  p->reading = 1;
  if (uv_read_start((uv_stream_t *)&p->tcp, alloc_cb, on_read) != 0)
    close_handles(p, ERR_NET);
}

/* ---- construction ---------------------------------------------------- */

static void
on_connected(uv_connect_t *req, int status)
{
  struct peer *p = req->data;
  if (p->closing)
    return;
  if (status < 0) {
    log_debug("%s: %s", __func__, uv_strerror(status));
    close_handles(p, status);
    return;
  }
  start_reading(p);
  if (!p->closing && flush_shs(p) != 0)
    return;
}

int
peer_connect(uv_loop_t *loop, const struct peer_config *cfg,
             const struct sockaddr *addr,
             const uint8_t server_pub[IDENTITY_PUBLIC_BYTES],
             const struct peer_callbacks *cb, void *arg,
             struct peer **out)
{
  struct peer *p = peer_alloc(loop, cfg, cb, arg);
  int err;

  *out = NULL;
  p->client = 1;
  memcpy(p->key, server_pub, IDENTITY_PUBLIC_BYTES);
  err = shs_client_new(cfg->id, cfg->net, server_pub, &p->shs);
  if (err)
    goto fail;
  err = init_handles(p);
  if (err)
    goto fail;
  p->connect.data = p;
  err = cfg->source ? uv_tcp_bind(&p->tcp, cfg->source, 0) : 0;
  if (!err)
    err = uv_tcp_connect(&p->connect, &p->tcp, addr, on_connected);
  if (err) {
    p->silent = 1;
    close_handles(p, err);
    return err;
  }
  *out = p;
  return 0;

fail:
  shs_free(&p->shs);
  xfree(p);
  return err;
}

static int
authorize(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  struct peer *p = arg;
  p->join = shs_used_alt(p->shs);
  return p->cb.authorize ? p->cb.authorize(pub, p->arg) : 1;
}

int
peer_accept(uv_loop_t *loop, uv_stream_t *server,
            const struct peer_config *cfg, const struct peer_callbacks *cb,
            void *arg, struct peer **out)
{
  struct peer *p = peer_alloc(loop, cfg, cb, arg);
  int err;

  *out = NULL;
  err = shs_server_new(cfg->id, cfg->net, authorize, p, &p->shs);
  if (!err && cfg->alt_net)
    err = shs_server_accept_alt(p->shs, cfg->alt_net);
  if (err)
    goto fail;
  err = init_handles(p);
  if (err)
    goto fail;
  err = uv_accept(server, (uv_stream_t *)&p->tcp);
  if (err) {
    p->silent = 1;
    close_handles(p, err);
    return err;
  }
  start_reading(p);
  *out = p;
  return 0;

fail:
  shs_free(&p->shs);
  xfree(p);
  return err;
}

/* ---- the rest of the API --------------------------------------------- */

int
peer_send(struct peer *p, const struct wire_frame *f)
{
  if (p->closing || p->state != PEER_READY)
    return ERR_INVAL;
  return send_frame(p, f);
}

int
peer_can_send(const struct peer *p)
{
  return !p->closing && p->state == PEER_READY &&
         p->queued < p->cfg.queue_soft;
}

void
peer_read_stop(struct peer *p)
{
  if (p->reading && !p->closing)
    uv_read_stop((uv_stream_t *)&p->tcp);
  p->reading = 0;
}

void
peer_read_start(struct peer *p)
{
  if (p->reading || p->closing)
    return;
  if (uv_read_start((uv_stream_t *)&p->tcp, alloc_cb, on_read) == 0)
    p->reading = 1;
  else
    close_handles(p, ERR_NET);
}

const uint8_t *
peer_key(const struct peer *p)
{
  return p->have_key || p->client ? p->key : NULL;
}

int
peer_is_client(const struct peer *p)
{
  return p->client;
}

int
peer_is_ready(const struct peer *p)
{
  return p->state == PEER_READY && !p->closing;
}

const struct wire_hello *
peer_hello(const struct peer *p)
{
  return p->have_hello ? &p->hello.u.hello : NULL;
}

const char *
peer_address(const struct peer *p)
{
  return p->addr;
}

int
peer_is_join(const struct peer *p)
{
  return p->join;
}

int
peer_session_id(const struct peer *p, uint8_t out[SHS_SESSION_ID_BYTES])
{
  if (!p->have_session)
    return ERR_INVAL;
  memcpy(out, p->session_id, SHS_SESSION_ID_BYTES);
  return 0;
}

void
peer_get_stats(const struct peer *p, struct peer_stats *out)
{
  *out = p->st;
}

int
peer_test_send_plain(struct peer *p, const void *plain, size_t len)
{
  if (p->closing || p->fr == NULL)
    return ERR_INVAL;
  return send_plain(p, plain, len);
}

int
peer_test_send_raw(struct peer *p, const void *data, size_t len)
{
  if (p->closing)
    return ERR_INVAL;
  return write_bytes(p, data, len);
}
