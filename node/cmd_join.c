/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk join: not built yet; says so plainly (no fake output). */
#include "node/cli.h"
#include "node/commands.h"

int
cmd_join(struct cli *cli)
{
  return cli_not_built(cli, "joining a swarm (the swarm)");
}
