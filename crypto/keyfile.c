/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Secret key files: one short text line of hex behind a tag, mode 0600,
 * written through a temp file and rename so a crash never leaves half a
 * key. Shared by the identity and the network key. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/internal.h"
#include "node/alloc.h"
#include "node/hex.h"

int
keyfile__write(const char *path, const char *comment, const char *tag,
               const uint8_t secret[KEYFILE_SECRET_BYTES], int replace,
               char *errbuf, size_t errlen)
{
  char hex[2 * KEYFILE_SECRET_BYTES + 1];
  char *tmp = NULL, *text = NULL;
  size_t len;
  int fd = -1, err = 0;

  if (!replace && access(path, F_OK) == 0) {
    snprintf(errbuf, errlen, "%s already exists", path);
    return ERR_EXISTS;
  }
  tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    err = -errno;
    snprintf(errbuf, errlen, "cannot create %s: %s", tmp, strerror(errno));
    goto out;
  }
  hex_encode(hex, secret, KEYFILE_SECRET_BYTES);
  text = xasprintf("# %s\n%s %s\n", comment, tag, hex);
  len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
    err = -errno;
    snprintf(errbuf, errlen, "cannot write %s: %s", tmp, strerror(errno));
    goto out;
  }
  if (close(fd) != 0) {
    fd = -1;
    err = -errno;
    snprintf(errbuf, errlen, "cannot write %s: %s", tmp, strerror(errno));
    goto out;
  }
  fd = -1;
  if (rename(tmp, path) != 0) {
    err = -errno;
    snprintf(errbuf, errlen, "cannot rename %s: %s", tmp, strerror(errno));
  }
out:
  if (fd >= 0)
    close(fd);
  if (err && tmp)
    unlink(tmp);
  sodium_memzero(hex, sizeof(hex));
  if (text) {
    sodium_memzero(text, strlen(text));
    xfree(text);
  }
  xfree(tmp);
  return err;
}

int
keyfile__read(const char *path, const char *tag,
              uint8_t secret[KEYFILE_SECRET_BYTES], char *errbuf,
              size_t errlen)
{
  char text[KEYFILE_MAX + 1];
  struct stat st;
  const char *line, *hex;
  size_t taglen = strlen(tag);
  ssize_t n;
  int fd, err = 0;

  fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) {
      snprintf(errbuf, errlen, "%s does not exist: run 'glowtalk init' "
               "first", path);
      return ERR_NOT_INITIALISED;
    }
    snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
    return -errno;
  }
  if (fstat(fd, &st) != 0 || (st.st_mode & 077)) {
    snprintf(errbuf, errlen, "%s is readable by other users; "
             "run 'chmod 600 %s'", path, path);
    close(fd);
    return ERR_FORBIDDEN;
  }
  n = read(fd, text, KEYFILE_MAX + 1);
  close(fd);
  if (n < 0 || n > KEYFILE_MAX) {
    snprintf(errbuf, errlen, "%s is not a key file", path);
    err = ERR_PARSE;
    goto out;
  }
  text[n] = '\0';
  err = ERR_PARSE;
  for (line = text; line && *line; line = strchr(line, '\n')) {
    if (*line == '\n')
      line++;
    if (strncmp(line, tag, taglen) != 0 || line[taglen] != ' ')
      continue;
    hex = line + taglen + 1;
    if (strlen(hex) >= 2 * KEYFILE_SECRET_BYTES &&
        (hex[2 * KEYFILE_SECRET_BYTES] == '\n' ||
         hex[2 * KEYFILE_SECRET_BYTES] == '\0')) {
      char one[2 * KEYFILE_SECRET_BYTES + 1];
      memcpy(one, hex, 2 * KEYFILE_SECRET_BYTES);
      one[2 * KEYFILE_SECRET_BYTES] = '\0';
      err = hex_decode(secret, KEYFILE_SECRET_BYTES, one);
      sodium_memzero(one, sizeof(one));
    }
    break;
  }
  if (err)
    snprintf(errbuf, errlen, "%s is not a %s key file", path, tag);
out:
  sodium_memzero(text, sizeof(text));
  return err;
}
