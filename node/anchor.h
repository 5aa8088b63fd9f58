/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The swarm's trust anchor kept beside the store: who founded the swarm,
 * who admitted this node and where it was (node_meta 'founder',
 * 'admitted_by', 'join_peer'), in DATA/anchor. A node whose database is
 * lost but whose keys are kept gets them back from there, so it can
 * trust its members again and catch up before it appends anything. */
#ifndef GLOWTALK_ANCHOR_H
#define GLOWTALK_ANCHOR_H

#include "node/err.h"

struct db;

#define ANCHOR_FILE "anchor"
#define ANCHOR_MAX_BYTES 4096

/* Write db's anchor entries to dir/ANCHOR_FILE (temp file, then rename).
 * 0, ERR_NOT_FOUND when db has no founder pinned, ERR_DB, or a negated
 * errno. */
int anchor_save(const char *dir, struct db *db) WARN_UNUSED;

/* When db has no founder pinned and dir/ANCHOR_FILE exists, put its
 * entries back into db (one transaction). 0 when restored or nothing to
 * do (*restored says which); ERR_PARSE for a malformed file (db
 * unchanged), ERR_DB, a negated errno. */
int anchor_restore(const char *dir, struct db *db, int *restored)
    WARN_UNUSED;

#endif
