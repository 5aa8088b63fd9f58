/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk book new WORK: a BookCreate entry in this node's log (a fork
 * with --fork inherits the parent's casting as it was; node/LOG.md). */
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/commands.h"
#include "node/config.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/logcli.h"
#include "node/voice.h"

/* The work's id and title, from the importer's table (by id or key) or
 * from the log. */
static int
find_work(struct app *app, const char *name, char **work_id, char **title)
{
  static const char *const q =
    "SELECT work_id, coalesce(title, '') FROM works WHERE work_id=?1"
    " OR key=?1 UNION ALL SELECT work_id, title FROM st_works"
    " WHERE work_id=?1 LIMIT 1";
  struct db_stmt *s = NULL;
  int err, rc;

  *work_id = *title = NULL;
  err = db_prepare(app->db, q, &s);
  if (!err)
    err = db_bind_text(s, 1, name, -1);
  if (!err) {
    rc = db_step(s);
    if (rc == DB_ROW) {
      *work_id = xstrdup(db_col_text(s, 0));
      *title = xstrdup(db_col_text(s, 1) ? db_col_text(s, 1) : "");
    }
    err = rc < 0 ? rc : 0;
  }
  db_finalize(&s);
  if (err)
    return cli_fail("cannot read the works: %s", err_str(err));
  if (*work_id == NULL)
    return cli_fail("no imported work %s: run 'glowtalk import' first",
                    name);
  return CLI_OK;
}

int
cmd_book(struct cli *cli)
{
  struct app app;
  struct feed *f = NULL;
  struct wire_entry e;
  uint8_t id[WIRE_HASH_BYTES];
  char hexid[2 * WIRE_BOOK_ID_BYTES + 1];
  char *work_id = NULL, *title = NULL;
  const char *name = cli_opt(cli, "name"), *voice = cli_opt(cli, "voice");
  const char *fork = cli_opt(cli, "fork");
  struct voice v;
  char errbuf[256];
  int rc;

  if (strcmp(cli_arg(cli, 0), "new") != 0)
    return cli_usage(cli, "unknown book command '%s'", cli_arg(cli, 0));
  /* --voice is the config option "voice" (default voice for new books):
   * given here or set by the user, it becomes the book's voice. */
  if (voice == NULL &&
      config_source_of(cli_config(cli), "voice") != CONFIG_DEFAULT)
    voice = config_get(cli_config(cli), "voice");
  if (voice != NULL && voice[0] != '\0' &&
      voice_parse(voice, &v, errbuf, sizeof(errbuf)) != 0)
    return cli_fail("bad voice: %s", errbuf);
  memset(&e, 0, sizeof(e));
  if (logcli_open(cli, &app, &f))
    return CLI_FAIL;
  rc = find_work(&app, cli_arg(cli, 1), &work_id, &title);
  if (rc == CLI_OK && fork) {
    rc = logcli_book(&app, fork, e.fork_of);
    e.has_fork_of = rc == CLI_OK;
  }
  if (rc == CLI_OK) {
    e.op = WIRE_OP_BOOK_CREATE;
    e.work_id = xstrdup(work_id);
    e.name = xstrdup(name ? name : title[0] ? title : "Audiobook");
    e.voice = xstrdup(voice ? voice : "");
    rc = logcli_append(f, &e, id);
  }
  if (rc == CLI_OK) {
    hex_encode(hexid, id, WIRE_BOOK_ID_BYTES);
    if (cli_flag(cli, "json")) {
      struct json *o = json_new_object();
      char *text;
      json_set_str(o, "book_id", hexid);
      json_set_str(o, "work_id", work_id);
      json_set_str(o, "name", name ? name : title[0] ? title : "Audiobook");
      text = json_print(o, 0);
      printf("%s\n", text);
      xfree(text);
      json_free(o);
    } else {
      printf("%s\n", hexid);
    }
  }
  wire_entry_clear(&e);
  xfree(work_id);
  xfree(title);
  logcli_close(&app, &f);
  return rc;
}
