/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk join CODE: a new identity in a new data dir, admitted by the
 * inviting member over the join plane (node/join.h). Everything is built
 * in a temporary directory inside the data dir and moved into place only
 * once admitted: a failed join leaves nothing behind. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/identity.h"
#include "crypto/invite.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/anchor.h"
#include "node/cli.h"
#include "node/commands.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/hex.h"
#include "node/invites.h"
#include "node/join.h"
#include "node/json.h"
#include "node/state.h"

/* Files a joined data dir holds, moved from the temporary dir. */
static const char *const files[] = {"identity.key", "network.key",
                                    "glowtalk.db", "glowtalk.db-wal",
                                    "glowtalk.db-shm", ANCHOR_FILE};
#define NFILES (sizeof(files) / sizeof(files[0]))

static int
set_meta(struct db *db, const char *key, const char *value)
{
  struct db_stmt *s = NULL;
  int err = db_prepare(db, "INSERT OR REPLACE INTO node_meta VALUES "
                       "(?1, ?2)", &s);
  if (!err)
    err = db_bind_text(s, 1, key, -1);
  if (!err)
    err = db_bind_text(s, 2, value, -1);
  if (!err) {
    err = db_step(s);
    err = err < 0 ? err : 0;
  }
  db_finalize(&s);
  return err;
}

/* Write what the member sent into tmp: network key, founder, who admitted
 * us and where to find it (node_meta 'admitted_by', 'join_peer'). */
static int
write_store(const char *tmp, const struct invite *inv,
            const struct join_result *r)
{
  struct netkey *nk = netkey_from_bytes(r->network_key);
  uint8_t netid[NETKEY_ID_BYTES];
  char *path = NULL, *peer = NULL, errbuf[512], inviter[IDENTITY_ID_HEX];
  struct db *db = NULL;
  int err;

  if (nk == NULL)
    return cli_fail("cannot hold the network key");
  netkey_id(nk, netid);
  if (memcmp(netid, invite_network_id(inv), NETKEY_ID_BYTES) != 0) {
    netkey_free(&nk);
    return cli_fail("the member sent the key of another network (wrong "
                    "network): not joined");
  }
  path = datadir_file(tmp, "network.key");
  err = netkey_save(nk, path, errbuf, sizeof(errbuf));
  netkey_free(&nk);
  xfree(path);
  if (err)
    return cli_fail("%s", errbuf);
  path = datadir_file(tmp, "glowtalk.db");
  err = db_open_store(path, &db, errbuf, sizeof(errbuf));
  xfree(path);
  if (err)
    return cli_fail("%s", errbuf);
  hex_encode(inviter, r->inviter, IDENTITY_PUBLIC_BYTES);
  peer = xasprintf("%s@%s", inviter, r->address);
  err = db_begin(db);
  if (!err)
    err = state_set_founder(db, r->founder);
  if (!err)
    err = set_meta(db, "admitted_by", inviter);
  if (!err)
    err = set_meta(db, "join_peer", peer);
  if (!err)
    err = db_commit(db);
  else
    db_rollback(db);
  if (!err)
    err = anchor_save(tmp, db);
  xfree(peer);
  db_close(&db);
  if (err)
    return cli_fail("cannot write the new store: %s", err_str(err));
  return 0;
}

static void
remove_tmp(const char *tmp)
{
  size_t i;
  for (i = 0; i < NFILES; i++) {
    char *p = datadir_file(tmp, files[i]);
    unlink(p);
    xfree(p);
  }
  rmdir(tmp);
}

/* Move the files into dir; the identity last, so a dir with an identity
 * is always complete. */
static int
move_into(const char *tmp, const char *dir)
{
  size_t i, k;
  int err = 0;

  for (k = NFILES; k-- > 0 && !err;) {
    i = (k + 1) % NFILES; /* identity.key (index 0) goes last */
    char *from = datadir_file(tmp, files[i]);
    char *to = datadir_file(dir, files[i]);
    if (rename(from, to) != 0 && errno != ENOENT)
      err = cli_fail("cannot move %s into %s: %s", files[i], dir,
                     strerror(errno));
    xfree(from);
    xfree(to);
  }
  return err;
}

