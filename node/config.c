/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Option table, precedence and validation; see config.h. The example file
 * contrib/glowtalk.conf.example documents every option in this table (a
 * unit test checks that). */
#include "node/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/alloc.h"

static const struct config_option options[] = {
  {"data", CONFIG_STRING, NULL, 0, 0, NULL,
   "data directory (default $XDG_DATA_HOME/glowtalk)"},
  {"log-level", CONFIG_ENUM, "info", 0, 0, "debug|info|warn|error|off",
   "least severe log level written to stderr"},
  {"listen", CONFIG_HOSTPORT, "0.0.0.0:8009", 0, 0, NULL,
   "swarm address: where friends' nodes connect (encrypted, members only)"},
  {"peers", CONFIG_STRING, NULL, 0, 0, NULL,
   "nodes to dial: NODE_ID@HOST:PORT, separated by commas or spaces"},
  {"ui", CONFIG_HOSTPORT, "127.0.0.1:8008", 0, 0, NULL,
   "web UI address; any address but loopback needs ui-password"},
  {"headless", CONFIG_BOOL, "no", 0, 0, NULL,
   "serve no web UI: only render and replicate"},
  {"ui-password", CONFIG_STRING, NULL, 0, 0, NULL,
   "password for the web UI (required when ui is not on loopback)"},
  {"render", CONFIG_BOOL, "yes", 0, 0, NULL,
   "render sentences here; no for a node that only serves and coordinates"},
  {"workers", CONFIG_INT, "0", 0, 256, NULL,
   "render worker processes; 0 means one per CPU core"},
  {"glowfic-base", CONFIG_STRING, "https://glowfic.com", 0, 0, NULL,
   "base URL of Glowfic; the only host import fetches from"},
  {"glowfic-delay", CONFIG_INT, "1000", 0, 600000, NULL,
   "milliseconds between requests to Glowfic (be polite)"},
  {"fetch-timeout", CONFIG_INT, "60", 1, 3600, NULL,
   "seconds before a Glowfic request is abandoned"},
  {"fetch-max-bytes", CONFIG_INT, "33554432", 1024, 1073741824, NULL,
   "largest Glowfic response accepted, in bytes"},
  {"images", CONFIG_ENUM, "alt", 0, 0, "alt|skip",
   "images in a story: speak their alt text, or skip them"},
  {"sentence-max-chars", CONFIG_INT, "300", 40, 5000, NULL,
   "longer sentences are split at clause boundaries"},
  {"announce-speaker", CONFIG_BOOL, "yes", 0, 0, NULL,
   "speak the character's name when the speaker changes"},
  {"voice", CONFIG_STRING, "espeak:en-us", 0, 0, NULL,
   "default voice for new audiobooks"},
  {"bitrate", CONFIG_INT, "24000", 6000, 256000, NULL,
   "Opus bitrate of rendered speech, in bits per second"},
  {"replicate-audio", CONFIG_BOOL, "yes", 0, 0, NULL,
   "fetch every rendered sentence from peers, not only what is played"},
  {"blob-quota-mb", CONFIG_INT, "0", 0, 100000000, NULL,
   "most audio to keep from peers, in MiB; 0 means no limit"},
  {"test-engines", CONFIG_BOOL, "no", 0, 0, NULL,
   "allow the sleep:MS test engine (benchmarks): listed and accepted"},
  {"pause-sentence", CONFIG_INT, "250", 0, 10000, NULL,
   "silence between sentences of a post, in ms"},
  {"pause-paragraph", CONFIG_INT, "600", 0, 10000, NULL,
   "silence between paragraphs, in ms"},
  {"pause-post", CONFIG_INT, "1200", 0, 30000, NULL,
   "silence between posts, in ms"},
  {"advertise", CONFIG_STRING, NULL, 0, 0, NULL,
   "swarm addresses put in invite codes: HOST:PORT friends can reach, "
   "comma separated (default: the listen address)"},
  {"repl-heads-ms", CONFIG_INT, "10000", 50, 600000, NULL,
   "milliseconds between replication head exchanges (anti-entropy)"},
  {"repl-stall-ms", CONFIG_INT, "15000", 50, 600000, NULL,
   "milliseconds a peer that owes entries may send none before it is "
   "asked again (dropped after 3 asks)"},
  {"progress-ms", CONFIG_INT, "30000", 100, 3600000, NULL,
   "milliseconds between the daemon's progress lines in its log (queue, "
   "peers, replication, state hash; only when something moved)"},
  {"lease-ms", CONFIG_INT, "120000", 2000, 3600000, NULL,
   "milliseconds a claim on sentences lasts without a renewal; a node "
   "that stops renewing (killed, cut off) loses its sentences to the "
   "others after this"},
  {NULL, 0, NULL, 0, 0, NULL, NULL}};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]) - 1)

