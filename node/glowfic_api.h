/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Glowfic JSON API bodies (GLOWFIC.md 2) into the work document: a post
 * (GET /api/v1/posts/:id), pages of replies (GET .../replies) and error
 * bodies. Parsing only: fetch.c gets the bodies, json.c parses them. */
#ifndef GLOWTALK_GLOWFIC_API_H
#define GLOWTALK_GLOWFIC_API_H

#include <stddef.h>

#include "node/err.h"
#include "node/json.h"
#include "node/work.h"

/* Add a thread to w from a post body: subject, description, board and the
 * opening post. The API does not say who wrote the OP: the author is set
 * only when the post has a single author (fill it from the HTML page
 * otherwise). ERR_PARSE with errbuf when the body is not a post. */
int glowfic_api_post(struct work *w, const struct json *post,
                     unsigned text_flags, char *errbuf, size_t errlen)
    WARN_UNUSED;

/* Append one page of replies (a JSON array) to thread t of w, skipping
 * ids it has already. *added counts the new ones. ERR_PARSE with errbuf
 * when the body is not an array of replies. */
int glowfic_api_replies(struct work *w, struct work_thread *t,
                        const struct json *page, unsigned text_flags,
                        size_t *added, char *errbuf, size_t errlen)
    WARN_UNUSED;

/* The first message of an API error body {"errors":[{"message":..}]}, or
 * NULL when body is not one. Borrowed from body. */
const char *glowfic_api_error(const struct json *body);

#endif
