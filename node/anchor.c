/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The trust anchor file; see anchor.h. Lines "KEY VALUE\n" for the keys
 * below, values without spaces. */
#include "node/anchor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "node/buf.h"
#include "node/datadir.h"
#include "node/db.h"
#include "node/fileio.h"
#include "node/hex.h"
#include "node/state.h"
#include "node/wire.h"

static const char *const keys[] = {"founder", "admitted_by", "join_peer"};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define VALUE_MAX 512

static int
meta_get(struct db *db, const char *key, char *out, size_t outlen)
{
  struct db_stmt *s = NULL;
  int err, rc;

  out[0] = '\0';
  err = db_prepare(db, "SELECT value FROM node_meta WHERE key=?1", &s);
  if (!err)
    err = db_bind_text(s, 1, key, -1);
  if (!err) {
    rc = db_step(s);
    if (rc == DB_ROW && db_col_text(s, 0))
      snprintf(out, outlen, "%s", db_col_text(s, 0));
    err = rc < 0 ? rc : 0;
  }
  db_finalize(&s);
  return err;
}

int
anchor_save(const char *dir, struct db *db)
{
  char value[VALUE_MAX], *path;
  struct buf b;
  size_t i;
  int err = 0;

  buf_init(&b, ANCHOR_MAX_BYTES);
  for (i = 0; i < NKEYS && !err; i++) {
    err = meta_get(db, keys[i], value, sizeof(value));
    if (!err && i == 0 && !value[0])
      err = ERR_NOT_FOUND;
    if (!err && value[0] && !strpbrk(value, " \n"))
      err = buf_append_str(&b, keys[i]) || buf_append_str(&b, " ") ||
            buf_append_str(&b, value) || buf_append_str(&b, "\n")
              ? ERR_TOO_BIG : 0;
  }
  if (!err) {
    path = datadir_file(dir, ANCHOR_FILE);
    err = fileio_replace(path, b.data, b.len);
    xfree(path);
  }
  buf_free(&b);
  return err;
}

/* Parse text into values[NKEYS] ("" when absent). */
static int
parse(char *text, char values[NKEYS][VALUE_MAX])
{
  char *line = text, *next, *sp;
  size_t i;

  for (i = 0; i < NKEYS; i++)
    values[i][0] = '\0';
  for (; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    sp = strchr(line, ' ');
    if (sp == NULL)
      return ERR_PARSE;
    *sp = '\0';
    for (i = 0; i < NKEYS; i++)
      if (strcmp(line, keys[i]) == 0)
        break;
    if (i == NKEYS || strlen(sp + 1) == 0 || strlen(sp + 1) >= VALUE_MAX)
      return ERR_PARSE;
    snprintf(values[i], VALUE_MAX, "%s", sp + 1);
  }
  return values[0][0] ? 0 : ERR_PARSE;
}

int
anchor_restore(const char *dir, struct db *db, int *restored)
{
  char values[NKEYS][VALUE_MAX], have[VALUE_MAX], *path, *text = NULL;
  uint8_t founder[WIRE_KEY_BYTES];
  struct db_stmt *s = NULL;
  FILE *fp;
  size_t n, i;
  int err;

  *restored = 0;
  err = meta_get(db, "founder", have, sizeof(have));
  if (err || have[0])
    return err;
  path = datadir_file(dir, ANCHOR_FILE);
  fp = fopen(path, "r");
  xfree(path);
  if (fp == NULL)
    return errno == ENOENT ? 0 : -errno;
  text = xcalloc(1, ANCHOR_MAX_BYTES + 1);
  n = fread(text, 1, ANCHOR_MAX_BYTES + 1, fp);
  fclose(fp);
  err = n > ANCHOR_MAX_BYTES ? ERR_TOO_BIG : parse(text, values);
  if (!err && hex_decode(founder, sizeof(founder), values[0]) != 0)
    err = ERR_PARSE;
  xfree(text);
  if (err)
    return err;
  err = db_begin(db);
  if (err)
    return err;
  err = state_set_founder(db, founder);
  for (i = 1; i < NKEYS && !err; i++) {
    if (!values[i][0])
      continue;
    err = db_prepare(db, "INSERT OR REPLACE INTO node_meta VALUES (?1, ?2)",
                     &s);
    if (!err)
      err = db_bind_text(s, 1, keys[i], -1);
    if (!err)
      err = db_bind_text(s, 2, values[i], -1);
    if (!err)
      err = db_step(s) == DB_DONE ? 0 : ERR_DB;
    db_finalize(&s);
  }
  if (!err)
    err = db_commit(db);
  if (err)
    db_rollback(db);
  else
    *restored = 1;
  return err;
}
