/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The invite join plane: a member admitting a joiner, and the joiner's
 * dial-prove-wait. See join.h and node/JOIN.md. */
#define LOG_MODULE "join"
#include "node/join.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "crypto/invite.h"
#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/app.h"
#include "node/config.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/feed.h"
#include "node/hex.h"
#include "node/invites.h"
#include "node/log.h"
#include "node/peer.h"
#include "node/state.h"
#include "node/swarm.h"
#include "node/utf8.h"

struct join_server {
  struct app *app;
  struct db *db;             /* our own connection (loop thread) */
  struct feed *feed;
  struct netkey *join_net;   /* K_join of our network */
  uint8_t netid[NETKEY_ID_BYTES];
  uint64_t admitted, refused;
};

static int64_t
wall_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- member side ------------------------------------------------------ */

int
join_server_new(struct app *app, struct join_server **out, char *errbuf,
                size_t errlen)
{
  struct join_server *js = xcalloc(1, sizeof(*js));
  char *path = datadir_file(app->dir, "glowtalk.db");
  int err;

  *out = NULL;
  js->app = app;
  netkey_id(app->net, js->netid);
  err = db_open_store(path, &js->db, errbuf, errlen);
  xfree(path);
  if (!err) {
    err = feed_open(js->db, app->id, js->netid, &js->feed);
    if (err)
      snprintf(errbuf, errlen, "cannot open the log: %s", err_str(err));
  }
  if (!err) {
    js->join_net = invite_join_netkey(js->netid);
    if (js->join_net == NULL) {
      snprintf(errbuf, errlen, "cannot derive the join-plane key");
      err = ERR_CRYPTO;
    }
  }
  if (err) {
    join_server_free(&js);
    return err;
  }
  *out = js;
  return 0;
}

void
join_server_free(struct join_server **jsp)
{
  struct join_server *js;
  if (jsp == NULL || *jsp == NULL)
    return;
  js = *jsp;
  *jsp = NULL;
  feed_free(&js->feed);
  db_close(&js->db);
  netkey_free(&js->join_net);
  xfree(js);
}

const struct netkey *
join_server_netkey(const struct join_server *js)
{
  return js->join_net;
}

void
join_server_counts(const struct join_server *js, uint64_t *admitted,
                   uint64_t *refused)
{
  *admitted = js->admitted;
  *refused = js->refused;
}

char *
join_server_join_peer(struct join_server *js)
{
  struct db_stmt *s = NULL;
  char *v = NULL;

  if (db_prepare(js->db, "SELECT value FROM node_meta WHERE "
                 "key='join_peer'", &s) == 0 && db_step(s) == DB_ROW &&
      db_col_text(s, 0))
    v = xstrdup(db_col_text(s, 0));
  db_finalize(&s);
  return v;
}

static const char *
refuse_text(int code)
{
  switch (code) {
  case WIRE_JOIN_UNKNOWN:
    return "this invite is not known to the swarm (wrong network, or not "
           "replicated to this member yet)";
  case WIRE_JOIN_EXPIRED: return "this invite has expired";
  case WIRE_JOIN_REVOKED: return "this invite was revoked";
  case WIRE_JOIN_USED: return "this invite was already used";
  case WIRE_JOIN_PROOF:
    return "the invite proof does not verify for this key and session";
  case WIRE_JOIN_MEMBER: return "this node is already a member";
  default: return "the member could not record the admission";
  }
}

static void
refuse(struct join_server *js, struct peer *p, int code)
{
  struct wire_frame f;
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_JOIN_REFUSE;
  f.u.join_refuse.code = (uint32_t)code;
  f.u.join_refuse.reason = refuse_text(code);
  js->refused++;
  log_warn("join from %s refused: %s", peer_address(p), refuse_text(code));
  if (peer_send(p, &f) != 0)
    log_debug("%s: cannot send the refusal", __func__);
  peer_close(p, 0, NULL, ERR_FORBIDDEN);
}

/* A name safe to log and show: valid UTF-8 without control characters,
 * at most INVITES_NAME_MAX bytes; else "node-" and the id's first digits. */
