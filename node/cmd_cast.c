/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk cast: not built yet; says so plainly (no fake output). */
#include "node/cli.h"
#include "node/commands.h"

int
cmd_cast(struct cli *cli)
{
  return cli_not_built(cli, "casting (voices and the task log)");
}
