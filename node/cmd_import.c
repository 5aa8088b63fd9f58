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
      const char *doc_hash, size_t again, int as_json)
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
    if (again)
      printf("%zu requested sentences moved: requested again in their "
             "books\n", again);
    return;
  }
  o = work_store_counts_json(w, c);
  json_set_str(o, "doc_hash", doc_hash);
  json_set_int(o, "requested_again", (int64_t)again);
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
  char errbuf[512], doc_hash[2 * WIRE_HASH_BYTES + 1], id[WORK_ID_HEX];
  char *old_ids = NULL;
  size_t n_old = 0, again = 0;
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
    logcli_close(&app, &f);
    return CLI_USAGE;
  }
  if (!err && !is_url(src) && strrchr(w->source, '/')) {
    /* The work travels in the log: a file is named by its name only,
     * never by where it lies on this machine. */
    char *name = xstrdup(strrchr(w->source, '/') + 1);
    xfree(w->source);
    w->source = name;
  }
  if (!err) {
    /* What each index named before, to find the ones a re-import moves. */
    work_id(w, id);
    err = works_story_ids(app.db, id, &old_ids, &n_old);
    if (err)
      snprintf(errbuf, sizeof(errbuf), "cannot read the stored work: %s",
               err_str(err));
  }
  if (!err)
    err = work_store_save(app.db, w, (int64_t)time(NULL), &counts, errbuf,
                          sizeof(errbuf));
  /* The stored work travels as its document blob named by ImportWork. */
  if (!err)
    err = works_publish_dir(f, app.dir, w, doc_hash, errbuf,
                            sizeof(errbuf));
  if (!err && n_old) {
    err = works_rebase(f, id, old_ids, n_old, &again);
    if (err)
      snprintf(errbuf, sizeof(errbuf), "cannot request moved sentences "
               "again: %s", err_str(err));
  }
  if (!err)
    print(w, &counts, doc_hash, again, cli_flag(cli, "json"));
  xfree(old_ids);
  work_free(w);
  logcli_close(&app, &f);
  if (err)
    return cli_fail("import: %s", errbuf);
  return CLI_OK;
}
