/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Auto-cast (see autocast.h). Voices come from a fixed pool ordered so
 * that neighbours differ most (alternating gender, then accent, variant
 * and pitch); characters sorted by share take them in order. Past the
 * pool, pitch and rate steps make further distinct voices. */
#include "node/autocast.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/alloc.h"
#include "node/voice.h"

struct slot {
  const char *accent;  /* English accent voice, or NULL = lang itself */
  const char *variant; /* espeak-ng variant */
  int pitch;           /* 0-99 */
  int rate;            /* words per minute */
};

/* Ordered for contrast: each entry differs from the one before in gender
 * and from the ones near it in accent, variant and pitch. */
static const struct slot pool[] = {
  {"en-us", "m3", 45, 170}, {"en-gb", "f2", 55, 165},
  {"en-gb-scotland", "m1", 35, 160}, {"en-us", "f5", 65, 180},
  {"en-gb-x-rp", "m7", 50, 165}, {"en-029", "f3", 45, 170},
  {"en-us-nyc", "m2", 60, 185}, {"en-gb-x-gbclan", "f4", 50, 160},
  {"en-gb", "m4", 40, 175}, {"en-us", "f1", 60, 170},
  {"en-gb-x-gbcwmd", "m6", 45, 170}, {"en-gb-scotland", "f2", 40, 165},
  {"en-us", "m5", 55, 160}, {"en-gb-x-rp", "f5", 70, 175},
  {"en-029", "m3", 35, 165}, {"en-us-nyc", "f3", 55, 185},
  {"en-gb", "m2", 50, 170}, {"en-us", "f4", 45, 160},
  {"en-gb-x-gbclan", "m7", 60, 175}, {"en-gb-x-gbcwmd", "f1", 50, 170},
};
#define POOL (sizeof(pool) / sizeof(pool[0]))

struct order {
  size_t i;      /* index into chars */
  double share;
  const char *name;
};

static int
cmp_order(const void *a, const void *b)
{
  const struct order *x = a, *y = b;

  if (x->share != y->share)
    return x->share > y->share ? -1 : 1;
  return strcmp(x->name, y->name);
}

/* The k-th voice: the pool, then rounds of pitch and rate steps (distinct
 * for k < AUTOCAST_DISTINCT; after that the rounds repeat). */
static char *
make_spec(const char *lang, size_t k)
{
  static const int pitch_step[] = {0, 8, -8, 16, -16};
  static const int rate_step[] = {0, 12, -12, 24, -24};
  const struct slot *s = &pool[k % POOL];
  size_t round = (k / POOL) % 25;
  int english = strcmp(lang, "en") == 0 || strncmp(lang, "en-", 3) == 0;
  int pitch = s->pitch + pitch_step[round % 5];
  int rate = s->rate + rate_step[round / 5];

  return xasprintf("espeak:%s+%s,rate=%d,pitch=%d",
                   english ? s->accent : lang, s->variant, rate, pitch);
}

static int
lang_ok(const char *lang)
{
  size_t i, n = strlen(lang);

  if (n == 0 || n >= VOICE_NAME_MAX)
    return 0;
  for (i = 0; i < n; i++)
    if (!isalnum((unsigned char)lang[i]) && lang[i] != '-')
      return 0;
  return 1;
}

/* Canonical form, so "avoid" and candidates compare as voices. */
static int
canon(const char *spec, char *out, size_t cap)
{
  struct voice v;
  char err[128];

  if (voice_parse(spec, &v, err, sizeof(err)) != 0)
    return -1;
  return voice_format(&v, out, cap);
}

int
autocast_assign(const struct autocast_char *chars, size_t n,
                const char *lang, const char *avoid, char **out,
                char *errbuf, size_t errlen)
{
  char avoid_c[VOICE_SPEC_MAX + 64] = "", cand_c[VOICE_SPEC_MAX + 64];
  struct order *ord;
  size_t i, k = 0;

  if (lang == NULL || !lang_ok(lang)) {
    snprintf(errbuf, errlen, "bad language for auto-cast");
    return ERR_INVAL;
  }
  if (n > AUTOCAST_MAX) {
    snprintf(errbuf, errlen, "more than %d characters", AUTOCAST_MAX);
    return ERR_TOO_BIG;
  }
  for (i = 0; i < n; i++)
    if (chars[i].name == NULL || !(chars[i].share >= 0) ||
        isinf(chars[i].share)) {
      snprintf(errbuf, errlen, "character %zu has no name or a bad share",
               i);
      return ERR_INVAL;
    }
  if (avoid != NULL && canon(avoid, avoid_c, sizeof(avoid_c)) != 0)
    avoid_c[0] = '\0';
  ord = xcalloc(n ? n : 1, sizeof(*ord));
  for (i = 0; i < n; i++) {
    ord[i].i = i;
    ord[i].share = chars[i].share;
    ord[i].name = chars[i].name;
  }
  qsort(ord, n, sizeof(*ord), cmp_order);
  for (i = 0; i < n; i++) {
    char *spec = make_spec(lang, k++);

    /* pool entries are distinct from each other by construction; skip the
     * one that equals the narrator's voice */
    if (avoid_c[0] && canon(spec, cand_c, sizeof(cand_c)) == 0 &&
        strcmp(cand_c, avoid_c) == 0) {
      xfree(spec);
      spec = make_spec(lang, k++);
    }
    out[ord[i].i] = spec;
  }
  xfree(ord);
  return 0;
}
