/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Render benchmark: synthesis + Opus encode + store of a text, sentence by
 * sentence, in-process on one core and with a pool of worker processes.
 *   bench-render gen FILE WORDS        write a deterministic English-like
 *                                      text of WORDS words
 *   bench-render run FILE WORKERS [COMPLEXITY [BITRATE]]
 * Prints "audio_s wall_s x_realtime cpu_s" for run.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/audio.h"
#include "node/blobs.h"
#include "node/db.h"
#include "node/render.h"
#include "node/tts.h"
#include "node/voice.h"
#include "node/workers.h"
#include "tests/bench/benchclock.h"

#define BENCH_VOICE "espeak:en-us+m3"
#define BENCH_SENTENCES_MAX 100000

static const char *const words[] = {
  "the", "of", "and", "to", "a", "in", "that", "is", "was", "he", "for",
  "it", "with", "as", "his", "on", "be", "at", "by", "had", "not", "are",
  "but", "from", "or", "have", "an", "they", "which", "one", "you", "were",
  "her", "all", "she", "there", "would", "their", "we", "him", "been",
  "has", "when", "who", "will", "more", "no", "if", "out", "so", "said",
  "what", "up", "its", "about", "into", "than", "them", "can", "only",
  "other", "new", "some", "could", "time", "these", "two", "may", "then",
  "do", "first", "any", "my", "now", "such", "like", "our", "over", "man",
  "me", "even", "most", "made", "after", "also", "did", "many", "before",
  "must", "through", "back", "years", "where", "much", "your", "way",
  "well", "down", "should", "because", "each", "just", "those", "people",
  "how", "too", "little", "state", "good", "very", "make", "world",
  "still", "own", "see", "men", "work", "long", "get", "here", "between",
  "both", "life", "being", "under", "never", "day", "same", "another",
  "know", "while", "last", "might", "us", "great", "old", "year", "off",
  "come", "since", "against", "go", "came", "right", "used", "take",
  "three", "magic", "dragon", "castle", "letter", "quietly", "strange",
  "wizard", "garden", "river", "silver", "promise", "answer", "question"};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static int
gen(const char *path, long nwords)
{
  FILE *f = fopen(path, "w");
  uint32_t x = 12345;
  long i = 0;

  if (f == NULL)
    return 1;
  while (i < nwords) {
    int len = 6 + (int)(x % 15), k;

    for (k = 0; k < len && i < nwords; k++, i++) {
      const char *w;

      x = x * 1103515245u + 12345u;
      w = words[(x >> 8) % NWORDS];
      if (k == 0)
        fprintf(f, "%c%s", w[0] - 32, w + 1);
      else
        fprintf(f, " %s", w);
    }
    fprintf(f, "%s", x % 5 == 0 ? "? " : x % 7 == 0 ? "! " : ". ");
    if (x % 6 == 0)
      fprintf(f, "\n\n");
  }
  fprintf(f, "\n");
  return fclose(f) != 0;
}

/* Split text in place into sentences (ending at . ! ? before a space,
 * newline or the end). */
static size_t
split(char *text, char **out)
{
  size_t n = 0;
  char *p = text;

  while (*p) {
    char *s = p + strspn(p, " \n"), *e = s;

    if (*s == '\0')
      break;
    while (*e && !((*e == '.' || *e == '!' || *e == '?') &&
                   (e[1] == ' ' || e[1] == '\n' || e[1] == '\0')))
      e++;
    if (*e)
      e++; /* keep the punctuation */
    p = *e ? e + 1 : e;
    *e = '\0';
    if (n < BENCH_SENTENCES_MAX)
      out[n++] = s;
  }
  return n;
}

/* CPU seconds used by this process and its reaped children. */
static double
cpu_s(void)
{
  struct rusage a, b;

  getrusage(RUSAGE_SELF, &a);
  getrusage(RUSAGE_CHILDREN, &b);
  return (double)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec +
                  b.ru_stime.tv_sec) +
         (a.ru_utime.tv_usec + a.ru_stime.tv_usec + b.ru_utime.tv_usec +
          b.ru_stime.tv_usec) / 1e6;
}

static int64_t total_ms;
static int failures;

static void
done(void *arg, const struct workers_result *r)
{
  (void)arg;
  if (r->err != 0) {
    failures++;
    fprintf(stderr, "bench: job %llu failed: %s\n",
            (unsigned long long)r->id, r->msg);
  }
  total_ms += r->res.duration_ms;
}

