/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk remove NODE: a Remove entry; from its key on the member's
 * entries no longer count (node/LOG.md). */
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/commands.h"
#include "node/hex.h"
#include "node/logcli.h"

int
cmd_remove(struct cli *cli)
{
  struct app app;
  struct feed *f = NULL;
  struct wire_entry e;
  const char *node = cli_arg(cli, 0);
  int rc, member = 0;

  memset(&e, 0, sizeof(e));
  if (strlen(node) != 2 * WIRE_KEY_BYTES ||
      hex_decode(e.key, WIRE_KEY_BYTES, node))
    return cli_usage(cli, "'%s' is not a node id (64 hex digits)", node);
  if (logcli_open(cli, &app, &f))
    return CLI_FAIL;
  rc = state_is_member(feed_state(f), e.key, UINT64_MAX, &member)
           ? cli_fail("cannot read the members")
           : CLI_OK;
  if (rc == CLI_OK && !member)
    rc = cli_fail("%s is not a member of this swarm", node);
  if (rc == CLI_OK) {
    e.op = WIRE_OP_REMOVE;
    rc = logcli_append(f, &e, NULL);
  }
  if (rc == CLI_OK)
    printf(cli_flag(cli, "json") ? "{\"removed\":\"%s\"}\n"
                                 : "removed %s\n", node);
  wire_entry_clear(&e);
  logcli_close(&app, &f);
  return rc;
}
