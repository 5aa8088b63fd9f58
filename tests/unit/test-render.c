/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Tests for node/render.c, rcache.c, voicemix.c and audio.c together: the
 * cache, keys, blends, and that bad input stores nothing. */
#include "tests/unit/task.h"

#include <dirent.h>

#include "node/alloc.h"
#include "node/audio.h"
#include "node/blobs.h"
#include "node/db.h"
#include "node/rcache.h"
#include "node/render.h"
#include "node/tts.h"
#include "node/voice.h"
#include "node/voicemix.h"

struct env {
  char *dir;
  struct tts *tts;
  struct blobs *blobs;
  struct db *db;
  struct render *r;
};

static void
env_open(struct env *e)
{
  char err[256], *p;

  ASSERT_OK(secure_init());
  e->dir = test_mkdtemp();
  ASSERT_OK(tts_open(&e->tts, err, sizeof(err)));
  p = xasprintf("%s/blobs", e->dir);
  ASSERT_OK(blobs_open(p, &e->blobs));
  xfree(p);
  p = xasprintf("%s/glowtalk.db", e->dir);
  ASSERT_OK(db_open_store(p, &e->db, err, sizeof(err)));
  xfree(p);
  e->r = render_new(e->tts, e->blobs, e->db, AUDIO_BITRATE_DEFAULT,
                    AUDIO_COMPLEXITY_DEFAULT);
}

static void
env_close(struct env *e)
{
  render_free(&e->r);
  db_close(&e->db);
  blobs_close(&e->blobs);
  tts_close(&e->tts);
  test_rmdir(e->dir);
}

static int64_t
count(struct env *e, const char *sql)
{
  int64_t n = -1;

  ASSERT_OK(db_query_int(e->db, sql, &n));
  return n;
}

static int
say(struct env *e, const char *spec, const char *text, const char *lex,
    struct render_result *res)
{
  struct render_job job = {NULL, text, lex, 0, 0};
  struct voice v;
  char err[256];

  ASSERT_OK(voice_parse(spec, &v, err, sizeof(err)));
  job.voice = &v;
  return render_run(e->r, &job, NULL, res, err, sizeof(err));
}

TEST_IMPL(render_cache_one_blob)
{
  struct env e;
  struct render_result a, b, c;

  env_open(&e);
  ASSERT_OK(say(&e, "espeak:en-us+m3", "The same sentence.", NULL, &a));
  ASSERT_EQ(a.cached, 0);
  ASSERT_GT(a.duration_ms, 500);
  ASSERT_OK(say(&e, "espeak:en-us+m3,rate=175", "The same sentence.", NULL,
                &b));
  ASSERT_EQ(b.cached, 1);
  ASSERT_EQ(memcmp(a.key, b.key, 32), 0);
  ASSERT_EQ(memcmp(a.blob, b.blob, 32), 0);
  ASSERT_EQ(count(&e, "SELECT count(*) FROM render_cache"), 1);
  /* without the cache it renders again (libespeak-ng carries state from
   * one synthesis to the next, so the bytes may differ: the render key, not
   * the blob hash, is what makes renders reusable) */
  render_free(&e.r);
  e.r = render_new(e.tts, e.blobs, NULL, AUDIO_BITRATE_DEFAULT,
                   AUDIO_COMPLEXITY_DEFAULT);
  ASSERT_OK(say(&e, "espeak:en-us+m3", "The same sentence.", NULL, &c));
  ASSERT_EQ(c.cached, 0);
  ASSERT_EQ(memcmp(a.key, c.key, 32), 0);
  /* gc keeps what the cache references, drops what it no longer does */
  {
    size_t removed = 9;

    ASSERT_OK(blobs_gc(e.blobs, rcache_blob_referenced, e.db, &removed));
    ASSERT(blobs_has(e.blobs, a.blob));
    ASSERT_EQ(removed, memcmp(a.blob, c.blob, 32) != 0);
    ASSERT_OK(db_exec(e.db, "DELETE FROM render_cache"));
    ASSERT_OK(blobs_gc(e.blobs, rcache_blob_referenced, e.db, &removed));
    ASSERT_EQ(removed, 1);
    ASSERT(!blobs_has(e.blobs, a.blob));
  }
  env_close(&e);
  return 0;
}

