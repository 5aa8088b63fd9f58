/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk cancel BOOK: a CancelPending entry; sentences already claimed
 * may still complete (node/LOG.md). */
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/commands.h"
#include "node/json.h"
#include "node/logcli.h"

int
cmd_cancel(struct cli *cli)
{
  struct app app;
  struct feed *f = NULL;
  struct wire_entry e;
  struct state_counts c;
  int rc, err;

  memset(&e, 0, sizeof(e));
  if (logcli_open(cli, &app, &f))
    return CLI_FAIL;
  rc = logcli_book(&app, cli_arg(cli, 0), e.book);
  if (rc == CLI_OK) {
    e.op = WIRE_OP_CANCEL_PENDING;
    rc = logcli_append(f, &e, NULL);
  }
  if (rc == CLI_OK) {
    err = state_counts(feed_state(f), &c);
    if (err) {
      rc = cli_fail("cannot count the queue: %s", err_str(err));
    } else if (cli_flag(cli, "json")) {
      printf("{\"cancelled\":true,\"pending\":%lld,\"claimed\":%lld}\n",
             (long long)c.pending, (long long)c.claimed);
    } else {
      printf("cancelled the pending work of %s (%lld sentences claimed "
             "elsewhere may still finish)\n", cli_arg(cli, 0),
             (long long)c.claimed);
    }
  }
  logcli_close(&app, &f);
  return rc;
}
