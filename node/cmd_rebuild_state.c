/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk rebuild-state: drop the derived state and recompute it from
 * the log in one transaction (a running daemon is serialised by SQLite's
 * write lock; the log itself is not touched). Prints the state hash before
 * and after: they differ only when the derived tables had gone wrong. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto/netkey.h"
#include "node/alloc.h"
#include "node/app.h"
#include "node/cli.h"
#include "node/commands.h"
#include "node/feed.h"
#include "node/json.h"

static double
now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
cmd_rebuild_state(struct cli *cli)
{
  struct app app;
  struct feed *f = NULL;
  uint8_t net[NETKEY_ID_BYTES];
  char errbuf[512], before[2 * STATE_HASH_BYTES + 1];
  char after[2 * STATE_HASH_BYTES + 1];
  int64_t entries = 0;
  double t0, secs;
  int err, rc = CLI_FAIL;

  if (app_open(&app, cli_datadir(cli), cli_config(cli), 0, errbuf,
               sizeof(errbuf)))
    return cli_fail("%s", errbuf);
  netkey_id(app.net, net);
  err = feed_open(app.db, app.id, net, &f);
  if (!err)
    err = state_hash_hex(feed_state(f), before);
  if (!err)
    err = db_query_int(app.db, "SELECT count(*) FROM log_entries",
                       &entries);
  if (err) {
    cli_fail("cannot read the log: %s", err_str(err));
    goto out;
  }
  t0 = now_s();
  err = feed_rebuild(f);
  secs = now_s() - t0;
  if (!err)
    err = state_hash_hex(feed_state(f), after);
  if (err) {
    cli_fail("rebuild failed, state left as it was: %s (%s)", err_str(err),
             db_errmsg(app.db));
    goto out;
  }
  if (cli_flag(cli, "json")) {
    struct json *o = json_new_object();
    char *text;
    json_set_str(o, "state_hash", after);
    json_set_str(o, "previous_state_hash", before);
    json_set_int(o, "entries", entries);
    json_set_num(o, "seconds", secs);
    text = json_print(o, 0);
    printf("%s\n", text);
    xfree(text);
    json_free(o);
  } else {
    printf("rebuilt the state from %lld log entries in %.2f s\n"
           "state hash: %s%s\n", (long long)entries, secs, after,
           strcmp(before, after) ? " (was different: the derived tables "
                                   "had diverged from the log)" : "");
  }
  rc = CLI_OK;
out:
  feed_free(&f);
  app_close(&app);
  return rc;
}
