/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Argument parsing, help and dispatch; see cli.h. */
#include "node/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/datadir.h"
#include "node/log.h"
#include "node/version.h"
#include "node/voice.h"

#define CLI_ARGS_MAX 64   /* positional arguments */
#define CLI_LOCALS_MAX 16 /* command-local options given */

/* Options that are not config options. */
struct local_option {
  const char *name;
  char short_name;
  int has_arg;
  const char *help;
};

static const struct local_option local_options[] = {
  {"json", 0, 0, "print one JSON object instead of text"},
  {"force", 0, 0, "replace what is there (discards it)"},
  {"ttl", 0, 1, "how long the code stays valid, e.g. 30m, 24h, 7d"},
  {"name", 0, 1, "a name: the audiobook's (book new), this node's (join)"},
  {"fork", 0, 1, "copy the casting of this audiobook"},
  {"auto", 0, 0, "give every character a distinct voice"},
  {"output", 'o', 1, "write to this file"},
  {"revoke", 0, 1, "revoke the invite with this id"},
  {"list", 0, 0, "list the open invites"},
  {NULL, 0, 0, NULL}};

struct cli {
  const struct cli_command *cmd;
  struct config *cfg;
  const char *args[CLI_ARGS_MAX];
  int nargs;
  const char *local_names[CLI_LOCALS_MAX];
  const char *local_values[CLI_LOCALS_MAX];
  int nlocals;
  char *datadir;
};

const struct cli_command *cli_command(const struct cli *c) { return c->cmd; }
struct config *cli_config(struct cli *c) { return c->cfg; }
int cli_nargs(const struct cli *c) { return c->nargs; }
const char *cli_datadir(const struct cli *c) { return c->datadir; }

const char *
cli_arg(const struct cli *c, int i)
{
  return i >= 0 && i < c->nargs ? c->args[i] : NULL;
}

const char *
cli_opt(const struct cli *c, const char *name)
{
  int i;
  for (i = 0; i < c->nlocals; i++) {
    if (strcmp(c->local_names[i], name) == 0)
      return c->local_values[i];
  }
  return NULL;
}

int
cli_flag(const struct cli *c, const char *name)
{
  return cli_opt(c, name) != NULL;
}

