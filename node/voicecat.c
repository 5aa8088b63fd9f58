/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The voice catalogue (see voicecat.h). Variant genders and descriptions
 * come from the "name" and "gender" lines of the variant files. */
#include "node/voicecat.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/alloc.h"
#include "node/json.h"
#include "node/tts.h"
#include "node/voice.h"

#define VARIANT_HEAD_MAX 2048 /* bytes of a variant file we scan */
#define VOICECAT_TEST_ROLE "Test (sleep)" /* preset of the test engine */
#define VOICECAT_TEST_SPEC "sleep:100"

static const struct voicecat_preset presets[] = {
  {"Narrator", "espeak:en-us+m3,rate=165,pitch=45,range=45",
   "steady male storyteller"},
  {"Narrator (female)", "espeak:en-us+f3,rate=165,pitch=50,range=45",
   "steady female storyteller"},
  {"Warm", "espeak:en-gb+f2,rate=160,pitch=48,range=60",
   "soft, unhurried, friendly"},
  {"Authoritative", "espeak:en-gb+m1,rate=160,pitch=35,range=35",
   "low, even and firm"},
  {"Calm", "espeak:en-us+f4,rate=150,pitch=45,range=30",
   "slow and level"},
  {"Friendly", "espeak:en-us+m2,rate=180,pitch=58,range=65",
   "bright and lively"},
  {"Child", "espeak:en-us+f5,rate=185,pitch=90,range=75",
   "high and quick"},
  {"Elder", "espeak:en-gb+grandpa,rate=140,pitch=40,range=55",
   "old man, slow"},
  {"Elder (female)", "espeak:en-gb+grandma,rate=140,pitch=50,range=55",
   "old woman, slow"},
  {"Energetic", "espeak:en-us+m4,rate=205,pitch=60,range=70",
   "fast and excited"},
  {"Mysterious", "espeak:en-gb-scotland+m7:50+f1:50,rate=150,pitch=40",
   "a blend, low and breathy"},
  {NULL, NULL, NULL}};

const struct voicecat_preset *
voicecat_presets(void)
{
  return presets;
}

static const char *
gender_name(int g)
{
  return g == 1 ? "male" : g == 2 ? "female" : "unknown";
}

/* The value of "key ..." in text (first word after it), or "". */
static void
file_field(const char *text, const char *key, char *out, size_t cap,
           int rest)
{
  const char *p = text;
  size_t klen = strlen(key);

  out[0] = '\0';
  while (p && *p) {
    if (strncmp(p, key, klen) == 0 && (p[klen] == ' ' || p[klen] == '\t')) {
      p += klen + strspn(p + klen, " \t");
      snprintf(out, cap, "%.*s", (int)(rest ? strcspn(p, "\r\n")
                                            : strcspn(p, " \t\r\n")), p);
      return;
    }
    p = strchr(p, '\n');
    p = p ? p + 1 : NULL;
  }
}

static void
add_variant(struct json *arr, const char *dir, const char *name)
{
  char *path = xasprintf("%s/%s", dir, name);
  char text[VARIANT_HEAD_MAX + 1], field[64];
  struct json *o;
  FILE *f = fopen(path, "r");
  size_t n = 0;

  xfree(path);
  if (f == NULL)
    return;
  n = fread(text, 1, VARIANT_HEAD_MAX, f);
  fclose(f);
  text[n] = '\0';
  o = json_new_object();
  json_set_str(o, "name", name);
  file_field(text, "name", field, sizeof(field), 1);
  json_set_str(o, "description", field);
  file_field(text, "gender", field, sizeof(field), 0);
  json_set_str(o, "gender", field[0] ? field : "unknown");
  json_push(arr, o);
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct json *
variants_json(struct tts *t)
{
  char *dir = xasprintf("%s/voices/!v", tts_data_dir(t));
  struct json *arr = json_new_array();
  char **names = xcalloc(VOICECAT_VARIANTS_MAX, sizeof(*names));
  size_t n = 0, i;
  struct dirent *e;
  DIR *d = opendir(dir);

  while (d && n < VOICECAT_VARIANTS_MAX && (e = readdir(d)) != NULL)
    if (e->d_name[0] != '.' && tts_variant_exists(t, e->d_name))
      names[n++] = xstrdup(e->d_name);
  if (d)
    closedir(d);
  qsort(names, n, sizeof(*names), cmp_str);
  for (i = 0; i < n; i++) {
    add_variant(arr, dir, names[i]);
    xfree(names[i]);
  }
  xfree(names);
  xfree(dir);
  return arr;
}

struct json *
voicecat_json(struct tts *t)
{
  struct json *root = json_new_object(), *arr = json_new_array();
  struct tts_voice_info *vs = NULL;
  char errbuf[256];
  size_t n = 0, i;

  json_set_str(root, "engine", VOICE_ENGINE_ESPEAK);
  json_set_str(root, "engine_version", tts_version(t));
  if (tts_list_voices(t, &vs, &n) != 0)
    n = 0;
  for (i = 0; i < n; i++) {
    struct json *o = json_new_object();

    json_set_str(o, "lang", vs[i].language);
    json_set_str(o, "languages", vs[i].languages);
    json_set_str(o, "name", vs[i].name);
    json_set_str(o, "gender", gender_name(vs[i].gender));
    json_set_str(o, "identifier", vs[i].identifier);
    json_push(arr, o);
  }
  xfree(vs);
  json_set(root, "voices", arr);
  json_set(root, "variants", variants_json(t));
  arr = json_new_array();
  for (i = 0; presets[i].role != NULL; i++) {
    struct voice v;
    struct json *o;

    if (voice_parse(presets[i].spec, &v, errbuf, sizeof(errbuf)) != 0 ||
        voice_check(&v, t, errbuf, sizeof(errbuf)) != 0)
      continue;
    o = json_new_object();
    json_set_str(o, "role", presets[i].role);
    json_set_str(o, "spec", presets[i].spec);
    json_set_str(o, "description", presets[i].description);
    json_push(arr, o);
  }
  if (voice_test_engines()) {
    /* test-engines = yes: offer the sleep engine, marked as a test */
    struct json *o = json_new_object();

    json_set_str(o, "role", VOICECAT_TEST_ROLE);
    json_set_str(o, "spec", VOICECAT_TEST_SPEC);
    json_set_str(o, "description", "test engine: waits 100 ms per "
                 "sentence and renders silence (benchmarks only)");
    json_set_bool(o, "test", 1);
    json_push(arr, o);
  }
  json_set(root, "presets", arr);
  json_set_bool(root, "test_engines", voice_test_engines());
  return root;
}