static char *
member_name(const char *want, const uint8_t key[IDENTITY_PUBLIC_BYTES])
{
  char hex[IDENTITY_ID_HEX];
  size_t i, n = want ? strlen(want) : 0, len = n;
  char *fixed;
  int ok = n > 0 && n <= INVITES_NAME_MAX;

  for (i = 0; ok && i < n; i++)
    ok = (unsigned char)want[i] >= 0x20 && want[i] != 0x7f;
  if (ok) {
    fixed = utf8_repair(want, &len);
    if (fixed == NULL)
      return xstrdup(want);
    xfree(fixed);
  }
  hex_encode(hex, key, IDENTITY_PUBLIC_BYTES);
  return xasprintf("node-%.8s", hex);
}

static void
admit(struct join_server *js, struct peer *p, const struct wire_frame *f)
{
  uint8_t sid[SHS_SESSION_ID_BYTES], founder[IDENTITY_PUBLIC_BYTES];
  uint8_t invite_id[WIRE_INVITE_ID_BYTES];
  const uint8_t *joiner = peer_key(p);
  char **addrs = NULL, errbuf[256], id[IDENTITY_ID_HEX];
  size_t naddrs = 0;
  struct wire_entry e;
  struct wire_frame ans;
  int code;

  if (peer_session_id(p, sid) != 0 || joiner == NULL) {
    peer_close(p, WIRE_BYE_PROTOCOL, "no session", ERR_INVAL);
    return;
  }
  /* The proof first: without the invite's secret nobody learns anything
   * about the invite's state. */
  if (invite_verify(f->u.join_request.invite_key, js->netid, joiner, sid,
                    f->u.join_request.proof) != 0) {
    refuse(js, p, WIRE_JOIN_PROOF);
    return;
  }
  if (feed_sync(js->feed, NULL) != 0) {
    refuse(js, p, WIRE_JOIN_INTERNAL);
    return;
  }
  code = invites_check(js->db, f->u.join_request.invite_key, joiner,
                       wall_ms(), invite_id);
  if (code != 0) {
    refuse(js, p, code > 0 ? code : WIRE_JOIN_INTERNAL);
    return;
  }
  if (state_get_founder(js->db, founder) != 0) {
    refuse(js, p, WIRE_JOIN_INTERNAL);
    return;
  }
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_ADMIT;
  memcpy(e.invite_id, invite_id, WIRE_INVITE_ID_BYTES);
  memcpy(e.key, joiner, WIRE_KEY_BYTES);
  e.name = member_name(f->u.join_request.name, joiner);
  code = feed_append(js->feed, &e, NULL);
  hex_encode(id, joiner, IDENTITY_PUBLIC_BYTES);
  if (code != 0) {
    log_warn("cannot append Admit: %s", err_str(code));
    wire_entry_clear(&e);
    refuse(js, p, WIRE_JOIN_INTERNAL);
    return;
  }
  log_info("admitted %.16s… (%s) from %s", id, e.name, peer_address(p));
  wire_entry_clear(&e);
  js->admitted++;
  if (invites_addresses(js->app, &addrs, &naddrs, errbuf, sizeof(errbuf)))
    naddrs = 0;
  memset(&ans, 0, sizeof(ans));
  ans.kind = WIRE_JOIN_ACCEPT;
  ans.u.join_accept.network_key = netkey_bytes(js->app->net);
  ans.u.join_accept.founder = founder;
  ans.u.join_accept.address = naddrs ? addrs[0] : "";
  if (peer_send(p, &ans) != 0)
    log_warn("cannot answer %s: the joiner must retry", peer_address(p));
  invites_addrs_free(addrs, naddrs);
  peer_close(p, 0, NULL, 0);
}

void
join_server_on_frame(struct swarm *s, struct peer *p,
                     const struct wire_frame *f, void *arg)
{
  struct join_server *js = arg;
  (void)s;
  if (f->kind != WIRE_JOIN_REQUEST) {
    js->refused++;
    log_warn("join from %s: %s frame, not a JoinRequest: closed",
             peer_address(p), wire_kind_name(f->kind));
    peer_close(p, WIRE_BYE_PROTOCOL, "expected a JoinRequest", ERR_PARSE);
    return;
  }
  admit(js, p, f);
}