static int
run(char **sent, size_t n, int nworkers, int complexity, int bitrate,
    const char *dir)
{
  char *blobdir = xasprintf("%s/blobs", dir);
  char *dbpath = xasprintf("%s/glowtalk.db", dir);
  char errbuf[256];
  double t0, t1, c0, c1;
  size_t i;
  int err = 0;

  {
    /* make the store (schema) before timing */
    struct db *db = NULL;

    if (db_open_store(dbpath, &db, errbuf, sizeof(errbuf)) != 0)
      return 1;
    db_close(&db);
  }
  total_ms = 0;
  if (nworkers == 0) {
    struct tts *t = NULL;
    struct blobs *b = NULL;
    struct db *db = NULL;
    struct render *r;
    struct voice v;

    if (tts_open(&t, errbuf, sizeof(errbuf)) != 0 ||
        blobs_open(blobdir, &b) != 0 ||
        db_open_store(dbpath, &db, errbuf, sizeof(errbuf)) != 0 ||
        voice_parse(BENCH_VOICE, &v, errbuf, sizeof(errbuf)) != 0)
      return 1;
    r = render_new(t, b, db, bitrate, complexity);
    c0 = cpu_s();
    t0 = bench_wall_s();
    for (i = 0; i < n && err == 0; i++) {
      struct render_job job = {&v, sent[i], NULL, 0, 0};
      struct render_result res;

      err = render_run(r, &job, NULL, &res, errbuf, sizeof(errbuf));
      total_ms += res.duration_ms;
    }
    t1 = bench_wall_s();
    c1 = cpu_s();
    render_free(&r);
    db_close(&db);
    blobs_close(&b);
    tts_close(&t);
  } else {
    struct workers_opts o = {nworkers, blobdir, dbpath, bitrate,
                             complexity, 0, 0};
    struct workers *w = NULL;

    if (workers_new(&o, &w) != 0)
      return 1;
    /* let the workers start espeak-ng before timing (as a daemon's are) */
    usleep(300000);
    c0 = cpu_s();
    t0 = bench_wall_s();
    for (i = 0; i < n && err == 0; i++)
      err = workers_submit(w, i, BENCH_VOICE, sent[i], NULL, 0, 0);
    if (err == 0)
      err = workers_drain(w, done, NULL);
    t1 = bench_wall_s();
    workers_free(&w); /* reaps the workers: their CPU time counts */
    c1 = cpu_s();
  }
  if (err != 0 || failures != 0) {
    fprintf(stderr, "bench: render failed: %s\n", errbuf);
    return 1;
  }
  /* audio seconds, wall seconds, x real time, CPU seconds */
  printf("%.2f %.3f %.1f %.3f\n", total_ms / 1000.0, t1 - t0,
         total_ms / 1000.0 / (t1 - t0), c1 - c0);
  xfree(blobdir);
  xfree(dbpath);
  return 0;
}

int
main(int argc, char **argv)
{
  static char *sent[BENCH_SENTENCES_MAX];
  char tmpl[] = "/tmp/glowtalk-bench-XXXXXX";
  char *text, *cmd;
  FILE *f;
  long len;
  size_t n;
  int rc;

  if (argc == 4 && strcmp(argv[1], "gen") == 0)
    return gen(argv[2], strtol(argv[3], NULL, 10));
  if (argc < 4 || strcmp(argv[1], "run") != 0) {
    fprintf(stderr, "usage: bench-render gen FILE WORDS | run FILE "
            "WORKERS [COMPLEXITY [BITRATE]]\n");
    return 2;
  }
  if (secure_init() != 0)
    return 1;
  f = fopen(argv[2], "r");
  if (f == NULL)
    return 1;
  fseek(f, 0, SEEK_END);
  len = ftell(f);
  rewind(f);
  text = xcalloc(1, (size_t)len + 2);
  if (fread(text, 1, (size_t)len, f) != (size_t)len)
    return 1;
  fclose(f);
  n = split(text, sent);
  if (mkdtemp(tmpl) == NULL)
    return 1;
  rc = run(sent, n, (int)strtol(argv[3], NULL, 10),
           argc > 4 ? (int)strtol(argv[4], NULL, 10)
                    : AUDIO_COMPLEXITY_DEFAULT,
           argc > 5 ? (int)strtol(argv[5], NULL, 10) : AUDIO_BITRATE_DEFAULT,
           tmpl);
  cmd = xasprintf("rm -rf '%s'", tmpl);
  if (system(cmd) != 0)
    rc = 1;
  xfree(cmd);
  xfree(text);
  return rc;
}
