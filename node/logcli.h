/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* What the log's commands (book, cast, render, cancel, remove) share:
 * opening the node's feed, naming books on the command line, appending
 * one operation with a clear error. They act on the store directly; two
 * writers are serialised by SQLite's write lock, and each append reads
 * the feed's head inside its transaction, so they never fork the feed. */
#ifndef GLOWTALK_LOGCLI_H
#define GLOWTALK_LOGCLI_H

#include "node/app.h"
#include "node/cli.h"
#include "node/feed.h"

#define LOGCLI_BOOK_PREFIX_MIN 8 /* hex digits that may name a book */

/* Open the data dir and this node's feed. On failure prints one line and
 * returns CLI_FAIL with nothing to close; on success logcli_close() is
 * owed. */
int logcli_open(struct cli *cli, struct app *app, struct feed **f);
void logcli_close(struct app *app, struct feed **f);
/* Resolve a book named by its hex id or a unique prefix of at least
 * LOGCLI_BOOK_PREFIX_MIN digits among created, undeleted books. Prints
 * the error and returns CLI_FAIL (or CLI_USAGE for a malformed name). */
int logcli_book(struct app *app, const char *name,
                uint8_t book[WIRE_BOOK_ID_BYTES]);
/* Append e (cleared afterwards); prints the error. CLI_OK / CLI_FAIL. */
int logcli_append(struct feed *f, struct wire_entry *e,
                  uint8_t id[WIRE_HASH_BYTES]);

#endif
