/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* See status.h. */
#include "node/status.h"

#include "node/app.h"
#include "node/json.h"
#include "node/version.h"

struct json *
status_json(struct app *app, int *err)
{
  struct json *o, *queue;
  int version = 0;

  *err = db_schema_version(app->db, &version);
  if (*err)
    return NULL;
  o = json_new_object();
  json_set_str(o, "node_id", app->node_id);
  json_set_str(o, "network_id", app->network_id);
  json_set_int(o, "schema_version", version);
  json_set_str(o, "version", GLOWTALK_VERSION);
  json_set_str(o, "data", app->dir);
  /* No log yet, so no state to hash: null says so rather than pretend. */
  json_set_null(o, "state_hash");
  json_set(o, "peers", json_new_array());
  queue = json_new_object();
  json_set_int(queue, "pending", 0);
  json_set_int(queue, "claimed", 0);
  json_set_int(queue, "done", 0);
  json_set_int(queue, "failed", 0);
  json_set(o, "queue", queue);
  return o;
}
