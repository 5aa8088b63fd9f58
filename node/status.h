/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The node's status as one JSON object, shared by `glowtalk status --json`
 * and GET /api/status so the two can never disagree. */
#ifndef GLOWTALK_STATUS_H
#define GLOWTALK_STATUS_H

#include "node/err.h"

struct app;
struct json;

/* Build the status object: node_id, network_id, schema_version, data,
 * daemon {running, pid}, state_hash, peers, queue. in_daemon says the
 * caller is the daemon itself (else the daemon is asked over the control
 * socket, so never call it that way from the daemon's loop thread).
 * Caller frees with json_free(). NULL with *err set when the store cannot
 * be read. */
struct json *status_json(struct app *app, int in_daemon, int *err);

#endif
