/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Configuration: every option has one name ("ui-password"), read from, in
 * rising precedence, built-in defaults, DIR/glowtalk.conf ("name = value"
 * lines), GLOWTALK_* environment variables (GLOWTALK_UI_PASSWORD) and
 * command-line flags (--ui-password). Values are validated when set, so a
 * bad value is reported at its source. */
#ifndef GLOWTALK_CONFIG_H
#define GLOWTALK_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

enum config_source {
  CONFIG_DEFAULT,
  CONFIG_FILE,
  CONFIG_ENV,
  CONFIG_FLAG
};

enum config_type {
  CONFIG_STRING,
  CONFIG_INT,      /* decimal, within [min, max] */
  CONFIG_BOOL,     /* yes/no, true/false, on/off, 1/0 */
  CONFIG_HOSTPORT, /* HOST:PORT, port 0-65535 */
  CONFIG_ENUM      /* one of a '|'-separated list */
};

struct config_option {
  const char *name;    /* "glowfic-delay" */
  enum config_type type;
  const char *def;     /* default, as text; NULL = unset */
  int64_t min, max;    /* CONFIG_INT range */
  const char *choices; /* CONFIG_ENUM: "alt|skip" */
  const char *help;    /* one line for --help and the example config */
};

struct config;

#define CONFIG_FILE_MAX (256u << 10) /* bytes of glowtalk.conf */
#define CONFIG_VALUE_MAX 4096        /* bytes of one value */

/* All known options, terminated by a {NULL} entry. */
const struct config_option *config_options(void);
/* The option called name, or NULL. */
const struct config_option *config_option_find(const char *name);

/* A config holding the defaults. Owes one config_free(). */
struct config *config_new(void);
void config_free(struct config **cfg);
/* An independent copy (values and sources), for work that outlives the
 * caller's config, such as a background import. Owes config_free(). */
struct config *config_dup(const struct config *cfg);

/* Set name to value from src. A value from a lower-precedence source than
 * the current one is ignored (returns 0). ERR_NOT_FOUND for an unknown
 * name, ERR_INVAL for a bad value; errbuf says which and why. */
int config_set(struct config *cfg, const char *name, const char *value,
               enum config_source src, char *errbuf, size_t errlen)
    WARN_UNUSED;
/* Read every GLOWTALK_<NAME> variable of envp that names an option.
 * GLOWTALK_* variables that name no option are ignored (other tools share
 * the prefix); bad values are errors. */
int config_load_env(struct config *cfg, char *const *envp, char *errbuf,
                    size_t errlen) WARN_UNUSED;
/* Read a config file; a missing file is fine (returns 0). Errors name the
 * line. "data" cannot be set from the file that lives in the data dir. */
int config_load_file(struct config *cfg, const char *path, char *errbuf,
                     size_t errlen) WARN_UNUSED;

/* Current value as text, or NULL when unset. Valid until the next set. */
const char *config_get(const struct config *cfg, const char *name);
int64_t config_get_int(const struct config *cfg, const char *name);
int config_get_bool(const struct config *cfg, const char *name);
enum config_source config_source_of(const struct config *cfg,
                                    const char *name);

/* Split "host:port" ("[::1]:8009" too) into host (caller frees) and port. */
int config_split_hostport(const char *value, char **host, int *port)
    WARN_UNUSED;

#endif
