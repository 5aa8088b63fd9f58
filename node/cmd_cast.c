/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk cast BOOK CHARACTER SPEC: a CastCharacter entry. CHARACTER is
 * the importer's character key or a character's name in the work; --auto
 * needs the voice list and is not built here. */
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/commands.h"
#include "node/logcli.h"

/* The importer's key for a character named name in the book's work, or a
 * copy of name when the work is not known here. */
static char *
character_key(struct app *app, const uint8_t *book, const char *name)
{
  static const char *const q =
    "SELECT c.char_key FROM work_characters c JOIN st_books b"
    " ON b.work_id=c.work_id WHERE b.book=?1 AND (c.char_key=?2"
    " OR c.name=?2) ORDER BY c.char_key=?2 DESC LIMIT 1";
  struct db_stmt *s = NULL;
  char *key = NULL;

  if (db_prepare(app->db, q, &s) == 0 &&
      db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES) == 0 &&
      db_bind_text(s, 2, name, -1) == 0 && db_step(s) == DB_ROW)
    key = xstrdup(db_col_text(s, 0));
  db_finalize(&s);
  return key ? key : xstrdup(name);
}

int
cmd_cast(struct cli *cli)
{
  struct app app;
  struct feed *f = NULL;
  struct wire_entry e;
  int rc;

  if (cli_flag(cli, "auto"))
    return cli_not_built(cli, "auto-casting (the voice list)");
  if (cli_nargs(cli) != 3)
    return cli_usage(cli, "give a book, a character and a voice");
  memset(&e, 0, sizeof(e));
  if (logcli_open(cli, &app, &f))
    return CLI_FAIL;
  rc = logcli_book(&app, cli_arg(cli, 0), e.book);
  if (rc == CLI_OK) {
    e.op = WIRE_OP_CAST_CHARACTER;
    e.text = character_key(&app, e.book, cli_arg(cli, 1));
    e.voice = xstrdup(cli_arg(cli, 2));
    rc = logcli_append(f, &e, NULL);
  }
  if (rc == CLI_OK && cli_flag(cli, "json"))
    printf("{\"cast\":true}\n");
  logcli_close(&app, &f);
  return rc;
}
