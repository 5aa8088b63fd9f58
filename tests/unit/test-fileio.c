/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Whole-file writes (node/fileio.c): all bytes, a private temp file, and
 * atomic replacement that leaves nothing behind on failure. */
#include "tests/unit/task.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/fileio.h"

/* Entries of dir other than . and .. */
static int
entries(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;

  ASSERT_NOT_NULL(d);
  while ((e = readdir(d)) != NULL)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

TEST_IMPL(fileio_replace_is_whole_and_private)
{
  char *dir = test_mkdtemp(), *path, *bad, *text, *tmp = NULL;
  static uint8_t big[1 << 20];
  struct stat st;
  size_t len, i;
  int fd;

  path = xasprintf("%s/ui.url", dir);
  ASSERT_OK(fileio_replace(path, "first\n", 6));
  text = test_read_file(path, &len);
  ASSERT_EQ(len, 6);
  ASSERT_OK(memcmp(text, "first\n", 6));
  free(text);
  ASSERT_OK(stat(path, &st));
  ASSERT_EQ(st.st_mode & 0777, 0600);
  /* Replaced whole, bigger than one write may take; no temp left. */
  for (i = 0; i < sizeof(big); i++)
    big[i] = (uint8_t)(i * 7);
  ASSERT_OK(fileio_replace(path, big, sizeof(big)));
  text = test_read_file(path, &len);
  ASSERT_EQ(len, sizeof(big));
  ASSERT_OK(memcmp(text, big, sizeof(big)));
  free(text);
  ASSERT_EQ(entries(dir), 1);
  /* A dir that does not exist: the error, and nothing written. */
  bad = xasprintf("%s/no/such/file", dir);
  ASSERT_EQ(fileio_replace(bad, "x", 1), -ENOENT);
  ASSERT_EQ(entries(dir), 1);
  /* The temp file: beside the path, private, and written through. */
  fd = fileio_temp(path, &tmp);
  ASSERT_GE(fd, 0);
  ASSERT_NOT_NULL(tmp);
  ASSERT_OK(strncmp(tmp, path, strlen(path)));
  ASSERT_OK(strncmp(tmp + strlen(path), ".tmp-", 5));
  ASSERT_OK(fileio_write_all(fd, "abc", 3));
  ASSERT_OK(fstat(fd, &st));
  ASSERT_EQ(st.st_size, 3);
  ASSERT_EQ(st.st_mode & 0777, 0600);
  ASSERT_OK(close(fd));
  ASSERT_OK(unlink(tmp));
  xfree(tmp);
  ASSERT_EQ(fileio_temp(bad, &tmp), -ENOENT);
  ASSERT_NULL(tmp);
  /* A closed descriptor: the write's error. */
  ASSERT_EQ(fileio_write_all(fd, "abc", 3), -EBADF);
  xfree(bad);
  xfree(path);
  test_rmdir(dir);
  return 0;
}