/* ---- joiner side ------------------------------------------------------ */

struct joiner {
  const struct invite *inv;
  const struct identity *me;
  const char *name;
  enum join_proof_mode mode;
  struct join_result *out;
  const char *addr;          /* being tried */
  int ready, answered, err;
  char why[256];
};

static void
j_ready(struct peer *p, void *arg)
{
  struct joiner *j = arg;
  uint8_t sid[SHS_SESSION_ID_BYTES], proof[INVITE_PROOF_BYTES];
  uint8_t other[IDENTITY_PUBLIC_BYTES];
  const uint8_t *key = identity_public_key(j->me);
  struct wire_frame f;

  j->ready = 1;
  if (peer_session_id(p, sid) != 0) {
    peer_close(p, WIRE_BYE_PROTOCOL, "no session", ERR_INVAL);
    return;
  }
  if (j->mode == JOIN_PROOF_OTHER_KEY) {
    memcpy(other, key, sizeof(other));
    other[0] ^= 1;
    key = other;
  } else if (j->mode == JOIN_PROOF_OTHER_SESSION) {
    sid[0] ^= 1;
  }
  invite_prove(j->inv, key, sid, proof);
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_JOIN_REQUEST;
  f.u.join_request.invite_key = invite_public_key(j->inv);
  f.u.join_request.proof = proof;
  f.u.join_request.name = j->name;
  if (peer_send(p, &f) != 0)
    peer_close(p, 0, NULL, ERR_NET);
}

static void
j_frame(struct peer *p, const struct wire_frame *f, void *arg)
{
  struct joiner *j = arg;

  if (j->answered)
    return;
  j->answered = 1;
  if (f->kind == WIRE_JOIN_ACCEPT) {
    memcpy(j->out->network_key, f->u.join_accept.network_key, NETKEY_BYTES);
    memcpy(j->out->founder, f->u.join_accept.founder,
           IDENTITY_PUBLIC_BYTES);
    memcpy(j->out->inviter, peer_key(p), IDENTITY_PUBLIC_BYTES);
    /* The address we reached works from here; the member's own idea of
     * its address (JoinAccept.address) may be one we cannot reach. */
    snprintf(j->out->address, sizeof(j->out->address), "%s", j->addr);
    j->err = 0;
  } else if (f->kind == WIRE_JOIN_REFUSE) {
    snprintf(j->why, sizeof(j->why), "refused by %s: %s", j->addr,
             f->u.join_refuse.reason);
    j->err = ERR_FORBIDDEN;
  } else {
    snprintf(j->why, sizeof(j->why), "%s answered with a %s frame", j->addr,
             wire_kind_name(f->kind));
    j->err = ERR_PARSE;
  }
  peer_close(p, 0, NULL, 0);
}

static void
j_close(struct peer *p, int reason, void *arg)
{
  struct joiner *j = arg;
  struct peer_stats st;

  if (j->answered)
    return;
  peer_get_stats(p, &st);
  if (j->ready) {
    snprintf(j->why, sizeof(j->why), "%s closed the connection without "
             "an answer", j->addr);
    j->err = ERR_NET;
  } else if (reason == ERR_TIMEOUT) {
    snprintf(j->why, sizeof(j->why), "unreachable: %s did not answer in "
             "%d s", j->addr, JOIN_TIMEOUT_MS / 1000);
    j->err = ERR_TIMEOUT;
  } else if (st.bytes_out == 0) {
    snprintf(j->why, sizeof(j->why), "unreachable: cannot connect to %s: "
             "%s", j->addr, err_str(reason));
    j->err = ERR_NET;
  } else {
    snprintf(j->why, sizeof(j->why), "%s refused the handshake: the code "
             "is for another network (wrong network), or that node is not "
             "the inviter", j->addr);
    j->err = ERR_CRYPTO;
  }
}

