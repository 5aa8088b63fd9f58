/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* libFuzzer harness for the node's parsers of hostile input (STYLE.md G9):
 * the first byte picks the target, the rest is the input.
 *   0: json_parse            1: config file (glowtalk.conf)
 *   2: a saved Glowfic page or API JSON (importer_from_bytes: libxml2,
 *      text for speech, ICU sentences, the work document)
 *   3: a voice spec (voice_parse)
 * Invariants: no crash, no leak, and a successful import yields a work
 * whose sentences are never empty. Build: make fuzz; run:
 * build-fuzz/fuzz-parsers -max_total_time=60. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/config.h"
#include "node/importer.h"
#include "node/json.h"
#include "node/log.h"
#include "node/voice.h"
#include "node/work.h"

#define FUZZ_INPUT_MAX (256 * 1024) /* bytes of one input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_config(const uint8_t *data, size_t size)
{
  char path[64], err[256];
  struct config *cfg = config_new();
  FILE *f;

  snprintf(path, sizeof(path), "/dev/shm/glowtalk-fuzz-%ld.conf",
           (long)getpid());
  f = fopen(path, "wb");
  if (f == NULL)
    abort();
  fwrite(data, 1, size, f);
  fclose(f);
  (void)config_load_file(cfg, path, err, sizeof(err));
  unlink(path);
  config_free(&cfg);
}

static void
fuzz_import(const uint8_t *data, size_t size)
{
  struct importer_opts opts = {0, 300, FUZZ_INPUT_MAX};
  struct work *w = NULL;
  char err[512];

  if (importer_from_bytes("fuzz.html", (const char *)data, size, &opts, &w,
                          err, sizeof(err)) == 0) {
    if (w == NULL)
      abort();
  }
  work_free(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char err[256], *text;
  struct json *j;
  struct voice v;

  if (size < 1 || size > FUZZ_INPUT_MAX)
    return 0;
  log_set_level(LOG_LEVEL_OFF);
  switch (data[0] % 4) {
  case 0:
    j = json_parse((const char *)data + 1, size - 1, err, sizeof(err));
    json_free(j);
    break;
  case 1:
    fuzz_config(data + 1, size - 1);
    break;
  case 2:
    fuzz_import(data + 1, size - 1);
    break;
  case 3:
    text = xstrndup((const char *)data + 1, size - 1);
    (void)voice_parse(text, &v, err, sizeof(err));
    xfree(text);
    break;
  }
  return 0;
}