struct config {
  char *values[N_OPTIONS];
  enum config_source sources[N_OPTIONS];
};

const struct config_option *
config_options(void)
{
  return options;
}

static int
find_index(const char *name)
{
  size_t i;
  for (i = 0; i < N_OPTIONS; i++) {
    if (strcmp(options[i].name, name) == 0)
      return (int)i;
  }
  return -1;
}

const struct config_option *
config_option_find(const char *name)
{
  int i = find_index(name);
  return i < 0 ? NULL : &options[i];
}

struct config *
config_new(void)
{
  struct config *cfg = xcalloc(1, sizeof(*cfg));
  size_t i;
  for (i = 0; i < N_OPTIONS; i++) {
    cfg->values[i] = options[i].def ? xstrdup(options[i].def) : NULL;
    cfg->sources[i] = CONFIG_DEFAULT;
  }
  return cfg;
}

struct config *
config_dup(const struct config *cfg)
{
  struct config *copy = xcalloc(1, sizeof(*copy));
  size_t i;
  for (i = 0; i < N_OPTIONS; i++) {
    copy->values[i] = cfg->values[i] ? xstrdup(cfg->values[i]) : NULL;
    copy->sources[i] = cfg->sources[i];
  }
  return copy;
}

void
config_free(struct config **cfg)
{
  size_t i;
  if (cfg == NULL || *cfg == NULL)
    return;
  for (i = 0; i < N_OPTIONS; i++)
    xfree((*cfg)->values[i]);
  xfree(*cfg);
  *cfg = NULL;
}

static int
parse_bool(const char *v, int *out)
{
  static const char *const yes[] = {"yes", "true", "on", "1"};
  static const char *const no[] = {"no", "false", "off", "0"};
  size_t i;
  for (i = 0; i < 4; i++) {
    if (strcasecmp(v, yes[i]) == 0) {
      *out = 1;
      return 0;
    }
    if (strcasecmp(v, no[i]) == 0) {
      *out = 0;
      return 0;
    }
  }
  return ERR_INVAL;
}

static int
parse_int(const char *v, int64_t *out)
{
  char *end;
  long long n;
  errno = 0;
  n = strtoll(v, &end, 10);
  if (errno || end == v || *end != '\0')
    return ERR_INVAL;
  *out = n;
  return 0;
}

int
config_split_hostport(const char *value, char **host, int *port)
{
  const char *colon;
  int64_t p;
  size_t hlen;

  *host = NULL;
  if (value[0] == '[') {
    const char *close = strchr(value, ']');
    if (close == NULL || close[1] != ':')
      return ERR_INVAL;
    colon = close + 1;
    hlen = (size_t)(close - value - 1);
    value++;
  } else {
    colon = strrchr(value, ':');
    if (colon == NULL)
      return ERR_INVAL;
    hlen = (size_t)(colon - value);
  }
  if (hlen == 0 || parse_int(colon + 1, &p) || p < 0 || p > 65535)
    return ERR_INVAL;
  *host = xstrndup(value, hlen);
  *port = (int)p;
  return 0;
}

static int
validate(const struct config_option *o, const char *v, char *errbuf,
         size_t errlen)
{
  int64_t n;
  int b, port;
  char *host = NULL;

  if (strlen(v) > CONFIG_VALUE_MAX) {
    snprintf(errbuf, errlen, "%s: value is longer than %d bytes", o->name,
             CONFIG_VALUE_MAX);
    return ERR_INVAL;
  }
  switch (o->type) {
  case CONFIG_STRING:
    return 0;
  case CONFIG_INT:
    if (parse_int(v, &n) || n < o->min || n > o->max) {
      snprintf(errbuf, errlen, "%s: '%s' is not a whole number from %lld "
               "to %lld", o->name, v, (long long)o->min, (long long)o->max);
      return ERR_INVAL;
    }
    return 0;
  case CONFIG_BOOL:
    if (parse_bool(v, &b)) {
      snprintf(errbuf, errlen, "%s: '%s' is not yes or no", o->name, v);
      return ERR_INVAL;
    }
    return 0;
  case CONFIG_HOSTPORT:
    if (config_split_hostport(v, &host, &port)) {
      snprintf(errbuf, errlen, "%s: '%s' is not HOST:PORT", o->name, v);
      return ERR_INVAL;
    }
    xfree(host);
    return 0;
  case CONFIG_ENUM: {
    const char *c = o->choices;
    size_t len = strlen(v);
    while (c && *c) {
      const char *bar = strchr(c, '|');
      size_t clen = bar ? (size_t)(bar - c) : strlen(c);
      if (clen == len && strncasecmp(c, v, len) == 0)
        return 0;
      c = bar ? bar + 1 : NULL;
    }
    snprintf(errbuf, errlen, "%s: '%s' is not one of %s", o->name, v,
             o->choices);
    return ERR_INVAL;
  }
  }
  return ERR_INVAL;
}

