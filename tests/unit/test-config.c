/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Config precedence (flags > env > file > defaults) and validation. */
#include "tests/unit/task.h"

#include "node/config.h"

TEST_IMPL(config_defaults)
{
  struct config *cfg = config_new();
  ASSERT_STR_EQ(config_get(cfg, "ui"), "127.0.0.1:8008");
  ASSERT_STR_EQ(config_get(cfg, "listen"), "0.0.0.0:8009");
  ASSERT_EQ(config_get_int(cfg, "glowfic-delay"), 1000);
  ASSERT_EQ(config_get_bool(cfg, "headless"), 0);
  ASSERT_NULL(config_get(cfg, "data"));
  ASSERT_EQ(config_source_of(cfg, "ui"), CONFIG_DEFAULT);
  config_free(&cfg);
  ASSERT_NULL(cfg);
  return 0;
}

TEST_IMPL(config_precedence)
{
  char *dir = test_mkdtemp();
  char path[512], err[256];
  char *env[] = {"GLOWTALK_UI=127.0.0.1:2000", "GLOWTALK_WORKERS=3",
                 "HOME=/nowhere", NULL};
  static const char file[] = "# a comment\n"
                             "ui = 127.0.0.1:1000\n"
                             "workers = 2\n"
                             "glowfic-delay=2500\n"
                             "\n"
                             "headless = yes\n";
  struct config *cfg = config_new();

  snprintf(path, sizeof(path), "%s/glowtalk.conf", dir);
  test_write_file(path, file, sizeof(file) - 1);
  /* Real order of the CLI: env, then flags, then the file last; the file
   * must still lose to both. */
  ASSERT_OK(config_load_env(cfg, env, err, sizeof(err)));
  ASSERT_OK(config_set(cfg, "ui", "127.0.0.1:3000", CONFIG_FLAG, err,
                       sizeof(err)));
  ASSERT_OK(config_load_file(cfg, path, err, sizeof(err)));

  ASSERT_STR_EQ(config_get(cfg, "ui"), "127.0.0.1:3000");   /* flag */
  ASSERT_EQ(config_source_of(cfg, "ui"), CONFIG_FLAG);
  ASSERT_EQ(config_get_int(cfg, "workers"), 3);              /* env */
  ASSERT_EQ(config_source_of(cfg, "workers"), CONFIG_ENV);
  ASSERT_EQ(config_get_int(cfg, "glowfic-delay"), 2500);     /* file */
  ASSERT_EQ(config_source_of(cfg, "glowfic-delay"), CONFIG_FILE);
  ASSERT_EQ(config_get_bool(cfg, "headless"), 1);
  ASSERT_EQ(config_get_int(cfg, "bitrate"), 24000);          /* default */
  config_free(&cfg);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(config_rejects_bad_values)
{
  struct config *cfg = config_new();
  char err[256];

  ASSERT_EQ(config_set(cfg, "workers", "many", CONFIG_FLAG, err,
                       sizeof(err)), ERR_INVAL);
  ASSERT_CONTAINS(err, "workers");
  ASSERT_EQ(config_set(cfg, "workers", "9999", CONFIG_FLAG, err,
                       sizeof(err)), ERR_INVAL);
  ASSERT_EQ(config_set(cfg, "ui", "localhost", CONFIG_FLAG, err,
                       sizeof(err)), ERR_INVAL);
  ASSERT_EQ(config_set(cfg, "ui", "127.0.0.1:70000", CONFIG_FLAG, err,
                       sizeof(err)), ERR_INVAL);
  ASSERT_EQ(config_set(cfg, "headless", "maybe", CONFIG_FLAG, err,
                       sizeof(err)), ERR_INVAL);
  ASSERT_EQ(config_set(cfg, "images", "show", CONFIG_FLAG, err,
                       sizeof(err)), ERR_INVAL);
  ASSERT_EQ(config_set(cfg, "no-such", "1", CONFIG_FLAG, err, sizeof(err)),
            ERR_NOT_FOUND);
  ASSERT_OK(config_set(cfg, "ui", "[::1]:8008", CONFIG_FLAG, err,
                       sizeof(err)));
  /* A failed set leaves the old value. */
  ASSERT_STR_EQ(config_get(cfg, "ui"), "[::1]:8008");
  ASSERT_EQ(config_get_int(cfg, "workers"), 0);
  config_free(&cfg);
  return 0;
}

TEST_IMPL(config_env_bad_value_is_an_error)
{
  struct config *cfg = config_new();
  char err[256];
  char *env[] = {"GLOWTALK_UNRELATED_TOOL=x", "GLOWTALK_BITRATE=fast", NULL};
  ASSERT_EQ(config_load_env(cfg, env, err, sizeof(err)), ERR_INVAL);
  ASSERT_CONTAINS(err, "bitrate");
  config_free(&cfg);
  return 0;
}

TEST_IMPL(config_file_errors_name_the_line)
{
  char *dir = test_mkdtemp();
  char path[512], err[256];
  struct config *cfg = config_new();
  static const char bad1[] = "ui = 127.0.0.1:1\nnonsense line\n";
  static const char bad2[] = "\n\ncolour = blue\n";
  static const char bad3[] = "data = /elsewhere\n";

  snprintf(path, sizeof(path), "%s/glowtalk.conf", dir);
  test_write_file(path, bad1, sizeof(bad1) - 1);
  ASSERT_EQ(config_load_file(cfg, path, err, sizeof(err)), ERR_PARSE);
  ASSERT_CONTAINS(err, ":2:");
  test_write_file(path, bad2, sizeof(bad2) - 1);
  ASSERT_EQ(config_load_file(cfg, path, err, sizeof(err)), ERR_NOT_FOUND);
  ASSERT_CONTAINS(err, ":3: unknown option 'colour'");
  test_write_file(path, bad3, sizeof(bad3) - 1);
  ASSERT_EQ(config_load_file(cfg, path, err, sizeof(err)), ERR_INVAL);
  /* A missing file is fine. */
  snprintf(path, sizeof(path), "%s/none.conf", dir);
  ASSERT_OK(config_load_file(cfg, path, err, sizeof(err)));
  config_free(&cfg);
  test_rmdir(dir);
  return 0;
}

/* contrib/glowtalk.conf.example must document every option. */
TEST_IMPL(config_example_documents_every_option)
{
  const struct config_option *o;
  char path[512], needle[128];
  const char *src = getenv("GLOWTALK_SRC");
  char *text;

  snprintf(path, sizeof(path), "%s/contrib/glowtalk.conf.example",
           src && *src ? src : ".");
  text = test_read_file(path, NULL);
  for (o = config_options(); o->name; o++) {
    if (strcmp(o->name, "data") == 0)
      continue; /* cannot be set in the file */
    snprintf(needle, sizeof(needle), "\n# %s =", o->name);
    ASSERT_CONTAINS(text, needle);
  }
  free(text);
  return 0;
}
