/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Voice specs: parse, check, format, and the JSON form (see voice.h). It
 * owns the syntax and ranges; the engine owns which names exist. */
#include "node/voice.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/json.h"
#include "node/tts.h"

struct param {
  const char *key;
  size_t off;  /* offset of the int in struct voice */
  int min, max, def;
};

static const struct param params[] = {
  {"rate", offsetof(struct voice, rate), 80, 450, VOICE_RATE_DEFAULT},
  {"pitch", offsetof(struct voice, pitch), 0, 99, VOICE_PITCH_DEFAULT},
  {"range", offsetof(struct voice, range), 0, 99, VOICE_RANGE_DEFAULT},
  {"volume", offsetof(struct voice, volume), 0, 200, VOICE_VOLUME_DEFAULT},
  {"wordgap", offsetof(struct voice, wordgap), 0, 100,
   VOICE_WORDGAP_DEFAULT},
};
#define NPARAMS (sizeof(params) / sizeof(params[0]))

static int *
param_ptr(struct voice *v, const struct param *p)
{
  return (int *)(void *)((char *)v + p->off);
}

static int test_engines; /* voice_set_test_engines() */

void
voice_set_test_engines(int on)
{
  test_engines = on != 0;
}

int
voice_test_engines(void)
{
  return test_engines;
}

static void
voice_defaults(struct voice *v)
{
  size_t i;

  memset(v, 0, sizeof(*v));
  for (i = 0; i < NPARAMS; i++)
    *param_ptr(v, &params[i]) = params[i].def;
}

/* Letters, digits, '-', '_' and (variants only) ' ' and '.'. */
static int
name_ok(const char *s, size_t n, int variant)
{
  size_t i;

  if (n == 0 || n >= VOICE_NAME_MAX || s[0] == '.' || s[0] == ' ')
    return 0;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];

    if (!isalnum(c) && c != '-' && c != '_' &&
        !(variant && (c == ' ' || c == '.')))
      return 0;
  }
  return 1;
}

