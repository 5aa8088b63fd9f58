#!/usr/bin/env bash
# Three real daemons become one render farm. A founds the swarm and imports
# a work; B and C join with invite codes (nothing copied by hand); a render
# started on A is shared by all three: every node ends with the same
# state_hash, every result's audio blob present on every node and decoding,
# and sentences rendered by more than one node.
. "$(dirname "$0")/lib.sh"

DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
A=$T_TMP/a B=$T_TMP/b C=$T_TMP/c
FAST=(--repl-heads-ms 1000)

wait_for() {
  local n=$(($1 * 10)) i; shift
  for i in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
json_str() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
state_hash() {
  "$GLOWTALK" status --data "$1" --json 2>/dev/null | json_str state_hash
}
queue_done() {
  "$GLOWTALK" status --data "$1" --json 2>/dev/null |
    sed -n 's/.*"queue":{[^}]*"done":\([0-9]*\).*/\1/p'
}
q() { sqlite3 "$1/glowtalk.db" "$2"; }

run_cmd init --data "$A"
check "A founds a swarm" '[ "$RC" = 0 ]'
start_node "$A" --workers 1 "${FAST[@]}" || { not_ok "A starts"; done_testing; }
PIDA=$PID URLA=$URL

invite() {
  run_cmd invite --data "$A" --ttl 10m
  printf '%s' "$OUT" | grep -o 'gt1-[0-9A-Za-z-]*' | head -n 1
}
CODE_B=$(invite)
CODE_C=$(invite)
check "A prints two invite codes" \
  '[ -n "$CODE_B" ] && [ -n "$CODE_C" ] && [ "$CODE_B" != "$CODE_C" ]'
run_cmd join "$CODE_B" --data "$B" --name bee
check "B joins with its code" '[ "$RC" = 0 ]'
run_cmd join "$CODE_C" --data "$C" --name sea
check "C joins with its code" '[ "$RC" = 0 ]'
run_cmd join "$CODE_B" --data "$T_TMP/d"
check "a used code is refused" '[ "$RC" != 0 ] && [ ! -e "$T_TMP/d/glowtalk.db" ]'

start_node "$B" --workers 1 "${FAST[@]}" || { not_ok "B starts"; done_testing; }
PIDB=$PID
start_node "$C" --workers 1 "${FAST[@]}" || { not_ok "C starts"; done_testing; }
PIDC=$PID

run_cmd import --data "$A" "$DEMO" --json
W=$(printf '%s' "$OUT" | json_str work_id)
check "A imports the demo" '[ "$RC" = 0 ] && [ -n "$W" ]'
run_cmd book new "$W" --data "$A" --voice espeak:en-us --json
BOOK=$(printf '%s' "$OUT" | json_str book_id)
run_cmd render "$BOOK" --data "$A" --json
N=$(printf '%s' "$OUT" | sed -n 's/.*"queued":\([0-9]*\).*/\1/p')
check "A queues the book" '[ "$RC" = 0 ] && [ "${N:-0}" -gt 100 ]'

all_done() {
  local d
  for d in "$A" "$B" "$C"; do [ "$(queue_done "$d")" = "$N" ] || return 1; done
}
wait_for 180 all_done
check "every node sees every sentence done" '[ $? = 0 ]'
same_hash() {
  local h
  h=$(state_hash "$A")
  [ ${#h} = 64 ] && [ "$(state_hash "$B")" = "$h" ] &&
    [ "$(state_hash "$C")" = "$h" ]
}
wait_for 30 same_hash
check "the three nodes reach one state_hash" '[ $? = 0 ]'

AUTHORS=$(q "$A" "SELECT count(DISTINCT author) FROM st_results")
diag "results authored by $AUTHORS nodes"
check "the render was shared (results from all three nodes)" \
  '[ "$AUTHORS" = 3 ]'

# Each member's render throughput over the last minute, as A counts it
# from the Completes it applied: the swarm page's and status's figure.
busy() { grep -o '"per_minute":[0-9.e+-]*' | grep -vc '"per_minute":0$'; }
http GET "$URLA/api/peers"
check "A's /api/peers shows all three members rendering" \
  '[ "$CODE" = 200 ] && [ "$(printf "%s" "$BODY" | busy)" = 3 ]'
check "A's status --json shows B and C rendering" \
  '[ "$("$GLOWTALK" status --data "$A" --json | busy)" = 2 ]'

for d in "$A" "$B" "$C"; do
  wait_for 60 blobs_ok "$d"
  check "$(basename "$d"): every audio blob present and verified" '[ $? = 0 ]'
done
h=$(q "$C" "SELECT lower(hex(blob)) FROM st_results LIMIT 1")
check "the audio decodes" 'opusinfo "$C/blobs/${h:0:2}/$h.opus" >/dev/null 2>&1'
check "no fork anywhere" \
  '[ "$(q "$A" "SELECT count(*) FROM log_forks")$(q "$B" "SELECT count(*) FROM log_forks")$(q "$C" "SELECT count(*) FROM log_forks")" = 000 ]'
for p in "$PIDA" "$PIDB" "$PIDC"; do stop_node "$p"; done
done_testing
