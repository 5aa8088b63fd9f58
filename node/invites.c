/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Invites and members over the log and st_invites / st_members; see
 * invites.h and node/JOIN.md. */
#define LOG_MODULE "invites"
#include "node/invites.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "crypto/invite.h"
#include "node/alloc.h"
#include "node/app.h"
#include "node/config.h"
#include "node/db.h"
#include "node/feed.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/state.h"
#include "node/swarm_node.h"

#define ADDR_FILE_MAX 512 /* bytes of DATA/swarm.addr we read */

int
invites_parse_ttl(const char *text, uint64_t *seconds)
{
  uint64_t v = 0, mul = 1;
  size_t i, n = text ? strlen(text) : 0;

  if (n == 0 || n > INVITES_TTL_TEXT_MAX)
    return ERR_INVAL;
  for (i = 0; i < n && text[i] >= '0' && text[i] <= '9'; i++)
    v = v * 10 + (uint64_t)(text[i] - '0');
  if (i == 0 || i + 1 < n)
    return ERR_INVAL;
  if (i + 1 == n) {
    switch (text[i]) {
    case 's': mul = 1; break;
    case 'm': mul = 60; break;
    case 'h': mul = 3600; break;
    case 'd': mul = 86400; break;
    default: return ERR_INVAL;
    }
  }
  if (v == 0 || v > INVITES_TTL_MAX_S / mul)
    return ERR_INVAL;
  *seconds = v * mul;
  return 0;
}

/* ---- addresses -------------------------------------------------------- */

void
invites_addrs_free(char **addrs, size_t n)
{
  size_t i;
  for (i = 0; i < n; i++)
    xfree(addrs[i]);
  xfree(addrs);
}

static void
push_addr(char **addrs, size_t *n, char *a)
{
  size_t i;
  for (i = 0; i < *n; i++) {
    if (strcmp(addrs[i], a) == 0) {
      xfree(a);
      return;
    }
  }
  if (*n < INVITE_ADDRS_MAX && strlen(a) <= INVITE_ADDR_MAX)
    addrs[(*n)++] = a;
  else
    xfree(a);
}

/* The daemon's bound address, or NULL when it is not running. */
static char *
read_addr_file(const char *dir)
{
  char *path = xasprintf("%s/%s", dir, SWARM_NODE_ADDR_FILE);
  char buf[ADDR_FILE_MAX];
  ssize_t len;
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  xfree(path);
  if (fd < 0)
    return NULL;
  len = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (len <= 0)
    return NULL;
  buf[len] = '\0';
  buf[strcspn(buf, "\r\n")] = '\0';
  return buf[0] ? xstrdup(buf) : NULL;
}

/* A wildcard host: this machine's external IPv4 addresses with port. */
static void
interface_addrs(int port, char **addrs, size_t *n, size_t max)
{
  uv_interface_address_t *ifs = NULL;
  char ip[64];
  int count = 0, i;

  if (uv_interface_addresses(&ifs, &count) != 0)
    return;
  for (i = 0; i < count && *n < max; i++) {
    if (ifs[i].is_internal || ifs[i].address.address4.sin_family != AF_INET)
      continue;
    if (uv_ip4_name(&ifs[i].address.address4, ip, sizeof(ip)) == 0)
      push_addr(addrs, n, xasprintf("%s:%d", ip, port));
  }
  uv_free_interface_addresses(ifs, count);
}

int
invites_addresses(const struct app *app, char ***out, size_t *nout,
                  char *errbuf, size_t errlen)
{
  const char *adv = config_get(app->cfg, "advertise");
  char **addrs = xcalloc(INVITE_ADDRS_MAX, sizeof(*addrs));
  char *bound = NULL, *host = NULL, *copy, *p, *end;
  size_t n = 0;
  int port;

  *out = NULL;
  *nout = 0;
  if (adv && adv[0]) {
    copy = xstrdup(adv);
    for (p = copy; *p;) {
      p += strspn(p, ", \t");
      if (*p == '\0')
        break;
      end = p + strcspn(p, ", \t");
      if (*end)
        *end++ = '\0';
      if (config_split_hostport(p, &host, &port) != 0 || port <= 0) {
        snprintf(errbuf, errlen, "advertise: '%s' is not HOST:PORT", p);
        xfree(host);
        xfree(copy);
        invites_addrs_free(addrs, n);
        return ERR_INVAL;
      }
      xfree(host);
      host = NULL;
      push_addr(addrs, &n, xstrdup(p));
      p = end;
    }
    xfree(copy);
  } else {
    bound = read_addr_file(app->dir);
    if (config_split_hostport(bound ? bound : config_get(app->cfg, "listen"),
                              &host, &port) == 0 && port > 0) {
      /* A wildcard (or loopback, as the daemon writes a wildcard bind)
       * host: this machine's addresses first, loopback last. */
      if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 ||
          strcmp(host, "127.0.0.1") == 0)
        interface_addrs(port, addrs, &n, INVITE_ADDRS_MAX - 1);
      if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
        push_addr(addrs, &n, xasprintf("127.0.0.1:%d", port));
      else
        push_addr(addrs, &n, xstrdup(bound ? bound
                                           : config_get(app->cfg, "listen")));
    }
    xfree(host);
    xfree(bound);
  }
  if (n == 0) {
    snprintf(errbuf, errlen, "no swarm address to put in the code: set "
             "'advertise' (HOST:PORT friends can reach)");
    xfree(addrs);
    return ERR_INVAL;
  }
  *out = addrs;
  *nout = n;
  return 0;
}

