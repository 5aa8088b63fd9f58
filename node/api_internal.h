/* PRIVATE to the API modules (node/api*.c): nothing else includes this. */
/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
#ifndef GLOWTALK_API_INTERNAL_H
#define GLOWTALK_API_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "node/http.h"

struct app;
struct db;
struct events;
struct feed;
struct imports;
struct voices;
struct json;
struct api_live;
struct api_cache;

struct api {
  struct app *app;
  struct events *events;
  pthread_mutex_t lock; /* guards app->db: one connection, many threads */
  struct imports *imports;
  struct voices *voices;
  struct feed *feed;    /* this node's log, opened on first use by
                         * api_books.c; used under lock */
  struct api_live *live;   /* api_live.c: progress counts, publisher */
  struct api_cache *cache; /* answers per store generation (api_cache.h) */
  struct api_readers *readers; /* api_readers.c: read-only connections */
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
/* This node's log (locked), opened on first use; NULL if it cannot be. */
struct feed *api_books__feed(struct api *api);
/* /api/books/{id}/lexicon[/WORD] (api_lexicon.c; locked inside): word is
 * NULL for the list, else the decoded rest of the path. */
void api_lexicon__handle(struct http_req *req, struct api *api,
                         const uint8_t *book, const char *word);
/* Close what api_books.c opened (the log). */
void api_books__close(struct api *api);

/* Background imports (api_works.c): created by api_new, freed by
 * api_free after waiting for running imports to finish. */
struct imports *api_works__imports_new(void);
void api_works__imports_free(struct imports **im);

/* Progress and metrics (api_live.c). start: the cache, the progress
 * counts and the publisher thread (attaches node/live.h to the events);
 * stop undoes it (before the events are freed). */
struct book_progress;
void api_live__start(struct api *api);
void api_live__stop(struct api *api);
void api_live__register(struct api *api, struct http_server *srv);
/* The book's counts (locked), kept per store generation. Errors of
 * book_progress. */
int api_live__progress(struct api *api, struct db *db, const uint8_t *book,
                       struct book_progress *p);
/* The progress fields (counts, per_minute, nodes: [{node_id,
 * per_minute}], seconds_left_estimate) into o. */
void api_live__progress_set(struct json *o, const struct book_progress *p);
/* {book_id, ...progress} (locked); NULL with *err. Caller frees. */
struct json *api_live__progress_json(struct api *api, struct db *db,
                                     const uint8_t *book, int *err);
/* GET /books/{id}/feed.xml (api_downloads.c): the podcast feed. */
void api_downloads__feed(struct http_req *req, struct api *api,
                         const uint8_t *book);

/* Publish the book's progress event (locked). */
void api_live__publish(struct api *api, struct db *db, const uint8_t *book);
/* The swarm's routes (api_swarm.c): /api/peers, /api/invites. */
void api_swarm__register(struct api *api, struct http_server *srv);

/* Read-only connections for pages (api_readers.c), opened on first use:
 * API_READERS connections, each with a reducer over it for read-only
 * queries (state_cast_get) and its page statements (book_pages_open).
 * get borrows one (waiting while all are borrowed); ERR_NOT_FOUND when
 * they could not be opened (then read on the API's connection, locked).
 * Owes one put. close: at api_free. */
#define API_READERS 4
struct state;
struct book_pages;
int api_readers__get(struct api *api, struct db **db, struct state **st,
                     struct book_pages **pages) WARN_UNUSED;
void api_readers__put(struct api *api, struct db *db);
void api_readers__close(struct api *api);

#endif
