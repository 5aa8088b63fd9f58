/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk rebuild-state: not built yet; says so plainly (no fake output). */
#include "node/cli.h"
#include "node/commands.h"

int
cmd_rebuild_state(struct cli *cli)
{
  return cli_not_built(cli, "the signed task log");
}