/* A decimal integer in s[0..n) into *out; -1 if it is not one. */
static int
parse_int(const char *s, size_t n, int *out)
{
  long v = 0;
  size_t i;

  if (n == 0 || n > 6)
    return -1;
  for (i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = (int)v;
  return 0;
}

static int
check_mix(struct voice *v, int weighted, char *errbuf, size_t errlen)
{
  int i, sum = 0;

  if (v->nparts == 1 && !weighted) {
    v->parts[0].weight = 100;
    return 0;
  }
  for (i = 0; i < v->nparts; i++) {
    if (v->parts[i].weight < 1 || v->parts[i].weight > 100) {
      snprintf(errbuf, errlen, "bad mix: variant '%s' needs a weight "
               "from 1 to 100", v->parts[i].name);
      return ERR_INVAL;
    }
    sum += v->parts[i].weight;
  }
  if (sum != 100) {
    snprintf(errbuf, errlen, "bad mix: weights sum to %d, not 100", sum);
    return ERR_INVAL;
  }
  for (i = 0; i < v->nparts; i++) {
    int j;

    for (j = 0; j < i; j++)
      if (strcmp(v->parts[i].name, v->parts[j].name) == 0) {
        snprintf(errbuf, errlen, "bad mix: variant '%s' given twice",
                 v->parts[i].name);
        return ERR_INVAL;
      }
  }
  return 0;
}

/* "m3" or "m3:60" into part i. *weighted is set when a weight is given. */
static int
parse_part(struct voice *v, const char *s, size_t n, int *weighted,
           char *errbuf, size_t errlen)
{
  const char *colon = memchr(s, ':', n);
  size_t nn = colon ? (size_t)(colon - s) : n;
  struct voice_part *p;

  if (v->nparts >= VOICE_MIX_MAX) {
    snprintf(errbuf, errlen, "bad mix: more than %d variants",
             VOICE_MIX_MAX);
    return ERR_INVAL;
  }
  if (!name_ok(s, nn, 1)) {
    snprintf(errbuf, errlen, "malformed variant name '%.*s'", (int)nn, s);
    return ERR_PARSE;
  }
  if (nn >= strlen(VOICE_MIX_PREFIX) &&
      memcmp(s, VOICE_MIX_PREFIX, strlen(VOICE_MIX_PREFIX)) == 0) {
    snprintf(errbuf, errlen, "variant names starting '" VOICE_MIX_PREFIX
             "' are reserved for blends");
    return ERR_PARSE;
  }
  p = &v->parts[v->nparts++];
  memcpy(p->name, s, nn);
  p->name[nn] = '\0';
  if (colon != NULL) {
    if (parse_int(colon + 1, n - nn - 1, &p->weight) != 0) {
      snprintf(errbuf, errlen, "bad mix: weight of '%s' is not a number",
               p->name);
      return ERR_PARSE;
    }
    *weighted = 1;
  } else if (*weighted || v->nparts > 1) {
    *weighted = 1; /* a blend: every part needs a weight */
  }
  return 0;
}

static int
parse_kv(struct voice *v, const char *s, size_t n, unsigned *seen,
         char *errbuf, size_t errlen)
{
  const char *eq = memchr(s, '=', n);
  size_t kn = eq ? (size_t)(eq - s) : n, i;
  int val;

  if (eq == NULL) {
    snprintf(errbuf, errlen, "malformed parameter '%.*s' (want key=value)",
             (int)n, s);
    return ERR_PARSE;
  }
  for (i = 0; i < NPARAMS; i++)
    if (strlen(params[i].key) == kn && memcmp(params[i].key, s, kn) == 0)
      break;
  if (i == NPARAMS) {
    snprintf(errbuf, errlen, "unknown voice parameter '%.*s' (known: rate "
             "pitch range volume wordgap)", (int)kn, s);
    return ERR_PARSE;
  }
  if (*seen & (1u << i)) {
    snprintf(errbuf, errlen, "voice parameter '%s' given twice",
             params[i].key);
    return ERR_PARSE;
  }
  *seen |= 1u << i;
  if (parse_int(eq + 1, n - kn - 1, &val) != 0) {
    snprintf(errbuf, errlen, "voice parameter %s: '%.*s' is not a number",
             params[i].key, (int)(n - kn - 1), eq + 1);
    return ERR_PARSE;
  }
  if (val < params[i].min || val > params[i].max) {
    snprintf(errbuf, errlen, "voice parameter %s=%d out of range %d-%d",
             params[i].key, val, params[i].min, params[i].max);
    return ERR_INVAL;
  }
  *param_ptr(v, &params[i]) = val;
  return 0;
}

static int
parse_engine(struct voice *v, const char *spec, const char **rest,
             char *errbuf, size_t errlen)
{
  size_t n = strcspn(spec, ":+,");

  if (spec[n] != ':') {
    snprintf(errbuf, errlen, "malformed voice spec '%s' (want ENGINE:VOICE"
             ", e.g. espeak:en-us)", spec);
    return ERR_PARSE;
  }
  if (n == strlen(VOICE_ENGINE_SLEEP) &&
      memcmp(spec, VOICE_ENGINE_SLEEP, n) == 0 && !test_engines) {
    snprintf(errbuf, errlen, "'" VOICE_ENGINE_SLEEP "' is a test engine, "
             "off on this node (set test-engines = yes to use it)");
    return ERR_NOT_FOUND;
  }
  if ((n != strlen(VOICE_ENGINE_ESPEAK) ||
       memcmp(spec, VOICE_ENGINE_ESPEAK, n) != 0) &&
      (n != strlen(VOICE_ENGINE_SLEEP) ||
       memcmp(spec, VOICE_ENGINE_SLEEP, n) != 0)) {
    snprintf(errbuf, errlen, "unknown voice engine '%.*s' (known: "
             VOICE_ENGINE_ESPEAK "%s)", (int)(n > 32 ? 32 : n), spec,
             test_engines ? ", " VOICE_ENGINE_SLEEP : "");
    return ERR_NOT_FOUND;
  }
  memcpy(v->engine, spec, n);
  v->engine[n] = '\0';
  *rest = spec + n + 1;
  return 0;
}

/* "LANG[+VARIANT[:W]...]" at *sp into v; *sp moves past it. */
static int
parse_lang_parts(struct voice *v, const char **sp, char *errbuf,
                 size_t errlen)
{
  const char *s = *sp;
  size_t n = strcspn(s, "+,"), i;
  int weighted = 0, err;

  if (!name_ok(s, n, 0)) {
    snprintf(errbuf, errlen, "malformed voice name '%.*s'", (int)n, s);
    return ERR_PARSE;
  }
  for (i = 0; i < n; i++)
    v->lang[i] = (char)tolower((unsigned char)s[i]);
  s += n;
  /* variants */
  while (*s == '+') {
    s++;
    n = strcspn(s, "+,");
    err = parse_part(v, s, n, &weighted, errbuf, errlen);
    if (err != 0)
      return err;
    s += n;
  }
  if (v->nparts > 0) {
    err = check_mix(v, weighted, errbuf, errlen);
    if (err != 0)
      return err;
  }
  *sp = s;
  return 0;
}

int
voice_parse(const char *spec, struct voice *out, char *errbuf,
            size_t errlen)
{
  struct voice v;
  const char *s, *end;
  size_t len = strlen(spec), i, n;
  unsigned seen = 0;
  int err;

  voice_defaults(&v);
  if (len == 0 || len > VOICE_SPEC_MAX) {
    snprintf(errbuf, errlen, len ? "voice spec over %d bytes" :
             "empty voice spec", VOICE_SPEC_MAX);
    return len ? ERR_TOO_BIG : ERR_PARSE;
  }
  for (i = 0; i < len; i++)
    if (!isprint((unsigned char)spec[i])) {
      snprintf(errbuf, errlen, "voice spec has a control or non-ASCII "
               "character");
      return ERR_PARSE;
    }
  err = parse_engine(&v, spec, &s, errbuf, errlen);
  if (err != 0)
    return err;
  if (strcmp(v.engine, VOICE_ENGINE_SLEEP) == 0) {
    n = strcspn(s, "+,");
    if (parse_int(s, n, &v.sleep_ms) != 0 || s[n] == '+') {
      snprintf(errbuf, errlen, "malformed test voice '%s' (want "
               VOICE_ENGINE_SLEEP ":MS, e.g. sleep:100)", spec);
      return ERR_PARSE;
    }
    if (v.sleep_ms < 1 || v.sleep_ms > VOICE_SLEEP_MS_MAX) {
      snprintf(errbuf, errlen, VOICE_ENGINE_SLEEP ":%d out of range "
               "1-%d ms", v.sleep_ms, VOICE_SLEEP_MS_MAX);
      return ERR_INVAL;
    }
    s += n;
  } else {
    err = parse_lang_parts(&v, &s, errbuf, errlen);
    if (err != 0)
      return err;
  }
  /* parameters */
  while (*s == ',') {
    s++;
    end = s + strcspn(s, ",");
    err = parse_kv(&v, s, (size_t)(end - s), &seen, errbuf, errlen);
    if (err != 0)
      return err;
    s = end;
  }
  if (*s != '\0') {
    snprintf(errbuf, errlen, "malformed voice spec near '%s'", s);
    return ERR_PARSE;
  }
  *out = v;
  return 0;
}

int
voice_format(const struct voice *v, char *out, size_t cap)
{
  size_t len;
  int i, n;

  if (v->sleep_ms > 0)
    n = snprintf(out, cap, "%s:%d", v->engine, v->sleep_ms);
  else
    n = snprintf(out, cap, "%s:%s", v->engine, v->lang);
  for (i = 0; i < v->nparts && n >= 0 && (size_t)n < cap; i++) {
    len = (size_t)n;
    if (v->nparts == 1)
      n += snprintf(out + len, cap - len, "+%s", v->parts[i].name);
    else
      n += snprintf(out + len, cap - len, "+%s:%d", v->parts[i].name,
                    v->parts[i].weight);
  }
  if (n >= 0 && (size_t)n < cap) {
    len = (size_t)n;
    n += snprintf(out + len, cap - len,
                  ",rate=%d,pitch=%d,range=%d,volume=%d,wordgap=%d",
                  v->rate, v->pitch, v->range, v->volume, v->wordgap);
  }
  return n < 0 || (size_t)n >= cap ? ERR_TOO_BIG : 0;
}

struct json *
voice_to_json(const struct voice *v)
{
  struct json *j = json_new_object(), *arr = json_new_array();
  int i;

  json_set_str(j, "engine", v->engine);
  json_set_str(j, "lang", v->lang);
  if (v->sleep_ms > 0)
    json_set_int(j, "ms", v->sleep_ms);
  for (i = 0; i < v->nparts; i++) {
    struct json *p = json_new_object();

    json_set_str(p, "name", v->parts[i].name);
    json_set_int(p, "weight", v->parts[i].weight);
    json_push(arr, p);
  }
  json_set(j, "variants", arr);
  for (i = 0; i < (int)NPARAMS; i++)
    json_set_int(j, params[i].key,
                 *param_ptr((struct voice *)v, &params[i]));
  return j;
}

/* Build the spec string from the JSON form, then parse it: one grammar,
 * one set of checks. */
int
voice_from_json(const struct json *j, struct voice *out, char *errbuf,
                size_t errlen)
{
  char spec[VOICE_SPEC_MAX + 1];
  const char *engine = json_get_str(j, "engine");
  const char *lang = json_get_str(j, "lang");
  struct json *vars = json_get(j, "variants"), *e;
  size_t len;
  int64_t x;
  int n, i;

  if (json_is_object(j) && engine != NULL &&
      strcmp(engine, VOICE_ENGINE_SLEEP) == 0) {
    int64_t ms = 0;

    if (json_get(j, "ms") == NULL || json_int(json_get(j, "ms"), &ms) != 0 ||
        ms < 0 || ms > VOICE_SLEEP_MS_MAX) {
      snprintf(errbuf, errlen, "malformed voice: the " VOICE_ENGINE_SLEEP
               " engine wants \"ms\" from 1 to %d", VOICE_SLEEP_MS_MAX);
      return ERR_PARSE;
    }
    snprintf(spec, sizeof(spec), VOICE_ENGINE_SLEEP ":%d", (int)ms);
    return voice_parse(spec, out, errbuf, errlen);
  }
  if (!json_is_object(j) || lang == NULL) {
    snprintf(errbuf, errlen, "malformed voice: want an object with "
             "\"engine\" and \"lang\"");
    return ERR_PARSE;
  }
  if (vars != NULL && !json_is_array(vars)) {
    snprintf(errbuf, errlen, "malformed voice: \"variants\" is not a list");
    return ERR_PARSE;
  }
  n = snprintf(spec, sizeof(spec), "%s:%s", engine ? engine : "", lang);
  for (e = json_first(vars); e && n >= 0 && (size_t)n < sizeof(spec);
       e = json_next(e)) {
    const char *name = json_get_str(e, "name");
    struct json *w = json_get(e, "weight");

    if (name == NULL || (w != NULL && json_int(w, &x) != 0) ||
        (w != NULL && (x < 0 || x > 1000))) {
      snprintf(errbuf, errlen, "malformed voice: bad variant entry");
      return ERR_PARSE;
    }
    len = (size_t)n;
    n += w ? snprintf(spec + len, sizeof(spec) - len, "+%s:%d", name,
                      (int)x)
           : snprintf(spec + len, sizeof(spec) - len, "+%s", name);
  }
  for (i = 0; i < (int)NPARAMS && n >= 0 && (size_t)n < sizeof(spec);
       i++) {
    struct json *p = json_get(j, params[i].key);

    if (p == NULL)
      continue;
    if (json_int(p, &x) != 0 || x < 0 || x > 100000) {
      snprintf(errbuf, errlen, "voice parameter %s is not a small integer",
               params[i].key);
      return ERR_INVAL;
    }
    len = (size_t)n;
    n += snprintf(spec + len, sizeof(spec) - len, ",%s=%d", params[i].key,
                  (int)x);
  }
  if (n < 0 || (size_t)n > VOICE_SPEC_MAX) {
    snprintf(errbuf, errlen, "voice spec over %d bytes", VOICE_SPEC_MAX);
    return ERR_TOO_BIG;
  }
  return voice_parse(spec, out, errbuf, errlen);
}

int
voice_check(const struct voice *v, struct tts *t, char *errbuf,
            size_t errlen)
{
  int i;

  if (strcmp(v->engine, VOICE_ENGINE_SLEEP) == 0)
    return 0; /* no names to look up */
  if (!tts_voice_exists(t, v->lang)) {
    snprintf(errbuf, errlen, "unknown espeak-ng voice '%s' (see glowtalk "
             "voices)", v->lang);
    return ERR_NOT_FOUND;
  }
  for (i = 0; i < v->nparts; i++)
    if (!tts_variant_exists(t, v->parts[i].name)) {
      snprintf(errbuf, errlen, "unknown espeak-ng variant '%s' (see "
               "glowtalk voices)", v->parts[i].name);
      return ERR_NOT_FOUND;
    }
  return 0;
}
