/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The logger; see log.h. One fprintf per line under a lock, so lines from
 * worker threads never interleave. */
#include "node/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "node/err.h"

#define LOG_LINE_MAX 2048 /* bytes; longer messages are cut */

static enum log_level current_level = LOG_LEVEL_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"debug", "info", "warn", "error",
                                          "off"};

int
log_level_parse(const char *name, enum log_level *out)
{
  size_t i;
  for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
    if (strcasecmp(name, level_names[i]) == 0) {
      *out = (enum log_level)i;
      return 0;
    }
  }
  if (strcasecmp(name, "warning") == 0) {
    *out = LOG_LEVEL_WARN;
    return 0;
  }
  return ERR_INVAL;
}

void
log_set_level(enum log_level level)
{
  current_level = level;
}

enum log_level
log_get_level(void)
{
  return current_level;
}

void
log_write(enum log_level level, const char *module, const char *fmt, ...)
{
  static const char *const tags[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
  char msg[LOG_LINE_MAX];
  char stamp[32];
  struct timespec ts;
  struct tm tm;
  va_list ap;
  char *p;

  if (level < current_level || level >= LOG_LEVEL_OFF)
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  for (p = msg; *p; p++) {
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  }
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
  pthread_mutex_lock(&log_lock);
  fprintf(stderr, "%s.%03ldZ %s %s: %s\n", stamp, ts.tv_nsec / 1000000L,
          tags[level], module, msg);
  pthread_mutex_unlock(&log_lock);
}
