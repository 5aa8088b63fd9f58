/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Blends espeak-ng variant files (see voicemix.h). A parent that does not
 * set a key contributes espeak-ng's built-in default where that default is
 * fixed (voices.c VoiceReset); for keys whose default depends on the
 * language (tone, stressAmp, stressLength, consonants) the mean is over the
 * parents that set it. Discrete keys (gender, intonation, klatt) come from
 * the heaviest parent. */
#include "node/voicemix.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/buf.h"
#include "node/hex.h"
#include "node/voice.h"

#define NUMS_MAX 9      /* numbers after a key */
#define FORMANTS 9      /* formant 0..8 */
#define MIX_TEXT_MAX 4096

struct key {
  const char *name;
  int formant;        /* 1: "formant N a b c [d]" with N in 0..8 */
  int nnums;          /* numbers of the default, 0 = no fixed default */
  int def[NUMS_MAX];
};

/* Numeric keys we blend, in output order, with espeak-ng's defaults. */
static const struct key keys[] = {
  {"pitch", 0, 2, {80, 118}},
  {"formant", 1, 3, {100, 100, 100}},
  {"voicing", 0, 1, {100}},
  {"consonants", 0, 0, {0}},
  {"tone", 0, 0, {0}},
  {"roughness", 0, 1, {2}},
  {"flutter", 0, 1, {2}},
  {"echo", 0, 2, {0, 0}},
  {"breath", 0, 8, {0}},
  {"breathw", 0, 8, {200, 200, 400, 400, 400, 600, 600, 600}},
  {"stressAdd", 0, 8, {0}},
  {"stressAmp", 0, 0, {0}},
  {"stressLength", 0, 0, {0}},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define SLOTS (NKEYS + FORMANTS)

static const char *const discrete[] = {"gender", "intonation", "klatt"};
#define NDISCRETE (sizeof(discrete) / sizeof(discrete[0]))

/* One parent's settings: per slot (key, or formant index), its numbers. */
struct parent {
  int n[SLOTS];             /* numbers given; 0 = key not set */
  double v[SLOTS][NUMS_MAX];
  char disc[NDISCRETE][64]; /* discrete values, "" if not set */
};

static int
slot_of(size_t k, int formant)
{
  /* formant slots come after the plain keys */
  return keys[k].formant ? (int)NKEYS + formant : (int)k;
}

static void
parse_line(struct parent *p, char *line)
{
  char *tok, *save = NULL;
  size_t k;
  int slot = -1, n = 0, formant = 0;

  tok = strtok_r(line, " \t\r", &save);
  if (tok == NULL)
    return;
  for (k = 0; k < NDISCRETE; k++)
    if (strcmp(tok, discrete[k]) == 0) {
      tok = strtok_r(NULL, "\t\r", &save);
      snprintf(p->disc[k], sizeof(p->disc[k]), "%s", tok ? tok : "");
      return;
    }
  for (k = 0; k < NKEYS; k++)
    if (strcmp(tok, keys[k].name) == 0)
      break;
  if (k == NKEYS)
    return; /* name, language, comments, unknown keys */
  if (keys[k].formant) {
    tok = strtok_r(NULL, " \t\r", &save);
    formant = tok ? (int)strtol(tok, NULL, 10) : -1;
    if (formant < 0 || formant >= FORMANTS)
      return;
  }
  slot = slot_of(k, formant);
  while (n < NUMS_MAX && (tok = strtok_r(NULL, " \t\r", &save)) != NULL) {
    char *end;
    double x = strtod(tok, &end);

    if (end == tok || *end != '\0')
      break;
    p->v[slot][n++] = x;
  }
  p->n[slot] = n;
}

static int
read_parent(const char *data_dir, const char *name, struct parent *p,
            char *errbuf, size_t errlen)
{
  char *path = xasprintf("%s/voices/!v/%s", data_dir, name);
  char *text = NULL, *line, *save = NULL;
  FILE *f = fopen(path, "r");
  size_t len;
  int err = 0;

  memset(p, 0, sizeof(*p));
  if (f == NULL) {
    snprintf(errbuf, errlen, "cannot read variant '%s'", name);
    err = ERR_NOT_FOUND;
    goto out;
  }
  text = xmalloc(VOICEMIX_FILE_MAX + 2);
  len = fread(text, 1, VOICEMIX_FILE_MAX + 1, f);
  if (len > VOICEMIX_FILE_MAX) {
    snprintf(errbuf, errlen, "variant '%s' is over %d bytes", name,
             VOICEMIX_FILE_MAX);
    err = ERR_TOO_BIG;
    goto out;
  }
  text[len] = '\0';
  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    char *c = strstr(line, "//");

    if (c != NULL)
      *c = '\0';
    parse_line(p, line);
  }
out:
  if (f != NULL)
    fclose(f);
  xfree(text);
  xfree(path);
  return err;
}

