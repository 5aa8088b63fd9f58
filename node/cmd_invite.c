/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* glowtalk invite: print a single-use invite code (InviteCreate in the
 * log), list the open invites (--list) or revoke one (--revoke ID).
 * Appends directly to the store as the other log commands do. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node/alloc.h"
#include "node/commands.h"
#include "node/invites.h"
#include "node/json.h"
#include "node/logcli.h"

static int64_t
now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
print_json(struct json *o)
{
  char *text = json_print(o, 0);
  printf("%s\n", text);
  xfree(text);
  json_free(o);
  return CLI_OK;
}

static int
list(struct cli *cli, struct app *app)
{
  struct json *arr = invites_list_json(app->db, now_ms()), *o;
  size_t i;

  if (arr == NULL)
    return cli_fail("cannot read the invites");
  if (cli_flag(cli, "json"))
    return print_json(arr);
  if (json_len(arr) == 0)
    printf("no open invites\n");
  for (i = 0; i < json_len(arr); i++) {
    o = json_at(arr, i);
    int64_t exp = 0;
    if (json_int(json_get(o, "expires"), &exp) != 0)
      exp = 0;
    printf("%s  expires in %lld min\n", json_get_str(o, "invite_id"),
           (long long)((exp - now_ms()) / 60000));
  }
  json_free(arr);
  return CLI_OK;
}

static int
revoke(struct cli *cli, struct feed *f, const char *id)
{
  struct json *o;
  int err = invites_revoke(f, id);

  if (err == ERR_PARSE)
    return cli_usage(cli, "'%s' is not an invite id (32 hex digits)", id);
  if (err == ERR_NOT_FOUND)
    return cli_fail("no invite %s in the log", id);
  if (err == ERR_EXISTS)
    return cli_fail("invite %s is revoked already", id);
  if (err == ERR_FORBIDDEN)
    return cli_fail("this node may not write to the swarm's log");
  if (err)
    return cli_fail("cannot revoke: %s", err_str(err));
  if (!cli_flag(cli, "json")) {
    printf("revoked %s\n", id);
    return CLI_OK;
  }
  o = json_new_object();
  json_set_str(o, "revoked", id);
  return print_json(o);
}

static int
create(struct cli *cli, struct app *app, struct feed *f, uint64_t ttl)
{
  char **addrs = NULL, *code = NULL, errbuf[256], id[INVITES_ID_HEX];
  char when[64];
  size_t n = 0, i;
  int64_t expires = 0;
  struct json *o, *a;
  time_t t;
  struct tm tm;
  int err;

  if (invites_addresses(app, &addrs, &n, errbuf, sizeof(errbuf)))
    return cli_fail("%s", errbuf);
  err = invites_create(f, app->id, app->net, addrs, n, ttl, &code, id,
                       &expires);
  if (err) {
    invites_addrs_free(addrs, n);
    if (err == ERR_FORBIDDEN)
      return cli_fail("this node may not write to the swarm's log (not a "
                      "member yet?)");
    return cli_fail("cannot create the invite: %s", err_str(err));
  }
  if (cli_flag(cli, "json")) {
    o = json_new_object();
    json_set_str(o, "code", code);
    json_set_str(o, "invite_id", id);
    json_set_int(o, "expires", expires);
    a = json_new_array();
    for (i = 0; i < n; i++)
      json_push(a, json_new_string(addrs[i]));
    json_set(o, "addresses", a);
    print_json(o);
  } else {
    t = (time_t)(expires / 1000);
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
    printf("Invite code (single use, valid until %s):\n\n%s\n\n"
           "Your friend runs: glowtalk join CODE\n"
           "invite id: %s (revoke: glowtalk invite --revoke %s)\n",
           when, code, id, id);
  }
  xfree(code);
  invites_addrs_free(addrs, n);
  return CLI_OK;
}

int
cmd_invite(struct cli *cli)
{
  struct app app;
  struct feed *f = NULL;
  const char *ttl_text = cli_opt(cli, "ttl"), *rev = cli_opt(cli, "revoke");
  uint64_t ttl = INVITES_TTL_DEFAULT_S;
  int rc;

  if (ttl_text && invites_parse_ttl(ttl_text, &ttl) != 0)
    return cli_usage(cli, "--ttl '%s' is not a duration such as 30m, 24h or "
                     "7d (at most %d days)", ttl_text,
                     INVITES_TTL_MAX_S / 86400);
  if (rev && cli_flag(cli, "list"))
    return cli_usage(cli, "--revoke and --list do not go together");
  if (logcli_open(cli, &app, &f))
    return CLI_FAIL;
  if (cli_flag(cli, "list"))
    rc = list(cli, &app);
  else if (rev)
    rc = revoke(cli, f, rev);
  else
    rc = create(cli, &app, f, ttl);
  logcli_close(&app, &f);
  return rc;
}
