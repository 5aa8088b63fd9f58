/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Shared parts of the log's commands; see logcli.h. */
#include "node/logcli.h"

#include <stdio.h>
#include <string.h>

#include "crypto/netkey.h"
#include "node/alloc.h"
#include "node/hex.h"

int
logcli_open(struct cli *cli, struct app *app, struct feed **f)
{
  uint8_t net[NETKEY_ID_BYTES];
  char errbuf[512];
  int err;

  *f = NULL;
  if (app_open(app, cli_datadir(cli), cli_config(cli), 0, errbuf,
               sizeof(errbuf)))
    return cli_fail("%s", errbuf);
  netkey_id(app->net, net);
  err = feed_open(app->db, app->id, net, f);
  if (err) {
    cli_fail("cannot open the log: %s", err_str(err));
    app_close(app);
    return CLI_FAIL;
  }
  feed_set_head_dir(*f, app->dir); /* the write fence */
  return CLI_OK;
}

void
logcli_close(struct app *app, struct feed **f)
{
  feed_free(f);
  app_close(app);
}

int
logcli_book(struct app *app, const char *name,
            uint8_t book[WIRE_BOOK_ID_BYTES])
{
  struct db_stmt *s = NULL;
  size_t len = strlen(name), i;
  char *pattern;
  int rc, n = 0, err;

  if (len < LOGCLI_BOOK_PREFIX_MIN || len > 2 * WIRE_BOOK_ID_BYTES)
    return cli_fail("'%s' is not a book id (%d to %d hex digits)", name,
                    LOGCLI_BOOK_PREFIX_MIN, 2 * WIRE_BOOK_ID_BYTES);
  for (i = 0; i < len; i++)
    if (!((name[i] >= '0' && name[i] <= '9') ||
          (name[i] >= 'a' && name[i] <= 'f')))
      return cli_fail("'%s' is not a book id (lowercase hex)", name);
  pattern = xasprintf("%s%%", name);
  err = db_prepare(app->db, "SELECT book FROM st_books WHERE created=1 "
                   "AND deleted=0 AND lower(hex(book)) LIKE ?1 LIMIT 2", &s);
  if (!err)
    err = db_bind_text(s, 1, pattern, -1);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    size_t blen;
    const void *p = db_col_blob(s, 0, &blen);
    if (p && blen == WIRE_BOOK_ID_BYTES)
      memcpy(book, p, WIRE_BOOK_ID_BYTES);
    n++;
  }
  db_finalize(&s);
  xfree(pattern);
  if (err)
    return cli_fail("cannot read the books: %s", err_str(err));
  if (n == 0)
    return cli_fail("no book %s", name);
  if (n > 1)
    return cli_fail("'%s' names more than one book; give more digits",
                    name);
  return CLI_OK;
}

int
logcli_append(struct feed *f, struct wire_entry *e,
              uint8_t id[WIRE_HASH_BYTES])
{
  int err = feed_append(f, e, id);
  wire_entry_clear(e);
  if (err == ERR_FORBIDDEN)
    return cli_fail("this node may not write to the swarm's log (not a "
                    "member, or frozen by a fork)");
  if (err == ERR_BEHIND) {
    uint64_t n = 0;
    if (feed_behind(f, &n) != 0)
      n = 0;
    return cli_fail("catching up with the swarm: %llu entries behind",
                    (unsigned long long)n);
  }
  if (err)
    return cli_fail("cannot append to the log: %s", err_str(err));
  return CLI_OK;
}
