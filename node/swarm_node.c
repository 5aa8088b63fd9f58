/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's swarm glue; see swarm_node.h. */
#define LOG_MODULE "swarm"
#include "node/swarm_node.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/app.h"
#include "node/blobnode.h"
#include "node/config.h"
#include "node/control.h"
#include "node/events.h"
#include "node/fileio.h"
#include "node/hex.h"
#include "node/join.h"
#include "node/json.h"
#include "node/live.h"
#include "node/log.h"
#include "node/repl_node.h"
#include "node/swarm.h"
#include "node/version.h"

struct swarm_node {
  uv_timer_t snap_timer;       /* refreshes the snapshot */
  struct app *app;
  struct events *events;       /* borrowed, may be NULL */
  struct swarm *sw;
  struct wire_hello hello;
  char software[64];           /* "glowtalk 0.1.0" */
  char *addr_path;             /* DATA/swarm.addr */
  pthread_mutex_t lock;        /* guards snapshot */
  char *snapshot;              /* JSON text of the peer table */
  struct repl_node *rn;        /* log replication (node/repl.h) */
  char *repl_snapshot;         /* JSON text of the replication status */
  struct blobnode *blobs;      /* blob sharing (node/blobnode.c) */
  struct join_server *join;    /* invite join plane, removals */
};

/* Membership comes from the signed log (node/repl.h). */
static int
is_member(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  struct swarm_node *sn = arg;
  return repl_node_is_member(pub, sn->rn); /* removals too (node/repl.c) */
}

/* Each peer's render throughput: sentences a minute it completed, from
 * the Completes applied here (node/live.h). */
static void
decorate_throughput(struct json *peers)
{
  uint8_t pub[IDENTITY_PUBLIC_BYTES];
  const char *id;
  size_t i;

  for (i = 0; i < json_len(peers); i++) {
    struct json *o = json_at(peers, i);
    id = json_get_str(o, "node_id");
    json_set_num(o, "per_minute",
                 id && hex_decode(pub, sizeof(pub), id) == 0
                     ? live_node_per_minute(pub) : 0);
  }
}

static void
snapshot(struct swarm_node *sn)
{
  struct json *peers = swarm_peers_json(sn->sw), *repl;
  char *text, *old, *rtext, *rold;
  repl_node_decorate(sn->rn, peers);
  decorate_throughput(peers);
  text = json_print(peers, 0);
  json_free(peers);
  repl = repl_node_json(sn->rn);
  rtext = json_print(repl, 0);
  json_free(repl);
  pthread_mutex_lock(&sn->lock);
  old = sn->snapshot;
  sn->snapshot = text;
  rold = sn->repl_snapshot;
  sn->repl_snapshot = rtext;
  pthread_mutex_unlock(&sn->lock);
  xfree(old);
  xfree(rold);
}

static void
on_snap(uv_timer_t *t)
{
  snapshot(t->data);
}

static void
on_link(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES], int up,
        void *arg)
{
  struct swarm_node *sn = arg;
  char id[IDENTITY_ID_HEX];
  struct json *o;

  (void)s;
  repl_node_link(sn->rn, pub, up);
  blobnode_link(sn->blobs, pub, up);
  snapshot(sn);
  if (sn->events == NULL)
    return;
  hex_encode(id, pub, IDENTITY_PUBLIC_BYTES);
  o = json_new_object();
  json_set_str(o, "node_id", id);
  json_set_bool(o, "connected", up);
  events_publish(sn->events, "peer", o);
  json_free(o);
}

static void
on_drained(struct swarm *s, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
           void *arg)
{
  struct swarm_node *sn = arg;
  (void)s;
  blobnode_drained(sn->blobs, pub);
  repl_node_drained(sn->rn, pub);
}

static int
write_addr(const char *path, const char *host, int port)
{
  char *text = strchr(host, ':') ? xasprintf("[%s]:%d\n", host, port)
                                 : xasprintf("%s:%d\n", host, port);
  int err = fileio_replace(path, text, strlen(text));
  xfree(text);
  return err;
}

/* Announce our swarm address in the log (the advertise option, else the
 * bound listen address; nothing for a wildcard bind without advertise)
 * and dial the members we know; node/repl_node.c. */
static void
advertise(struct swarm_node *sn)
{
  const char *adv = config_get(sn->app->cfg, "advertise");
  char *host = NULL, *own = NULL;
  int port;

  if (adv == NULL &&
      config_split_hostport(config_get(sn->app->cfg, "listen"), &host,
                            &port) == 0 &&
      strcmp(host, "0.0.0.0") != 0 && strcmp(host, "::") != 0)
    own = strchr(host, ':') ? xasprintf("[%s]:%d", host, swarm_port(sn->sw))
                            : xasprintf("%s:%d", host, swarm_port(sn->sw));
  repl_node_attach(sn->rn, sn->sw, adv ? adv : own);
  xfree(host);
  xfree(own);
}

