/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk init: a new identity and a new swarm in a private data dir. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/anchor.h"
#include "node/cli.h"
#include "node/commands.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/feed.h"
#include "node/json.h"

/* With --force the old database belongs to an identity that is going away;
 * keep it aside rather than destroy anyone's work. */
static int
set_aside_database(const char *dir)
{
  static const char *const suffixes[] = {"", "-wal", "-shm"};
  long stamp = (long)time(NULL);
  size_t i;
  int err = 0;

  for (i = 0; i < 3 && !err; i++) {
    char *from = xasprintf("%s/glowtalk.db%s", dir, suffixes[i]);
    char *to = xasprintf("%s/glowtalk.db.replaced-%ld%s", dir, stamp,
                         suffixes[i]);
    if (rename(from, to) != 0 && errno != ENOENT)
      err = cli_fail("cannot move %s aside: %s", from, strerror(errno));
    else if (i == 0 && access(to, F_OK) == 0)
      fprintf(stderr, "glowtalk: the old database was kept as %s\n", to);
    xfree(from);
    xfree(to);
  }
  return err;
}

/* This node founds the swarm: pin it as the founder and make the first
 * log entry, Found (node/LOG.md). */
static int
found_swarm(struct db *db, const struct identity *id,
            const struct netkey *net)
{
  struct feed *f = NULL;
  struct wire_entry e;
  uint8_t netid[NETKEY_ID_BYTES];
  int err;

  memset(&e, 0, sizeof(e));
  netkey_id(net, netid);
  err = state_set_founder(db, identity_public_key(id));
  if (!err)
    err = feed_open(db, id, netid, &f);
  if (!err) {
    e.op = WIRE_OP_FOUND;
    err = feed_append(f, &e, NULL);
  }
  feed_free(&f);
  if (err)
    cli_fail("cannot start the swarm's log: %s", err_str(err));
  return err;
}

int
cmd_init(struct cli *cli)
{
  const char *dir = cli_datadir(cli);
  struct datadir_lock *lock = NULL;
  struct identity *id = NULL;
  struct netkey *net = NULL;
  struct db *db = NULL;
  char *id_path = NULL, *net_path = NULL, *db_path = NULL;
  char errbuf[512], node_id[IDENTITY_ID_HEX], network_id[NETKEY_ID_HEX];
  int force = cli_flag(cli, "force"), rc = CLI_FAIL, created = 0;

  if (secure_init())
    return cli_fail("cannot initialise libsodium");
  if (datadir_create(dir, errbuf, sizeof(errbuf)))
    return cli_fail("%s", errbuf);
  if (datadir_lock(dir, &lock, errbuf, sizeof(errbuf)))
    return cli_fail("%s", errbuf);
  id_path = datadir_file(dir, "identity.key");
  net_path = datadir_file(dir, "network.key");
  db_path = datadir_file(dir, "glowtalk.db");
  if (!force && access(id_path, F_OK) == 0) {
    cli_fail("%s is already initialised; 'glowtalk init --force' replaces "
             "its identity and swarm", dir);
    goto out;
  }
  if (force && set_aside_database(dir))
    goto out;
  if (identity_create(id_path, force, &id, errbuf, sizeof(errbuf)) ||
      netkey_create(net_path, force, &net, errbuf, sizeof(errbuf))) {
    cli_fail("%s", errbuf);
    goto undo;
  }
  created = 1;
  if (db_open_store(db_path, &db, errbuf, sizeof(errbuf))) {
    cli_fail("%s", errbuf);
    goto undo;
  }
  if (found_swarm(db, id, net))
    goto undo;
  if (anchor_save(dir, db) != 0) {
    cli_fail("cannot write %s/%s", dir, ANCHOR_FILE);
    goto undo;
  }
  identity_id_hex(id, node_id);
  netkey_id_hex(net, network_id);
  if (cli_flag(cli, "json")) {
    struct json *o = json_new_object();
    char *text;
    json_set_str(o, "data", dir);
    json_set_str(o, "node_id", node_id);
    json_set_str(o, "network_id", network_id);
    text = json_print(o, 0);
    printf("%s\n", text);
    xfree(text);
    json_free(o);
  } else {
    printf("Initialised %s\nnode id:    %s\nnetwork id: %s\n"
           "Start it with: glowtalk run --data %s\n", dir, node_id,
           network_id, dir);
  }
  rc = CLI_OK;
  goto out;

undo:
  /* Leave no half-initialised dir behind: without --force nothing existed
   * before, so remove what this run created. */
  if (!force || !created) {
    if (id)
      unlink(id_path);
    if (net)
      unlink(net_path);
  }
out:
  db_close(&db);
  netkey_free(&net);
  identity_free(&id);
  datadir_unlock(&lock);
  xfree(id_path);
  xfree(net_path);
  xfree(db_path);
  return rc;
}
