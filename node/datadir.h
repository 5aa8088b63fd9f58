/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The data dir: where it is, creating it private (0700), and the exclusive
 * lock that keeps two daemons from sharing one log. Layout:
 *   identity.key  network.key  glowtalk.db  glowtalk.conf  lock  blobs/ */
#ifndef GLOWTALK_DATADIR_H
#define GLOWTALK_DATADIR_H

#include <stddef.h>

#include "node/err.h"

struct datadir_lock;

/* The data dir to use: value when set (from --data / GLOWTALK_DATA), else
 * $XDG_DATA_HOME/glowtalk, else $HOME/.local/share/glowtalk. Caller frees.
 * NULL when none can be found (no HOME). */
char *datadir_resolve(const char *value);
/* Create path and missing parents; the last component gets mode 0700. An
 * existing directory is accepted as it is. */
int datadir_create(const char *path, char *errbuf, size_t errlen)
    WARN_UNUSED;
/* DIR/name. Caller frees. */
char *datadir_file(const char *dir, const char *name);
/* Take the exclusive lock on DIR/lock without waiting. ERR_LOCKED when
 * another process holds it (errbuf names its pid). The lock is released by
 * datadir_unlock() or when the process exits, even by kill -9. */
int datadir_lock(const char *dir, struct datadir_lock **out, char *errbuf,
                 size_t errlen) WARN_UNUSED;
void datadir_unlock(struct datadir_lock **lock);

#endif
