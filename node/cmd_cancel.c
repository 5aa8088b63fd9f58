/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk cancel: not built yet; says so plainly (no fake output). */
#include "node/cli.h"
#include "node/commands.h"

int
cmd_cancel(struct cli *cli)
{
  return cli_not_built(cli, "the render queue (the task log)");
}
