/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The JSON wrapper: parsing hostile input, escapes, building. */
#include "tests/unit/task.h"

#include "node/alloc.h"
#include "node/buf.h"
#include "node/json.h"

TEST_IMPL(json_parse_and_read)
{
  static const char text[] =
    "{\"id\": 7508, \"subject\": \"a \\u003cb\\u003e \\ud83d\\ude00\","
    " \"authors\": [{\"username\": \"lantal\xc3\xb3t\xc3\xab\"}],"
    " \"section\": null, \"ok\": true, \"f\": 1.5}";
  char err[128];
  struct json *j = json_parse(text, sizeof(text) - 1, err, sizeof(err));
  int64_t id;

  ASSERT_NOT_NULL(j);
  ASSERT_OK(json_int(json_get(j, "id"), &id));
  ASSERT_EQ(id, 7508);
  ASSERT_STR_EQ(json_get_str(j, "subject"), "a <b> \xf0\x9f\x98\x80");
  ASSERT_EQ(json_len(json_get(j, "authors")), 1);
  ASSERT_STR_EQ(json_get_str(json_at(json_get(j, "authors"), 0),
                             "username"), "lantal\xc3\xb3t\xc3\xab");
  ASSERT(json_is_null(json_get(j, "section")));
  ASSERT(json_is_true(json_get(j, "ok")));
  ASSERT_EQ(json_int(json_get(j, "f"), &id), ERR_INVAL);
  ASSERT_NULL(json_get(j, "missing"));
  ASSERT_NULL(json_get_str(NULL, "x"));
  json_free(j);
  return 0;
}

TEST_IMPL(json_rejects_bad_input)
{
  char err[128];
  static const char *const bad[] = {"", "{", "[1,2", "{\"a\":}", "nul",
                                    "{} extra", "\"unterminated"};
  size_t i;
  struct buf deep;

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ASSERT_NULL(json_parse(bad[i], strlen(bad[i]), err, sizeof(err)));
    ASSERT(err[0] != '\0');
  }
  /* Deep nesting is refused, not a stack overflow. */
  buf_init(&deep, 1 << 20);
  for (i = 0; i < 100000; i++)
    ASSERT_OK(buf_append(&deep, "[", 1));
  ASSERT_NULL(json_parse(deep.data, deep.len, err, sizeof(err)));
  buf_free(&deep);
  return 0;
}

TEST_IMPL(json_build_and_print)
{
  struct json *o = json_new_object(), *a = json_new_array();
  char *text;

  json_set_str(o, "name", "quote \" and </script>");
  json_set_int(o, "n", 1234567890123LL);
  json_set_bool(o, "b", 0);
  json_set_str(o, "nothing", NULL);
  json_push(a, json_new_int(1));
  json_push(a, json_new_string("x"));
  json_set(o, "list", a);
  text = json_print(o, 0);
  ASSERT_STR_EQ(text, "{\"name\":\"quote \\\" and </script>\",\"n\":"
                "1234567890123,\"b\":false,\"nothing\":null,\"list\":[1,"
                "\"x\"]}");
  xfree(text);
  json_free(o);
  return 0;
}

TEST_IMPL(buf_caps_growth)
{
  struct buf b;
  char *s;
  size_t len;

  buf_init(&b, 8);
  ASSERT_OK(buf_append_str(&b, "abcd"));
  ASSERT_OK(buf_printf(&b, "%d", 123));
  ASSERT_EQ(b.len, 7);
  ASSERT_EQ(buf_append_str(&b, "xy"), ERR_TOO_BIG);
  ASSERT_EQ(b.len, 7);
  ASSERT_STR_EQ(b.data, "abcd123");
  s = buf_take(&b, &len);
  ASSERT_EQ(len, 7);
  ASSERT_NULL(b.data);
  xfree(s);
  buf_free(&b);
  return 0;
}

/* json_write_str / json_write_num write exactly what json_print writes. */
TEST_IMPL(json_write_matches_print)
{
  static const double nums[] = {
    0, 1, -1, 42, 2147483647.0, 2147483648.0, -2147483649.0, 1e300,
    0.5, 1.25, 2.345, 0.001, 1.0 / 3.0, 123456.789, 0.1 + 0.2, 3.7e-9,
    -7.125, 99999999999.5, 1e21, 4.35};
  char s[300], *want;
  struct json *o;
  struct buf b;
  size_t i;
  int c, n;

  buf_init(&b, 1u << 20);
  /* Every byte value once, in runs between plain text. */
  for (n = 0, c = 1; c < 256; c++) {
    s[n++] = (char)c;
    if (c % 16 == 0)
      s[n++] = 'x';
  }
  s[n] = '\0';
  for (i = 0; i < 3; i++) {
    const char *in = i == 0 ? s : i == 1 ? "" : "plain \"quoted\" \\ text";
    buf_reset(&b);
    ASSERT_OK(json_write_str(&b, in));
    o = json_new_string(in);
    want = json_print(o, 0);
    ASSERT_STR_EQ(b.data, want);
    xfree(want);
    json_free(o);
  }
  for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
    buf_reset(&b);
    ASSERT_OK(json_write_num(&b, nums[i]));
    o = json_new_num(nums[i]);
    want = json_print(o, 0);
    ASSERT_STR_EQ(b.data, want);
    xfree(want);
    json_free(o);
  }
  for (i = 0; i < 5000; i++) {
    double v = (double)(i * 7919 % 100000) / 1000.0;
    buf_reset(&b);
    ASSERT_OK(json_write_num(&b, v));
    o = json_new_num(v);
    want = json_print(o, 0);
    ASSERT_STR_EQ(b.data, want);
    xfree(want);
    json_free(o);
  }
  buf_free(&b);
  return 0;
}
