/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Entry points of the commands; each lives in node/cmd_<name>.c and is
 * listed in the command table in main.c. */
#ifndef GLOWTALK_COMMANDS_H
#define GLOWTALK_COMMANDS_H

struct cli;

int cmd_init(struct cli *cli);
int cmd_run(struct cli *cli);
int cmd_invite(struct cli *cli);
int cmd_join(struct cli *cli);
/* import URL|FILE [THREAD-FILE...]: a listing page's threads may be
 * given as saved files (at most IMPORT_ARGS_MAX arguments in all). */
#define IMPORT_ARGS_MAX 64
int cmd_import(struct cli *cli);
int cmd_say(struct cli *cli);
int cmd_voices(struct cli *cli);
int cmd_status(struct cli *cli);
int cmd_book(struct cli *cli);
int cmd_cast(struct cli *cli);
int cmd_render(struct cli *cli);
int cmd_cancel(struct cli *cli);
int cmd_export(struct cli *cli);
int cmd_remove(struct cli *cli);
int cmd_rebuild_state(struct cli *cli);

#endif
