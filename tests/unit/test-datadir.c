/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Data dir creation, permissions and the exclusive lock. */
#include "tests/unit/task.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/datadir.h"

TEST_IMPL(datadir_create_private)
{
  char *tmp = test_mkdtemp();
  char *dir = xasprintf("%s/a/b/glowtalk", tmp);
  char err[256];
  struct stat st;

  ASSERT_OK(datadir_create(dir, err, sizeof(err)));
  ASSERT_OK(stat(dir, &st));
  ASSERT(S_ISDIR(st.st_mode));
  ASSERT_EQ(st.st_mode & 0777, 0700);
  /* Again: an existing dir is fine. */
  ASSERT_OK(datadir_create(dir, err, sizeof(err)));
  xfree(dir);
  /* A file in the way is an error. */
  dir = xasprintf("%s/file", tmp);
  test_write_file(dir, "x", 1);
  ASSERT_NE(datadir_create(dir, err, sizeof(err)), 0);
  ASSERT_CONTAINS(err, "cannot create data dir");
  xfree(dir);
  test_rmdir(tmp);
  return 0;
}

TEST_IMPL(datadir_resolve_order)
{
  char *p;
  p = datadir_resolve("/given");
  ASSERT_STR_EQ(p, "/given");
  xfree(p);
  setenv("XDG_DATA_HOME", "/xdg", 1);
  setenv("HOME", "/home/u", 1);
  p = datadir_resolve(NULL);
  ASSERT_STR_EQ(p, "/xdg/glowtalk");
  xfree(p);
  unsetenv("XDG_DATA_HOME");
  p = datadir_resolve("");
  ASSERT_STR_EQ(p, "/home/u/.local/share/glowtalk");
  xfree(p);
  return 0;
}

/* Try the lock from another process: flock is per open file, so a second
 * open in this process would not show the conflict a second daemon sees. */
static int
lock_in_child(const char *dir)
{
  pid_t pid = fork();
  int status;
  ASSERT(pid >= 0);
  if (pid == 0) {
    struct datadir_lock *l = NULL;
    char err[256];
    int e = datadir_lock(dir, &l, err, sizeof(err));
    if (e == ERR_LOCKED && strstr(err, "in use by another glowtalk"))
      _exit(10);
    datadir_unlock(&l);
    _exit(e == 0 ? 0 : 1);
  }
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  return WEXITSTATUS(status);
}

TEST_IMPL(datadir_lock_is_exclusive)
{
  char *dir = test_mkdtemp();
  struct datadir_lock *lock = NULL;
  char err[256];

  ASSERT_OK(datadir_lock(dir, &lock, err, sizeof(err)));
  ASSERT_NOT_NULL(lock);
  ASSERT_EQ(lock_in_child(dir), 10);
  datadir_unlock(&lock);
  ASSERT_NULL(lock);
  ASSERT_EQ(lock_in_child(dir), 0);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(datadir_lock_released_when_holder_dies)
{
  char *dir = test_mkdtemp();
  int fds[2], status;
  char c;
  pid_t pid;

  ASSERT_OK(pipe(fds));
  pid = fork();
  ASSERT(pid >= 0);
  if (pid == 0) {
    struct datadir_lock *l = NULL;
    char err[256];
    if (datadir_lock(dir, &l, err, sizeof(err)) != 0)
      _exit(1);
    ASSERT_EQ(write(fds[1], "x", 1), 1);
    pause(); /* killed below, like kill -9 of a daemon */
    _exit(0);
  }
  ASSERT_EQ(read(fds[0], &c, 1), 1);
  ASSERT_EQ(lock_in_child(dir), 10);
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  ASSERT_EQ(lock_in_child(dir), 0);
  close(fds[0]);
  close(fds[1]);
  test_rmdir(dir);
  return 0;
}
