/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Live updates for the UI: a thread-safe bus that modules publish events
 * to (progress, audio ready, peers, imports) and that Server-Sent Events
 * connections wait on. The last EVENTS_RING events are kept so a browser
 * that reconnects with Last-Event-ID misses nothing; one that fell further
 * behind gets a "reset" event and reloads its view. */
#ifndef GLOWTALK_EVENTS_H
#define GLOWTALK_EVENTS_H

#include <stdint.h>

#include "node/buf.h"
#include "node/err.h"

struct events;
struct json;

#define EVENTS_RING 4096           /* events kept for reconnecting clients */
#define EVENTS_BATCH_MAX (1u << 20) /* bytes handed to one waiter at once */

/* Owes one events_free(). */
struct events *events_new(void);
/* Free; no waiter may remain (call events_close and let them return). */
void events_free(struct events **ev);

/* Publish: type is a short word ("progress"), data any JSON (copied).
 * Thread-safe; wakes every waiter. */
void events_publish(struct events *ev, const char *type,
                    const struct json *data);
/* The id of the newest event (0 before the first). */
uint64_t events_last_id(struct events *ev);

/* Append to out, as SSE text ("id: N\nevent: T\ndata: JSON\n\n"), every
 * event newer than after, waiting up to timeout_ms for the first one.
 * *last gets the id of the last event written (after if none). Returns 0,
 * ERR_TIMEOUT when nothing came, ERR_CANCELLED once events_close() ran. */
int events_wait(struct events *ev, uint64_t after, int timeout_ms,
                struct buf *out, uint64_t *last) WARN_UNUSED;
/* Wake every waiter for good (shutdown). */
void events_close(struct events *ev);

#endif
