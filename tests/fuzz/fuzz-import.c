/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* libFuzzer harness for the import path (G9): any bytes as a saved page or
 * API reply through importer_from_bytes (HTML via libxml2, JSON via cJSON,
 * text, ICU sentences). Input is capped; a success must give a
 * well-formed work. Build and run: make fuzz-import && build-fuzz/fuzz-import
 * -max_total_time=60 ../shared/fixtures/glowfic */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/importer.h"
#include "node/work.h"

#define FUZZ_MAX_INPUT (1u << 20) /* bytes */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct importer_opts o = {0, 40, FUZZ_MAX_INPUT};
  struct work *w = NULL;
  char errbuf[512];
  size_t i, j, k;

  if (size > FUZZ_MAX_INPUT)
    return 0;
  if (importer_from_bytes("fuzz", (const char *)data, size, &o, &w, errbuf,
                          sizeof(errbuf)) != 0) {
    if (w != NULL || errbuf[0] == '\0')
      abort();
    return 0;
  }
  for (i = 0; i < w->n_threads; i++) {
    for (j = 0; j < w->threads[i].n_posts; j++) {
      const struct work_post *p = &w->threads[i].posts[j];
      for (k = 0; k < p->n_sents; k++) {
        if (p->sents[k].text[0] == '\0' || p->sents[k].para >= p->n_paras ||
            strlen(p->sents[k].id) != WORK_SENTENCE_ID_HEX - 1)
          abort();
      }
    }
  }
  work_free(w);
  return 0;
}
