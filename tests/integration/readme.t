#!/usr/bin/env bash
# The README's "Two nodes on one machine, by hand" block, run as written
# (issue 6: two nodes started by hand from the README render together).
# Only the data dirs (/tmp/a, /tmp/b) and the four ports are replaced by
# the test's own, and `glowtalk` on PATH is this build. Both nodes must
# connect, each render sentences of the book (espeak: the test waits until
# both have results, then cancels the rest), agree on the state hash and
# stop cleanly.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BLOCK=$T_TMP/block.sh
A=$T_TMP/a B=$T_TMP/b

# The first code block after the heading line.
awk '/^Two nodes on one machine, by hand/ { on = 1; next }
     on && /^```/ { if (inblock) exit; inblock = 1; next }
     inblock { print }' "$ROOT/README.md" > "$BLOCK"
check "the README has the two-node block" 'grep -q "glowtalk render" "$BLOCK" && grep -q "glowtalk join" "$BLOCK"'

# Four free ports in place of 8008 9001 8018 9002.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
P1=$(free_port) P2=$(free_port) P3=$(free_port) P4=$(free_port)
sed -i -e "s#/tmp/a#$A#g" -e "s#/tmp/b#$B#g" -e "s#:8008#:$P1#g" \
  -e "s#:9001#:$P2#g" -e "s#:8018#:$P3#g" -e "s#:9002#:$P4#g" "$BLOCK"
mkdir -p "$T_TMP/bin" && ln -s "$GLOWTALK" "$T_TMP/bin/glowtalk"
PATH=$T_TMP/bin:$PATH

cd "$ROOT" || exit 1
# shellcheck disable=SC1090
. "$BLOCK" >"$T_TMP/block.out" 2>&1
RC=$?
for j in $(jobs -p); do T_PIDS+=("$j"); done
check "the block runs to its end" '[ $RC = 0 ] && [ "$(jobs -p | wc -l)" = 2 ]'
check "its status shows the peer" 'grep -q "peers:          1 of 1 connected" "$T_TMP/block.out"'
check "it printed the book's queue" 'grep -q "^queue:          " "$T_TMP/block.out" && [ ${#BOOK} = 32 ]'

authors() { sqlite3 "$A/glowtalk.db" "SELECT count(DISTINCT author) FROM st_results"; }
both() { [ "$(authors)" = 2 ]; }
wait_for() {
  local n=$(($1 * 10)) i; shift
  for i in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
wait_for 90 both; check "both nodes render sentences of the book" '[ $? = 0 ]'
hash_of() { "$GLOWTALK" status --data "$1" --json | grep -o '"state_hash":"[0-9a-f]*"'; }
same() { [ "$(hash_of "$A")" = "$(hash_of "$B")" ]; }
run_cmd cancel "$BOOK" --data "$A" # quiesce: no new claims, in-flight finish
wait_for 30 same; check "they agree on the state hash" '[ $? = 0 ]'
STOPPED=0
for j in $(jobs -p); do
  kill -TERM "$j"
  wait "$j" && STOPPED=$((STOPPED + 1))
done
check "both stop cleanly on SIGTERM" '[ $STOPPED = 2 ]'
done_testing
