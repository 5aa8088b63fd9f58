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
#include "tests/bench/benchclock.h"
#include "tests/unit/task.h"

#define TARGET_SECONDS 3.0 /* issue 3: parse + segment + store */
#define TARGET_PEAK_MB 300.0

int
main(int argc, char **argv)
{
  struct work_store_counts c;
  struct db *db = NULL;
  struct work *w;
  char errbuf[512];
  double t0, t1, t2, t3, total, peak, m0, m1, m2, c0, c1, c2, c3, ctotal;
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
  m0 = bench_peak_mb();
  t0 = bench_wall_s();
  c0 = bench_cpu_s();
  w = work_new(argv[1]);
  if (glowfic_html_parse(w, data, len, 0, errbuf, sizeof(errbuf)) != 0) {
    fprintf(stderr, "bench-import: %s\n", errbuf);
    return 1;
  }
  t1 = bench_wall_s();
  c1 = bench_cpu_s();
  m1 = bench_peak_mb();
  if (work_finish(w, 300) != 0) {
    fprintf(stderr, "bench-import: work_finish failed\n");
    return 1;
  }
  t2 = bench_wall_s();
  c2 = bench_cpu_s();
  m2 = bench_peak_mb();
  if (work_store_save(db, w, 0, &c, errbuf, sizeof(errbuf)) != 0) {
    fprintf(stderr, "bench-import: %s\n", errbuf);
    return 1;
  }
  t3 = bench_wall_s();
  c3 = bench_cpu_s();
  total = t3 - t0;
  ctotal = c3 - c0;
  peak = bench_peak_mb();
  printf("import bench: %zu bytes of HTML, %lld posts, %lld sentences, "
         "%lld words\n", len, (long long)c.posts, (long long)c.sentences,
         (long long)c.words);
  printf("  phase                     cpu s   wall s   peak RSS\n");
  printf("  input read                                    %6.1f MB\n", m0);
  printf("  parse (libxml2 + text)    %6.3f  %6.3f   %6.1f MB\n", c1 - c0,
         t1 - t0, m1);
  printf("  segment (ICU, ids, chars) %6.3f  %6.3f   %6.1f MB\n", c2 - c1,
         t2 - t1, m2);
  printf("  store (SQLite, 1 txn)     %6.3f  %6.3f   %6.1f MB\n", c3 - c2,
         t3 - t2, peak);
  printf("  total                     %6.3f  %6.3f   (%.0f words per cpu s)\n",
         ctotal, total, (double)c.words / ctotal);
  printf("  target <= %.1f cpu s: %.2fx of budget; peak <= %.0f MB: %.2fx\n",
         TARGET_SECONDS, ctotal / TARGET_SECONDS, TARGET_PEAK_MB,
         peak / TARGET_PEAK_MB);
  printf("  targets met: %s\n",
         ctotal <= TARGET_SECONDS && peak <= TARGET_PEAK_MB ? "yes" : "NO");
  /* Re-import of the unchanged work: every post's text hash matches, so
   * no sentence row is touched. */
  t0 = bench_wall_s();
  c0 = bench_cpu_s();
  if (work_store_save(db, w, 1, &c, errbuf, sizeof(errbuf)) != 0) {
    fprintf(stderr, "bench-import: %s\n", errbuf);
    return 1;
  }
  printf("  re-import unchanged       %6.3f  %6.3f   (%lld new sentences)\n",
         bench_cpu_s() - c0, bench_wall_s() - t0, (long long)c.new_sentences);
  work_free(w);
  db_close(&db);
  free(data);
  return 0;
}
