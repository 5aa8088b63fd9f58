/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Node identity and network key: creation, file permissions, loading,
 * signatures with domain separation. */
#include "tests/unit/task.h"

#include <sys/stat.h>
#include <unistd.h>

#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "node/alloc.h"

TEST_IMPL(identity_create_and_load)
{
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/identity.key", dir);
  struct identity *a = NULL, *b = NULL;
  char err[256], ha[IDENTITY_ID_HEX], hb[IDENTITY_ID_HEX];
  struct stat st;
  char *text;

  ASSERT_OK(secure_init());
  ASSERT_OK(identity_create(path, 0, &a, err, sizeof(err)));
  ASSERT_OK(stat(path, &st));
  ASSERT_EQ(st.st_mode & 0777, 0600);
  ASSERT_OK(identity_load(path, &b, err, sizeof(err)));
  identity_id_hex(a, ha);
  identity_id_hex(b, hb);
  ASSERT_STR_EQ(ha, hb);
  ASSERT_EQ(strlen(ha), 64);
  /* The public key is not what the file stores (the seed is secret). */
  text = test_read_file(path, NULL);
  ASSERT(strstr(text, ha) == NULL);
  free(text);
  identity_free(&b);
  /* No silent replacement. */
  ASSERT_EQ(identity_create(path, 0, &b, err, sizeof(err)), ERR_EXISTS);
  ASSERT_NULL(b);
  ASSERT_OK(identity_create(path, 1, &b, err, sizeof(err)));
  identity_id_hex(b, hb);
  ASSERT(strcmp(ha, hb) != 0);
  identity_free(&a);
  identity_free(&b);
  identity_free(&b); /* NULL is fine */
  xfree(path);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(identity_refuses_bad_files)
{
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/identity.key", dir);
  struct identity *id = NULL;
  char err[256];

  ASSERT_OK(secure_init());
  ASSERT_EQ(identity_load(path, &id, err, sizeof(err)),
            ERR_NOT_INITIALISED);
  ASSERT_CONTAINS(err, "glowtalk init");
  ASSERT_OK(identity_create(path, 0, &id, err, sizeof(err)));
  identity_free(&id);
  ASSERT_OK(chmod(path, 0644));
  ASSERT_EQ(identity_load(path, &id, err, sizeof(err)), ERR_FORBIDDEN);
  ASSERT_CONTAINS(err, "chmod 600");
  test_write_file(path, "glowtalk-identity-v1 zz\n", 24);
  ASSERT_OK(chmod(path, 0600));
  ASSERT_EQ(identity_load(path, &id, err, sizeof(err)), ERR_PARSE);
  ASSERT_NULL(id);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(identity_signatures_are_domain_separated)
{
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/identity.key", dir);
  struct identity *id = NULL;
  uint8_t sig[IDENTITY_SIGNATURE_BYTES];
  const uint8_t *pub;
  char err[256];
  static const char msg[] = "entry bytes";

  ASSERT_OK(secure_init());
  ASSERT_OK(identity_create(path, 0, &id, err, sizeof(err)));
  pub = identity_public_key(id);
  identity_sign(id, "glowtalk-entry-v1", msg, sizeof(msg), sig);
  ASSERT_OK(identity_verify(pub, "glowtalk-entry-v1", msg, sizeof(msg),
                            sig));
  ASSERT_EQ(identity_verify(pub, "glowtalk-invite-v1", msg, sizeof(msg),
                            sig), ERR_BAD_SIGNATURE);
  ASSERT_EQ(identity_verify(pub, "glowtalk-entry-v1", msg, sizeof(msg) - 1,
                            sig), ERR_BAD_SIGNATURE);
  sig[5] ^= 1;
  ASSERT_EQ(identity_verify(pub, "glowtalk-entry-v1", msg, sizeof(msg),
                            sig), ERR_BAD_SIGNATURE);
  identity_free(&id);
  xfree(path);
  test_rmdir(dir);
  return 0;
}

TEST_IMPL(netkey_create_load_and_id)
{
  char *dir = test_mkdtemp();
  char *path = xasprintf("%s/network.key", dir);
  struct netkey *a = NULL, *b = NULL;
  char err[256], ia[NETKEY_ID_HEX], ib[NETKEY_ID_HEX];
  struct stat st;

  ASSERT_OK(secure_init());
  ASSERT_OK(netkey_create(path, 0, &a, err, sizeof(err)));
  ASSERT_OK(stat(path, &st));
  ASSERT_EQ(st.st_mode & 0777, 0600);
  ASSERT_OK(netkey_load(path, &b, err, sizeof(err)));
  ASSERT_OK(memcmp(netkey_bytes(a), netkey_bytes(b), NETKEY_BYTES));
  netkey_id_hex(a, ia);
  netkey_id_hex(b, ib);
  ASSERT_STR_EQ(ia, ib);
  ASSERT_EQ(strlen(ia), 32);
  netkey_free(&b);
  b = netkey_from_bytes(netkey_bytes(a));
  netkey_id_hex(b, ib);
  ASSERT_STR_EQ(ia, ib);
  /* An identity file is not a network key. */
  netkey_free(&b);
  ASSERT_EQ(netkey_create(path, 0, &b, err, sizeof(err)), ERR_EXISTS);
  netkey_free(&a);
  xfree(path);
  test_rmdir(dir);
  return 0;
}