static int
resolve(const char *hostport, struct sockaddr_storage *ss, char *errbuf,
        size_t errlen)
{
  struct addrinfo hints, *res = NULL, *ai;
  char *host = NULL, port[8];
  uv_getaddrinfo_t req;
  uv_loop_t loop;
  int p, err;

  memset(ss, 0, sizeof(*ss));
  if (config_split_hostport(hostport, &host, &p) != 0 || p <= 0) {
    snprintf(errbuf, errlen, "the code's address '%s' is not HOST:PORT",
             hostport);
    xfree(host);
    return ERR_INVAL;
  }
  if (uv_ip4_addr(host, p, (struct sockaddr_in *)ss) == 0 ||
      uv_ip6_addr(host, p, (struct sockaddr_in6 *)ss) == 0) {
    xfree(host);
    return 0;
  }
  snprintf(port, sizeof(port), "%d", p);
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  uv_loop_init(&loop);
  err = uv_getaddrinfo(&loop, &req, NULL, host, port, &hints); /* sync */
  res = err ? NULL : req.addrinfo;
  for (ai = res; ai; ai = ai->ai_next) {
    if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
        ai->ai_addrlen <= sizeof(*ss)) {
      memcpy(ss, ai->ai_addr, ai->ai_addrlen);
      break;
    }
  }
  if (ai == NULL) {
    snprintf(errbuf, errlen, "unreachable: cannot resolve %s: %s", host,
             err ? uv_strerror(err) : "no address");
    err = ERR_NET;
  } else {
    err = 0;
  }
  uv_freeaddrinfo(res);
  uv_loop_close(&loop);
  xfree(host);
  return err;
}

static int
try_addr(struct joiner *j, const struct netkey *jnet, const char *addr,
         char *errbuf, size_t errlen)
{
  struct wire_hello hello;
  struct peer_config cfg;
  struct peer_callbacks cb;
  struct sockaddr_storage ss;
  struct peer *p = NULL;
  uv_loop_t loop;
  int err;

  err = resolve(addr, &ss, errbuf, errlen);
  if (err)
    return err;
  memset(&hello, 0, sizeof(hello));
  hello.protocol_version = WIRE_PROTOCOL_VERSION;
  hello.software_version = "glowtalk join";
  memset(&cfg, 0, sizeof(cfg));
  cfg.id = j->me;
  cfg.net = jnet;
  cfg.hello = &hello;
  cfg.handshake_ms = JOIN_TIMEOUT_MS;
  cfg.idle_ms = JOIN_TIMEOUT_MS;
  cfg.ping_ms = JOIN_TIMEOUT_MS;
  memset(&cb, 0, sizeof(cb));
  cb.on_ready = j_ready;
  cb.on_frame = j_frame;
  cb.on_close = j_close;
  j->addr = addr;
  j->ready = j->answered = 0;
  j->err = ERR_NET;
  snprintf(j->why, sizeof(j->why), "unreachable: %s", addr);
  uv_loop_init(&loop);
  err = peer_connect(&loop, &cfg, (struct sockaddr *)&ss,
                     invite_inviter_key(j->inv), &cb, j, &p);
  if (err) {
    snprintf(j->why, sizeof(j->why), "unreachable: cannot connect to %s: "
             "%s", addr, err_str(err));
    j->err = ERR_NET;
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0)
    log_warn("%s: loop still had handles", __func__);
  snprintf(errbuf, errlen, "%s", j->err ? j->why : "");
  return j->err;
}

int
join_run(const struct invite *inv, const struct identity *me,
         const char *name, enum join_proof_mode mode,
         struct join_result *out, char *errbuf, size_t errlen)
{
  struct joiner j;
  struct netkey *jnet = invite_join_netkey(invite_network_id(inv));
  size_t i;
  int err = ERR_NET;

  if (jnet == NULL) {
    snprintf(errbuf, errlen, "cannot derive the join-plane key");
    return ERR_CRYPTO;
  }
  memset(&j, 0, sizeof(j));
  j.inv = inv;
  j.me = me;
  j.name = name;
  j.mode = mode;
  j.out = out;
  /* The next address only when this one could not be reached: a member
   * that answered (even with a refusal) has the last word. */
  for (i = 0; i < invite_addr_count(inv); i++) {
    err = try_addr(&j, jnet, invite_addr(inv, i), errbuf, errlen);
    if (err != ERR_NET && err != ERR_TIMEOUT && err != ERR_INVAL)
      break;
  }
  netkey_free(&jnet);
  return err;
}
