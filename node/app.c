/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Opening a node's data dir; see app.h. */
#include "node/app.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/anchor.h"
#include "node/log.h"

int
app_open(struct app *app, const char *dir, struct config *cfg,
         unsigned flags, char *errbuf, size_t errlen)
{
  struct stat st;
  char *path = NULL;
  int err, restored = 0;

  memset(app, 0, sizeof(*app));
  if (secure_init()) {
    snprintf(errbuf, errlen, "cannot initialise libsodium");
    return ERR_CRYPTO;
  }
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(errbuf, errlen, "data dir %s does not exist: run 'glowtalk "
             "init --data %s' first", dir, dir);
    return ERR_NOT_INITIALISED;
  }
  app->dir = xstrdup(dir);
  app->cfg = cfg;
  if (flags & APP_LOCK) {
    err = datadir_lock(dir, &app->lock, errbuf, errlen);
    if (err)
      goto fail;
  }
  path = datadir_file(dir, "identity.key");
  err = identity_load(path, &app->id, errbuf, errlen);
  xfree(path);
  if (err)
    goto fail;
  path = datadir_file(dir, "network.key");
  err = netkey_load(path, &app->net, errbuf, errlen);
  xfree(path);
  if (err)
    goto fail;
  path = datadir_file(dir, "glowtalk.db");
  err = db_open_store(path, &app->db, errbuf, errlen);
  xfree(path);
  if (err)
    goto fail;
  /* A store lost and made anew: trust the swarm again from the anchor
   * file, and catch up before appending (node/anchor.h). */
  err = anchor_restore(dir, app->db, &restored);
  if (err) {
    snprintf(errbuf, errlen, "cannot restore the swarm anchor from %s/%s: "
             "%s", dir, ANCHOR_FILE, err_str(err));
    goto fail;
  }
  if (restored)
    log_info("store made anew: founder and admitter restored from %s/%s",
             dir, ANCHOR_FILE);
  identity_id_hex(app->id, app->node_id);
  netkey_id_hex(app->net, app->network_id);
  return 0;

fail:
  app_close(app);
  return err;
}

void
app_close(struct app *app)
{
  db_close(&app->db);
  netkey_free(&app->net);
  identity_free(&app->id);
  datadir_unlock(&app->lock);
  xfree(app->dir);
  memset(app, 0, sizeof(*app));
}
