#!/usr/bin/env bash
# Replication benchmark: builds tests/bench/repl-bench.c against the library
# and runs it in a temp dir (node/SWARM.md section 10, docs/PERFORMANCE.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
LIBS="$(pkg-config --libs sqlite3 libcurl libxml-2.0 libsodium \
  libprotobuf-c espeak-ng opus libopusenc libcjson icu-uc icu-i18n libuv \
  2>/dev/null) -lcivetweb -lpthread -lm"
mkdir -p "$BUILD/bench"
cc -std=c11 -D_GNU_SOURCE -O2 -g -I. -I"$BUILD/gen" \
  -o "$BUILD/bench/repl_bench" tests/bench/repl-bench.c "$BUILD/libglowtalk.a" \
  $LIBS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/glowtalk-bench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# One core: both nodes run on one loop thread.
if command -v taskset >/dev/null; then
  taskset -c 0 "$BUILD/bench/repl_bench" "$tmp"
else
  "$BUILD/bench/repl_bench" "$tmp"
fi