TEST_IMPL(render_key_changes)
{
  static const char *const specs[] = {
    "espeak:en-us+m3,rate=176", "espeak:en-us+m3,pitch=51",
    "espeak:en-us+m3,range=49", "espeak:en-us+m3,volume=99",
    "espeak:en-us+m3,wordgap=1", "espeak:en-us+m4", "espeak:en-gb+m3",
    "espeak:en-us", "espeak:en-us+m3:60+f2:40", "espeak:en-us+m3:61+f2:39"};
  struct rcache_key_parts kp;
  uint8_t k0[32], k1[32];
  struct render_result base, r;
  struct env e;
  size_t i;

  env_open(&e);
  ASSERT_OK(say(&e, "espeak:en-us+m3", "Hi.", NULL, &base));
  for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
    ASSERT_OK(say(&e, specs[i], "Hi.", NULL, &r));
    ASSERT(memcmp(base.key, r.key, 32) != 0);
  }
  ASSERT_OK(say(&e, "espeak:en-us+m3", "Hi!", NULL, &r));
  ASSERT(memcmp(base.key, r.key, 32) != 0);
  /* a lexicon entry that applies changes the key */
  ASSERT_OK(say(&e, "espeak:en-us+m3", "Hi.", "Hi=Hai", &r));
  ASSERT(memcmp(base.key, r.key, 32) != 0);
  /* every key part counts, and the parts cannot run together */
  memset(&kp, 0, sizeof(kp));
  kp.text = "ab";
  rcache_key(&kp, k0);
  kp.text = "a";
  kp.lexicon = "b";
  rcache_key(&kp, k1);
  ASSERT(memcmp(k0, k1, 32) != 0);
  kp.bitrate = 1;
  rcache_key(&kp, k0);
  ASSERT(memcmp(k0, k1, 32) != 0);
  env_close(&e);
  return 0;
}

TEST_IMPL(render_bad_input_stores_nothing)
{
  struct env e;
  struct render_result r;
  char *big = xcalloc(1, TTS_TEXT_MAX + 2);

  env_open(&e);
  memset(big, 'a', TTS_TEXT_MAX + 1);
  ASSERT_EQ(say(&e, "espeak:en-us", "", NULL, &r), ERR_INVAL);
  ASSERT_EQ(say(&e, "espeak:en-us", big, NULL, &r), ERR_TOO_BIG);
  ASSERT_EQ(say(&e, "espeak:zz-top", "Hi", NULL, &r), ERR_NOT_FOUND);
  ASSERT_EQ(say(&e, "espeak:en+m3:50+zz:50", "Hi", NULL, &r),
            ERR_NOT_FOUND);
  ASSERT_EQ(count(&e, "SELECT count(*) FROM render_cache"), 0);
  {
    char *p = xasprintf("%s/blobs", e.dir);
    DIR *d = opendir(p);
    struct dirent *de;
    int n = 0;

    while ((de = readdir(d)) != NULL)
      n += de->d_name[0] != '.';
    closedir(d);
    ASSERT_EQ(n, 0);
    xfree(p);
  }
  xfree(big);
  env_close(&e);
  return 0;
}

TEST_IMPL(render_blend_deterministic)
{
  struct tts *t = NULL;
  struct voice v;
  char err[256], *t1, *n1, *t2, *n2;

  ASSERT_OK(tts_open(&t, err, sizeof(err)));
  ASSERT_OK(voice_parse("espeak:en+m3:60+f2:40", &v, err, sizeof(err)));
  ASSERT_OK(voicemix_make(&v, tts_data_dir(t), &t1, &n1, err, sizeof(err)));
  ASSERT_OK(voicemix_make(&v, tts_data_dir(t), &t2, &n2, err, sizeof(err)));
  ASSERT_STR_EQ(t1, t2);
  ASSERT_STR_EQ(n1, n2);
  ASSERT_CONTAINS(n1, VOICE_MIX_PREFIX);
  /* m3 pitch 80 122, f2 pitch 142 220: 0.6*80+0.4*142 = 104.8 -> 105 */
  ASSERT_CONTAINS(t1, "pitch 105 161\n");
  /* m3 formant 1 96 97 100, f2 110 80 160 */
  ASSERT_CONTAINS(t1, "formant 1 102 90 124\n");
  /* f2 breath with default 0 for m3 */
  ASSERT_CONTAINS(t1, "breath 0 1 1 1 1 1 1 1\n");
  ASSERT_CONTAINS(t1, "gender male\n");
  xfree(t2);
  xfree(n2);
  ASSERT_OK(voice_parse("espeak:en+m3:40+f2:60", &v, err, sizeof(err)));
  ASSERT_OK(voicemix_make(&v, tts_data_dir(t), &t2, &n2, err, sizeof(err)));
  ASSERT(strcmp(n1, n2) != 0);
  ASSERT_CONTAINS(t2, "gender female\n");
  xfree(t1);
  xfree(n1);
  xfree(t2);
  xfree(n2);
  ASSERT_OK(voice_parse("espeak:en+m3", &v, err, sizeof(err)));
  ASSERT_EQ(voicemix_make(&v, tts_data_dir(t), &t1, &n1, err, sizeof(err)),
            ERR_INVAL);
  tts_close(&t);
  return 0;
}

