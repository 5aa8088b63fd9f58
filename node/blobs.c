/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Content-addressed blob files (see blobs.h): put, get, has, gc. */
#include "node/blobs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/fileio.h"
#include "node/hex.h"

#define TMP_PREFIX ".tmp-"
#define TMP_AGE_S 3600 /* s before gc treats a temp file as abandoned */

struct blobs {
  char *dir; /* absolute or relative store root */
};

int
blobs_open(const char *dir, struct blobs **out)
{
  struct blobs *b;

  *out = NULL;
  if (mkdir(dir, 0700) != 0 && errno != EEXIST)
    return -errno;
  b = xcalloc(1, sizeof(*b));
  b->dir = xstrdup(dir);
  *out = b;
  return 0;
}

void
blobs_close(struct blobs **bp)
{
  if (bp == NULL || *bp == NULL)
    return;
  xfree((*bp)->dir);
  xfree(*bp);
  *bp = NULL;
}

char *
blobs_path(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES])
{
  char hex[BLOBS_HEX_LEN + 1];

  hex_encode(hex, hash, SECURE_HASH_BYTES);
  return xasprintf("%s/%.2s/%s" BLOBS_EXT, b->dir, hex, hex);
}

int64_t
blobs_size(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES])
{
  char *path = blobs_path(b, hash);
  struct stat sb;
  int64_t size = -1;

  if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
    size = (int64_t)sb.st_size;
  xfree(path);
  return size;
}

int
blobs_has(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES])
{
  char *path = blobs_path(b, hash);
  struct stat sb;
  int ok = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);

  xfree(path);
  return ok;
}

int
blobs_put(struct blobs *b, const void *data, size_t len,
          uint8_t hash[SECURE_HASH_BYTES])
{
  char *tmp = NULL;
  int fd, err;

  if (len > BLOBS_MAX_BYTES)
    return ERR_TOO_BIG;
  secure_hash(hash, data, len, NULL, 0);
  if (blobs_has(b, hash))
    return 0;
  fd = blobs_tmp_open(b, hash, &tmp);
  if (fd < 0)
    return fd;
  /* No fsync per blob: it costs more than rendering the sentence (about
   * 18 ms on a plain disk). A blob torn or lost by a crash is caught by
   * its size at cache lookup or its hash on read, and rendered again. */
  err = fileio_write_all(fd, data, len);
  if (close(fd) != 0 && err == 0)
    err = -errno;
  if (err == 0)
    err = blobs_tmp_commit(b, hash, tmp); /* removes tmp on failure */
  else
    unlink(tmp);
  xfree(tmp);
  return err;
}

int
blobs_get(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES],
          struct buf *out)
{
  uint8_t got[SECURE_HASH_BYTES];
  char *path = blobs_path(b, hash);
  char chunk[16384];
  size_t start = out->len, n;
  FILE *f = fopen(path, "rb");
  int err = 0;

