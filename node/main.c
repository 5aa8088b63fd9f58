/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* main() and the command table (the command-line contract of DESIGN.md). */
#include <signal.h>
#include <sys/stat.h>

#include "node/cli.h"
#include "node/commands.h"

const struct cli_command cli_commands[] = {
  {"init", "[--data DIR] [--force]", "create this node's identity and a "
   "new swarm", "Refuses a data dir that is already initialised unless "
   "--force is given,\nwhich replaces the identity and swarm (the old "
   "database is kept aside).", "data force json", 0, 0, cmd_init},
  {"run", "[--data DIR] [--listen H:P] [--ui H:P | --headless] "
   "[--workers N] [--render=no]", "start the node: web UI, rendering, swarm",
   NULL,
   "data listen ui headless render workers ui-password peers advertise "
   "repl-heads-ms repl-stall-ms progress-ms lease-ms", 0, 0,
   cmd_run},
  {"invite", "[--data DIR] [--ttl DURATION] [--list | --revoke ID]",
   "print an invite code for a friend", NULL,
   "data ttl json list revoke advertise", 0, 0, cmd_invite},
  {"join", "CODE [--data DIR] [--name NAME]", "join a swarm with an invite "
   "code", NULL, "data json name", 1, 1, cmd_join},
  {"import", "URL|FILE [THREAD-FILE...] [--data DIR] [--json]", "import a "
   "Glowfic story from a URL or a saved page", NULL,
   "data json glowfic-base glowfic-delay fetch-timeout fetch-max-bytes "
   "images sentence-max-chars", 1, IMPORT_ARGS_MAX, cmd_import},
  {"say", "TEXT --voice SPEC -o OUT.opus", "speak one line in a voice "
   "into an Ogg Opus file", NULL, "voice output bitrate data", 1, 1, cmd_say},
  {"voices", "[--json]", "list the voices and presets", NULL, "json", 0, 0,
   cmd_voices},
  {"status", "[--data DIR] [--json]", "show this node: ids, peers, queue, "
   "state", NULL, "data json", 0, 0, cmd_status},
  {"book", "new WORK [--name NAME] [--voice SPEC] [--fork BOOK] [--json]",
   "create an audiobook of an imported work", NULL,
   "data name voice fork json", 2, 2, cmd_book},
  {"cast", "BOOK (CHARACTER SPEC | --auto) [--json]", "choose the voice of "
   "a character, or cast them all", NULL, "data auto json", 1, 3, cmd_cast},
  {"render", "BOOK [--json]", "queue every sentence not yet rendered", NULL,
   "data json", 1, 1, cmd_render},
  {"cancel", "BOOK", "drop the book's pending work", NULL, "data json", 1, 1,
   cmd_cancel},
  {"export", "BOOK -o OUT.opus [--data DIR]", "write the book as one Ogg "
   "Opus file with chapters", NULL, "data output", 1, 1, cmd_export},
  {"remove", "NODE", "remove a member from the swarm", NULL, "data json", 1,
   1, cmd_remove},
  {"rebuild-state", "[--data DIR]", "recompute the state from the log",
   NULL, "data json", 0, 0, cmd_rebuild_state},
  {NULL, NULL, NULL, NULL, NULL, 0, 0, NULL}};

int
main(int argc, char **argv, char **envp)
{
  /* A peer or browser closing its socket must not kill the daemon. */
  signal(SIGPIPE, SIG_IGN);
  /* Keys, database and audio are private to this user. */
  umask(077);
  return cli_main(argc, argv, envp);
}