/* ---- create / revoke ------------------------------------------------- */

static int64_t
now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
invites_create(struct feed *f, const struct identity *me,
               const struct netkey *net, char *const *addrs, size_t naddrs,
               uint64_t ttl_s, char **code, char id_hex[INVITES_ID_HEX],
               int64_t *expires_ms)
{
  uint8_t netid[NETKEY_ID_BYTES];
  struct invite *inv = NULL;
  struct wire_entry e;
  int64_t expires = now_ms() + (int64_t)ttl_s * 1000;
  int err;

  *code = NULL;
  memset(&e, 0, sizeof(e));
  netkey_id(net, netid);
  err = invite_new(netid, identity_public_key(me), (const char *const *)addrs,
                   naddrs, (uint64_t)(expires / 1000), &inv);
  if (err)
    return err;
  /* The id names the invite in the log and the UI; the first bytes of
   * its public key are unique enough and need no second random value. */
  memcpy(e.invite_id, invite_public_key(inv), WIRE_INVITE_ID_BYTES);
  memcpy(e.key, invite_public_key(inv), WIRE_KEY_BYTES);
  e.op = WIRE_OP_INVITE_CREATE;
  e.expires_ms = (int64_t)invite_expires(inv) * 1000;
  e.max_uses = 1;
  err = feed_append(f, &e, NULL);
  if (!err) {
    *code = invite_encode(inv);
    hex_encode(id_hex, e.invite_id, WIRE_INVITE_ID_BYTES);
    *expires_ms = e.expires_ms;
  }
  wire_entry_clear(&e);
  invite_free(&inv);
  return err;
}

int
invites_revoke(struct feed *f, const char *id_hex)
{
  struct db *db = state_db(feed_state(f));
  struct db_stmt *s = NULL;
  struct wire_entry e;
  int err, rc;

  memset(&e, 0, sizeof(e));
  if (strlen(id_hex) != 2 * WIRE_INVITE_ID_BYTES ||
      hex_decode(e.invite_id, WIRE_INVITE_ID_BYTES, id_hex) != 0)
    return ERR_PARSE;
  err = db_prepare(db, "SELECT revoked FROM st_invites WHERE invite_id=?1",
                   &s);
  if (!err)
    err = db_bind_blob(s, 1, e.invite_id, WIRE_INVITE_ID_BYTES);
  if (!err) {
    rc = db_step(s);
    err = rc < 0 ? rc : rc != DB_ROW ? ERR_NOT_FOUND
          : db_col_int(s, 0) ? ERR_EXISTS : 0;
  }
  db_finalize(&s);
  if (err)
    return err;
  e.op = WIRE_OP_INVITE_REVOKE;
  err = feed_append(f, &e, NULL);
  wire_entry_clear(&e);
  return err;
}

/* ---- queries --------------------------------------------------------- */

static void
set_hex(struct json *o, const char *key, const void *blob, size_t len)
{
  char hex[2 * WIRE_KEY_BYTES + 1];
  if (blob == NULL || len == 0 || len > WIRE_KEY_BYTES) {
    json_set_null(o, key);
    return;
  }
  hex_encode(hex, blob, len);
  json_set_str(o, key, hex);
}

struct json *
invites_list_json(struct db *db, int64_t now)
{
  struct db_stmt *s = NULL;
  struct json *arr = NULL, *o;
  const void *b;
  size_t len;
  int rc, err;

  err = db_prepare(db, "SELECT invite_id, creator, expires_ms, uses, "
                   "max_uses FROM st_invites WHERE revoked=0 AND "
                   "uses < max_uses AND expires_ms > ?1 "
                   "ORDER BY expires_ms LIMIT ?2", &s);
  if (!err)
    err = db_bind_int(s, 1, now);
  if (!err)
    err = db_bind_int(s, 2, INVITES_LIST_MAX);
  if (err)
    goto out;
  arr = json_new_array();
  while ((rc = db_step(s)) == DB_ROW) {
    o = json_new_object();
    b = db_col_blob(s, 0, &len);
    set_hex(o, "invite_id", b, len);
    b = db_col_blob(s, 1, &len);
    set_hex(o, "created_by", b, len);
    json_set_int(o, "expires", db_col_int(s, 2));
    json_set_int(o, "uses", db_col_int(s, 3));
    json_set_int(o, "max_uses", db_col_int(s, 4));
    json_push(arr, o);
  }
  if (rc < 0) {
    json_free(arr);
    arr = NULL;
  }
out:
  db_finalize(&s);
  return arr;
}