/* "NODE_ID@HOST:PORT": dial it. */
static int
add_target(struct swarm *sw, const char *spec, char *errbuf, size_t errlen)
{
  uint8_t pub[IDENTITY_PUBLIC_BYTES];
  const char *at = strchr(spec, '@');
  char id[IDENTITY_ID_HEX];
  int err;

  if (at == NULL || (size_t)(at - spec) != IDENTITY_ID_HEX - 1) {
    snprintf(errbuf, errlen, "peer '%s' is not NODE_ID@HOST:PORT", spec);
    return ERR_INVAL;
  }
  memcpy(id, spec, IDENTITY_ID_HEX - 1);
  id[IDENTITY_ID_HEX - 1] = '\0';
  if (hex_decode(pub, sizeof(pub), id) != 0) {
    snprintf(errbuf, errlen, "peer '%s': the node id is not 64 hex digits",
             spec);
    return ERR_INVAL;
  }
  err = swarm_add_peer(sw, pub, at + 1);
  if (err)
    snprintf(errbuf, errlen, "peer '%s': %s", spec,
             err == ERR_INVAL ? "our own node id, or not HOST:PORT"
                              : err_str(err));
  return err;
}

static int
add_targets(struct swarm *sw, const char *list, char *errbuf, size_t errlen)
{
  char *copy, *p, *end;
  int n = 0, err = 0;

  if (list == NULL)
    return 0;
  copy = xstrdup(list);
  for (p = copy; *p && !err;) {
    p += strspn(p, ", \t");
    if (*p == '\0')
      break;
    end = p + strcspn(p, ", \t");
    if (*end)
      *end++ = '\0';
    if (++n > SWARM_NODE_PEERS_MAX) {
      snprintf(errbuf, errlen, "more than %d peers", SWARM_NODE_PEERS_MAX);
      err = ERR_TOO_BIG;
    } else {
      err = add_target(sw, p, errbuf, errlen);
    }
    p = end;
  }
  xfree(copy);
  return err;
}

/* control op "connect" {"node_id": HEX, "address": "HOST:PORT"} */
static struct json *
op_connect(const struct json *args, void *arg, char *errbuf, size_t errlen)
{
  struct swarm_node *sn = arg;
  const char *id = json_get_str(args, "node_id");
  const char *addr = json_get_str(args, "address");
  char *spec;
  struct json *o;
  int err;

  if (id == NULL || addr == NULL) {
    snprintf(errbuf, errlen, "connect needs node_id and address");
    return NULL;
  }
  spec = xasprintf("%s@%s", id, addr);
  err = add_target(sn->sw, spec, errbuf, errlen);
  xfree(spec);
  if (err)
    return NULL;
  o = json_new_object();
  json_set_str(o, "node_id", id);
  json_set_str(o, "address", addr);
  return o;
}

/* control op "peers": the live peer table. */
static struct json *
op_peers(const struct json *args, void *arg, char *errbuf, size_t errlen)
{
  struct swarm_node *sn = arg;
  (void)args;
  (void)errbuf;
  (void)errlen;
  {
    struct json *peers = swarm_peers_json(sn->sw);
    repl_node_decorate(sn->rn, peers);
    decorate_throughput(peers);
    return peers;
  }
}

/* A joined node dials the member that admitted it (node_meta join_peer). */
static void
dial_join_peer(struct swarm_node *sn)
{
  char errbuf[256], *peer = join_server_join_peer(sn->join);
  if (peer && add_target(sn->sw, peer, errbuf, sizeof(errbuf)) != 0)
    log_warn("join_peer: %s", errbuf);
  xfree(peer);
}

static void
snap_timer_closed(uv_handle_t *h)
{
  struct swarm_node *sn = h->data;
  pthread_mutex_destroy(&sn->lock);
  xfree(sn->snapshot);
  xfree(sn->repl_snapshot);
  xfree(sn->addr_path);
  xfree(sn);
}

int
swarm_node_start(uv_loop_t *loop, struct app *app,
                 struct control_server *control, struct events *events,
                 struct swarm_node **out, char *errbuf, size_t errlen)
{
  struct swarm_node *sn = xcalloc(1, sizeof(*sn));
  struct swarm_options opts;
  const char *listen = config_get(app->cfg, "listen");
  char *host = NULL;
  int port, err;

