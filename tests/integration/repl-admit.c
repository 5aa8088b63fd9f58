/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Test fixture for the replication tests (tests/integration/repl.t,
 * swarm.t), standing in for `glowtalk invite` / `join` until they exist:
 *   repl-admit A_DIR B_DIR [A_ADDR]
 * appends InviteCreate + Admit(B's key) to A's log, signed by A (A's
 * daemon must not be running), and gives B a fresh store that pins A as
 * founder and records node_meta 'admitted_by' (and 'join_peer' when
 * A_ADDR is given), as a join does. Copy A's network.key to B first. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/app.h"
#include "node/config.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/feed.h"
#include "node/hex.h"
#include "node/state.h"

static int
die(const char *what, const char *why)
{
  fprintf(stderr, "repl-admit: %s: %s\n", what, why);
  return 1;
}

static int
meta(struct db *db, const char *key, const char *value)
{
  struct db_stmt *s = NULL;
  int err = db_prepare(db, "INSERT OR REPLACE INTO node_meta VALUES "
                       "(?1, ?2)", &s);
  if (!err)
    err = db_bind_text(s, 1, key, -1);
  if (!err)
    err = db_bind_text(s, 2, value, -1);
  if (!err)
    err = db_step(s) == DB_DONE ? 0 : ERR_DB;
  db_finalize(&s);
  return err;
}

int
main(int argc, char **argv)
{
  struct config *cfg = config_new();
  struct app a;
  struct identity *bid = NULL;
  struct feed *f = NULL;
  struct db *bdb = NULL;
  struct wire_entry e;
  uint8_t net[NETKEY_ID_BYTES];
  char errbuf[512], *path, hexa[IDENTITY_ID_HEX];
  static const char *const sfx[] = {"", "-wal", "-shm"};
  int i, err;

  if (argc < 3)
    return die("usage", "repl-admit A_DIR B_DIR [A_ADDR]");
  if (app_open(&a, argv[1], cfg, APP_LOCK, errbuf, sizeof(errbuf)))
    return die(argv[1], errbuf);
  path = datadir_file(argv[2], "identity.key");
  if (identity_load(path, &bid, errbuf, sizeof(errbuf)))
    return die(path, errbuf);
  xfree(path);
  netkey_id(a.net, net);
  if ((err = feed_open(a.db, a.id, net, &f)) != 0)
    return die("feed", err_str(err));
  feed_set_head_dir(f, a.dir);
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_INVITE_CREATE;
  secure_random(e.invite_id, sizeof(e.invite_id));
  secure_random(e.key, sizeof(e.key));
  e.max_uses = 1;
  if ((err = feed_append(f, &e, NULL)) != 0)
    return die("invite", err_str(err));
  e.op = WIRE_OP_ADMIT;
  memcpy(e.key, identity_public_key(bid), WIRE_KEY_BYTES);
  if ((err = feed_append(f, &e, NULL)) != 0)
    return die("admit", err_str(err));
  feed_free(&f);
  for (i = 0; i < 3; i++) {
    path = xasprintf("%s/glowtalk.db%s", argv[2], sfx[i]);
    unlink(path);
    xfree(path);
  }
  path = datadir_file(argv[2], "glowtalk.db");
  if (db_open_store(path, &bdb, errbuf, sizeof(errbuf)))
    return die(path, errbuf);
  xfree(path);
  if ((err = state_set_founder(bdb, identity_public_key(a.id))) != 0)
    return die("founder", err_str(err));
  hex_encode(hexa, identity_public_key(a.id), IDENTITY_PUBLIC_BYTES);
  if ((err = meta(bdb, "admitted_by", hexa)) != 0)
    return die("admitted_by", err_str(err));
  if (argc > 3) {
    char *jp = xasprintf("%s@%s", hexa, argv[3]);
    err = meta(bdb, "join_peer", jp);
    xfree(jp);
    if (err)
      return die("join_peer", err_str(err));
  }
  db_close(&bdb);
  identity_free(&bid);
  app_close(&a);
  config_free(&cfg);
  return 0;
}