int
cli_fail(const char *fmt, ...)
{
  va_list ap;
  fputs("glowtalk: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return CLI_FAIL;
}

int
cli_usage(const struct cli *c, const char *fmt, ...)
{
  va_list ap;
  fputs("glowtalk: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if (c && c->cmd)
    fprintf(stderr, "\nusage: glowtalk %s %s\n", c->cmd->name,
            c->cmd->synopsis);
  else
    fputs("\nrun 'glowtalk --help' for the commands\n", stderr);
  return CLI_USAGE;
}

int
cli_not_built(const struct cli *c, const char *capability)
{
  return cli_fail("'%s' is not available yet: %s has not been built in "
                  "this version of glowtalk", c->cmd->name, capability);
}

static const struct local_option *
find_local(const char *name, char short_name)
{
  const struct local_option *o;
  for (o = local_options; o->name; o++) {
    if (name && strcmp(o->name, name) == 0)
      return o;
    if (!name && short_name && o->short_name == short_name)
      return o;
  }
  return NULL;
}

/* Is name in the command's space-separated option list? */
static int
accepts(const struct cli_command *cmd, const char *name)
{
  const char *p = cmd->options;
  size_t len = strlen(name);
  while (p && *p) {
    const char *sp = strchr(p, ' ');
    size_t n = sp ? (size_t)(sp - p) : strlen(p);
    if (n == len && strncmp(p, name, n) == 0)
      return 1;
    p = sp ? sp + 1 : NULL;
  }
  /* Every command takes these. */
  return strcmp(name, "log-level") == 0 || strcmp(name, "help") == 0;
}

static void
print_option_help(const char *name)
{
  const struct config_option *co = config_option_find(name);
  const struct local_option *lo = find_local(name, 0);
  char left[40];

  if (co) {
    snprintf(left, sizeof(left), "--%s %s", name,
             co->type == CONFIG_BOOL ? "" : "VALUE");
    printf("  %-26s %s", left, co->help);
    if (co->def)
      printf(" (default %s)", co->def);
    printf("\n");
  } else if (lo) {
    if (lo->short_name)
      snprintf(left, sizeof(left), "-%c, --%s%s", lo->short_name, name,
               lo->has_arg ? " VALUE" : "");
    else
      snprintf(left, sizeof(left), "--%s%s", name,
               lo->has_arg ? " VALUE" : "");
    printf("  %-26s %s\n", left, lo->help);
  }
}

static void
print_command_help(const struct cli_command *cmd)
{
  const char *p = cmd->options;
  char name[64];

  printf("usage: glowtalk %s %s\n\n%s\n", cmd->name, cmd->synopsis,
         cmd->summary);
  if (cmd->help)
    printf("\n%s\n", cmd->help);
  printf("\noptions:\n");
  while (p && *p) {
    const char *sp = strchr(p, ' ');
    size_t n = sp ? (size_t)(sp - p) : strlen(p);
    if (n < sizeof(name)) {
      memcpy(name, p, n);
      name[n] = '\0';
      print_option_help(name);
    }
    p = sp ? sp + 1 : NULL;
  }
  print_option_help("log-level");
  printf("  %-26s %s\n", "--help", "show this help");
  printf("\nEvery option can also be set as GLOWTALK_NAME in the "
         "environment or as\n'name = value' in DATA/glowtalk.conf; flags "
         "win over the environment,\nwhich wins over the file.\n");
}

static void
print_main_help(void)
{
  const struct cli_command *cmd;
  printf("glowtalk %s: multi-voice audiobooks from Glowfic, rendered by a "
         "swarm of friends.\n\nusage: glowtalk COMMAND [OPTIONS]\n\n"
         "commands:\n", GLOWTALK_VERSION);
  for (cmd = cli_commands; cmd->name; cmd++)
    printf("  %-14s %s\n", cmd->name, cmd->summary);
  printf("\n'glowtalk COMMAND --help' describes a command. "
         "'glowtalk --version' prints the version.\n");
}

static const struct cli_command *
find_command(const char *name)
{
  const struct cli_command *cmd;
  for (cmd = cli_commands; cmd->name; cmd++) {
    if (strcmp(cmd->name, name) == 0)
      return cmd;
  }
  return NULL;
}

static int
add_local(struct cli *c, const char *name, const char *value)
{
  if (c->nlocals >= CLI_LOCALS_MAX)
    return cli_usage(c, "too many options");
  c->local_names[c->nlocals] = name;
  c->local_values[c->nlocals] = value;
  c->nlocals++;
  return 0;
}

/* Parse argv[first..] of a command into c. Returns 0, -1 for --help, or
 * CLI_USAGE. */
static int
parse_args(struct cli *c, int argc, char **argv, int first)
{
  char errbuf[256], name[64];
  int i, only_args = 0;

  for (i = first; i < argc; i++) {
    const char *a = argv[i], *value = NULL, *eq;
    const struct local_option *lo = NULL;
    const struct config_option *co;
    size_t n;

    if (only_args || a[0] != '-' || a[1] == '\0') {
      if (c->nargs >= CLI_ARGS_MAX)
        return cli_usage(c, "too many arguments");
      c->args[c->nargs++] = a;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      only_args = 1;
      continue;
    }
    if (a[1] != '-') {
      /* Short option: only -o FILE and -h exist. */
      if (a[1] == 'h' && a[2] == '\0')
        return -1;
      lo = a[2] == '\0' ? find_local(NULL, a[1]) : NULL;
      if (lo == NULL || !accepts(c->cmd, lo->name))
        return cli_usage(c, "unknown option '%s'", a);
      if (i + 1 >= argc)
        return cli_usage(c, "option '%s' needs a value", a);
      if (add_local(c, lo->name, argv[++i]))
        return CLI_USAGE;
      continue;
    }
    eq = strchr(a + 2, '=');
    n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    if (n == 0 || n >= sizeof(name))
      return cli_usage(c, "unknown option '%s'", a);
    memcpy(name, a + 2, n);
    name[n] = '\0';
    if (strcmp(name, "help") == 0)
      return -1;
    co = config_option_find(name);
    if (co == NULL)
      lo = find_local(name, 0);
    if ((co == NULL && lo == NULL) || !accepts(c->cmd, name))
      return cli_usage(c, "unknown option '--%s'", name);
    if (eq) {
      value = eq + 1;
    } else if ((co && co->type == CONFIG_BOOL) || (lo && !lo->has_arg)) {
      value = co ? "yes" : "1";
    } else {
      if (i + 1 >= argc)
        return cli_usage(c, "option '--%s' needs a value", name);
      value = argv[++i];
    }
    if (co) {
      if (config_set(c->cfg, co->name, value, CONFIG_FLAG, errbuf,
                     sizeof(errbuf)))
        return cli_usage(c, "--%s", errbuf);
    } else if (add_local(c, lo->name, value)) {
      return CLI_USAGE;
    }
  }
  if (c->nargs < c->cmd->min_args)
    return cli_usage(c, "missing argument");
  if (c->nargs > c->cmd->max_args)
    return cli_usage(c, "unexpected argument '%s'", c->args[c->nargs - 1]);
  return 0;
}

static int
apply_log_level(struct cli *c)
{
  enum log_level level;
  if (log_level_parse(config_get(c->cfg, "log-level"), &level))
    return cli_fail("bad log level");
  log_set_level(level);
  return 0;
}

int
cli_load_datadir_config(struct cli *c)
{
  char errbuf[512];
  char *path = datadir_file(c->datadir, "glowtalk.conf");
  int err = config_load_file(c->cfg, path, errbuf, sizeof(errbuf));
  xfree(path);
  if (err)
    return cli_fail("%s", errbuf);
  return apply_log_level(c);
}

int
cli_main(int argc, char **argv, char **envp)
{
  struct cli c;
  char errbuf[512];
  int rc;

  memset(&c, 0, sizeof(c));
  if (argc < 2) {
    print_main_help();
    return CLI_USAGE;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
    printf("glowtalk %s\n", GLOWTALK_VERSION);
    return CLI_OK;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    print_main_help();
    return CLI_OK;
  }
  if (strcmp(argv[1], "help") == 0) {
    const struct cli_command *cmd = argc > 2 ? find_command(argv[2]) : NULL;
    if (argc > 2 && cmd == NULL)
      return cli_usage(NULL, "unknown command '%s'", argv[2]);
    if (cmd)
      print_command_help(cmd);
    else
      print_main_help();
    return CLI_OK;
  }
  c.cmd = find_command(argv[1]);
  if (c.cmd == NULL)
    return cli_usage(NULL, "unknown command '%s'", argv[1]);
  c.cfg = config_new();
  rc = config_load_env(c.cfg, envp, errbuf, sizeof(errbuf));
  if (rc) {
    rc = cli_fail("environment: %s", errbuf);
    goto out;
  }
  rc = parse_args(&c, argc, argv, 2);
  if (rc == -1) {
    print_command_help(c.cmd);
    rc = CLI_OK;
    goto out;
  }
  if (rc)
    goto out;
  c.datadir = datadir_resolve(config_get(c.cfg, "data"));
  if (c.datadir == NULL) {
    rc = cli_fail("no data dir: set --data, GLOWTALK_DATA or HOME");
    goto out;
  }
  rc = cli_load_datadir_config(&c);
  if (rc)
    goto out;
  voice_set_test_engines(config_get_bool(c.cfg, "test-engines"));
  log_write(LOG_LEVEL_DEBUG, "cli", "%s: data dir %s", c.cmd->name,
            c.datadir);
  rc = c.cmd->run(&c);
out:
  xfree(c.datadir);
  config_free(&c.cfg);
  return rc;
}