/* Fill slots a parent leaves unset with fixed defaults. */
static void
fill_defaults(struct parent *p)
{
  size_t k;
  int f, i, nf;

  for (k = 0; k < NKEYS; k++) {
    nf = keys[k].formant ? FORMANTS : 1;
    for (f = 0; f < nf; f++) {
      int slot = slot_of(k, f);

      if (p->n[slot] != 0 || keys[k].nnums == 0)
        continue;
      for (i = 0; i < keys[k].nnums; i++)
        p->v[slot][i] = keys[k].def[i];
      p->n[slot] = keys[k].nnums;
    }
  }
}

static int
emit_slot(struct buf *out, const struct voice *v, struct parent *ps,
          const char *name, int formant, int slot)
{
  int i, j, maxn = 0, err = 0;

  for (j = 0; j < v->nparts; j++)
    if (ps[j].n[slot] > maxn)
      maxn = ps[j].n[slot];
  if (maxn == 0)
    return 0;
  err = formant >= 0 ? buf_printf(out, "%s %d", name, formant)
                     : buf_printf(out, "%s", name);
  for (i = 0; i < maxn && err == 0; i++) {
    double sum = 0, wsum = 0;

    for (j = 0; j < v->nparts; j++)
      if (ps[j].n[slot] > i) {
        sum += v->parts[j].weight * ps[j].v[slot][i];
        wsum += v->parts[j].weight;
      }
    err = buf_printf(out, " %ld", lround(sum / wsum));
  }
  if (err == 0)
    err = buf_append_str(out, "\n");
  return err;
}

int
voicemix_make(const struct voice *v, const char *data_dir, char **text,
              char **name, char *errbuf, size_t errlen)
{
  struct parent *ps = NULL;
  struct buf out;
  uint8_t hash[SECURE_HASH_BYTES];
  char hexs[2 * 8 + 1];
  size_t k, d;
  int j, heavy = 0, err = 0, f;

  *text = NULL;
  *name = NULL;
  if (v->nparts < 2) {
    snprintf(errbuf, errlen, "not a blend");
    return ERR_INVAL;
  }
  buf_init(&out, MIX_TEXT_MAX);
  ps = xcalloc((size_t)v->nparts, sizeof(*ps));
  for (j = 0; j < v->nparts && err == 0; j++) {
    err = read_parent(data_dir, v->parts[j].name, &ps[j], errbuf, errlen);
    fill_defaults(&ps[j]);
    if (v->parts[j].weight > v->parts[heavy].weight)
      heavy = j;
  }
  if (err != 0)
    goto fail;
  err = buf_append_str(&out, "language variant\nname blend\n");
  for (d = 0; d < NDISCRETE && err == 0; d++)
    if (ps[heavy].disc[d][0] != '\0')
      err = buf_printf(&out, "%s %s\n", discrete[d], ps[heavy].disc[d]);
  for (k = 0; k < NKEYS && err == 0; k++) {
    if (!keys[k].formant) {
      err = emit_slot(&out, v, ps, keys[k].name, -1, slot_of(k, 0));
      continue;
    }
    for (f = 0; f < FORMANTS && err == 0; f++)
      err = emit_slot(&out, v, ps, keys[k].name, f, slot_of(k, f));
  }
  if (err != 0) {
    snprintf(errbuf, errlen, "blend is too large");
    goto fail;
  }
  secure_hash(hash, out.data, out.len, NULL, 0);
  hex_encode(hexs, hash, VOICE_MIX_HASH_BYTES);
  *name = xasprintf(VOICE_MIX_PREFIX "%s", hexs);
  *text = buf_take(&out, NULL);
  xfree(ps);
  return 0;

fail:
  buf_free(&out);
  xfree(ps);
  return err;
}