int
config_set(struct config *cfg, const char *name, const char *value,
           enum config_source src, char *errbuf, size_t errlen)
{
  int i = find_index(name);
  int err;

  if (i < 0) {
    snprintf(errbuf, errlen, "unknown option '%s'", name);
    return ERR_NOT_FOUND;
  }
  err = validate(&options[i], value, errbuf, errlen);
  if (err)
    return err;
  if (src < cfg->sources[i])
    return 0;
  xfree(cfg->values[i]);
  cfg->values[i] = xstrdup(value);
  cfg->sources[i] = src;
  return 0;
}

int
config_load_env(struct config *cfg, char *const *envp, char *errbuf,
                size_t errlen)
{
  char name[64];
  size_t i, j;
  int err;

  for (i = 0; envp && envp[i]; i++) {
    const char *e = envp[i], *eq = strchr(e, '=');
    if (strncmp(e, "GLOWTALK_", 9) != 0 || eq == NULL)
      continue;
    if ((size_t)(eq - e - 9) >= sizeof(name))
      continue;
    for (j = 0; e + 9 + j < eq; j++) {
      char c = e[9 + j];
      name[j] = c == '_' ? '-' : (char)tolower((unsigned char)c);
    }
    name[j] = '\0';
    if (find_index(name) < 0)
      continue;
    err = config_set(cfg, name, eq + 1, CONFIG_ENV, errbuf, errlen);
    if (err)
      return err;
  }
  return 0;
}

static char *
trim(char *s)
{
  char *end;
  while (isspace((unsigned char)*s))
    s++;
  end = s + strlen(s);
  while (end > s && isspace((unsigned char)end[-1]))
    *--end = '\0';
  return s;
}

int
config_load_file(struct config *cfg, const char *path, char *errbuf,
                 size_t errlen)
{
  char line[CONFIG_VALUE_MAX + 128], sub[512];
  FILE *f;
  int lineno = 0, err = 0;
  long total = 0;

  f = fopen(path, "r");
  if (f == NULL) {
    if (errno == ENOENT)
      return 0;
    err = -errno;
    snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
    return err;
  }
  while (fgets(line, sizeof(line), f)) {
    char *key, *val, *eq;
    size_t len = strlen(line);
    lineno++;
    total += (long)len;
    if (total > (long)CONFIG_FILE_MAX ||
        (len == sizeof(line) - 1 && line[len - 1] != '\n')) {
      snprintf(errbuf, errlen, "%s:%d: file or line too long", path,
               lineno);
      err = ERR_TOO_BIG;
      break;
    }
    key = trim(line);
    if (*key == '\0' || *key == '#')
      continue;
    eq = strchr(key, '=');
    if (eq == NULL) {
      snprintf(errbuf, errlen, "%s:%d: expected 'name = value'", path,
               lineno);
      err = ERR_PARSE;
      break;
    }
    *eq = '\0';
    val = trim(eq + 1);
    key = trim(key);
    if (strcmp(key, "data") == 0) {
      snprintf(errbuf, errlen, "%s:%d: 'data' cannot be set in the file "
               "inside the data dir", path, lineno);
      err = ERR_INVAL;
      break;
    }
    err = config_set(cfg, key, val, CONFIG_FILE, sub, sizeof(sub));
    if (err) {
      snprintf(errbuf, errlen, "%s:%d: %s", path, lineno, sub);
      break;
    }
  }
  fclose(f);
  return err;
}

const char *
config_get(const struct config *cfg, const char *name)
{
  int i = find_index(name);
  return i < 0 ? NULL : cfg->values[i];
}

int64_t
config_get_int(const struct config *cfg, const char *name)
{
  const char *v = config_get(cfg, name);
  int64_t n = 0;
  if (v == NULL || parse_int(v, &n))
    return 0;
  return n;
}

int
config_get_bool(const struct config *cfg, const char *name)
{
  const char *v = config_get(cfg, name);
  int b = 0;
  if (v == NULL || parse_bool(v, &b))
    return 0;
  return b;
}

enum config_source
config_source_of(const struct config *cfg, const char *name)
{
  int i = find_index(name);
  return i < 0 ? CONFIG_DEFAULT : cfg->sources[i];
}
