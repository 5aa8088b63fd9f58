/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* An opened node: its data dir, identity, network key and store, as every
 * command that works on an initialised data dir needs them. */
#ifndef GLOWTALK_APP_H
#define GLOWTALK_APP_H

#include <stddef.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "node/config.h"
#include "node/datadir.h"
#include "node/db.h"

#define APP_LOCK (1u << 0) /* take the data dir lock (daemon, writers) */

struct storewatch;

struct app {
  char *dir;                 /* data dir, owned */
  struct config *cfg;        /* borrowed from the caller */
  struct datadir_lock *lock; /* NULL unless APP_LOCK */
  struct identity *id;
  struct netkey *net;
  struct db *db;
  struct storewatch *watch;  /* glowtalk run's store change notifier
                              * (node/storewatch.h), borrowed; else NULL */
  char node_id[IDENTITY_ID_HEX];
  char network_id[NETKEY_ID_HEX];
};

/* Open the initialised data dir dir. ERR_NOT_INITIALISED when init has not
 * run there; other errors say what is wrong in errbuf. All-or-nothing:
 * after success one app_close() is owed. */
int app_open(struct app *app, const char *dir, struct config *cfg,
             unsigned flags, char *errbuf, size_t errlen) WARN_UNUSED;
void app_close(struct app *app);

#endif
