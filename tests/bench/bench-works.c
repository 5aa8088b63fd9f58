/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Works as content: how long a node takes to materialise a big work from
 * its document blob (hash check, JSON parse, canonical check, store in
 * one transaction) and how much memory it needs, against the import of
 * the same page. Usage: bench-works PAGE.html DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "crypto/secure.h"
#include "node/alloc.h"
#include "node/buf.h"
#include "node/db.h"
#include "node/glowfic_html.h"
#include "node/log.h"
#include "node/work.h"
#include "node/work_store.h"
#include "node/works.h"
#include "tests/bench/benchclock.h"

static void
sink(const char *data, size_t len, void *arg)
{
  if (buf_append(arg, data, len) != 0) {
    fprintf(stderr, "bench-works: document over the cap\n");
    exit(1);
  }
}

static char *
read_all(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *data;
  long n;

  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0) {
    fprintf(stderr, "bench-works: cannot read %s\n", path);
    exit(1);
  }
  data = xmalloc((size_t)n + 1);
  if (fread(data, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "bench-works: cannot read %s\n", path);
    exit(1);
  }
  fclose(f);
  data[n] = '\0';
  *len = (size_t)n;
  return data;
}

int
main(int argc, char **argv)
{
  struct work_store_counts c;
  struct db *db = NULL;
  struct work *w;
  struct buf doc;
  uint8_t hash[SECURE_HASH_BYTES];
  char errbuf[512], path[1024], id[WORK_ID_HEX];
  double c0, m_setup, t_mat;
  size_t len;
  char *data;

  if (argc != 3) {
    fprintf(stderr, "usage: %s PAGE.html DIR\n", argv[0]);
    return 2;
  }
  log_set_level(LOG_LEVEL_WARN);
  if (secure_init())
    return 1;
  data = read_all(argv[1], &len);
  w = work_new(argv[1]);
  if (glowfic_html_parse(w, data, len, 0, errbuf, sizeof(errbuf)) != 0 ||
      work_finish(w, 300) != 0) {
    fprintf(stderr, "bench-works: cannot parse %s\n", argv[1]);
    return 1;
  }
  xfree(data);
  buf_init(&doc, WORKS_DOC_MAX_BYTES);
  work_json_stream(w, sink, &doc);
  secure_hash(hash, doc.data, doc.len, NULL, 0);
  work_id(w, id);
  printf("works bench: a document of %zu bytes (%zu posts, %zu sentences, "
         "%llu words; cap %u MiB)\n", doc.len, work_count_posts(w),
         work_count_sentences(w), (unsigned long long)work_count_words(w),
         WORKS_DOC_MAX_BYTES >> 20);
  work_free(w);
  snprintf(path, sizeof(path), "%s/works-bench.db", argv[2]);
  if (db_open_store(path, &db, errbuf, sizeof(errbuf)) != 0) {
    fprintf(stderr, "bench-works: %s\n", errbuf);
    return 1;
  }
  m_setup = bench_peak_mb();
  c0 = bench_cpu_s();
  if (works_materialise(db, (const uint8_t *)doc.data, doc.len, hash, id,
                        0, 0, 1, errbuf, sizeof(errbuf)) != 0) {
    fprintf(stderr, "bench-works: %s\n", errbuf);
    return 1;
  }
  t_mat = bench_cpu_s() - c0;
  if (work_store_count(db, id, &c) != 0) {
    fprintf(stderr, "bench-works: the work is not stored\n");
    return 1;
  }
  printf("works bench: materialised %lld posts, %lld sentences in %.2f s "
         "CPU (hash, parse, canonical check, store); peak RSS %.0f MB "
         "(%.0f MB before: the parse of the page and the document)\n",
         (long long)c.posts, (long long)c.sentences, t_mat, bench_peak_mb(),
         m_setup);
  buf_free(&doc);
  db_close(&db);
  return 0;
}
