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
struct feed;
struct imports;
struct voices;
struct json;

struct api {
  struct app *app;
  struct events *events;
  pthread_mutex_t lock; /* guards app->db: one connection, many threads */
  struct imports *imports;
  struct voices *voices;
  struct feed *feed;    /* this node's log, opened on first use by
                         * api_books.c; used under lock */
};

/* Run with the store: locks, gives app->db, unlocks. */
struct db *api__db_lock(struct api *api);
void api__db_unlock(struct api *api);

/* Run fn(arg) to completion on a thread with a full-size stack and wait
 * for it. civetweb's worker threads have small stacks (fixed when Debian
 * built it) and libopus keeps large arrays on the stack: encoding on them
 * overflows. Returns fn's result, or ERR_NOMEM-like -errno if no thread. */
int api__run_big_stack(int (*fn)(void *arg), void *arg);

/* Parse the request body as a JSON object; on failure replies 400/413 and
 * returns NULL. Caller frees. */
struct json *api__body_json(struct http_req *req);

/* Route registration of each API module. */
void api_works__register(struct api *api, struct http_server *srv);

void api_voices__register(struct api *api, struct http_server *srv);
/* Speech for the API (api_voices.c): one espeak-ng instance behind a lock,
 * opened on first use. */
struct voices *api_voices__new(void);
void api_voices__free(struct voices **v);

void api_books__register(struct api *api, struct http_server *srv);
/* [{id, name, fork_of}] of the audiobooks of work_id (locked; for the
 * works list). Caller frees. */
struct json *api_books__of_work(struct db *db, const char *work_id);
/* Close what api_books.c opened (the log). */
void api_books__close(struct api *api);

/* Background imports (api_works.c): created by api_new, freed by
 * api_free after waiting for running imports to finish. */
struct imports *api_works__imports_new(void);
void api_works__imports_free(struct imports **im);

/* The swarm's routes (api_swarm.c): /api/peers, /api/invites. */
void api_swarm__register(struct api *api, struct http_server *srv);
/* This node's log on the API's connection (api_books.c), opened on first
 * use; call with the store lock held. NULL if it cannot be opened. */
struct feed *api_books__feed(struct api *api);

#endif
