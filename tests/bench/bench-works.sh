#!/usr/bin/env bash
# Works as content: materialise the work of 1,000,000 words of thread
# HTML (tests/bench/make-thread.js) from its document blob, on one core
# (docs/PERFORMANCE.md, "Works as content").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
FIX=${GLOWTALK_SRC:-$ROOT}/../shared/fixtures/glowfic
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
node "$ROOT/tests/bench/make-thread.js" "$FIX" "$TMP/thread.html" 1000000
taskset -c 0 "$ROOT/$BUILD/bench-works" "$TMP/thread.html" "$TMP"
