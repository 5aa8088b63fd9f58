/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The command line: parsing a command's arguments and options, help text,
 * and the conventions every command follows. Exit codes: 0 ok, 1 failure,
 * 2 bad usage. Errors are one line on stderr: "glowtalk: ...". Options that
 * name a config option (--data, --ui, ...) feed the config at the highest
 * precedence; the others (--json, --force, ...) are the command's own. */
#ifndef GLOWTALK_CLI_H
#define GLOWTALK_CLI_H

#include "node/config.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

struct cli;

struct cli_command {
  const char *name;     /* "import" */
  const char *synopsis; /* "URL|FILE [--data DIR] [--json]" */
  const char *summary;  /* one line */
  const char *help;     /* further paragraphs for --help, or NULL */
  const char *options;  /* space-separated option names accepted */
  int min_args, max_args;
  int (*run)(struct cli *cli);
};

/* All commands, terminated by a {NULL} entry (defined in main.c). */
extern const struct cli_command cli_commands[];

/* Run the program: parse argv, load configuration, dispatch. Returns the
 * exit code. */
int cli_main(int argc, char **argv, char **envp);

/* For commands. */
const struct cli_command *cli_command(const struct cli *cli);
struct config *cli_config(struct cli *cli);
int cli_nargs(const struct cli *cli);
const char *cli_arg(const struct cli *cli, int i);
/* A command-local option's value ("1" for a flag given), or NULL. */
const char *cli_opt(const struct cli *cli, const char *name);
int cli_flag(const struct cli *cli, const char *name);
/* The resolved data dir (never NULL after dispatch). */
const char *cli_datadir(const struct cli *cli);

/* Print "glowtalk: MSG" on stderr. Returns CLI_FAIL for convenience. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error for this command: message plus the synopsis; CLI_USAGE. */
int cli_usage(const struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* For a command whose capability has not landed: says so plainly, exits 1
 * and prints nothing on stdout (no fake output). */
int cli_not_built(const struct cli *cli, const char *capability);

/* Load DATA/glowtalk.conf (if any) under flags and environment, then apply
 * the log level. cli_main() calls it before every command. */
int cli_load_datadir_config(struct cli *cli);

#endif
