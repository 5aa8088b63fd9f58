/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Unit-test runner (after libuv's test/runner.c): forks each test with a
 * timeout and prints TAP for prove. Usage:
 *   run-unit-tests [--no-fork] [NAME...]
 * --no-fork runs tests in this process (for gdb and valgrind). The timeout
 * is TEST_TIMEOUT seconds (default 60) times TEST_TIMEOUT_MULTIPLIER. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "node/log.h"

#define TEST_ENTRY(name) int run_test_##name(void);
#include "test-list.h"
#undef TEST_ENTRY

struct test {
  const char *name;
  int (*fn)(void);
};

static const struct test tests[] = {
#define TEST_ENTRY(name) {#name, run_test_##name},
#include "test-list.h"
#undef TEST_ENTRY
  {NULL, NULL}};

static int
run_forked(const struct test *t, int timeout_s, char *why, size_t whylen)
{
  struct timespec nap = {0, 5 * 1000 * 1000};
  pid_t pid, r;
  int status = 0;
  long waited_ms = 0;

  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0) {
    snprintf(why, whylen, "fork: %s", strerror(errno));
    return 1;
  }
  if (pid == 0) {
    /* Own process group so a test's children die with it on timeout. */
    setpgid(0, 0);
    _exit(t->fn() == 0 ? 0 : 1);
  }
  for (;;) {
    r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      break;
    if (waited_ms >= (long)timeout_s * 1000) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      snprintf(why, whylen, "timed out after %d s", timeout_s);
      return 1;
    }
    nanosleep(&nap, NULL);
    waited_ms += 5;
  }
  if (WIFSIGNALED(status)) {
    snprintf(why, whylen, "killed by signal %d", WTERMSIG(status));
    return 1;
  }
  if (WEXITSTATUS(status) != 0) {
    snprintf(why, whylen, "exit status %d", WEXITSTATUS(status));
    return 1;
  }
  return 0;
}

static int
selected(const char *name, int argc, char **argv, int first)
{
  int i;
  if (first >= argc)
    return 1;
  for (i = first; i < argc; i++) {
    if (strcmp(argv[i], name) == 0)
      return 1;
  }
  return 0;
}

int
main(int argc, char **argv)
{
  const char *env;
  int no_fork = 0, first = 1, timeout_s = 60, n = 0, failed = 0, i;
  const struct test *t;
  char why[128];

  if (argc > 1 && strcmp(argv[1], "--no-fork") == 0) {
    no_fork = 1;
    first = 2;
  }
  /* Tests check results, not log lines; TEST_VERBOSE=1 shows them. */
  if (getenv("TEST_VERBOSE") == NULL)
    log_set_level(LOG_LEVEL_WARN);
  env = getenv("TEST_TIMEOUT");
  if (env && atoi(env) > 0) /* test harness input, not daemon input */
    timeout_s = atoi(env);
  env = getenv("TEST_TIMEOUT_MULTIPLIER");
  if (env && atoi(env) > 0)
    timeout_s *= atoi(env);
  for (t = tests; t->name; t++)
    n += selected(t->name, argc, argv, first);
  if (n == 0) {
    fprintf(stderr, "no test matches\n");
    return 2;
  }
  printf("1..%d\n", n);
  i = 0;
  for (t = tests; t->name; t++) {
    int bad;
    if (!selected(t->name, argc, argv, first))
      continue;
    i++;
    why[0] = '\0';
    if (no_fork)
      bad = t->fn() != 0;
    else
      bad = run_forked(t, timeout_s, why, sizeof(why));
    if (bad) {
      failed++;
      printf("not ok %d - %s%s%s\n", i, t->name, why[0] ? " # " : "", why);
    } else {
      printf("ok %d - %s\n", i, t->name);
    }
    fflush(stdout);
  }
  return failed ? 1 : 0;
}
