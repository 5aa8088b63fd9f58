/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk cast BOOK CHARACTER SPEC: a CastCharacter entry. CHARACTER is
 * the importer's character key or a character's name in the work.
 * glowtalk cast BOOK --auto: a distinct voice for every character of the
 * book's work (node/autocast.h), appended as one batch of entries. */
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/autocast.h"
#include "node/commands.h"
#include "node/json.h"
#include "node/logcli.h"
#include "node/state.h"

#define CAST_AUTO_LANG "en" /* the language of auto-cast voices */

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

/* The characters of book's work: keys[i] (the importer's key, also the
 * tie-break name), names[i] and their spoken words as share. */
static int
load_characters(struct app *app, const uint8_t *book,
                struct autocast_char **chars, char ***keys, char ***names,
                size_t *n)
{
  static const char *const q =
    "SELECT c.char_key, c.words, c.name FROM work_characters c JOIN"
    " st_books b"
    " ON b.work_id=c.work_id WHERE b.book=?1 ORDER BY c.char_key";
  struct db_stmt *s = NULL;
  size_t cap = 0;
  int err, rc = DB_DONE;

  *chars = NULL;
  *keys = *names = NULL;
  *n = 0;
  err = db_prepare(app->db, q, &s);
  if (!err)
    err = db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES);
  while (!err && *n < AUTOCAST_MAX && (rc = db_step(s)) == DB_ROW) {
    if (*n == cap) {
      cap = cap ? 2 * cap : 32;
      *chars = xrealloc(*chars, cap * sizeof(**chars));
      *keys = xrealloc(*keys, cap * sizeof(**keys));
      *names = xrealloc(*names, cap * sizeof(**names));
    }
    (*keys)[*n] = xstrdup(db_col_text(s, 0) ? db_col_text(s, 0) : "");
    (*names)[*n] = xstrdup(db_col_text(s, 2) ? db_col_text(s, 2) : "");
    (*chars)[*n].name = (*keys)[*n];
    (*chars)[*n].share = (double)db_col_int(s, 1);
    (*n)++;
  }
  db_finalize(&s);
  return err ? err : rc < 0 ? rc : 0;
}

/* Text: "NAME<TAB>VOICE" lines; JSON: {"cast":{KEY:VOICE},
 * "characters":[{"character_key","name","words","voice"}]}. */
static void
print_cast(struct cli *cli, char **keys, char **names,
           const struct autocast_char *chars, char **voices, size_t n)
{
  struct json *o, *c, *list;
  char *text;
  size_t i;

  if (!cli_flag(cli, "json")) {
    for (i = 0; i < n; i++)
      printf("%s\t%s\n", names[i][0] ? names[i] : keys[i], voices[i]);
    return;
  }
  o = json_new_object();
  c = json_new_object();
  list = json_new_array();
  for (i = 0; i < n; i++) {
    struct json *e = json_new_object();

    json_set_str(c, keys[i], voices[i]);
    json_set_str(e, "character_key", keys[i]);
    json_set_str(e, "name", names[i]);
    json_set_int(e, "words", (int64_t)chars[i].share);
    json_set_str(e, "voice", voices[i]);
    json_push(list, e);
  }
  json_set(o, "cast", c);
  json_set(o, "characters", list);
  text = json_print(o, 0);
  printf("%s\n", text);
  xfree(text);
  json_free(o);
}

/* cast BOOK --auto: every character of the work, in one transaction. */
static int
cast_auto(struct cli *cli)
{
  struct autocast_char *chars = NULL;
  char **keys = NULL, **names = NULL, **voices = NULL, *def = NULL;
  char errbuf[256];
  uint8_t book[WIRE_BOOK_ID_BYTES];
  struct feed *f = NULL;
  struct app app;
  size_t n = 0, i;
  int rc, err;

  if (cli_nargs(cli) != 1)
    return cli_usage(cli, "give only a book with --auto");
  if (logcli_open(cli, &app, &f))
    return CLI_FAIL;
  rc = logcli_book(&app, cli_arg(cli, 0), book);
  if (rc != CLI_OK)
    goto out;
  rc = CLI_FAIL;
  err = load_characters(&app, book, &chars, &keys, &names, &n);
  if (err) {
    cli_fail("cannot read the characters: %s", err_str(err));
    goto out;
  }
  if (n == 0) {
    cli_fail("the book's work has no characters here (is it imported?)");
    goto out;
  }
  if (state_cast_get(feed_state(f), book, STATE_CAST_DEFAULT, NULL, 0,
                     &def) != 0)
    def = NULL;
  voices = xcalloc(n, sizeof(*voices));
  err = autocast_assign(chars, n, CAST_AUTO_LANG, def, voices, errbuf,
                        sizeof(errbuf));
  if (err) {
    cli_fail("auto-cast failed: %s", errbuf);
    goto out;
  }
  err = feed_begin(f);
  for (i = 0; !err && i < n; i++) {
    struct wire_entry e;

    memset(&e, 0, sizeof(e));
    e.op = WIRE_OP_CAST_CHARACTER;
    memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
    e.text = xstrdup(keys[i]);
    e.voice = xstrdup(voices[i]);
    err = feed_append(f, &e, NULL);
    wire_entry_clear(&e);
  }
  if (!err)
    err = feed_commit(f);
  else
    feed_rollback(f);
  if (err == ERR_FORBIDDEN)
    cli_fail("this node may not write to the swarm's log (not a member, "
             "or frozen by a fork)");
  else if (err)
    cli_fail("cannot append to the log: %s", err_str(err));
  else
    rc = CLI_OK;
  if (rc == CLI_OK)
    print_cast(cli, keys, names, chars, voices, n);
out:
  for (i = 0; i < n; i++) {
    xfree(keys[i]);
    xfree(names[i]);
    if (voices)
      xfree(voices[i]);
  }
  xfree(keys);
  xfree(names);
  xfree(voices);
  xfree(chars);
  xfree(def);
  logcli_close(&app, &f);
  return rc;
}

int
cmd_cast(struct cli *cli)
{
  struct app app;
  struct feed *f = NULL;
  struct wire_entry e;
  int rc;

  if (cli_flag(cli, "auto"))
    return cast_auto(cli);
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
