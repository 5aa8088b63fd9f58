/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Whole-file writes; see fileio.h. */
#include "node/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "node/alloc.h"

int
fileio_write_all(int fd, const void *data, size_t len)
{
  const char *p = data;

  while (len > 0) {
    ssize_t w = write(fd, p, len);

    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -errno;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

int
fileio_temp(const char *path, char **tmp)
{
  int fd, e;

  *tmp = xasprintf("%s.tmp-XXXXXX", path);
  fd = mkostemp(*tmp, O_CLOEXEC);
  if (fd < 0) {
    e = errno;
    xfree(*tmp);
    *tmp = NULL;
    return -e;
  }
  return fd;
}

int
fileio_replace(const char *path, const void *data, size_t len)
{
  char *tmp = NULL;
  int fd = fileio_temp(path, &tmp), err;

  if (fd < 0)
    return fd;
  err = fileio_write_all(fd, data, len);
  if (close(fd) != 0 && err == 0)
    err = -errno;
  if (err == 0 && rename(tmp, path) != 0)
    err = -errno;
  if (err != 0)
    unlink(tmp);
  xfree(tmp);
  return err;
}
