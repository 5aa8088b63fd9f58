/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk import URL|FILE: read a Glowfic story into a work and store it
 * (one transaction); print the work id and counts. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node/alloc.h"
#include "node/app.h"
#include "node/cli.h"
#include "node/commands.h"
#include "node/glowfic_listing.h"
#include "node/importer.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/logcli.h"
#include "node/work_store.h"
#include "node/works.h"

static int
is_url(const char *s)
{
  /* Any scheme: the URL reader refuses what is not http(s). */
  return strstr(s, "://") != NULL;
}

static void
print(const struct work *w, const struct work_store_counts *c,
      const char *doc_hash, int as_json)
{
  struct json *o;
  char *text;

  if (!as_json) {
    printf("work %s: %s\n", c->work_id, w->title ? w->title : w->key);
    printf("document %s (in the log)\n", doc_hash);
    printf("threads %lld, posts %lld, characters %lld, sentences %lld, "
           "words %lld\n", (long long)c->threads, (long long)c->posts,
           (long long)c->characters, (long long)c->sentences,
           (long long)c->words);
    printf("this import: %lld new posts, %lld changed, %lld new sentences, "
           "%lld removed\n", (long long)c->new_posts,
           (long long)c->changed_posts, (long long)c->new_sentences,
           (long long)c->removed_sentences);
    return;
  }
  o = work_store_counts_json(w, c);
  json_set_str(o, "doc_hash", doc_hash);
  text = json_print(o, 0);
  printf("%s\n", text);
  xfree(text);
  json_free(o);
}

/* A saved page or API reply; a saved continuity or section page imports
 * the threads it lists, from the thread files given after it or fetched.
 * Returns 0, an error (errbuf), or CLI_USAGE (printed). */
static int
from_file(struct cli *cli, const char *path, const struct importer_opts *o,
          struct work **w, char *errbuf, size_t errlen)
{
  const char *files[IMPORT_ARGS_MAX];
  char *data = NULL;
  size_t len = 0, i, n = (size_t)cli_nargs(cli) - 1;
  int err;

  err = importer_read_file(path, o, &data, &len, errbuf, errlen);
  if (err)
    return err;
  for (i = 0; i < n && i < IMPORT_ARGS_MAX; i++)
    files[i] = cli_arg(cli, (int)i + 1);
  if (glowfic_listing_detect(data, len))
    err = importer_from_listing(path, data, len, files, n, cli_config(cli),
                                o, w, errbuf, errlen);
  else if (n > 0)
    err = cli_usage(cli, "thread files go with a saved continuity or "
                    "section page");
  else
    err = importer_from_bytes(path, data, len, o, w, errbuf, errlen);
  xfree(data);
  return err;
}

int
cmd_import(struct cli *cli)
{
  const char *src = cli_arg(cli, 0);
  struct importer_opts opts;
  struct work_store_counts counts;
  struct work *w = NULL;
  struct feed *f = NULL;
  struct app app;
  char errbuf[512], doc_hash[2 * WIRE_HASH_BYTES + 1];
  int err;

  if (logcli_open(cli, &app, &f))
    return CLI_FAIL;
  importer_opts_from_config(&opts, cli_config(cli));
  if (is_url(src) && cli_nargs(cli) > 1)
    err = cli_usage(cli, "thread files go with a saved continuity or "
                    "section page, not a URL");
  else if (is_url(src))
    err = importer_from_url(src, cli_config(cli), &opts, &w, errbuf,
                            sizeof(errbuf));
  else
    err = from_file(cli, src, &opts, &w, errbuf, sizeof(errbuf));
  if (err == CLI_USAGE) {
    app_close(&app);
    return CLI_USAGE;
  }
  if (!err)
    err = work_store_save(app.db, w, (int64_t)time(NULL), &counts, errbuf,
                          sizeof(errbuf));
  /* The stored work travels as its document blob named by ImportWork. */
  if (!err)
    err = works_publish_dir(f, app.dir, w, errbuf, sizeof(errbuf));
  if (!err) {
    work_store_doc_hash(w, doc_hash);
    print(w, &counts, doc_hash, cli_flag(cli, "json"));
  }
  work_free(w);
  logcli_close(&app, &f);
  if (err)
    return cli_fail("import: %s", errbuf);
  return CLI_OK;
}
