/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk voices: the voice catalogue (languages, variants, presets), as
 * text or --json. */
#include <stdio.h>

#include "node/alloc.h"
#include "node/cli.h"
#include "node/commands.h"
#include "node/json.h"
#include "node/tts.h"
#include "node/voicecat.h"

static void
print_text(const struct json *cat)
{
  struct json *e;

  printf("Engine espeak-ng %s. A voice spec is espeak:LANG[+VARIANT]"
         "[,rate=N,pitch=N,range=N,volume=N,wordgap=N];\na blend is "
         "espeak:LANG+V1:W1+V2:W2 with weights summing to 100.\n\n",
         json_get_str(cat, "engine_version"));
  printf("Presets:\n");
  for (e = json_first(json_get(cat, "presets")); e; e = json_next(e))
    printf("  %-18s %-52s %s\n", json_get_str(e, "role"),
           json_get_str(e, "spec"), json_get_str(e, "description"));
  printf("\nLanguages (%zu):\n", json_len(json_get(cat, "voices")));
  for (e = json_first(json_get(cat, "voices")); e; e = json_next(e))
    printf("  %-18s %-30s %s\n", json_get_str(e, "lang"),
           json_get_str(e, "name"), json_get_str(e, "gender"));
  printf("\nVariants (%zu):\n", json_len(json_get(cat, "variants")));
  for (e = json_first(json_get(cat, "variants")); e; e = json_next(e))
    printf("  %-18s %-24s %s\n", json_get_str(e, "name"),
           json_get_str(e, "description"), json_get_str(e, "gender"));
}

int
cmd_voices(struct cli *cli)
{
  struct tts *t = NULL;
  struct json *cat;
  char errbuf[256], *text;

  if (tts_open(&t, errbuf, sizeof(errbuf)) != 0)
    return cli_fail("%s", errbuf);
  cat = voicecat_json(t);
  tts_close(&t);
  if (cli_flag(cli, "json")) {
    text = json_print(cat, 0);
    printf("%s\n", text);
    xfree(text);
  } else {
    print_text(cat);
  }
  json_free(cat);
  return CLI_OK;
}
