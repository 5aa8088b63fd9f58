/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Import benchmark: one big Glowfic page (tests/bench/make-thread.js)
 * parsed (libxml2 + text), segmented (ICU, stable ids, characters) and
 * stored (SQLite, one transaction) on one thread, timing each phase and
 * reporting peak memory. Usage: bench-import PAGE.html DBPATH */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "node/alloc.h"
#include "node/db.h"
#include "node/glowfic_html.h"
#include "node/work.h"
#include "node/work_store.h"
#include "tests/unit/task.h"

#define TARGET_SECONDS 3.0 /* issue 3: parse + segment + store */
#define TARGET_PEAK_MB 300.0

static double
peak_mb(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0;
}

static double
now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
  struct work_store_counts c;
  struct db *db = NULL;
  struct work *w;
  char errbuf[512];
  double t0, t1, t2, t3, total, peak, m0, m1, m2;
  size_t len;
  char *data;

  if (argc != 3) {
    fprintf(stderr, "usage: %s PAGE.html DBPATH\n", argv[0]);
    return 2;
  }
  data = test_read_file(argv[1], &len);
  if (db_open_store(argv[2], &db, errbuf, sizeof(errbuf)) != 0) {
    fprintf(stderr, "bench-import: %s\n", errbuf);
    return 1;
  }
  m0 = peak_mb();
  t0 = now();
  w = work_new(argv[1]);
  if (glowfic_html_parse(w, data, len, 0, errbuf, sizeof(errbuf)) != 0) {
    fprintf(stderr, "bench-import: %s\n", errbuf);
    return 1;
  }
  t1 = now();
  m1 = peak_mb();
  if (work_finish(w, 300) != 0) {
    fprintf(stderr, "bench-import: work_finish failed\n");
    return 1;
  }
  t2 = now();
  m2 = peak_mb();
  if (work_store_save(db, w, 0, &c, errbuf, sizeof(errbuf)) != 0) {
    fprintf(stderr, "bench-import: %s\n", errbuf);
    return 1;
  }
  t3 = now();
  total = t3 - t0;
  peak = peak_mb();
  printf("import bench: %zu bytes of HTML, %lld posts, %lld sentences, "
         "%lld words\n", len, (long long)c.posts, (long long)c.sentences,
         (long long)c.words);
  printf("  input read                          peak %6.1f MB\n", m0);
  printf("  parse (libxml2 + text)   %6.3f s  peak %6.1f MB\n", t1 - t0, m1);
  printf("  segment (ICU, ids, chars) %5.3f s  peak %6.1f MB\n", t2 - t1,
         m2);
  printf("  store (SQLite, 1 txn)    %6.3f s  peak %6.1f MB\n", t3 - t2,
         peak);
  printf("  total                    %6.3f s  (%.0f words/s; target <= "
         "%.1f s: %.2fx of budget)\n", total, (double)c.words / total,
         TARGET_SECONDS, total / TARGET_SECONDS);
  printf("  peak RSS                 %6.1f MB (target <= %.0f MB: %.2fx)\n",
         peak, TARGET_PEAK_MB, peak / TARGET_PEAK_MB);
  printf("  targets met: %s\n",
         total <= TARGET_SECONDS && peak <= TARGET_PEAK_MB ? "yes" : "NO");
  work_free(w);
  db_close(&db);
  free(data);
  return 0;
}