  *out = NULL;
  sn->app = app;
  sn->events = events;
  sn->addr_path = xasprintf("%s/%s", app->dir, SWARM_NODE_ADDR_FILE);
  pthread_mutex_init(&sn->lock, NULL);
  uv_timer_init(loop, &sn->snap_timer);
  sn->snap_timer.data = sn;
  snprintf(sn->software, sizeof(sn->software), "glowtalk %s",
           GLOWTALK_VERSION);
  /* Engines and voices are announced once node/tts.c renders: a Hello
   * never claims what this build cannot do. */
  sn->hello.protocol_version = WIRE_PROTOCOL_VERSION;
  sn->hello.software_version = sn->software;
  memset(&opts, 0, sizeof(opts));
  opts.id = app->id;
  opts.net = app->net;
  opts.listen = listen;
  opts.is_member = is_member;
  opts.member_arg = sn;
  if (join_server_new(app, &sn->join, errbuf, errlen) == 0) {
    opts.join_net = join_server_netkey(sn->join);
    opts.on_join = join_server_on_frame;
    opts.join_arg = sn->join;
  } else {
    log_warn("no invite join plane: %s", errbuf);
  }
  opts.hello = &sn->hello;
  opts.on_link = on_link;
  opts.link_arg = sn;
  opts.on_drained = on_drained;
  err = repl_node_start(loop, app, control, &sn->rn, errbuf, errlen);
  if (err)
    goto fail;
  err = swarm_start(loop, &opts, &sn->sw, errbuf, errlen);
  if (err)
    goto fail;
  err = blobnode_start(loop, app, sn->sw, control, &sn->blobs, errbuf,
                       errlen);
  if (err)
    goto fail;
  err = add_targets(sn->sw, config_get(app->cfg, "peers"), errbuf, errlen);
  if (err)
    goto fail;
  if (sn->join)
    dial_join_peer(sn);
  if (config_split_hostport(listen, &host, &port) == 0 &&
      write_addr(sn->addr_path, strcmp(host, "0.0.0.0") == 0 ? "127.0.0.1"
                 : strcmp(host, "::") == 0 ? "::1" : host,
                 swarm_port(sn->sw)) != 0)
    log_warn("%s: cannot write %s", __func__, sn->addr_path);
  xfree(host);
  advertise(sn);
  if (control) {
    control_server_register(control, "connect", op_connect, sn);
    control_server_register(control, "peers", op_peers, sn);
  }
  snapshot(sn);
  uv_timer_start(&sn->snap_timer, on_snap, SWARM_STATS_MS, SWARM_STATS_MS);
  log_info("listening on %s (port %d)", listen, swarm_port(sn->sw));
  *out = sn;
  return 0;

fail:
  blobnode_close(&sn->blobs);
  swarm_close(&sn->sw);
  repl_node_close(&sn->rn);
  join_server_free(&sn->join);
  uv_close((uv_handle_t *)&sn->snap_timer, snap_timer_closed);
  return err;
}

void
swarm_node_close(struct swarm_node **snp)
{
  struct swarm_node *sn;
  if (snp == NULL || *snp == NULL)
    return;
  sn = *snp;
  *snp = NULL;
  unlink(sn->addr_path);
  blobnode_close(&sn->blobs);
  swarm_close(&sn->sw);
  repl_node_close(&sn->rn);
  join_server_free(&sn->join);
  uv_close((uv_handle_t *)&sn->snap_timer, snap_timer_closed);
}

struct json *
swarm_node_replication(struct swarm_node *sn)
{
  struct json *j = NULL;
  char errbuf[128];

  pthread_mutex_lock(&sn->lock);
  if (sn->repl_snapshot)
    j = json_parse(sn->repl_snapshot, strlen(sn->repl_snapshot), errbuf,
                   sizeof(errbuf));
  pthread_mutex_unlock(&sn->lock);
  return j ? j : json_new_object();
}

size_t
swarm_node_live(struct swarm_node *sn,
                uint8_t (*out)[IDENTITY_PUBLIC_BYTES], size_t max)
{
  return sn && sn->sw ? swarm_connected_keys(sn->sw, out, max) : 0;
}

struct json *
swarm_node_peers(struct swarm_node *sn)
{
  struct json *j = NULL;
  char errbuf[128];

  pthread_mutex_lock(&sn->lock);
  if (sn->snapshot)
    j = json_parse(sn->snapshot, strlen(sn->snapshot), errbuf,
                   sizeof(errbuf));
  pthread_mutex_unlock(&sn->lock);
  return j ? j : json_new_array();
}
