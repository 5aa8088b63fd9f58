/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for node/blobs.c: content addressing, atomic put, verify, gc. */
#include "tests/unit/task.h"

#include <sys/stat.h>
#include <unistd.h>

#include "node/alloc.h"
#include "node/blobs.h"
#include "node/hex.h"

static uint8_t keep[SECURE_HASH_BYTES];

static int
keep_only(void *arg, const uint8_t hash[SECURE_HASH_BYTES])
{
  (*(int *)arg)++;
  return memcmp(hash, keep, SECURE_HASH_BYTES) == 0;
}

TEST_IMPL(blobs_put_get_gc)
{
  char *dir = test_mkdtemp(), *store = NULL, *path = NULL, *stray;
  uint8_t h1[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES], h3[32];
  char hex[BLOBS_HEX_LEN + 1];
  struct blobs *b = NULL;
  struct buf out;
  size_t removed = 0;
  int calls = 0;

  ASSERT_OK(secure_init());
  store = xasprintf("%s/blobs", dir);
  ASSERT_OK(blobs_open(store, &b));
  ASSERT_OK(blobs_put(b, "hello", 5, h1));
  ASSERT_OK(blobs_put(b, "hello", 5, h3));
  ASSERT_EQ(memcmp(h1, h3, 32), 0);
  secure_hash(h3, "hello", 5, NULL, 0);
  ASSERT_EQ(memcmp(h1, h3, 32), 0);
  ASSERT_OK(blobs_put(b, "world", 5, h2));
  ASSERT(blobs_has(b, h1));
  /* layout: DIR/ab/<hex>.opus */
  hex_encode(hex, h1, SECURE_HASH_BYTES);
  path = blobs_path(b, h1);
  {
    char *want = xasprintf("%s/%.2s/%s.opus", store, hex, hex);

    ASSERT_STR_EQ(path, want);
    xfree(want);
  }
  buf_init(&out, 1024);
  ASSERT_OK(blobs_get(b, h1, &out));
  ASSERT_EQ(out.len, 5);
  ASSERT_STR_EQ(out.data, "hello");
  /* a damaged blob is detected */
  test_write_file(path, "jello", 5);
  buf_reset(&out);
  ASSERT_EQ(blobs_get(b, h1, &out), ERR_DB_CORRUPT);
  ASSERT_EQ(out.len, 0);
  buf_free(&out);
  /* an old temp file and an unreferenced blob go; the kept one stays */
  stray = xasprintf("%s/%.2s/.tmp-abandoned", store, hex);
  test_write_file(stray, "x", 1);
  {
    char *cmd = xasprintf("touch -d '2 hours ago' '%s'", stray);

    ASSERT_OK(system(cmd));
    xfree(cmd);
  }
  memcpy(keep, h2, SECURE_HASH_BYTES);
  ASSERT_OK(blobs_gc(b, keep_only, &calls, &removed));
  ASSERT_EQ(calls, 2);
  ASSERT_EQ(removed, 2);
  ASSERT(!blobs_has(b, h1));
  ASSERT(blobs_has(b, h2));
  ASSERT(access(stray, F_OK) != 0);
  xfree(stray);
  xfree(path);
  blobs_close(&b);
  blobs_close(&b);
  xfree(store);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(blobs_limits)
{
  char *dir = test_mkdtemp();
  uint8_t h[SECURE_HASH_BYTES];
  struct blobs *b = NULL;
  char *store = xasprintf("%s/s", dir);

  ASSERT_OK(blobs_open(store, &b));
  ASSERT_EQ(blobs_put(b, "", (size_t)BLOBS_MAX_BYTES + 1, h), ERR_TOO_BIG);
  blobs_close(&b);
  ASSERT(blobs_open("/proc/nonexistent/x", &b) < 0);
  ASSERT_NULL(b);
  xfree(store);
  test_rmdir(dir);
  return 0;
}