static void
print_joined(struct cli *cli, const char *dir, const struct identity *id,
             const struct join_result *r)
{
  char node[IDENTITY_ID_HEX], inviter[IDENTITY_ID_HEX];
  struct json *o;
  char *text;

  identity_id_hex(id, node);
  hex_encode(inviter, r->inviter, IDENTITY_PUBLIC_BYTES);
  if (cli_flag(cli, "json")) {
    o = json_new_object();
    json_set_str(o, "data", dir);
    json_set_str(o, "node_id", node);
    json_set_str(o, "admitted_by", inviter);
    json_set_str(o, "join_peer", r->address);
    text = json_print(o, 0);
    printf("%s\n", text);
    xfree(text);
    json_free(o);
    return;
  }
  printf("Joined the swarm.\nnode id:     %s\nadmitted by: %s (%s)\n"
         "Start it with: glowtalk run --data %s\n", node, inviter,
         r->address, dir);
}

int
cmd_join(struct cli *cli)
{
  const char *dir = cli_datadir(cli), *code = cli_arg(cli, 0);
  const char *name = cli_opt(cli, "name");
  struct datadir_lock *lock = NULL;
  struct identity *id = NULL;
  struct invite *inv = NULL;
  struct join_result res;
  char errbuf[512], *id_path = NULL, *tmp = NULL, *lockf = NULL;
  struct stat st;
  int existed = 1, had_lock = 1, rc = CLI_FAIL, err;

  memset(&res, 0, sizeof(res));
  if (secure_init())
    return cli_fail("cannot initialise libsodium");
  err = invite_parse(code, strlen(code), &inv);
  if (err)
    return cli_fail("this is not a valid invite code (%s): check it was "
                    "copied whole", err == ERR_TOO_BIG ? "too long"
                    : "a typo, or it was altered");
  if (name && strlen(name) > INVITES_NAME_MAX) {
    invite_free(&inv);
    return cli_usage(cli, "--name is longer than %d bytes",
                     INVITES_NAME_MAX);
  }
  id_path = datadir_file(dir, "identity.key");
  if (access(id_path, F_OK) == 0) {
    cli_fail("%s is already initialised: join with a new --data dir", dir);
    goto out_nodir;
  }
  existed = stat(dir, &st) == 0;
  if (datadir_create(dir, errbuf, sizeof(errbuf))) {
    cli_fail("%s", errbuf);
    goto out_nodir;
  }
  lockf = datadir_file(dir, "lock");
  had_lock = access(lockf, F_OK) == 0;
  if (datadir_lock(dir, &lock, errbuf, sizeof(errbuf))) {
    cli_fail("%s", errbuf);
    goto out;
  }
  tmp = xasprintf("%s/.join-XXXXXX", dir);
  if (mkdtemp(tmp) == NULL) {
    cli_fail("cannot create a directory in %s: %s", dir, strerror(errno));
    xfree(tmp);
    tmp = NULL;
    goto out;
  }
  xfree(id_path);
  id_path = datadir_file(tmp, "identity.key");
  if (identity_create(id_path, 0, &id, errbuf, sizeof(errbuf))) {
    cli_fail("%s", errbuf);
    goto out;
  }
  err = join_run(inv, id, name, JOIN_PROOF_OK, &res, errbuf,
                 sizeof(errbuf));
  if (err) {
    cli_fail("not joined: %s", errbuf);
    goto out;
  }
  if (write_store(tmp, inv, &res) || move_into(tmp, dir))
    goto out;
  print_joined(cli, dir, id, &res);
  rc = CLI_OK;

out:
  if (tmp) {
    remove_tmp(tmp);
    xfree(tmp);
  }
  datadir_unlock(&lock);
  /* A failed join leaves the dir as it found it. */
  if (rc != CLI_OK && lockf && !had_lock)
    unlink(lockf);
  if (rc != CLI_OK && !existed)
    rmdir(dir);
  xfree(lockf);
out_nodir:
  secure_wipe(res.network_key, sizeof(res.network_key));
  identity_free(&id);
  invite_free(&inv);
  xfree(id_path);
  return rc;
}