int
invites_check(struct db *db, const uint8_t invite_key[WIRE_KEY_BYTES],
              const uint8_t joiner[WIRE_KEY_BYTES], int64_t now,
              uint8_t invite_id[WIRE_INVITE_ID_BYTES])
{
  struct db_stmt *s = NULL;
  const void *b;
  size_t len;
  int rc, err;

  err = db_prepare(db, "SELECT invite_id, revoked, uses, max_uses, "
                   "expires_ms FROM st_invites WHERE invite_key=?1", &s);
  if (!err)
    err = db_bind_blob(s, 1, invite_key, WIRE_KEY_BYTES);
  if (err)
    goto out;
  rc = db_step(s);
  if (rc != DB_ROW) {
    err = rc < 0 ? rc : WIRE_JOIN_UNKNOWN;
    goto out;
  }
  b = db_col_blob(s, 0, &len);
  if (b == NULL || len != WIRE_INVITE_ID_BYTES) {
    err = ERR_DB_CORRUPT;
    goto out;
  }
  memcpy(invite_id, b, WIRE_INVITE_ID_BYTES);
  /* Revocation beats use: a revoked invite says so even when used. */
  if (db_col_int(s, 1))
    err = WIRE_JOIN_REVOKED;
  else if (db_col_int(s, 2) >= db_col_int(s, 3))
    err = WIRE_JOIN_USED;
  else if (db_col_int(s, 4) <= now)
    err = WIRE_JOIN_EXPIRED;
  db_finalize(&s);
  if (err)
    goto out;
  err = db_prepare(db, "SELECT 1 FROM st_members WHERE node=?1", &s);
  if (!err)
    err = db_bind_blob(s, 1, joiner, WIRE_KEY_BYTES);
  if (!err) {
    rc = db_step(s);
    err = rc < 0 ? rc : rc == DB_ROW ? WIRE_JOIN_MEMBER : 0;
  }
out:
  db_finalize(&s);
  return err;
}

struct json *
invites_members_json(struct db *db, const uint8_t self[WIRE_KEY_BYTES])
{
  struct db_stmt *s = NULL;
  struct json *arr = NULL, *o;
  const void *b;
  size_t len;
  int rc, err;

  err = db_prepare(db, "SELECT node, name, invite_id, admit_author, "
                   "removed_lamport IS NOT NULL FROM st_members "
                   "ORDER BY removed_lamport IS NOT NULL, admit_lamport, "
                   "node LIMIT ?1", &s);
  if (!err)
    err = db_bind_int(s, 1, STATE_MEMBERS_MAX);
  if (err)
    goto out;
  arr = json_new_array();
  while ((rc = db_step(s)) == DB_ROW) {
    o = json_new_object();
    b = db_col_blob(s, 0, &len);
    set_hex(o, "node_id", b, len);
    json_set_str(o, "name", db_col_text(s, 1) ? db_col_text(s, 1) : "");
    if (db_col_is_null(s, 2))
      json_set_null(o, "admitted_by");
    else {
      const void *a = db_col_blob(s, 3, &len);
      set_hex(o, "admitted_by", a, len);
    }
    json_set_bool(o, "removed", (int)db_col_int(s, 4));
    json_set_bool(o, "self", b && len == WIRE_KEY_BYTES &&
                                 memcmp(b, self, WIRE_KEY_BYTES) == 0);
    json_push(arr, o);
  }
  if (rc < 0) {
    json_free(arr);
    arr = NULL;
  }
out:
  db_finalize(&s);
  return arr;
}

int
invites_each_removed(struct db *db,
                     void (*cb)(const uint8_t node[WIRE_KEY_BYTES],
                                void *arg),
                     void *arg)
{
  struct db_stmt *s = NULL;
  const void *b;
  size_t len;
  int rc, err;

  err = db_prepare(db, "SELECT node FROM st_members WHERE removed_lamport "
                   "IS NOT NULL LIMIT ?1", &s);
  if (!err)
    err = db_bind_int(s, 1, STATE_MEMBERS_MAX);
  if (err)
    goto out;
  while ((rc = db_step(s)) == DB_ROW) {
    b = db_col_blob(s, 0, &len);
    if (b && len == WIRE_KEY_BYTES)
      cb(b, arg);
  }
  err = rc < 0 ? rc : 0;
out:
  db_finalize(&s);
  return err;
}

int
invites_is_removed(struct db *db, const uint8_t node[WIRE_KEY_BYTES])
{
  struct db_stmt *s = NULL;
  int yes = 0;

  if (db_prepare(db, "SELECT 1 FROM st_members WHERE node=?1 AND "
                 "removed_lamport IS NOT NULL", &s) == 0 &&
      db_bind_blob(s, 1, node, WIRE_KEY_BYTES) == 0)
    yes = db_step(s) == DB_ROW;
  db_finalize(&s);
  return yes;
}
