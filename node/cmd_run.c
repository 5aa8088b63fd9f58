/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk run: the daemon. Holds the data dir lock for its lifetime,
 * serves the UI (unless --headless) and runs the libuv loop that the swarm
 * and scheduler plug into. SIGINT/SIGTERM stop it cleanly. */
#define LOG_MODULE "run"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "node/alloc.h"
#include "node/api.h"
#include "node/app.h"
#include "node/audio.h"
#include "node/cli.h"
#include "node/commands.h"
#include "node/control.h"
#include "node/events.h"
#include "node/fileio.h"
#include "node/http.h"
#include "node/json.h"
#include "node/log.h"
#include "node/progress.h"
#include "node/renderer.h"
#include "node/status.h"
#include "node/storewatch.h"
#include "node/swarm_node.h"
#include "node/version.h"
#include "node/worksd.h"

struct daemon {
  struct app app;
  struct http_server *http;
  struct api *api;
  struct events *events;
  struct control_server *control;
  struct swarm_node *swarm;
  struct renderer *renderer;
  struct worksd *worksd; /* materialises works that arrive as blobs */
  struct progress *progress; /* the periodic progress line */
  uv_loop_t loop;
  uv_signal_t sigint, sigterm;
  char *ui_url_path; /* DATA/ui.url: where scripts find the UI */
  struct storewatch *watch; /* the store's change notifier (app.watch) */
};

static void
on_signal(uv_signal_t *h, int signum)
{
  log_info("signal %d: stopping", signum);
  uv_stop(h->loop);
}

/* Scripts and tests (which may bind port 0) read the UI address here.
 * Written once everything has started (DATA/swarm.addr included), so its
 * presence says the node is up. */
static void
write_ui_url(struct daemon *d, struct config *cfg)
{
  char *text, *host = NULL;
  int port;

  if (d->http == NULL ||
      config_split_hostport(config_get(cfg, "ui"), &host, &port) != 0)
    return;
  text = xasprintf("http://%s:%d/\n", strchr(host, ':') ? "[::1]" : host,
                   http_port(d->http));
  if (fileio_replace(d->ui_url_path, text, strlen(text)) != 0)
    log_warn("cannot write %s", d->ui_url_path);
  xfree(text);
  xfree(host);
}

static int
start_ui(struct daemon *d, struct config *cfg)
{
  struct http_options opts;
  char errbuf[512];

  opts.hostport = config_get(cfg, "ui");
  opts.password = config_get(cfg, "ui-password");
  if (http_start(&opts, &d->http, errbuf, sizeof(errbuf)))
    return cli_fail("%s", errbuf);
  d->api = api_new(&d->app, d->events);
  api_register(d->api, d->http);
  return 0;
}

static void
publish_node_event(struct daemon *d, const char *state)
{
  struct json *o = json_new_object();
  json_set_str(o, "node_id", d->app.node_id);
  json_set_str(o, "state", state);
  events_publish(d->events, "node", o);
  json_free(o);
}

/* control op "ping": who is running here. */
static struct json *
op_ping(const struct json *args, void *arg, char *errbuf, size_t errlen)
{
  struct daemon *d = arg;
  struct json *o = json_new_object();
  (void)args;
  (void)errbuf;
  (void)errlen;
  json_set_str(o, "node_id", d->app.node_id);
  json_set_int(o, "pid", (int64_t)getpid());
  json_set_str(o, "version", GLOWTALK_VERSION);
  if (d->http)
    json_set_int(o, "ui_port", http_port(d->http));
  return o;
}

/* status.c's peer source: any thread (the HTTP API's). */
static struct json *
peers_of(void *arg)
{
  return swarm_node_peers(arg);
}

/* The renderer's live members: the swarm's connections. */
static size_t
live_of(void *arg, uint8_t (*out)[IDENTITY_PUBLIC_BYTES], size_t max)
{
  return swarm_node_live(arg, out, max);
}

/* status.c's replication source: any thread. */
static struct json *
replication_of(void *arg)
{
  return swarm_node_replication(arg);
}

static int
start_renderer(struct daemon *d, struct config *cfg, char *errbuf,
               size_t errlen)
{
  struct renderer_opts o;

  o.workers = (int)config_get_int(cfg, "workers");
  o.voice = config_get(cfg, "voice");
  o.bitrate = (int)config_get_int(cfg, "bitrate");
  o.complexity = AUDIO_COMPLEXITY_DEFAULT;
  o.announce = config_get_bool(cfg, "announce-speaker");
  o.lease_ms = (uint32_t)config_get_int(cfg, "lease-ms");
  return renderer_start(&d->loop, &d->app, &o, &d->renderer, errbuf,
                        errlen);
}

