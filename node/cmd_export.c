/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk export BOOK -o OUT.opus: what is rendered so far of the book,
 * in story order, as one Ogg Opus file with a chapter per post (node/
 * book.h), written to a temp file and renamed; stderr says what is
 * missing. An error leaves no file behind. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/blobs.h"
#include "node/book.h"
#include "node/commands.h"
#include "node/fileio.h"
#include "node/logcli.h"

struct out_file {
  int fd;
};

static int
write_piece(void *arg, const void *data, size_t len)
{
  struct out_file *o = arg;
  return fileio_write_all(o->fd, data, len);
}

/* The book's name, for the tags (caller frees), or NULL. */
static char *
book_name(struct db *db, const uint8_t *book)
{
  struct db_stmt *s = NULL;
  char *name = NULL;

  if (db_prepare(db, "SELECT name FROM st_books WHERE book=?1", &s) == 0 &&
      db_bind_blob(s, 1, book, WIRE_BOOK_ID_BYTES) == 0 &&
      db_step(s) == DB_ROW && db_col_text(s, 0))
    name = xstrdup(db_col_text(s, 0));
  db_finalize(&s);
  return name;
}

int
cmd_export(struct cli *cli)
{
  const char *out = cli_opt(cli, "output");
  struct config *cfg = cli_config(cli);
  struct book_export_opts o;
  struct book_export_info info;
  struct out_file of = {-1};
  struct app app;
  struct feed *f = NULL;
  struct blobs *blobs = NULL;
  uint8_t book[WIRE_BOOK_ID_BYTES];
  char errbuf[512], *dir = NULL, *tmp = NULL, *name = NULL;
  int rc, err;

  if (out == NULL || out[0] == '\0')
    return cli_usage(cli, "give the output file with -o OUT.opus");
  if (logcli_open(cli, &app, &f))
    return CLI_FAIL;
  rc = logcli_book(&app, cli_arg(cli, 0), book);
  if (rc != CLI_OK)
    goto done;
  dir = datadir_file(app.dir, "blobs");
  err = blobs_open(dir, &blobs);
  if (err) {
    rc = cli_fail("cannot open the audio store %s: %s", dir, err_str(err));
    goto done;
  }
  /* Check first, so nothing is created when there is nothing to write. */
  err = book_export_plan(app.db, blobs, book, &info);
  if (err == 0 && info.rendered == 0)
    err = ERR_NOT_FOUND;
  if (err) {
    if (err == ERR_NOT_FOUND && info.total > 0)
      rc = cli_fail("nothing of the book is rendered here yet (0 of %lld "
                    "sentences); run 'glowtalk render' first",
                    (long long)info.total);
    else
      rc = cli_fail("cannot export the book: %s", err == ERR_NOT_FOUND
                    ? "its work is not imported on this node"
                    : err_str(err));
    goto done;
  }
  of.fd = fileio_temp(out, &tmp);
  if (of.fd < 0) {
    rc = cli_fail("cannot write %s: %s", out, strerror(-of.fd));
    goto done;
  }
  name = book_name(app.db, book);
  memset(&o, 0, sizeof(o));
  o.gap_sentence_ms = (unsigned)config_get_int(cfg, "pause-sentence");
  o.gap_paragraph_ms = (unsigned)config_get_int(cfg, "pause-paragraph");
  o.gap_post_ms = (unsigned)config_get_int(cfg, "pause-post");
  o.bitrate = (int)config_get_int(cfg, "bitrate");
  o.complexity = AUDIO_COMPLEXITY_DEFAULT;
  o.title = name;
  err = book_export(app.db, blobs, book, &o, write_piece, &of, &info,
                    errbuf, sizeof(errbuf));
  if (err) {
    rc = cli_fail("cannot export the book: %s", errbuf);
    goto done;
  }
  if (fsync(of.fd) != 0 || close(of.fd) != 0) {
    of.fd = -1;
    rc = cli_fail("cannot write %s: %s", out, strerror(errno));
    goto done;
  }
  of.fd = -1;
  if (rename(tmp, out) != 0) {
    rc = cli_fail("cannot write %s: %s", out, strerror(errno));
    goto done;
  }
  xfree(tmp);
  tmp = NULL;
  if (info.rendered < info.total)
    fprintf(stderr, "glowtalk: exported %lld of %lld sentences (%lld not "
            "rendered yet%s); %lld chapters\n", (long long)info.rendered,
            (long long)info.total,
            (long long)(info.total - info.rendered - info.no_audio),
            info.no_audio ? ", some rendered elsewhere and not fetched"
                          : "", (long long)info.chapters);
  else
    fprintf(stderr, "glowtalk: exported all %lld sentences; %lld "
            "chapters\n", (long long)info.total, (long long)info.chapters);
  rc = CLI_OK;
done:
  if (of.fd >= 0)
    close(of.fd);
  if (tmp) {
    unlink(tmp);
    xfree(tmp);
  }
  xfree(name);
  xfree(dir);
  blobs_close(&blobs);
  logcli_close(&app, &f);
  return rc;
}
