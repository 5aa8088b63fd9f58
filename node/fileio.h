/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Writing files whole: every byte of a buffer to a descriptor, a private
 * temp file beside a path (so rename() over it is atomic), and replacing
 * a small file by that temp-then-rename dance. */
#ifndef GLOWTALK_FILEIO_H
#define GLOWTALK_FILEIO_H

#include <stddef.h>

#include "node/err.h"

/* Write all len bytes of data to fd, going on after short writes and
 * EINTR. 0, or the negated errno of the write that failed. */
int fileio_write_all(int fd, const void *data, size_t len) WARN_UNUSED;
/* Create and open (write, close-on-exec, mode 0600) a new file named
 * "PATH.tmp-XXXXXX" beside path. Returns the descriptor and sets *tmp to
 * its name (xfree); else a negated errno and *tmp = NULL. */
int fileio_temp(const char *path, char **tmp) WARN_UNUSED;
/* Replace path with data (mode 0600): all of it or nothing, readers see
 * the old file or the new one. Not synced to disk. 0 or a negated errno;
 * on failure no temp file is left behind. */
int fileio_replace(const char *path, const void *data, size_t len)
    WARN_UNUSED;

#endif
