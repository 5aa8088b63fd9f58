/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Data dir location, creation and locking; see datadir.h. flock() is used
 * because the kernel drops it when the holder dies, so a crashed daemon
 * never leaves a stale lock behind. */
#include "node/datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/alloc.h"

struct datadir_lock {
  int fd;
};

char *
datadir_resolve(const char *value)
{
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");

  if (value && *value)
    return xstrdup(value);
  if (xdg && *xdg == '/')
    return xasprintf("%s/glowtalk", xdg);
  if (home && *home)
    return xasprintf("%s/.local/share/glowtalk", home);
  return NULL;
}

static int
mkdir_one(const char *path, mode_t mode)
{
  struct stat st;
  if (mkdir(path, mode) == 0)
    return 0;
  if (errno != EEXIST)
    return -errno;
  if (stat(path, &st) != 0)
    return -errno;
  return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int
datadir_create(const char *path, char *errbuf, size_t errlen)
{
  char *copy = xstrdup(path);
  char *p;
  int err = 0;

  for (p = copy + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    err = mkdir_one(copy, 0755);
    *p = '/';
    if (err)
      break;
  }
  if (!err)
    err = mkdir_one(copy, 0700);
  if (err)
    snprintf(errbuf, errlen, "cannot create data dir %s: %s", path,
             strerror(-err));
  xfree(copy);
  return err;
}

char *
datadir_file(const char *dir, const char *name)
{
  return xasprintf("%s/%s", dir, name);
}

int
datadir_lock(const char *dir, struct datadir_lock **out, char *errbuf,
             size_t errlen)
{
  char *path = datadir_file(dir, "lock");
  char pid[32];
  int fd, err = 0, n;

  *out = NULL;
  fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    err = -errno;
    snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
    goto out;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    err = errno == EWOULDBLOCK ? ERR_LOCKED : -errno;
    n = (int)pread(fd, pid, sizeof(pid) - 1, 0);
    pid[n > 0 ? n : 0] = '\0';
    pid[strcspn(pid, "\n")] = '\0';
    if (err == ERR_LOCKED)
      snprintf(errbuf, errlen, "data dir %s is in use by another glowtalk "
               "(pid %s); stop it first or use another --data", dir,
               pid[0] ? pid : "unknown");
    else
      snprintf(errbuf, errlen, "cannot lock %s: %s", path, strerror(-err));
    close(fd);
    goto out;
  }
  n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
    /* The pid is only a hint for the message above; the lock holds. */
  }
  *out = xmalloc(sizeof(**out));
  (*out)->fd = fd;
out:
  xfree(path);
  return err;
}

void
datadir_unlock(struct datadir_lock **lock)
{
  if (lock == NULL || *lock == NULL)
    return;
  close((*lock)->fd); /* closing the last descriptor releases the flock */
  xfree(*lock);
  *lock = NULL;
}
