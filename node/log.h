/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Leveled logging to stderr, one line per event:
 *   2026-11-22T10:00:00.123Z INFO  db: applied migration 0001_base
 * Each .c file defines LOG_MODULE before including this header. */
#ifndef GLOWTALK_LOG_H
#define GLOWTALK_LOG_H

enum log_level {
  LOG_LEVEL_DEBUG,
  LOG_LEVEL_INFO,
  LOG_LEVEL_WARN,
  LOG_LEVEL_ERROR,
  LOG_LEVEL_OFF
};

/* Parse "debug", "info", "warn", "error" or "off". 0 or ERR_INVAL. */
int log_level_parse(const char *name, enum log_level *out);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Write one line if level is enabled. Newlines in the message are replaced
 * so that one event stays one line. Thread-safe. */
void log_write(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifndef LOG_MODULE
#define LOG_MODULE "glowtalk"
#endif
#define log_debug(...) log_write(LOG_LEVEL_DEBUG, LOG_MODULE, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, LOG_MODULE, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, LOG_MODULE, __VA_ARGS__)
#define log_error(...) log_write(LOG_LEVEL_ERROR, LOG_MODULE, __VA_ARGS__)

#endif
