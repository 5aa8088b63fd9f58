/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk book: not built yet; says so plainly (no fake output). */
#include "node/cli.h"
#include "node/commands.h"

int
cmd_book(struct cli *cli)
{
  return cli_not_built(cli, "audiobooks (the signed task log)");
}
