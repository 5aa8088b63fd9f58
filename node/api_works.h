/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The works part of the JSON API: importing (a URL or an upload) and
 * reading imported works and their characters (api_works.c). */
#ifndef GLOWTALK_API_WORKS_H
#define GLOWTALK_API_WORKS_H

#include <pthread.h>

#include "node/app.h"

struct api_works;
struct http_server;

/* Handlers over app (borrowed) whose store is guarded by lock (borrowed).
 * Owes one api_works_free(). */
struct api_works *api_works_new(struct app *app, pthread_mutex_t *lock);
/* Add the routes (POST /api/imports, GET /api/works...) to srv. */
void api_works_register(struct api_works *aw, struct http_server *srv);
void api_works_free(struct api_works **aw);

#endif
