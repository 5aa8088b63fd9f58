/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk status: who this node is and what it knows. Reads the store
 * directly (WAL lets it read while a daemon writes). */
#include <stdio.h>

#include "node/alloc.h"
#include "node/app.h"
#include "node/cli.h"
#include "node/commands.h"
#include "node/json.h"
#include "node/status.h"

/* "peers: 1 of 2 connected", then one line per known node. */
static void
print_peers(const struct json *peers)
{
  const struct json *p;
  size_t n = json_len(peers), up = 0;

  for (p = json_first(peers); p; p = json_next(p))
    up += json_is_true(json_get(p, "connected"));
  if (n == 0) {
    printf("peers:          none\n");
    return;
  }
  printf("peers:          %zu of %zu connected\n", up, n);
  for (p = json_first(peers); p; p = json_next(p))
    printf("  %.16s…  %-9s %s  in %.0f B/s  out %.0f B/s  "
           "%.0f sentences/min\n",
           json_get_str(p, "node_id") ? json_get_str(p, "node_id") : "?",
           json_is_true(json_get(p, "connected")) ? "connected" : "down",
           json_get_str(p, "address") ? json_get_str(p, "address") : "-",
           json_num(json_get(p, "rate_in")),
           json_num(json_get(p, "rate_out")),
           json_num(json_get(p, "per_minute")));
}

/* "replication: up to date" or the fence, then the quarantine. */
static void
print_replication(const struct json *r)
{
  if (r == NULL)
    return;
  if (!json_is_true(json_get(r, "fenced")))
    printf("replication:    not fenced\n");
  else
    printf("replication:    catching up with the swarm: %.0f own entries "
           "behind (appends refused)\n", json_num(json_get(r, "behind")));
  if (json_is_true(json_get(r, "no_member_has_them")))
    printf("                no connected member holds them: if this node "
           "lost them before\n"
           "                sending them, it can never write again "
           "without forking its\n"
           "                feed. Join the swarm again with a new invite "
           "into a new data\n"
           "                dir (glowtalk join CODE --data NEWDIR); the "
           "log and audio come\n"
           "                back from the others.\n");
  if (json_num(json_get(r, "quarantined")) > 0)
    printf("quarantined:    %.0f entries of authors not yet members\n",
           json_num(json_get(r, "quarantined")));
}

/* "blobs: 3 wanted, 1 fetching, 120 fetched (4.2 MB in, 1.0 MB out)"
 * when the daemon runs (node/blobx.c). */
static void
print_blobs(const struct json *b)
{
  if (b == NULL || json_get(b, "wanted") == NULL)
    return;
  printf("blobs:          %.0f wanted, %.0f fetching, %.0f fetched "
         "(%.1f MB in, %.1f MB out)\n", json_num(json_get(b, "wanted")),
         json_num(json_get(b, "fetching")), json_num(json_get(b, "fetched")),
         json_num(json_get(b, "bytes_in")) / 1e6,
         json_num(json_get(b, "bytes_out")) / 1e6);
}

/* The render queue and the state hash (what a headless node's operator
 * checks: is it working, does it agree with the others). */
static void
print_queue(const struct json *o)
{
  const struct json *q = json_get(o, "queue");
  printf("queue:          %.0f pending, %.0f claimed, %.0f done, %.0f "
         "failed\n", json_num(json_get(q, "pending")),
         json_num(json_get(q, "claimed")), json_num(json_get(q, "done")),
         json_num(json_get(q, "failed")));
  printf("state hash:     %s\n", json_get_str(o, "state_hash")
                                    ? json_get_str(o, "state_hash") : "");
}

int
cmd_status(struct cli *cli)
{
  struct app app;
  struct json *o;
  char errbuf[512];
  char *text;
  int err;

  if (app_open(&app, cli_datadir(cli), cli_config(cli), 0, errbuf,
               sizeof(errbuf)))
    return cli_fail("%s", errbuf);
  o = status_json(&app, 0, &err);
  if (o == NULL) {
    cli_fail("cannot read the store: %s", db_errmsg(app.db));
    app_close(&app);
    return CLI_FAIL;
  }
  if (cli_flag(cli, "json")) {
    text = json_print(o, 0);
    printf("%s\n", text);
    xfree(text);
  } else {
    printf("data dir:       %s\nnode id:        %s\nnetwork id:     %s\n"
           "schema version: %d\n", app.dir, app.node_id, app.network_id,
           (int)json_num(json_get(o, "schema_version")));
    print_peers(json_get(o, "peers"));
    print_replication(json_get(o, "replication"));
    print_blobs(json_get(o, "blobs"));
    print_queue(o);
  }
  json_free(o);
  app_close(&app);
  return CLI_OK;
}
