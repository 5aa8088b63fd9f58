#!/usr/bin/env bash
# Faults (issue 6) with three real daemons on 127.0.0.1 rendering with the
# sleep:MS test engine and a short lease (lease-ms):
# - kill -9 of a node holding claims mid-render: the others take its
#   sentences over once its claims' lease runs out; nothing is lost (every
#   sentence done, one chosen result each), one state_hash, no fork;
# - that node restarted with its database wiped but its key kept: it
#   catches up before it appends anything, then works on; its feed goes on
#   after its old head and nobody sees a fork.
. "$(dirname "$0")/lib.sh"

DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
A=$T_TMP/a B=$T_TMP/b C=$T_TMP/c
LEASE=3000
export GLOWTALK_TEST_ENGINES=yes
OPTS=(--workers 2 --repl-heads-ms 500 --lease-ms "$LEASE")

done_of() { q "$1" "SELECT count(DISTINCT sentence) FROM st_results"; }

run_cmd init --data "$A"
start_node "$A" "${OPTS[@]}" || { not_ok "A starts"; done_testing; }
PIDA=$PID
for d in "$B" "$C"; do
  run_cmd invite --data "$A" --json
  code=$(printf '%s' "$OUT" | json_str code)
  run_cmd join "$code" --data "$d"
done
start_node "$B" "${OPTS[@]}" || { not_ok "B starts"; done_testing; }
PIDB=$PID
start_node "$C" "${OPTS[@]}" || { not_ok "C starts"; done_testing; }
PIDC=$PID
IDB=$(node_id "$B")

run_cmd import --data "$A" "$DEMO" --json
W=$(printf '%s' "$OUT" | json_str work_id)
have_work() { [ "$(q "$1" "SELECT count(*) FROM works WHERE work_id='$W'")" = 1 ]; }
wait_for 20 have_work "$B" && wait_for 20 have_work "$C"
check "B and C hold the work" '[ $? = 0 ]'
run_cmd book new "$W" --data "$A" --voice sleep:150 --json
BOOK=$(printf '%s' "$OUT" | json_str book_id)
run_cmd render "$BOOK" --data "$A" --json
N=$(printf '%s' "$OUT" | sed -n 's/.*"queued":\([0-9]*\).*/\1/p')
check "A queues the book ($N sentences)" '[ "${N:-0}" -gt 100 ]'

# B is working: it holds a claim, and some of its results are in.
b_busy() {
  [ "$(q "$A" "SELECT count(*) FROM st_claims WHERE lower(hex(author))='$IDB' AND released=0")" -gt 0 ] &&
    [ "$(q "$A" "SELECT count(*) FROM st_results WHERE lower(hex(author))='$IDB'")" -gt 0 ]
}
wait_for 60 b_busy
check "B claims and renders its share" '[ $? = 0 ]'
# Kill B right after A has all of B's entries (an entry B wrote and never
# sent is gone with its store: see below).
b_synced() {
  local h; h=$(q "$B" "SELECT max(seq) FROM log_entries WHERE lower(hex(author))='$IDB'")
  [ -n "$h" ] && [ "$(q "$A" "SELECT max(seq) FROM log_entries WHERE lower(hex(author))='$IDB'")" = "$h" ]
}
wait_for 20 b_synced
kill -9 "$PIDB"
wait "$PIDB" 2>/dev/null
B_HEAD=$(q "$B" "SELECT max(seq) FROM log_entries WHERE lower(hex(author))='$IDB'")
A_HAS=$(q "$A" "SELECT max(seq) FROM log_entries WHERE lower(hex(author))='$IDB'")
check "B is killed mid-render (its head: seq $B_HEAD; A holds $A_HAS)" \
  '! kill -0 $PIDB 2>/dev/null'

all_done() { [ "$(done_of "$A")" = "$N" ] && [ "$(done_of "$C")" = "$N" ]; }
wait_for 120 all_done
check "A and C finish every sentence without B" '[ $? = 0 ]'
TAKEN=$(q "$A" "SELECT count(*) FROM st_claims c WHERE c.supersedes IN (SELECT claim_id FROM st_claims WHERE lower(hex(author))='$IDB')")
check "B's stale claims were taken over (claims naming them: $TAKEN)" '[ "${TAKEN:-0}" -gt 0 ]'
check "one result per sentence on A (none lost, none doubled)" \
  '[ "$(q "$A" "SELECT count(*) FROM (SELECT 1 FROM st_results GROUP BY sentence)")" = "$N" ] && [ "$(q "$A" "SELECT count(*) FROM st_failures")" = 0 ]'
same_ac() { local h; h=$(hash_of "$A"); [ ${#h} = 64 ] && [ "$(hash_of "$C")" = "$h" ]; }
wait_for 20 same_ac
check "A and C reach one state_hash" '[ $? = 0 ]'

# B comes back with its key but an empty store, on its usual port, told
# where a member is (as after restoring a machine without its database).
B_ADDR=$(cat "$B/swarm.addr")
rm -f "$B"/glowtalk.db "$B"/glowtalk.db-wal "$B"/glowtalk.db-shm
start_node "$B" "${OPTS[@]}" --listen "$B_ADDR" \
  --peers "$(node_id "$A")@$(cat "$A/swarm.addr")" ||
  { not_ok "B restarts with a wiped store"; done_testing; }
PIDB=$PID
caught_up() {
  [ "$(q "$B" "SELECT max(seq) FROM log_entries WHERE lower(hex(author))='$IDB'")" = "$B_HEAD" ] &&
    [ "$(done_of "$B")" = "$N" ]
}
check "... its founder and admitter restored from DATA/anchor" \
  'wait_for 10 grep -q "founder and admitter restored from" "$B/daemon.log"'
if [ "$A_HAS" = "$B_HEAD" ]; then
  wait_for 60 caught_up
  check "B catches up with its own old feed and the book from the others" '[ $? = 0 ]'
  run_cmd book new "$W" --data "$B" --name after --json
  NEXT=$(q "$B" "SELECT max(seq) FROM log_entries WHERE lower(hex(author))='$IDB'")
  check "then B appends again, after its old head (seq $NEXT)" \
    '[ "$RC" = 0 ] && [ "${NEXT:-0}" -gt "$B_HEAD" ]'
else
  # B's last entries died with its store before anyone had them: its head
  # file still says B_HEAD, so B refuses to write rather than risk a fork.
  b_has_all() { [ "$(done_of "$B")" = "$N" ]; }
  wait_for 60 b_has_all
  check "B catches up with what the others hold" '[ $? = 0 ]'
  run_cmd book new "$W" --data "$B" --name after --json
  check "B refuses to append: its entries after $A_HAS are lost, a new one could fork" \
    '[ "$RC" != 0 ] && [[ "$ERR" == *"catching up"* ]]'
fi
same3() {
  local h; h=$(hash_of "$A")
  [ ${#h} = 64 ] && [ "$(hash_of "$B")" = "$h" ] && [ "$(hash_of "$C")" = "$h" ]
}
wait_for 30 same3
check "the three nodes reach one state_hash" '[ $? = 0 ]'
check "no fork anywhere" \
  '[ "$(q "$A" "SELECT count(*) FROM log_forks")$(q "$B" "SELECT count(*) FROM log_forks")$(q "$C" "SELECT count(*) FROM log_forks")" = 000 ]'
for p in "$PIDA" "$PIDB" "$PIDC"; do stop_node "$p"; done
done_testing
