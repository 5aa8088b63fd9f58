#!/usr/bin/env bash
# Swarm scaling (issue 6): about 2,000 sentences rendered with the sleep:100
# test engine by 1, 2, 4 and 8 real daemons on 127.0.0.1 (founder + invited
# members). Prints throughput against N x one node (target >= 0.9) and the
# share of sentences rendered more than once (target <= 2%).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
GT=$ROOT/$BUILD/glowtalk
FIX=${GLOWTALK_SRC:-$ROOT}/../shared/fixtures/glowfic
SIZES=${SWARM_SCALE_SIZES:-1 2 4 8}
WORKERS=${SWARM_SCALE_WORKERS:-2}   # sleep workers per node
WORDS=${SWARM_SCALE_WORDS:-26000}   # about 2,000 sentences
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ -n "${SWARM_SCALE_KEEP:-}" ]; then
    echo "bench: data dirs kept in $TMP" >&2
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT
export HOME=$TMP/home GLOWTALK_TEST_ENGINES=yes
mkdir -p "$HOME"
MAKE_THREAD_UNIQUE=1 node "$ROOT/tests/bench/make-thread.js" "$FIX" "$TMP/thread.html" "$WORDS" \
  >/dev/null

# CPU seconds (user + system) used so far by the live processes whose
# command line names DIR: the daemons and their forked render workers.
cpu_of() {
  local dir=$1 pid sum=0 t
  for pid in $(pgrep -f -- "--data $dir/" || true); do
    t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || continue
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}
json_str() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
json_num() { sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p"; }
now_ms() { date +%s%3N; }

start() {
  local d=$1
  rm -f "$d/ui.url"
  GLOWTALK_LOG_LEVEL=warn "$GT" run --data "$d" --headless \
    --listen 127.0.0.1:0 --workers "$WORKERS" \
    >>"$d/daemon.log" 2>&1 &
  PIDS+=($!)
  local i
  for i in $(seq 1 100); do
    [ -s "$d/swarm.addr" ] && return 0
    sleep 0.1
  done
  echo "bench: node $d did not start" >&2
  return 1
}

# run_swarm N: prints "SENTENCES MS DUPLICATES"
run_swarm() {
  local n=$1 base=$TMP/swarm$1 i d code
  mkdir -p "$base"
  "$GT" init --data "$base/n1" >/dev/null
  start "$base/n1"
  for i in $(seq 2 "$n"); do
    d=$base/n$i
    code=$("$GT" invite --data "$base/n1" --ttl 1h | grep -o 'gt1-[0-9A-Za-z-]*')
    "$GT" join "$code" --data "$d" >/dev/null
    start "$d"
  done
  local w b total t0 t1 done_n dup
  w=$("$GT" import --data "$base/n1" "$TMP/thread.html" --json | json_str work_id)
  # every node must hold the work before the clock starts
  for i in $(seq 1 "$n"); do
    until sqlite3 "$base/n$i/glowtalk.db" \
        "SELECT 1 FROM works WHERE work_id='$w'" 2>/dev/null | grep -q 1; do
      sleep 0.2
    done
  done
  b=$("$GT" book new "$w" --data "$base/n1" --voice sleep:100 --json |
      json_str book_id)
  c0=$(cpu_of "$base")
  t0=$(now_ms)
  total=$("$GT" render "$b" --data "$base/n1" --json | json_num queued)
  # Poll with one cheap query: `glowtalk status` would compete with the
  # nodes for the CPU.
  while :; do
    done_n=$(sqlite3 "$base/n1/glowtalk.db" \
             "SELECT count(DISTINCT sentence) FROM st_results" 2>/dev/null)
    [ "${done_n:-0}" = "$total" ] && break
    sleep 0.1
  done
  t1=$(now_ms)
  c1=$(cpu_of "$base")
  dup=$(sqlite3 "$base/n1/glowtalk.db" \
        "SELECT count(*) - count(DISTINCT sentence) FROM st_results")
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
  echo "$total $((t1 - t0)) $dup $((c1 - c0))"
}

echo "swarm scaling: sleep:100 engine, $WORKERS workers per node"
ONE=""
for n in $SIZES; do
  read -r total ms dup ticks < <(run_swarm "$n")
  rate=$(awk -v t="$total" -v ms="$ms" 'BEGIN { printf "%.1f", t * 1000 / ms }')
  [ -z "$ONE" ] && ONE=$rate
  awk -v n="$n" -v t="$total" -v ms="$ms" -v r="$rate" -v one="$ONE" -v d="$dup" \
    -v cpu="$ticks" -v hz="$(getconf CLK_TCK)" -v cores="$(nproc)" \
    'BEGIN { printf "  %d node(s): %d sentences in %.1f s = %s/s; %.2f x N x one node (target >= 0.9); duplicated renders %d = %.2f%% (target <= 2%%); CPU %.1f ms per sentence, %.0f%% of %d cores\n",
             n, t, ms / 1000, r, r / (n * one), d, 100 * d / t,
             1000 * cpu / hz / t, 100 * cpu / hz / (ms / 1000) / cores, cores }'
done
