#!/usr/bin/env bash
# A partition heals (issue 6): four real daemons on 127.0.0.1, each on its
# own loopback address (127.0.7.1-4) behind tests/integration/faultproxy.js,
# render a book with the sleep:MS test engine and a short lease. The proxy
# cuts {A,B} from {C,D} mid-render; each side takes the other's claims
# over once their lease runs out and renders on, and both rename the book.
# After the heal: one state_hash everywhere, the same chosen result for
# every sentence on every node, every blob on every node, no fork.
. "$(dirname "$0")/lib.sh"

DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
PROXY=$(dirname "$0")/faultproxy.js
A=$T_TMP/a B=$T_TMP/b C=$T_TMP/c D=$T_TMP/d
NODES=("$A" "$B" "$C" "$D")
HOSTS=(127.0.7.1 127.0.7.2 127.0.7.3 127.0.7.4)
LEASE=2000
export GLOWTALK_TEST_ENGINES=yes
OPTS=(--workers 2 --repl-heads-ms 500 --lease-ms "$LEASE")

done_of() { q "$1" "SELECT count(*) FROM st_sentence_state WHERE state=3"; }
head_of() { q "$1" "SELECT coalesce(max(seq),0) FROM log_entries WHERE lower(hex(author))='$2'"; }

node "$PROXY" "$T_TMP/ports" "${HOSTS[0]}=left" "${HOSTS[1]}=left" \
  "${HOSTS[2]}=right" "${HOSTS[3]}=right" 2>"$T_TMP/proxy.log" &
PROXY_PID=$!
T_PIDS+=("$PROXY_PID")
wait_for 10 test -s "$T_TMP/ports"
check "the proxy listens for four nodes" '[ "$(wc -l <"$T_TMP/ports")" = 4 ]'
port_of() { sed -n "s/^$1 //p" "$T_TMP/ports"; }

# start I: node I listens on its own address and advertises its proxy.
PIDS=()
start() {
  local i=$1 p; p=$(port_of "${HOSTS[$i]}")
  start_node "${NODES[$i]}" "${OPTS[@]}" --listen "${HOSTS[$i]}:$p" \
    --advertise "127.0.0.1:$p" || return 1
  PIDS[$i]=$PID
}
run_cmd init --data "$A"
start 0 || { not_ok "A starts"; done_testing; }
for i in 1 2 3; do
  run_cmd invite --data "$A" --json --advertise "127.0.0.1:$(port_of "${HOSTS[0]}")"
  code=$(printf '%s' "$OUT" | json_str code)
  run_cmd join "$code" --data "${NODES[$i]}"
  [ "$RC" = 0 ] || diag "join $i: $ERR"
  start "$i" || { not_ok "node $i starts"; done_testing; }
done
IDS=()
for i in 0 1 2 3; do IDS[$i]=$(node_id "${NODES[$i]}"); done
all_linked() {
  local i j
  for i in 0 1 2 3; do for j in 0 1 2 3; do
    [ "$i" = "$j" ] || connected "${NODES[$i]}" "${IDS[$j]}" || return 1
  done; done
}
wait_for 30 all_linked
check "the four nodes are connected to each other (through the proxy)" '[ $? = 0 ]'

run_cmd import --data "$A" "$DEMO" --json
W=$(printf '%s' "$OUT" | json_str work_id)
run_cmd book new "$W" --data "$A" --voice sleep:250 --json
BOOK=$(printf '%s' "$OUT" | json_str book_id)
run_cmd render "$BOOK" --data "$A" --json
N=$(printf '%s' "$OUT" | sed -n 's/.*"queued":\([0-9]*\).*/\1/p')
check "A queues the book ($N sentences)" '[ "${N:-0}" -gt 100 ]'
# Every node holds the render and has rendered some of it.
working() { [ "$(done_of "$1")" -gt 0 ] && [ "$(q "$1" "SELECT count(*) FROM st_results WHERE lower(hex(author))='$2'")" -gt 0 ]; }
all_working() {
  local i
  for i in 0 1 2 3; do working "${NODES[$i]}" "${IDS[$i]}" || return 1; done
}
wait_for 30 all_working
check "all four render their share" '[ $? = 0 ]'

# ---- the cut ----
kill -USR1 "$PROXY_PID"
cut_off() {
  not connected "$A" "${IDS[2]}" && not connected "$A" "${IDS[3]}" &&
    not connected "$B" "${IDS[2]}" && not connected "$B" "${IDS[3]}" &&
    not connected "$C" "${IDS[0]}" && not connected "$D" "${IDS[1]}"
}
wait_for 10 cut_off
check "the cut separates {A,B} from {C,D}" '[ $? = 0 ]'
DONE_CUT=$(done_of "$A")
C_SEEN=$(head_of "$A" "${IDS[2]}")
A_SEEN=$(head_of "$C" "${IDS[0]}")

