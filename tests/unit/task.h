/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Unit-test macros (after libuv's test/task.h). A test is
 *   TEST_IMPL(name) { ...; return 0; }
 * in tests/unit/test-<module>.c; the Makefile registers every TEST_IMPL.
 * ASSERT_* print both operands and abort the test process. */
#ifndef GLOWTALK_TASK_H
#define GLOWTALK_TASK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_IMPL(name) int run_test_##name(void); int run_test_##name(void)

#define ASSERT_FAIL_(fmt, ...)                                              \
  do {                                                                      \
    fprintf(stderr, "# Assertion failed in %s:%d: " fmt "\n", __FILE__,     \
            __LINE__, __VA_ARGS__);                                         \
    fflush(stderr);                                                         \
    abort();                                                                \
  } while (0)

#define ASSERT(expr)                                                        \
  do {                                                                      \
    if (!(expr))                                                            \
      ASSERT_FAIL_("%s", #expr);                                            \
  } while (0)

#define ASSERT_INT_OP_(a, op, b)                                            \
  do {                                                                      \
    intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                        \
    if (!(a_ op b_))                                                        \
      ASSERT_FAIL_("%s %s %s (%jd %s %jd)", #a, #op, #b, a_, #op, b_);      \
  } while (0)

#define ASSERT_EQ(a, b) ASSERT_INT_OP_(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_INT_OP_(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_INT_OP_(a, <, b)
#define ASSERT_LE(a, b) ASSERT_INT_OP_(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_INT_OP_(a, >, b)
#define ASSERT_GE(a, b) ASSERT_INT_OP_(a, >=, b)
#define ASSERT_OK(a) ASSERT_INT_OP_(a, ==, 0)
#define ASSERT_NULL(a) ASSERT((a) == NULL)
#define ASSERT_NOT_NULL(a) ASSERT((a) != NULL)

#define ASSERT_STR_EQ(a, b)                                                 \
  do {                                                                      \
    const char *sa_ = (a), *sb_ = (b);                                      \
    if (sa_ == NULL || sb_ == NULL || strcmp(sa_, sb_) != 0)                \
      ASSERT_FAIL_("%s == %s (\"%s\" == \"%s\")", #a, #b,                   \
                   sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");             \
  } while (0)

#define ASSERT_CONTAINS(hay, needle)                                        \
  do {                                                                      \
    const char *h_ = (hay), *n_ = (needle);                                 \
    if (h_ == NULL || strstr(h_, n_) == NULL)                               \
      ASSERT_FAIL_("\"%s\" contains \"%s\"", h_ ? h_ : "(null)", n_);       \
  } while (0)

/* A fresh private directory under $TMPDIR for this test. Caller frees the
 * path with test_rmdir(). */
char *test_mkdtemp(void);
/* Remove a directory tree and free the path. */
void test_rmdir(char *path);
/* Write len bytes to path (0600); aborts on failure. */
void test_write_file(const char *path, const void *data, size_t len);
/* Read a whole file; NUL-terminated; caller frees with free(). Aborts on
 * failure. */
char *test_read_file(const char *path, size_t *len);
/* Path of a file in ../shared/fixtures or tests/data, found from the
 * source tree root (GLOWTALK_SRC or the current directory). Static. */
const char *test_fixture(const char *relpath);

#endif
