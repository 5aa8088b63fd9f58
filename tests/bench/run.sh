#!/usr/bin/env bash
# Benchmarks (make bench). Each prints its figures; record them in
# docs/PERFORMANCE.md with the command that produced them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
FIX=${GLOWTALK_SRC:-$ROOT}/../shared/fixtures/glowfic
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Import: 1,000,000 words of thread HTML built from the fixtures.
node "$ROOT/tests/bench/make-thread.js" "$FIX" "$TMP/thread.html" 1000000
GLOWTALK_LOG_LEVEL=warn taskset -c 0 "$ROOT/$BUILD/bench-import" "$TMP/thread.html" "$TMP/bench.db"
