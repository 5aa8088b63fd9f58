#!/usr/bin/env bash
# Import: 1,000,000 words of thread HTML built from the fixtures, parsed,
# segmented and stored on one core (issue 3 target: <= 3 s, <= 300 MB).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
FIX=${GLOWTALK_SRC:-$ROOT}/../shared/fixtures/glowfic
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
node "$ROOT/tests/bench/make-thread.js" "$FIX" "$TMP/thread.html" 1000000
GLOWTALK_LOG_LEVEL=warn taskset -c 0 "$ROOT/$BUILD/bench-import" "$TMP/thread.html" "$TMP/bench.db"