/* The render context logged in a Complete is exactly what the cache key is
 * computed from: key = rcache_key_from(context, prepared text, take), the
 * take is part of the key, and the engine version is part of the
 * context. */
TEST_IMPL(render_context_is_key_input)
{
  struct env e;
  struct render_job job = {NULL, "Keys from contexts.", NULL, 0, 0};
  struct render_result r0, r1, r2;
  struct rcache_key_parts kp;
  struct rcache_entry ce;
  struct voice v;
  uint8_t key[SECURE_HASH_BYTES], c1[SECURE_HASH_BYTES];
  uint8_t c2[SECURE_HASH_BYTES];
  char err[256], spec[VOICE_SPEC_MAX + 64];

  env_open(&e);
  ASSERT_OK(voice_parse("espeak:en-us+m3", &v, err, sizeof(err)));
  job.voice = &v;
  ASSERT_OK(render_run(e.r, &job, NULL, &r0, err, sizeof(err)));
  rcache_key_from(r0.context, job.text, 0, key);
  ASSERT(memcmp(key, r0.key, SECURE_HASH_BYTES) == 0);
  ASSERT_OK(rcache_get(e.db, key, &ce));
  ASSERT(memcmp(ce.blob, r0.blob, SECURE_HASH_BYTES) == 0);
  /* Another take: same context, another key, its own cache row. */
  job.take = 2;
  ASSERT_OK(render_run(e.r, &job, NULL, &r1, err, sizeof(err)));
  ASSERT(memcmp(r1.context, r0.context, SECURE_HASH_BYTES) == 0);
  ASSERT(memcmp(r1.key, r0.key, SECURE_HASH_BYTES) != 0);
  ASSERT_EQ(r1.cached, 0);
  rcache_key_from(r1.context, job.text, 2, key);
  ASSERT(memcmp(key, r1.key, SECURE_HASH_BYTES) == 0);
  /* Same take again: from the cache. */
  ASSERT_OK(render_run(e.r, &job, NULL, &r2, err, sizeof(err)));
  ASSERT_EQ(r2.cached, 1);
  ASSERT(memcmp(r2.key, r1.key, SECURE_HASH_BYTES) == 0);
  /* The context is the engine's and encoder's parts: a different engine
   * version or bitrate gives a different context. */
  memset(&kp, 0, sizeof(kp));
  ASSERT_OK(voice_format(&v, spec, sizeof(spec)));
  kp.engine = v.engine;
  kp.engine_version = tts_version(e.tts);
  kp.voice = spec;
  kp.audio = audio_version();
  kp.bitrate = AUDIO_BITRATE_DEFAULT;
  kp.complexity = AUDIO_COMPLEXITY_DEFAULT;
  rcache_context(&kp, c1);
  ASSERT(memcmp(c1, r0.context, SECURE_HASH_BYTES) == 0);
  kp.engine_version = "0.0-other";
  rcache_context(&kp, c2);
  ASSERT(memcmp(c1, c2, SECURE_HASH_BYTES) != 0);
  kp.engine_version = tts_version(e.tts);
  kp.bitrate = AUDIO_BITRATE_DEFAULT + 1;
  rcache_context(&kp, c2);
  ASSERT(memcmp(c1, c2, SECURE_HASH_BYTES) != 0);
  /* The text is not in the context. */
  kp.bitrate = AUDIO_BITRATE_DEFAULT;
  kp.text = "anything else";
  rcache_context(&kp, c2);
  ASSERT(memcmp(c1, c2, SECURE_HASH_BYTES) == 0);
  env_close(&e);
  return 0;
}
