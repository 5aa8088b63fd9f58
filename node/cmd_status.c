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
           "schema version: %d\npeers:          none\n", app.dir,
           app.node_id, app.network_id,
           (int)json_num(json_get(o, "schema_version")));
  }
  json_free(o);
  app_close(&app);
  return CLI_OK;
}
