/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* What the benchmarks measure with: wall seconds (monotonic), CPU seconds
 * of this process (what "on one core" means on a shared machine) and the
 * peak resident memory. Header-only: each benchmark is one program. */
#ifndef GLOWTALK_BENCHCLOCK_H
#define GLOWTALK_BENCHCLOCK_H

#include <sys/resource.h>
#include <time.h>

static inline double
bench_wall_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double
bench_cpu_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident set of this process, MB. */
static inline double
bench_peak_mb(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0;
}

#endif
