/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Helpers for unit tests; see task.h. Tests may use libc allocation
 * directly: they are not part of the daemon. */
#define _XOPEN_SOURCE 700
#include "tests/unit/task.h"

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

char *
test_mkdtemp(void)
{
  const char *tmp = getenv("TMPDIR");
  char templ[PATH_MAX];
  snprintf(templ, sizeof(templ), "%s/glowtalk-test-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(templ) == NULL) {
    perror("mkdtemp");
    abort();
  }
  return strdup(templ);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

void
test_rmdir(char *path)
{
  if (path == NULL)
    return;
  nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  free(path);
}

void
test_write_file(const char *path, const void *data, size_t len)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT(fd >= 0);
  ASSERT_EQ(write(fd, data, len), (ssize_t)len);
  close(fd);
}

char *
test_read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *p;
  long n;
  if (f == NULL) {
    fprintf(stderr, "# cannot open %s\n", path);
    abort();
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  p = malloc((size_t)n + 1);
  ASSERT_NOT_NULL(p);
  ASSERT_EQ(fread(p, 1, (size_t)n, f), (size_t)n);
  p[n] = '\0';
  fclose(f);
  if (len)
    *len = (size_t)n;
  return p;
}

const char *
test_fixture(const char *relpath)
{
  static char path[PATH_MAX];
  const char *src = getenv("GLOWTALK_SRC");
  if (src == NULL || *src == '\0')
    src = ".";
  if (strncmp(relpath, "glowfic/", 8) == 0)
    snprintf(path, sizeof(path), "%s/../shared/fixtures/%s", src, relpath);
  else
    snprintf(path, sizeof(path), "%s/tests/data/%s", src, relpath);
  return path;
}
