#!/usr/bin/env bash
# Log replication between two real daemons: B (admitted in A's log by
# tests/integration/repl-admit.c, a stand-in for invites) catches up with
# A's log to the same state hash, B's own entries reach A, B's address
# announcement lets a restarted A (on a new port) dial B, status shows
# replication, and a node whose store lost its own entries is fenced
# ("catching up with the swarm") until replication brings them back; one
# whose lost entries no member holds stays fenced and status says so.
. "$(dirname "$0")/lib.sh"
A=$T_TMP/a B=$T_TMP/b
ADMIT=$(dirname "$GLOWTALK")/repl-admit
for d in "$A" "$B"; do "$GLOWTALK" init --data "$d" >/dev/null 2>&1; done
cp "$A/network.key" "$B/network.key"
"$ADMIT" "$A" "$B" 2>/dev/null; check "B is admitted in A's log" '[ $? = 0 ]'
hash_of() { "$GLOWTALK" status --data "$1" --json | grep -o '"state_hash":"[0-9a-f]*"'; }
same() { [ "$(hash_of "$A")" = "$(hash_of "$B")" ]; }
IDA=$(node_id "$A") IDB=$(node_id "$B")

DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
run_cmd import --data "$A" "$DEMO" --json
W=$(printf '%s' "$OUT" | sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p')
run_cmd book new "$W" --data "$A" --name Shared --voice espeak:en --json
BOOK=$(printf '%s' "$OUT" | sed -n 's/.*"book_id":"\([0-9a-f]\{32\}\)".*/\1/p')
check "A has a book" '[ ${#BOOK} = 32 ]'

start_node "$A" --render=no --repl-heads-ms=200 || { not_ok "A starts"; done_testing; }
PIDA=$PID ADDRA=$(cat "$A/swarm.addr")
start_node "$B" --render=no --repl-heads-ms=200 --peers "$IDA@$ADDRA" ||
  { not_ok "B starts"; done_testing; }
PIDB=$PID
wait_for 15 same; check "B catches up to A's state hash" '[ $? = 0 ]'
"$GLOWTALK" status --data "$B" --json > "$T_TMP/st"
check "status --json has a replication object, not fenced" \
  'grep -q "\"replication\":{\"fenced\":false,\"behind\":0,\"quarantined\":0" "$T_TMP/st"'
check "B's peer entry counts entries in" \
  'grep -q "\"node_id\":\"$IDA\".*\"entries_in\":[1-9]" "$T_TMP/st"'

run_cmd cast "$BOOK" Orla espeak:en+f3 --data "$B"
check "B, a member now, writes to its own feed" '[ "$RC" = 0 ]'
wait_for 10 same; check "B's entry reaches A" '[ $? = 0 ]'
check "A holds B's address announcement" \
  '[ "$(sqlite3 "$A/glowtalk.db" "SELECT count(*) FROM st_addrs")" = 2 ]'

# A restarts on another port without --peers: it dials B from the log.
stop_node "$PIDA"
start_node "$A" --render=no --repl-heads-ms=200 || { not_ok "A restarts"; done_testing; }
PIDA=$PID
wait_for 15 connected "$A" "$IDB"; check "A dials B at its announced address" '[ $? = 0 ]'

# B's store loses its last own entry (an old backup): fenced.
stop_node "$PIDB"
sqlite3 "$B/glowtalk.db" "DELETE FROM log_entries WHERE author=x'$IDB' AND seq=(SELECT max(seq) FROM log_entries WHERE author=x'$IDB')"
"$GLOWTALK" rebuild-state --data "$B" >/dev/null 2>&1
run_cmd cast "$BOOK" Orla espeak:en+f2 --data "$B"
check "a node behind its own feed refuses to append" \
  '[ "$RC" != 0 ] && [[ $ERR == *"catching up with the swarm: 1 entries behind"* ]]'
"$GLOWTALK" status --data "$B" --json > "$T_TMP/st"
check "status says fenced" 'grep -q "\"replication\":{\"fenced\":true,\"behind\":1" "$T_TMP/st"'
run_cmd status --data "$B"
check "and in words: catching up, not 'not fenced'" \
  '[[ "$OUT" == *"catching up with the swarm: 1 own entries behind"* ]] && [[ "$OUT" != *"not fenced"* ]]'
start_node "$B" --render=no --repl-heads-ms=200 || { not_ok "B restarts"; done_testing; }
PIDB=$PID
fenced_off() { "$GLOWTALK" status --data "$B" --json | grep -q '"fenced":false'; }
wait_for 15 fenced_off; check "B catches up with its own feed" '[ $? = 0 ]'
run_cmd cast "$BOOK" Orla espeak:en+f2 --data "$B"
check "then it appends again" '[ "$RC" = 0 ]'
wait_for 10 same; check "and A agrees, without a fork" \
  '[ $? = 0 ] && [ "$(sqlite3 "$A/glowtalk.db" "SELECT count(*) FROM log_forks")" = 0 ]'

# B's store loses an own entry nobody else ever received (written while A
# was down): fenced for good, and status says why and what to do.
A_ADDR=$(cat "$A/swarm.addr")
stop_node "$PIDA"
run_cmd cast "$BOOK" Orla espeak:en+f4 --data "$B"
check "B writes while A is down" '[ "$RC" = 0 ]'
stop_node "$PIDB"; check "B stops cleanly" '[ $? = 0 ]'
sqlite3 "$B/glowtalk.db" "DELETE FROM log_entries WHERE author=x'$IDB' AND seq=(SELECT max(seq) FROM log_entries WHERE author=x'$IDB')"
"$GLOWTALK" rebuild-state --data "$B" >/dev/null 2>&1
# A comes back where B knows it is (fenced, B cannot announce a new port).
start_node "$A" --render=no --repl-heads-ms=200 --listen "$A_ADDR" ||
  { not_ok "A restarts"; done_testing; }
PIDA=$PID
start_node "$B" --render=no --repl-heads-ms=200 || { not_ok "B restarts"; done_testing; }
PIDB=$PID
lost() { "$GLOWTALK" status --data "$B" --json | grep -q '"fenced":true,"behind":1,"quarantined":0,"no_member_has_them":true'; }
wait_for 15 lost
check "status --json: fenced, and no connected member has the entry" '[ $? = 0 ]'
run_cmd status --data "$B"
check "status says the node must join again" \
  '[[ "$OUT" == *"no connected member holds them"* ]] && [[ "$OUT" == *"join CODE --data NEWDIR"* ]] && [[ "$OUT" != *"not fenced"* ]]'
check "the daemon warns once" \
  '[ "$(grep -c "no connected member holds them" "$B/daemon.log")" = 1 ]'
run_cmd cast "$BOOK" Orla espeak:en+f2 --data "$B"
check "and refuses to append rather than fork" \
  '[ "$RC" != 0 ] && [[ $ERR == *"catching up with the swarm"* ]]'
check "A saw no fork" '[ "$(sqlite3 "$A/glowtalk.db" "SELECT count(*) FROM log_forks")" = 0 ]'
stop_node "$PIDB"; check "B stops cleanly" '[ $? = 0 ]'
stop_node "$PIDA"; check "A stops cleanly" '[ $? = 0 ]'
done_testing
