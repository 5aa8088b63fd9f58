/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The web API's read-only connections (api_internal.h): a node/db.h pool
 * opened on first use, each connection with its own reducer for casting
 * lookups, so pages of a big book are served on every core at once
 * instead of one at a time on the API's store connection. */
#define LOG_MODULE "api"
#include <pthread.h>
#include <string.h>

#include "node/alloc.h"
#include "node/api_internal.h"
#include "node/app.h"
#include "node/book.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/log.h"
#include "node/state.h"

struct api_readers {
  pthread_mutex_t lock;      /* guards opening */
  int tried;                 /* opening was attempted */
  struct db_pool *pool;      /* NULL if it could not be opened */
  struct {
    struct db *db;
    struct state *st;        /* used by the borrower of db only */
    struct book_pages *pages;
  } conn[DB_POOL_MAX];
  int n;
};

static pthread_mutex_t readers_init = PTHREAD_MUTEX_INITIALIZER;

static struct api_readers *
readers(struct api *api)
{
  struct api_readers *r;
  char errbuf[256], *path;
  int err;

  pthread_mutex_lock(&readers_init);
  if (api->readers == NULL) {
    api->readers = xcalloc(1, sizeof(*api->readers));
    pthread_mutex_init(&api->readers->lock, NULL);
  }
  r = api->readers;
  pthread_mutex_unlock(&readers_init);
  pthread_mutex_lock(&r->lock);
  if (!r->tried) {
    r->tried = 1;
    path = datadir_file(api->app->dir, "glowtalk.db");
    err = db_pool_open(path, API_READERS, &r->pool, errbuf, sizeof(errbuf));
    xfree(path);
    if (err)
      log_warn("pages are read on the API's connection: %s", errbuf);
  }
  pthread_mutex_unlock(&r->lock);
  return r;
}

int
api_readers__get(struct api *api, struct db **db, struct state **st,
                 struct book_pages **pages)
{
  struct api_readers *r = readers(api);
  int i, err = 0;

  *db = NULL;
  *st = NULL;
  *pages = NULL;
  if (r->pool == NULL)
    return ERR_NOT_FOUND;
  *db = db_pool_get(r->pool);
  pthread_mutex_lock(&r->lock);
  for (i = 0; i < r->n && r->conn[i].db != *db; i++)
    ;
  if (i == r->n && r->n < DB_POOL_MAX) {
    r->conn[i].db = *db;
    r->conn[i].st = NULL;
    r->conn[i].pages = NULL;
    r->n++;
  }
  pthread_mutex_unlock(&r->lock);
  /* conn[i] is this thread's until the put; its reducer and statements
   * are made once. */
  if (i < DB_POOL_MAX && r->conn[i].st == NULL)
    err = state_open(*db, &r->conn[i].st);
  if (!err && i < DB_POOL_MAX && r->conn[i].pages == NULL)
    err = book_pages_open(*db, &r->conn[i].pages);
  if (err || i == DB_POOL_MAX) {
    db_pool_put(r->pool, *db);
    *db = NULL;
    return err ? err : ERR_TOO_BIG;
  }
  *st = r->conn[i].st;
  *pages = r->conn[i].pages;
  return 0;
}

void
api_readers__put(struct api *api, struct db *db)
{
  if (db && api->readers && api->readers->pool)
    db_pool_put(api->readers->pool, db);
}

void
api_readers__close(struct api *api)
{
  struct api_readers *r = api->readers;
  int i;

  if (r == NULL)
    return;
  for (i = 0; i < r->n; i++) {
    state_free(&r->conn[i].st);
    book_pages_free(&r->conn[i].pages);
  }
  db_pool_close(&r->pool);
  pthread_mutex_destroy(&r->lock);
  xfree(r);
  api->readers = NULL;
}