# Both sides rename the book while apart (last writer wins after the heal).
rename() {
  local url token; url=$(cat "$1/ui.url")
  token=$(curl -s "$url" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
  http PATCH "${url}api/books/$BOOK" -H "X-CSRF-Token: $token" \
    -H "Content-Type: application/json" -d "{\"name\":\"$2\"}"
  [ "$CODE" = 200 ]
}
rename "$A" "left side" && rename "$D" "right side"
check "each side renames the book" '[ $? = 0 ]'

# Both sides go on: each takes over the other side's expired claims.
both_progress() {
  [ "$(done_of "$A")" -ge $((DONE_CUT + 20)) ] &&
    [ "$(done_of "$C")" -ge $((DONE_CUT + 20)) ]
}
sleep $((LEASE / 1000 + 2))
wait_for 30 both_progress
check "both sides render on while apart" '[ $? = 0 ]'
TAKEN_L=$(q "$A" "SELECT count(*) FROM st_claims WHERE lower(hex(author)) IN ('${IDS[0]}','${IDS[1]}') AND supersedes IN (SELECT claim_id FROM st_claims WHERE lower(hex(author)) IN ('${IDS[2]}','${IDS[3]}'))")
TAKEN_R=$(q "$C" "SELECT count(*) FROM st_claims WHERE lower(hex(author)) IN ('${IDS[2]}','${IDS[3]}') AND supersedes IN (SELECT claim_id FROM st_claims WHERE lower(hex(author)) IN ('${IDS[0]}','${IDS[1]}'))")
check "each side took the other's claims over (left $TAKEN_L, right $TAKEN_R)" \
  '[ "${TAKEN_L:-0}" -gt 0 ] && [ "${TAKEN_R:-0}" -gt 0 ]'
check "nothing crossed the cut (A still holds C up to seq $C_SEEN, C holds A up to $A_SEEN)" \
  '[ "$(head_of "$A" "${IDS[2]}")" = "$C_SEEN" ] && [ "$(head_of "$C" "${IDS[0]}")" = "$A_SEEN" ] && [ "$(head_of "$C" "${IDS[2]}")" -gt "$C_SEEN" ]'

# ---- the heal ----
kill -USR2 "$PROXY_PID"
wait_for 60 all_linked
check "the nodes reconnect across the healed cut" '[ $? = 0 ]'
all_done() {
  local d
  for d in "${NODES[@]}"; do [ "$(done_of "$d")" = "$N" ] || return 1; done
}
wait_for 120 all_done
check "every node has every sentence done" '[ $? = 0 ]'
same4() {
  local h d; h=$(hash_of "$A")
  [ ${#h} = 64 ] || return 1
  for d in "$B" "$C" "$D"; do [ "$(hash_of "$d")" = "$h" ] || return 1; done
}
wait_for 30 same4
check "the four nodes reach one state_hash" '[ $? = 0 ]'
chosen() { q "$1" "SELECT sentence, hex(res_author), hex(blob) FROM st_sentence_state ORDER BY sentence" | b2sum; }
check "every node chose the same result for every sentence" \
  '[ "$(chosen "$B")" = "$(chosen "$A")" ] && [ "$(chosen "$C")" = "$(chosen "$A")" ] && [ "$(chosen "$D")" = "$(chosen "$A")" ]'
DUPS=$(q "$A" "SELECT count(*) FROM (SELECT 1 FROM st_results GROUP BY sentence HAVING count(*) > 1)")
check "one chosen result each, though $DUPS sentences were rendered on both sides" \
  '[ "$(q "$A" "SELECT count(DISTINCT sentence) FROM st_sentence_state WHERE blob IS NOT NULL")" = "$N" ] && [ "$(q "$A" "SELECT count(*) FROM st_failures")" = 0 ]'
NAMES=$(for d in "${NODES[@]}"; do q "$d" "SELECT name FROM st_books WHERE lower(hex(book))='$BOOK'"; done | sort -u)
check "one name for the book everywhere ($NAMES)" \
  '[ "$(printf "%s\n" "$NAMES" | wc -l)" = 1 ] && [[ "$NAMES" == *side* ]]'

all_blobs() { local d; for d in "${NODES[@]}"; do blobs_ok "$d" || return 1; done; }
wait_for 60 all_blobs
check "every audio blob, from both sides, is present and verified on every node" '[ $? = 0 ]'
forks=$(for d in "${NODES[@]}"; do q "$d" "SELECT count(*) FROM log_forks"; done | tr -d '\n')
check "no fork anywhere" '[ "$forks" = 0000 ]'
for p in "${PIDS[@]}"; do stop_node "$p"; done
kill -TERM "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null
done_testing
