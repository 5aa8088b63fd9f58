/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Invites and members as the log records them: create an invite (the
 * code, and InviteCreate in the log), revoke, list the open ones, decide
 * whether a joiner may be admitted (registered, unexpired by our clock,
 * unrevoked, unused, the key never a member) and list the members. Shared
 * by the CLI (invite, join), the daemon's join plane (node/join.c) and the
 * API. Design: node/JOIN.md. */
#ifndef GLOWTALK_INVITES_H
#define GLOWTALK_INVITES_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "node/err.h"
#include "node/wire.h"
#include "node/wire_frames.h"

#define INVITES_TTL_DEFAULT_S (24 * 3600)  /* --ttl default: 24 h */
#define INVITES_TTL_MAX_S (90 * 24 * 3600) /* longest ttl accepted */
#define INVITES_TTL_TEXT_MAX 16            /* chars of a ttl like "30m" */
#define INVITES_NAME_MAX 64                /* bytes of a member's name */
#define INVITES_ID_HEX (2 * WIRE_INVITE_ID_BYTES + 1) /* with NUL */
#define INVITES_LIST_MAX 1000              /* open invites listed */

struct app;
struct db;
struct feed;
struct json;

/* Parse a duration: digits then s, m, h or d ("30m", "24h", "7d"); a bare
 * number is seconds. ERR_INVAL when malformed, zero or over
 * INVITES_TTL_MAX_S. */
int invites_parse_ttl(const char *text, uint64_t *seconds) WARN_UNUSED;

/* The swarm addresses to put in a code (1..INVITE_ADDRS_MAX), best
 * first: the `advertise` option when set, else the running daemon's
 * DATA/swarm.addr, else the `listen` option. A wildcard or loopback host
 * (the daemon writes 127.0.0.1 for a wildcard bind) comes after this
 * machine's non-loopback IPv4 addresses, as 127.0.0.1:PORT; a joiner
 * tries them in order. *addrs is an array of n strings; free with
 * invites_addrs_free(). ERR_INVAL (errbuf says why) when none is usable. */
int invites_addresses(const struct app *app, char ***addrs, size_t *n,
                      char *errbuf, size_t errlen) WARN_UNUSED;
void invites_addrs_free(char **addrs, size_t n);

/* Create a single-use invite valid for ttl_s seconds from now: append
 * InviteCreate (invite id, public key, expiry, max_uses 1) with f (this
 * node's feed) and return the code in *code (contains the secret: show
 * it once, never log it; caller xfree()s), the id as hex and the expiry.
 * ERR_FORBIDDEN when this node may not write to the log, ERR_INVAL for
 * bad addresses, a database error otherwise; nothing is stored then. */
int invites_create(struct feed *f, const struct identity *me,
                   const struct netkey *net, char *const *addrs,
                   size_t naddrs, uint64_t ttl_s, char **code,
                   char id_hex[INVITES_ID_HEX], int64_t *expires_ms)
    WARN_UNUSED;
/* Revoke the invite id_hex (32 hex digits): append InviteRevoke.
 * ERR_PARSE for a malformed id, ERR_NOT_FOUND for an invite the log does
 * not have, ERR_EXISTS when it is revoked already. */
int invites_revoke(struct feed *f, const char *id_hex) WARN_UNUSED;

/* The open invites (registered, unrevoked, unused, unexpired at now_ms)
 * as a JSON array of {invite_id, created_by, expires (ms), uses,
 * max_uses}; never a secret. NULL on a database error. */
struct json *invites_list_json(struct db *db, int64_t now_ms);

/* May the node joiner be admitted with the invite whose public key is
 * invite_key, at now_ms by our clock? Returns 0 with the invite's id in
 * invite_id, or an enum wire_join_refuse code (> 0: UNKNOWN, EXPIRED,
 * REVOKED, USED, MEMBER), or a negative database error. Revocation is
 * checked before use and expiry (revocation beats use). */
int invites_check(struct db *db, const uint8_t invite_key[WIRE_KEY_BYTES],
                  const uint8_t joiner[WIRE_KEY_BYTES], int64_t now_ms,
                  uint8_t invite_id[WIRE_INVITE_ID_BYTES]) WARN_UNUSED;

/* Members (the founder included) as a JSON array of {node_id, name,
 * admitted_by (or null), removed (bool), self (bool)}, current members
 * first. NULL on a database error. */
struct json *invites_members_json(struct db *db,
                                  const uint8_t self[WIRE_KEY_BYTES]);

/* Call cb for every removed member (st_members with a removal). Returns 0
 * or a database error. */
int invites_each_removed(struct db *db,
                         void (*cb)(const uint8_t node[WIRE_KEY_BYTES],
                                    void *arg),
                         void *arg) WARN_UNUSED;
/* 1 when node was a member and is removed (st_members with a removal),
 * 0 when not (or on a database error). */
int invites_is_removed(struct db *db, const uint8_t node[WIRE_KEY_BYTES]);

#endif
