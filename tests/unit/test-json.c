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
