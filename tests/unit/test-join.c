/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The invite join plane end to end in one process: a member's swarm with
 * its join server on a loopback port, joiners (node/join.h join_run) on a
 * thread. Proofs bound to another key or another session are refused and
 * admit nothing; a good proof admits once; a second use is refused. */
#include "tests/unit/task.h"

#include <pthread.h>
#include <stdio.h>

#include <uv.h>

#include "crypto/identity.h"
#include "crypto/invite.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/app.h"
#include "node/config.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/feed.h"
#include "node/invites.h"
#include "node/join.h"
#include "node/peer.h"
#include "node/state.h"
#include "node/swarm.h"
#include "node/wire_frames.h"

static uv_loop_t loop;

struct joiner_job {
  uv_async_t done;         /* wakes the loop when the thread ends */
  pthread_t thread;
  const struct invite *inv;
  struct identity *id;
  enum join_proof_mode mode;
  struct join_result res;
  char errbuf[512];
  int err, finished;
};

static void *
joiner_main(void *arg)
{
  struct joiner_job *j = arg;
  j->err = join_run(j->inv, j->id, "tester", j->mode, &j->res, j->errbuf,
                    sizeof(j->errbuf));
  uv_async_send(&j->done);
  return NULL;
}

static void
on_done(uv_async_t *a)
{
  struct joiner_job *j = a->data;
  j->finished = 1;
}

/* Run one joiner with a fresh identity against the loop's member. */
static int
run_joiner(const struct invite *inv, enum join_proof_mode mode,
           char *errbuf, size_t errlen)
{
  struct joiner_job j;
  uint8_t seed[IDENTITY_SEED_BYTES];
  int err;

  memset(&j, 0, sizeof(j));
  secure_random(seed, sizeof(seed));
  if (identity_from_seed(seed, &j.id) != 0)
    return ERR_CRYPTO;
  j.inv = inv;
  j.mode = mode;
  uv_async_init(&loop, &j.done, on_done);
  j.done.data = &j;
  pthread_create(&j.thread, NULL, joiner_main, &j);
  while (!j.finished)
    uv_run(&loop, UV_RUN_ONCE);
  pthread_join(j.thread, NULL);
  uv_close((uv_handle_t *)&j.done, NULL);
  uv_run(&loop, UV_RUN_NOWAIT);
  snprintf(errbuf, errlen, "%s", j.errbuf);
  err = j.err;
  secure_wipe(j.res.network_key, sizeof(j.res.network_key));
  identity_free(&j.id);
  return err;
}

/* A join-plane client that sends a frame other than JoinRequest. */
struct rogue {
  int closed, reason, answered, ready;
};

static void
rogue_ready(struct peer *p, void *arg)
{
  static const uint8_t zero[WIRE_JOIN_KEY_BYTES];
  struct wire_frame f;
  struct rogue *r = arg;
  r->ready = 1;
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_JOIN_ACCEPT; /* a joiner has no business sending this */
  f.u.join_accept.network_key = zero;
  f.u.join_accept.founder = zero;
  f.u.join_accept.address = "x";
  if (peer_send(p, &f) != 0)
    peer_close(p, 0, NULL, ERR_NET);
}

static void
rogue_frame(struct peer *p, const struct wire_frame *f, void *arg)
{
  struct rogue *r = arg;
  (void)p;
  r->answered += f->kind == WIRE_JOIN_ACCEPT;
}

static void
rogue_close(struct peer *p, int reason, void *arg)
{
  struct rogue *r = arg;
  (void)p;
  r->closed = 1;
  r->reason = reason;
}

/* 0: the handshake completed and the frame got no answer; 1: the
 * handshake itself was refused; -1: an answer came (or setup failed). */
static int
run_rogue(const struct sockaddr *addr,
          const uint8_t member[IDENTITY_PUBLIC_BYTES],
          const struct netkey *jnet)
{
  struct wire_hello hello = {WIRE_PROTOCOL_VERSION, NULL, 0, NULL, 0, NULL,
                             0, "rogue"};
  uint8_t seed[IDENTITY_SEED_BYTES];
  struct identity *id = NULL;
  struct peer_config cfg;
  struct peer_callbacks cb;
  struct rogue r;
  struct peer *p;

  memset(&r, 0, sizeof(r));
  secure_random(seed, sizeof(seed));
  if (identity_from_seed(seed, &id) != 0)
    return -1;
  memset(&cfg, 0, sizeof(cfg));
  cfg.id = id;
  cfg.net = jnet;
  cfg.hello = &hello;
  memset(&cb, 0, sizeof(cb));
  cb.on_ready = rogue_ready;
  cb.on_frame = rogue_frame;
  cb.on_close = rogue_close;
  if (peer_connect(&loop, &cfg, addr, member, &cb, &r, &p) != 0) {
    identity_free(&id);
    return -1;
  }
  while (!r.closed)
    uv_run(&loop, UV_RUN_ONCE);
  identity_free(&id);
  return r.answered ? -1 : r.ready ? 0 : 1;
}

