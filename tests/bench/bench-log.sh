#!/usr/bin/env bash
# Log benchmark: builds tests/bench/log_bench.c against the library and
# runs it in a temp dir (see docs/PERFORMANCE.md, "Signed log").
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
LIBS="$(pkg-config --libs sqlite3 libcurl libxml-2.0 libsodium \
  libprotobuf-c espeak-ng opus libopusenc libcjson icu-uc icu-i18n libuv \
  2>/dev/null) -lcivetweb -lpthread -lm"
mkdir -p "$BUILD/bench"
cc -std=c11 -D_GNU_SOURCE -O2 -g -I. -I"$BUILD/gen" \
  -o "$BUILD/bench/log_bench" tests/bench/log_bench.c "$BUILD/libglowtalk.a" \
  $LIBS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/glowtalk-bench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# One core, as the target says.
if command -v taskset >/dev/null; then
  taskset -c 0 "$BUILD/bench/log_bench" "$tmp"
else
  "$BUILD/bench/log_bench" "$tmp"
fi
