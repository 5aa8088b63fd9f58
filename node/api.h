/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The JSON API under /api (docs/API.md): request handlers over the node's
 * store. Handlers run on several web threads; the API serialises its use
 * of the store connection. */
#ifndef GLOWTALK_API_H
#define GLOWTALK_API_H

struct api;
struct app;
struct events;
struct http_server;

/* An API over app and the event bus (both borrowed; they must outlive the
 * API). Owes api_free(). */
struct api *api_new(struct app *app, struct events *events);
/* Add the API's routes to a started server. */
void api_register(struct api *api, struct http_server *srv);
void api_free(struct api **api);

#endif