  xfree(path);
  if (f == NULL)
    return errno == ENOENT ? ERR_NOT_FOUND : -errno;
  while (err == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    err = buf_append(out, chunk, n);
  if (err == 0 && ferror(f))
    err = -EIO;
  fclose(f);
  if (err == 0) {
    secure_hash(got, out->data + start, out->len - start, NULL, 0);
    if (memcmp(got, hash, SECURE_HASH_BYTES) != 0)
      err = ERR_DB_CORRUPT;
  }
  if (err != 0) {
    out->len = start;
    if (out->data)
      out->data[start] = '\0';
  }
  return err;
}

/* "<64 hex>.opus" -> hash; -1 if the name is not a blob's. */
static int
name_hash(const char *name, uint8_t hash[SECURE_HASH_BYTES])
{
  char hex[BLOBS_HEX_LEN + 1];

  if (strlen(name) != BLOBS_HEX_LEN + strlen(BLOBS_EXT) ||
      strcmp(name + BLOBS_HEX_LEN, BLOBS_EXT) != 0)
    return -1;
  memcpy(hex, name, BLOBS_HEX_LEN);
  hex[BLOBS_HEX_LEN] = '\0';
  return hex_decode(hash, SECURE_HASH_BYTES, hex) == 0 ? 0 : -1;
}

static int
tmp_abandoned(const char *sub, const char *name)
{
  char *path = xasprintf("%s/%s", sub, name);
  struct stat sb;
  int old = stat(path, &sb) == 0 && time(NULL) - sb.st_mtime > TMP_AGE_S;

  xfree(path);
  return old;
}

/* fn(sub, arg) for each fan-out subdir ("ab") of the store, until one
 * fails (its error). */
static int
each_sub(struct blobs *b, int (*fn)(const char *sub, void *arg), void *arg)
{
  DIR *d = opendir(b->dir);
  struct dirent *e;
  int err = 0;

  if (d == NULL)
    return -errno;
  while (err == 0 && (e = readdir(d)) != NULL) {
    char *sub;

    if (strlen(e->d_name) != 2 || e->d_name[0] == '.')
      continue;
    sub = xasprintf("%s/%s", b->dir, e->d_name);
    err = fn(sub, arg);
    xfree(sub);
  }
  closedir(d);
  return err;
}

static int
gc_sub(const char *sub, blobs_ref_cb ref, void *arg, size_t *removed)
{
  DIR *d = opendir(sub);
  struct dirent *e;
  uint8_t hash[SECURE_HASH_BYTES];
  int err = 0;

  if (d == NULL)
    return -errno;
  while (err == 0 && (e = readdir(d)) != NULL) {
    char *path;
    int r = 1;

    if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
      r = !tmp_abandoned(sub, e->d_name); /* left by a crash? */
    } else if (name_hash(e->d_name, hash) == 0) {
      r = ref(arg, hash);
      if (r < 0) {
        err = r;
        break;
      }
    }
    if (r != 0)
      continue;
    path = xasprintf("%s/%s", sub, e->d_name);
    if (unlink(path) == 0)
      (*removed)++;
    else if (errno != ENOENT)
      err = -errno;
    xfree(path);
  }
  closedir(d);
  return err;
}

struct gc_arg {
  blobs_ref_cb ref;
  void *arg;
  size_t *removed;
};

static int
gc_one(const char *sub, void *arg)
{
  struct gc_arg *g = arg;
  return gc_sub(sub, g->ref, g->arg, g->removed);
}

int
blobs_gc(struct blobs *b, blobs_ref_cb ref, void *arg, size_t *removed)
{
  struct gc_arg g = {ref, arg, removed};

  *removed = 0;
  return each_sub(b, gc_one, &g);
}

int
blobs_tmp_open(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES],
               char **tmp_path)
{
  char hex[BLOBS_HEX_LEN + 1];
  char *sub, *tmp;
  int fd;

  *tmp_path = NULL;
  hex_encode(hex, hash, SECURE_HASH_BYTES);
  sub = xasprintf("%s/%.2s", b->dir, hex);
  if (mkdir(sub, 0700) != 0 && errno != EEXIST) {
    fd = -errno;
    xfree(sub);
    return fd;
  }
  tmp = xasprintf("%s/" TMP_PREFIX "%s.XXXXXX", sub, hex);
  xfree(sub);
  fd = mkstemp(tmp);
  if (fd < 0) {
    fd = -errno;
    xfree(tmp);
    return fd;
  }
  *tmp_path = tmp;
  return fd;
}

int
blobs_tmp_commit(struct blobs *b, const uint8_t hash[SECURE_HASH_BYTES],
                 const char *tmp_path)
{
  char *path = blobs_path(b, hash);
  int err = 0;

  if (rename(tmp_path, path) != 0) {
    err = -errno;
    unlink(tmp_path);
  }
  xfree(path);
  return err;
}

static int
usage_sub(const char *sub, uint64_t *bytes)
{
  DIR *d = opendir(sub);
  struct dirent *e;
  uint8_t hash[SECURE_HASH_BYTES];
  struct stat sb;

  if (d == NULL)
    return -errno;
  while ((e = readdir(d)) != NULL) {
    char *path;

    if (name_hash(e->d_name, hash) != 0)
      continue;
    path = xasprintf("%s/%s", sub, e->d_name);
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
      *bytes += (uint64_t)sb.st_size;
    xfree(path);
  }
  closedir(d);
  return 0;
}

static int
usage_one(const char *sub, void *arg)
{
  return usage_sub(sub, arg);
}

int
blobs_usage(struct blobs *b, uint64_t *bytes)
{
  *bytes = 0;
  return each_sub(b, usage_one, bytes);
}