static int
always(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  (void)pub;
  (void)arg;
  return 1;
}

static int64_t
count_members(struct db *db)
{
  int64_t n = -1;
  if (db_query_int(db, "SELECT count(*) FROM st_members", &n) != 0)
    return -1;
  return n;
}

TEST_IMPL(join_plane_proofs_and_single_use)
{
  char *dir = test_mkdtemp(), errbuf[512], *path, addr[64], *code = NULL;
  char invite_id[INVITES_ID_HEX];
  struct identity *id = NULL;
  struct netkey *net = NULL;
  struct db *db = NULL;
  struct feed *f = NULL;
  struct config *cfg = config_new();
  struct app app;
  struct join_server *js = NULL;
  struct swarm *sw = NULL;
  struct swarm_options o;
  struct wire_hello hello = {0, NULL, 0, NULL, 0, NULL, 0, "test"};
  struct wire_entry e;
  struct invite *inv = NULL;
  uint8_t netid[NETKEY_ID_BYTES];
  char *addrs[1];
  int64_t expires;
  uint64_t admitted, refused;

  ASSERT_OK(secure_init());
  ASSERT_OK(uv_loop_init(&loop));
  /* A founded node, as glowtalk init makes it. */
  path = datadir_file(dir, "identity.key");
  ASSERT_OK(identity_create(path, 0, &id, errbuf, sizeof(errbuf)));
  xfree(path);
  path = datadir_file(dir, "network.key");
  ASSERT_OK(netkey_create(path, 0, &net, errbuf, sizeof(errbuf)));
  xfree(path);
  path = datadir_file(dir, "glowtalk.db");
  ASSERT_OK(db_open_store(path, &db, errbuf, sizeof(errbuf)));
  xfree(path);
  ASSERT_OK(state_set_founder(db, identity_public_key(id)));
  netkey_id(net, netid);
  ASSERT_OK(feed_open(db, id, netid, &f));
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  ASSERT_OK(feed_append(f, &e, NULL));
  ASSERT_OK(app_open(&app, dir, cfg, 0, errbuf, sizeof(errbuf)));

  /* Its swarm with the join plane. */
  ASSERT_OK(join_server_new(&app, &js, errbuf, sizeof(errbuf)));
  memset(&o, 0, sizeof(o));
  o.id = app.id;
  o.net = app.net;
  o.listen = "127.0.0.1:0";
  o.is_member = always;
  o.hello = &hello;
  o.join_net = join_server_netkey(js);
  o.on_join = join_server_on_frame;
  o.join_arg = js;
  ASSERT_OK(swarm_start(&loop, &o, &sw, errbuf, sizeof(errbuf)));
  snprintf(addr, sizeof(addr), "127.0.0.1:%d", swarm_port(sw));
  addrs[0] = addr;
  ASSERT_OK(invites_create(f, id, net, addrs, 1, 3600, &code, invite_id,
                           &expires));
  ASSERT_OK(invite_parse(code, strlen(code), &inv));
  ASSERT_EQ(count_members(db), 1);

  /* A proof for another key, then for another session: refused. */
  ASSERT_EQ(run_joiner(inv, JOIN_PROOF_OTHER_KEY, errbuf, sizeof(errbuf)),
            ERR_FORBIDDEN);
  ASSERT_CONTAINS(errbuf, "proof does not verify");
  ASSERT_EQ(run_joiner(inv, JOIN_PROOF_OTHER_SESSION, errbuf,
                       sizeof(errbuf)), ERR_FORBIDDEN);
  ASSERT_CONTAINS(errbuf, "proof does not verify");
  ASSERT_EQ(count_members(db), 1);

  /* The real thing admits once; the code is then used. */
  ASSERT_OK(run_joiner(inv, JOIN_PROOF_OK, errbuf, sizeof(errbuf)));
  ASSERT_EQ(count_members(db), 2);
  ASSERT_EQ(run_joiner(inv, JOIN_PROOF_OK, errbuf, sizeof(errbuf)),
            ERR_FORBIDDEN);
  ASSERT_CONTAINS(errbuf, "already used");
  ASSERT_EQ(count_members(db), 2);
  join_server_counts(js, &admitted, &refused);
  ASSERT_EQ(admitted, 1);
  ASSERT_EQ(refused, 3);

  /* Another frame than JoinRequest on the join plane: closed, no answer,
   * nothing admitted. */
  {
    struct sockaddr_in sin;
    ASSERT_OK(uv_ip4_addr("127.0.0.1", swarm_port(sw), &sin));
    ASSERT_OK(run_rogue((const struct sockaddr *)&sin,
                        identity_public_key(id), join_server_netkey(js)));
    join_server_counts(js, &admitted, &refused);
    ASSERT_EQ(admitted, 1);
    ASSERT_EQ(refused, 4);
    ASSERT_EQ(count_members(db), 2);
  }

  /* Revocation beats use: the used invite, revoked, says revoked. */
  ASSERT_OK(invites_revoke(f, invite_id));
  ASSERT_EQ(run_joiner(inv, JOIN_PROOF_OK, errbuf, sizeof(errbuf)),
            ERR_FORBIDDEN);
  ASSERT_CONTAINS(errbuf, "revoked");

  /* A swarm without a join server does not even finish a join-plane
   * handshake. */
  swarm_close(&sw);
  uv_run(&loop, UV_RUN_DEFAULT);
  o.on_join = NULL;
  ASSERT_OK(swarm_start(&loop, &o, &sw, errbuf, sizeof(errbuf)));
  {
    struct sockaddr_in sin;
    ASSERT_OK(uv_ip4_addr("127.0.0.1", swarm_port(sw), &sin));
    ASSERT_EQ(run_rogue((const struct sockaddr *)&sin,
                        identity_public_key(id), join_server_netkey(js)),
              1);
  }
  swarm_close(&sw);
  uv_run(&loop, UV_RUN_DEFAULT);
  ASSERT_OK(uv_loop_close(&loop));
  invite_free(&inv);
  xfree(code);
  join_server_free(&js);
  app_close(&app);
  feed_free(&f);
  db_close(&db);
  netkey_free(&net);
  identity_free(&id);
  config_free(&cfg);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(join_parse_ttl)
{
  uint64_t s = 0;
  ASSERT_OK(invites_parse_ttl("30m", &s));
  ASSERT_EQ(s, 1800);
  ASSERT_OK(invites_parse_ttl("24h", &s));
  ASSERT_EQ(s, 86400);
  ASSERT_OK(invites_parse_ttl("7d", &s));
  ASSERT_EQ(s, 7 * 86400);
  ASSERT_OK(invites_parse_ttl("90", &s));
  ASSERT_EQ(s, 90);
  ASSERT_EQ(invites_parse_ttl("0", &s), ERR_INVAL);
  ASSERT_EQ(invites_parse_ttl("3w", &s), ERR_INVAL);
  ASSERT_EQ(invites_parse_ttl("h", &s), ERR_INVAL);
  ASSERT_EQ(invites_parse_ttl("1h2", &s), ERR_INVAL);
  ASSERT_EQ(invites_parse_ttl("91d", &s), ERR_INVAL);
  ASSERT_EQ(invites_parse_ttl("99999999999999999999d", &s), ERR_INVAL);
  ASSERT_EQ(invites_parse_ttl("", &s), ERR_INVAL);
  return 0;
}

TEST_IMPL(join_frames_roundtrip_and_caps)
{
  uint8_t key[WIRE_JOIN_KEY_BYTES], proof[WIRE_JOIN_PROOF_BYTES], *buf;
  /* Frame{join_request: {invite_key: 3 bytes}}: field 80, length 5. */
  static const uint8_t short_key[] = {0x82, 0x05, 0x05, 0x0a, 0x03,
                                      1, 2, 3};
  struct wire_frame f, d;
  size_t len;

  memset(key, 7, sizeof(key));
  memset(proof, 9, sizeof(proof));
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_JOIN_REQUEST;
  f.u.join_request.invite_key = key;
  f.u.join_request.proof = proof;
  f.u.join_request.name = "Bob";
  ASSERT_OK(wire_frame_encode(&f, &buf, &len));
  ASSERT_OK(wire_frame_decode(buf, len, &d));
  xfree(buf);
  ASSERT_EQ(d.kind, WIRE_JOIN_REQUEST);
  ASSERT_OK(memcmp(d.u.join_request.invite_key, key, sizeof(key)));
  ASSERT_OK(memcmp(d.u.join_request.proof, proof, sizeof(proof)));
  ASSERT_STR_EQ(d.u.join_request.name, "Bob");
  wire_frame_free(&d);

  memset(&f, 0, sizeof(f));
  f.kind = WIRE_JOIN_REFUSE;
  f.u.join_refuse.code = WIRE_JOIN_REVOKED;
  f.u.join_refuse.reason = "revoked";
  ASSERT_OK(wire_frame_encode(&f, &buf, &len));
  ASSERT_OK(wire_frame_decode(buf, len, &d));
  xfree(buf);
  ASSERT_EQ(d.kind, WIRE_JOIN_REFUSE);
  ASSERT_EQ(d.u.join_refuse.code, WIRE_JOIN_REVOKED);
  wire_frame_free(&d);

  ASSERT_EQ(wire_frame_decode(short_key, sizeof(short_key), &d), ERR_PARSE);
  return 0;
}
