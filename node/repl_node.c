/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's replication glue; see repl_node.h. */
#define LOG_MODULE "repl"
#include "node/repl_node.h"

#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/app.h"
#include "node/control.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/feed.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/log.h"
#include "node/repl.h"
#include "node/swarm.h"

#define META_TEXT_MAX 400 /* bytes of node_meta 'join_peer' */

struct repl_node {
  struct app *app;
  struct db *db;
  struct feed *f;
  struct repl *r;
};

static struct json *
op_replication(const struct json *args, void *arg, char *errbuf,
               size_t errlen)
{
  struct repl_node *rn = arg;
  (void)args;
  (void)errbuf;
  (void)errlen;
  return repl_status_json(rn->r);
}

int
repl_node_start(uv_loop_t *loop, struct app *app,
                struct control_server *control, struct repl_node **out,
                char *errbuf, size_t errlen)
{
  struct repl_node *rn = xcalloc(1, sizeof(*rn));
  struct repl_options o;
  uint8_t net[NETKEY_ID_BYTES];
  char *path = datadir_file(app->dir, "glowtalk.db");
  int err;

  *out = NULL;
  rn->app = app;
  err = db_open_store(path, &rn->db, errbuf, errlen);
  xfree(path);
  if (err)
    goto fail;
  netkey_id(app->net, net);
  err = feed_open(rn->db, app->id, net, &rn->f);
  if (err) {
    snprintf(errbuf, errlen, "replication: cannot open the log: %s",
             err_str(err));
    goto fail;
  }
  feed_set_head_dir(rn->f, app->dir);
  memset(&o, 0, sizeof(o));
  o.heads_ms = (uint64_t)config_get_int(app->cfg, "repl-heads-ms");
  o.stall_ms = (uint64_t)config_get_int(app->cfg, "repl-stall-ms");
  err = repl_new(loop, rn->f, app->id, &o, &rn->r);
  if (err) {
    snprintf(errbuf, errlen, "replication: cannot read the heads: %s",
             err_str(err));
    goto fail;
  }
  if (control)
    control_server_register(control, "replication", op_replication, rn);
  *out = rn;
  return 0;

fail:
  feed_free(&rn->f);
  db_close(&rn->db);
  xfree(rn);
  return err;
}

static void
dial_join_peer(struct repl_node *rn, struct swarm *sw)
{
  struct db_stmt *s = NULL;
  uint8_t pub[IDENTITY_PUBLIC_BYTES];
  char text[META_TEXT_MAX], id[IDENTITY_ID_HEX];
  const char *v, *at;
  int rc;

  text[0] = '\0';
  if (db_prepare(rn->db, "SELECT value FROM node_meta WHERE "
                 "key='join_peer'", &s) != 0)
    return;
  rc = db_step(s);
  if (rc == DB_ROW && (v = db_col_text(s, 0)) != NULL &&
      strlen(v) < sizeof(text))
    memcpy(text, v, strlen(v) + 1);
  db_finalize(&s);
  if (text[0] == '\0')
    return;
  at = strchr(text, '@');
  if (at == NULL || (size_t)(at - text) != IDENTITY_ID_HEX - 1) {
    log_warn("node_meta join_peer is not NODE_ID@HOST:PORT");
    return;
  }
  memcpy(id, text, IDENTITY_ID_HEX - 1);
  id[IDENTITY_ID_HEX - 1] = '\0';
  if (hex_decode(pub, sizeof(pub), id) != 0 ||
      swarm_add_peer(sw, pub, at + 1) != 0)
    log_warn("cannot dial the join peer %s", text);
}

void
repl_node_attach(struct repl_node *rn, struct swarm *sw,
                 const char *advertise)
{
  int err;

  repl_attach(rn->r, sw);
  if (advertise) {
    err = repl_announce(rn->r, advertise);
    if (err == ERR_FORBIDDEN)
      log_info("not a member yet: the address is announced later");
    else if (err)
      log_warn("cannot announce our address: %s", err_str(err));
  }
  dial_join_peer(rn, sw);
  repl_dial_members(rn->r);
}

int
repl_node_is_member(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  struct repl_node *rn = arg;
  return rn && rn->r ? repl_is_member(rn->r, pub) : 0;
}

void
repl_node_link(struct repl_node *rn, const uint8_t pub[IDENTITY_PUBLIC_BYTES],
               int up)
{
  if (rn && rn->r)
    repl_link(rn->r, pub, up);
}

void
repl_node_drained(struct repl_node *rn,
                  const uint8_t pub[IDENTITY_PUBLIC_BYTES])
{
  if (rn && rn->r)
    repl_drained(rn->r, pub);
}

struct json *
repl_node_json(struct repl_node *rn)
{
  return rn && rn->r ? repl_status_json(rn->r) : json_new_object();
}

void
repl_node_decorate(struct repl_node *rn, struct json *peers)
{
  struct repl_peer_stats ps;
  uint8_t pub[IDENTITY_PUBLIC_BYTES];
  const char *id;
  size_t i;

  if (rn == NULL || rn->r == NULL)
    return;
  for (i = 0; i < json_len(peers); i++) {
    struct json *o = json_at(peers, i);
    id = json_get_str(o, "node_id");
    if (id == NULL || hex_decode(pub, sizeof(pub), id) != 0 ||
        repl_peer_stats(rn->r, pub, &ps) != 0)
      memset(&ps, 0, sizeof(ps));
    json_set_int(o, "entries_in", (int64_t)ps.entries_in);
    json_set_int(o, "entries_out", (int64_t)ps.entries_out);
    json_set_int(o, "lag", (int64_t)ps.lag);
  }
}

void
repl_node_close(struct repl_node **rnp)
{
  struct repl_node *rn = rnp ? *rnp : NULL;
  if (rn == NULL)
    return;
  *rnp = NULL;
  repl_close(&rn->r);
  feed_free(&rn->f);
  db_close(&rn->db);
  xfree(rn);
}
