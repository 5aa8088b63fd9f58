/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk say: speak one line in a voice into an Ogg Opus file (*word*
 * is emphasised, see prep.h). Needs no
 * data dir; when an initialised one exists it reuses and fills its render
 * cache and blob store. Bad input changes nothing: the voice and text are
 * checked and the output opened before anything is rendered. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/app.h"
#include "node/audio.h"
#include "node/blobs.h"
#include "node/cli.h"
#include "node/commands.h"
#include "node/fileio.h"
#include "node/prep.h"
#include "node/render.h"
#include "node/tts.h"
#include "node/voice.h"

#define SAY_TEXT_MAX TTS_TEXT_MAX /* bytes of TEXT */

/* Open the data dir's store if there is an initialised one (else leave
 * app->db NULL). */
static void
open_store(struct cli *cli, struct app *app, struct blobs **blobs)
{
  char errbuf[256];
  char *dir;

  *blobs = NULL;
  if (app_open(app, cli_datadir(cli), cli_config(cli), 0, errbuf,
               sizeof(errbuf)) != 0) {
    memset(app, 0, sizeof(*app));
    return;
  }
  dir = datadir_file(app->dir, "blobs");
  if (blobs_open(dir, blobs) != 0) {
    app_close(app);
    memset(app, 0, sizeof(*app));
  }
  xfree(dir);
}

int
cmd_say(struct cli *cli)
{
  const char *text = cli_arg(cli, 0);
  const char *spec = config_get(cli_config(cli), "voice");
  const char *out = cli_opt(cli, "output");
  int bitrate = (int)config_get_int(cli_config(cli), "bitrate");
  struct render_job job = {NULL, NULL, NULL, 0, 0};
  struct prep_result pr = {NULL, NULL, 0};
  struct render_result res;
  struct blobs *blobs = NULL;
  struct render *r = NULL;
  struct tts *t = NULL;
  struct voice v;
  struct app app;
  struct buf ogg;
  char errbuf[512];
  char *tmp = NULL;
  int fd = -1, err, rc = CLI_FAIL;

  memset(&app, 0, sizeof(app));
  buf_init(&ogg, BLOBS_MAX_BYTES);
  if (out == NULL || out[0] == '\0')
    return cli_usage(cli, "missing -o OUT.opus");
  if (voice_parse(spec ? spec : "", &v, errbuf, sizeof(errbuf)) != 0)
    return cli_fail("%s", errbuf);
  if (text[strspn(text, " \t\r\n")] == '\0')
    return cli_fail("nothing to say: the text is empty");
  if (strlen(text) > SAY_TEXT_MAX)
    return cli_fail("text is %zu bytes, over the %d-byte limit",
                    strlen(text), SAY_TEXT_MAX);
  if (prep_text(text, NULL, NULL, &pr, errbuf, sizeof(errbuf)) != 0)
    return cli_fail("%s", errbuf);
  if (tts_open(&t, errbuf, sizeof(errbuf)) != 0) {
    prep_result_free(&pr);
    return cli_fail("%s", errbuf);
  }
  if (voice_check(&v, t, errbuf, sizeof(errbuf)) != 0) {
    cli_fail("%s", errbuf);
    goto out;
  }
  fd = fileio_temp(out, &tmp);
  if (fd < 0) {
    cli_fail("cannot write %s: %s", out, strerror(-fd));
    goto out;
  }
  open_store(cli, &app, &blobs);
  r = render_new(t, blobs, app.db, bitrate, AUDIO_COMPLEXITY_DEFAULT);
  job.voice = &v;
  job.text = pr.text;
  job.flags = pr.flags;
  err = render_run(r, &job, &ogg, &res, errbuf, sizeof(errbuf));
  if (err != 0) {
    cli_fail("%s", errbuf);
    goto out;
  }
  err = fileio_write_all(fd, ogg.data, ogg.len);
  if (err == 0 && fsync(fd) != 0)
    err = -errno;
  if (err == 0 && close(fd) != 0)
    err = -errno;
  fd = -1;
  if (err == 0 && rename(tmp, out) != 0)
    err = -errno;
  if (err != 0) {
    cli_fail("cannot write %s: %s", out, err_str(err));
    goto out;
  }
  rc = CLI_OK;
out:
  if (fd >= 0)
    close(fd);
  if (tmp != NULL && rc != CLI_OK)
    unlink(tmp);
  xfree(tmp);
  buf_free(&ogg);
  prep_result_free(&pr);
  render_free(&r);
  blobs_close(&blobs);
  if (app.db != NULL)
    app_close(&app);
  tts_close(&t);
  return rc;
}
