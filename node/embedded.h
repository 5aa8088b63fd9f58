/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Files compiled into the binary by tools/embed.c (see the Makefile). */
#ifndef GLOWTALK_EMBEDDED_H
#define GLOWTALK_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
  const char *name;          /* path in the source tree, e.g. "ui/app.js" */
  const unsigned char *data; /* NUL-terminated for convenience */
  size_t size;               /* bytes, excl. the NUL */
};

/* migrations/NNNN_*.sql in order, terminated by a {0} entry. */
extern const struct embedded_file embedded_migrations[];
extern const unsigned long embedded_migrations_count;
/* Files under ui/, sorted by name, terminated by a {0} entry. */
extern const struct embedded_file embedded_ui[];
extern const unsigned long embedded_ui_count;

#endif
