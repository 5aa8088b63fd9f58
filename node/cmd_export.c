/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk export: not built yet; says so plainly (no fake output). */
#include "node/cli.h"
#include "node/commands.h"

int
cmd_export(struct cli *cli)
{
  return cli_not_built(cli, "book export (the audio pipeline)");
}
