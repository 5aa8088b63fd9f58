/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Error codes (STYLE.md D1, D2). Functions that can fail return int: 0 on
 * success, a negative ERR_* code or a negated errno on failure. */
#ifndef GLOWTALK_ERR_H
#define GLOWTALK_ERR_H

#define WARN_UNUSED __attribute__((warn_unused_result))

/* X(name, text). Codes count down from -1000 so they never meet -errno. */
#define ERR_MAP(X)                                                        \
  X(INVAL, "invalid argument")                                           \
  X(TOO_BIG, "input exceeds its size limit")                             \
  X(PARSE, "malformed input")                                            \
  X(NOT_FOUND, "not found")                                              \
  X(EXISTS, "already exists")                                            \
  X(LOCKED, "in use by another process")                                 \
  X(DB, "database error")                                                \
  X(DB_CORRUPT, "database is corrupt or not a Glowtalk database")        \
  X(SCHEMA_NEWER, "database was written by a newer Glowtalk")            \
  X(CRYPTO, "cryptographic operation failed")                            \
  X(BAD_SIGNATURE, "bad signature")                                      \
  X(NOT_INITIALISED, "data dir is not initialised")                      \
  X(NET, "network error")                                                \
  X(HTTP, "HTTP error")                                                  \
  X(TIMEOUT, "timed out")                                                \
  X(FORBIDDEN, "not allowed")                                            \
  X(UNSUPPORTED, "not supported")                                        \
  X(ENGINE, "speech engine error")                                       \
  X(AUDIO, "audio encoding error")                                       \
  X(CANCELLED, "cancelled")                                              \
  X(TRUNCATED, "input ended before its authenticated end")              \
  X(BEHIND, "catching up with the swarm")

enum err_code {
  ERR_BASE_ = -1000,
#define ERR_ENUM_(name, text) ERR_##name,
  ERR_MAP(ERR_ENUM_)
#undef ERR_ENUM_
  ERR_END_
};

/* "ERR_NOT_FOUND" or "ENOENT"-style name for a code. Never NULL. */
const char *err_name(int err);
/* Human text for an ERR_* code or a negated errno. Never NULL. */
const char *err_str(int err);

#endif
