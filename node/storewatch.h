/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The daemon's one "did the store change?" check: a libuv timer reads
 * PRAGMA data_version on a store connection of its own once a tick and
 * calls every subscriber with the answer, so modules that act on new
 * state (node/worksd.c, node/blobsync.c) do not each poll the store. */
#ifndef GLOWTALK_STOREWATCH_H
#define GLOWTALK_STOREWATCH_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "node/err.h"

#define STOREWATCH_TICK_MS 500 /* between two looks at the store */
#define STOREWATCH_SUBS_MAX 8   /* subscribers at once */

struct storewatch;

/* Called on the loop thread once a tick, in subscription order. changed
 * is 1 when another connection committed to the store since the last
 * tick (or the version could not be read: look to be safe), else 0. */
typedef void (*storewatch_cb)(int changed, void *arg);

/* Watch the store at db_path on loop, every tick_ms (0 =
 * STOREWATCH_TICK_MS). The version is first read when the loop runs (a
 * silent tick of its own), so what the daemon writes while it starts is
 * not news: subscribers look at the store when they start. Errors: the
 * store cannot be opened (errbuf says why). All-or-nothing; owes one
 * storewatch_close(). */
int storewatch_start(uv_loop_t *loop, const char *db_path, uint64_t tick_ms,
                     struct storewatch **out, char *errbuf,
                     size_t errlen) WARN_UNUSED;
/* Call cb(changed, arg) every tick from now on. ERR_TOO_BIG when
 * STOREWATCH_SUBS_MAX are subscribed already (cb is then never called). */
int storewatch_subscribe(struct storewatch *w, storewatch_cb cb,
                         void *arg) WARN_UNUSED;
/* Stop calling cb with arg (at once, also from inside a callback). A pair
 * not subscribed is ignored. */
void storewatch_unsubscribe(struct storewatch *w, storewatch_cb cb,
                            void *arg);
/* Ticks that found the store changed, since the start. */
uint64_t storewatch_changes(const struct storewatch *w);
/* Stop the timer and release everything once the loop has closed it (the
 * loop must run again). Subscribers must have unsubscribed: none is
 * called after this. Clears *w; NULL-safe. */
void storewatch_close(struct storewatch **w);

#endif