/* One look at the store a tick for every module that acts on changes. */
static int
start_watch(struct daemon *d, char *errbuf, size_t errlen)
{
  char *path = datadir_file(d->app.dir, "glowtalk.db");
  int err = storewatch_start(&d->loop, path, 0, &d->watch, errbuf, errlen);
  xfree(path);
  d->app.watch = d->watch;
  return err;
}

int
cmd_run(struct cli *cli)
{
  struct daemon d;
  struct config *cfg = cli_config(cli);
  char errbuf[512];
  int rc = CLI_FAIL;

  memset(&d, 0, sizeof(d));
  if (app_open(&d.app, cli_datadir(cli), cfg, APP_LOCK, errbuf,
               sizeof(errbuf)))
    return cli_fail("%s", errbuf);
  d.ui_url_path = xasprintf("%s/ui.url", d.app.dir);
  d.events = events_new();
  uv_loop_init(&d.loop);
  uv_signal_init(&d.loop, &d.sigint);
  uv_signal_init(&d.loop, &d.sigterm);
  uv_signal_start(&d.sigint, on_signal, SIGINT);
  uv_signal_start(&d.sigterm, on_signal, SIGTERM);

  log_info("glowtalk %s node %.16s… network %s, data %s", GLOWTALK_VERSION,
           d.app.node_id, d.app.network_id, d.app.dir);
  /* First, so the render workers fork before any thread starts. */
  if (!config_get_bool(cfg, "render"))
    log_info("render = no: this node renders nothing");
  else if (start_renderer(&d, cfg, errbuf, sizeof(errbuf))) {
    cli_fail("%s", errbuf);
    goto out;
  }
  if (control_server_start(&d.loop, d.app.dir, &d.control, errbuf,
                           sizeof(errbuf))) {
    cli_fail("%s", errbuf);
    goto out;
  }
  control_server_register(d.control, "ping", op_ping, &d);
  if (!config_get_bool(cfg, "headless") && start_ui(&d, cfg))
    goto out;
  if (config_get_bool(cfg, "headless"))
    log_info("headless: no web UI");
  if (start_watch(&d, errbuf, sizeof(errbuf))) {
    cli_fail("%s", errbuf);
    goto out;
  }
  if (swarm_node_start(&d.loop, &d.app, d.control, d.events, &d.swarm,
                       errbuf, sizeof(errbuf))) {
    cli_fail("%s", errbuf);
    goto out;
  }
  status_set_peers(peers_of, d.swarm);
  status_set_replication(replication_of, d.swarm);
  renderer_set_live(d.renderer, live_of, d.swarm);
  if (worksd_start(&d.loop, &d.app, &d.worksd, errbuf, sizeof(errbuf))) {
    cli_fail("%s", errbuf);
    goto out;
  }
  if (progress_start(&d.loop, &d.app, d.swarm,
                     (uint64_t)config_get_int(cfg, "progress-ms"),
                     &d.progress, errbuf, sizeof(errbuf)))
    log_warn("no progress line: %s", errbuf);
  write_ui_url(&d, cfg);
  publish_node_event(&d, "running");
  uv_run(&d.loop, UV_RUN_DEFAULT);
  rc = CLI_OK;

out:
  status_set_peers(NULL, NULL);
  status_set_replication(NULL, NULL);
  progress_close(&d.progress);
  renderer_close(&d.renderer);
  worksd_close(&d.worksd);
  swarm_node_close(&d.swarm);
  control_server_close(&d.control);
  d.app.watch = NULL;
  storewatch_close(&d.watch); /* after every subscriber */
  uv_close((uv_handle_t *)&d.sigint, NULL);
  uv_close((uv_handle_t *)&d.sigterm, NULL);
  uv_run(&d.loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&d.loop) != 0)
    log_warn("event loop still had handles at exit");
  /* Wake live-event streams first: http_stop waits for their threads. */
  events_close(d.events);
  http_stop(&d.http);
  api_free(&d.api);
  events_free(&d.events);
  unlink(d.ui_url_path);
  xfree(d.ui_url_path);
  app_close(&d.app);
  if (rc == CLI_OK)
    log_info("stopped");
  return rc;
}
