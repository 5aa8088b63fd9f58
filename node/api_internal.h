/* PRIVATE to the API modules (node/api*.c): nothing else includes this. */
/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
#ifndef GLOWTALK_API_INTERNAL_H
#define GLOWTALK_API_INTERNAL_H

#include <pthread.h>

#include "node/http.h"

struct app;
struct db;
struct events;
struct imports;
struct json;

struct api {
  struct app *app;
  struct events *events;
  pthread_mutex_t lock; /* guards app->db: one connection, many threads */
  struct imports *imports;
};

/* Run with the store: locks, gives app->db, unlocks. */
struct db *api__db_lock(struct api *api);
void api__db_unlock(struct api *api);

/* Parse the request body as a JSON object; on failure replies 400/413 and
 * returns NULL. Caller frees. */
struct json *api__body_json(struct http_req *req);

/* Route registration of each API module. */
void api_works__register(struct api *api, struct http_server *srv);

/* Background imports (api_works.c): created by api_new, freed by
 * api_free after waiting for running imports to finish. */
struct imports *api_works__imports_new(void);
void api_works__imports_free(struct imports **im);

#endif
