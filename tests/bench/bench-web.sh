#!/usr/bin/env bash
# Web (issue 7): on a real daemon holding a generated book of at least
# 100,000 sentences (all requested, so every sentence has a task), wrk with
# 100 connections against the progress and sentence-list endpoints; target
# p95 <= 50 ms each. Then the bytes the reader's first page load transfers
# before audio (target <= 300 KB), measured in Chromium.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
GT=$ROOT/$BUILD/glowtalk
FIX=${GLOWTALK_SRC:-$ROOT}/../shared/fixtures/glowfic
CONNS=${WEB_CONNS:-100}
SECS=${WEB_SECS:-10}
TARGET_MS=50
TARGET_KB=300
TMP=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "bench-web: wrk missing (bash tools/deps.sh)"; exit 1; }

# 1,300,000 words of thread built from the fixtures: ~101,000 sentences.
node "$ROOT/tests/bench/make-thread.js" "$FIX" "$TMP/thread.html" 1300000 >/dev/null
"$GT" init --data "$TMP/d" >/dev/null 2>&1
W=$("$GT" import --data "$TMP/d" --fetch-max-bytes=100000000 "$TMP/thread.html" --json 2>/dev/null | jq -r .work_id)
"$GT" run --data "$TMP/d" --ui 127.0.0.1:0 --listen 127.0.0.1:0 --render=no \
  --log-level=warn >"$TMP/daemon.log" 2>&1 &
PID=$!
for _ in $(seq 100); do [ -s "$TMP/d/ui.url" ] && break; sleep 0.1; done
URL=$(cat "$TMP/d/ui.url")
TOKEN=$(curl -s "$URL" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
J=(-s -H "X-CSRF-Token: $TOKEN" -H "Content-Type: application/json")
B=$(curl "${J[@]}" -X POST -d "{\"work_id\":\"$W\",\"name\":\"Bench\"}" "${URL}api/books" | jq -r .id)
curl "${J[@]}" -X POST "${URL}api/books/$B/render" >/dev/null
TOTAL=$(curl -s "${URL}api/books/$B/progress" | jq -r .total)
echo "web: book of $TOTAL sentences, all pending; $CONNS connections, ${SECS}s each"

fail=0
run() { # NAME PATH FROM_MAX
  local out p95
  out=$(WEB_PATH=$2 WEB_FROM_MAX=$3 wrk -t2 -c"$CONNS" -d"${SECS}s" --latency \
    -s "$ROOT/tests/bench/web-latency.lua" "${URL%/}" | grep '^RESULT')
  p95=$(sed 's/.*p95_ms=\([0-9.]*\).*/\1/' <<<"$out")
  if python3 -c "import sys; sys.exit(0 if $p95 <= $TARGET_MS else 1)"; then
    echo "web: $1: ${out#RESULT } (target p95 <= ${TARGET_MS} ms: ok)"
  else
    echo "web: $1: ${out#RESULT } (target p95 <= ${TARGET_MS} ms: MISSED)"
    fail=1
  fi
}
run "progress          GET /api/books/ID/progress" "/api/books/$B/progress" 0
run "book              GET /api/books/ID" "/api/books/$B" 0
run "sentences, 1 page GET /api/books/ID/sentences?from=50000" "/api/books/$B/sentences?from=50000&limit=200" 0
run "sentences, random GET /api/books/ID/sentences?from=RANDOM" "/api/books/$B/sentences?from={from}&limit=200" "$TOTAL"
run "posts, random     GET /api/books/ID/posts?from=RANDOM" "/api/books/$B/posts?from={from}&limit=20" 2000
run "metrics           GET /metrics" "/metrics" 0

# /metrics alone, the first time after the store changed (counts again)
# and then while nothing changes (kept per store generation).
TOKEN_H=(-H "X-CSRF-Token: $TOKEN" -H "Content-Type: application/json")
curl -s -o /dev/null "${TOKEN_H[@]}" -X PATCH -d '{"name":"Bench 2"}' "${URL}api/books/$B"
m1=$(curl -s -o /dev/null -w '%{time_total}' "${URL}metrics")
m2=$(curl -s -o /dev/null -w '%{time_total}' "${URL}metrics")
echo "web: metrics alone: $(python3 -c "print('%.1f ms after a change, %.1f ms unchanged' % ($m1 * 1000, $m2 * 1000))") (target well under 50 ms)"

# The reader's first load, before audio.
out=$(cd "$ROOT/tests/browser" && node reader-weight.mjs "${URL}#/books/$B/read" | grep '^RESULT')
bytes=$(sed 's/.*bytes=\([0-9]*\).*/\1/' <<<"$out")
kb=$((bytes / 1024))
if [ "$kb" -le "$TARGET_KB" ]; then verdict=ok; else verdict=MISSED; fail=1; fi
echo "web: reader first load: $kb KB in $(sed 's/.*requests=//' <<<"$out") responses before audio (target <= ${TARGET_KB} KB: $verdict)"
exit $fail
