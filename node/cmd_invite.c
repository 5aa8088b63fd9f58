/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk invite: not built yet; says so plainly (no fake output). */
#include "node/cli.h"
#include "node/commands.h"

int
cmd_invite(struct cli *cli)
{
  return cli_not_built(cli, "inviting friends (the swarm)");
}
