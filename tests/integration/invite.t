#!/usr/bin/env bash
# Invites and joining over the join plane: A founds a swarm and runs; B
# joins with a code and connects; every attack (reused, expired, revoked,
# tampered, another network's code, garbage on the join plane) is refused
# with one clear reason, leaves no data dir and adds no member. Then the
# removal of a member drops its connection and refuses it.
. "$(dirname "$0")/lib.sh"
A=$T_TMP/a B=$T_TMP/b C=$T_TMP/c
"$GLOWTALK" init --data "$A" >/dev/null 2>&1
members() { sqlite3 "$A/glowtalk.db" 'SELECT count(*) FROM st_members'; }
code_of() { sed -n 's/^{"code":"\([^"]*\)".*/\1/p' <<<"$1"; }
id_of() { sed -n 's/.*"invite_id":"\([0-9a-f]*\)".*/\1/p' <<<"$1"; }
IDA=$(node_id "$A")

start_node "$A" || { not_ok "node A starts"; done_testing; }
PIDA=$PID URLA=$URL
ADDRA=$(cat "$A/swarm.addr")

run_cmd invite --data "$A"
check "invite prints a code and how to use it" '[ $RC = 0 ] && [[ $OUT == *"gt1-"*"glowtalk join CODE"* ]]'
run_cmd invite --data "$A" --json
CODE=$(code_of "$OUT") INV=$(id_of "$OUT")
check "invite --json gives code, id and expiry" '[[ $CODE == gt1-* ]] && [ ${#INV} = 32 ] && [[ $OUT == *"\"expires\":"* ]]'
check "the code's secret is not in A's log" '! grep -q "${CODE:4:40}" "$A/daemon.log"'
run_cmd invite --data "$A" --list
check "invite --list shows the open invite" '[ $RC = 0 ] && [[ $OUT == *"$INV"* ]]'

run_cmd join "$CODE" --data "$B" --name Bob --json
check "B joins with the code" '[ $RC = 0 ] && [[ $OUT == *"\"admitted_by\":\"$IDA\""* ]]'
IDB=$(sed -n 's/.*"node_id":"\([0-9a-f]*\)".*/\1/p' <<<"$OUT")
check "B has an identity, the network key and A's network" '[ -s "$B/identity.key" ] && cmp -s "$A/network.key" "$B/network.key"'
check "B pinned A as founder, admitted_by and join_peer" '[ "$(sqlite3 "$B/glowtalk.db" "SELECT group_concat(key||\"=\"||value, \" \") FROM (SELECT * FROM node_meta ORDER BY key)")" = "admitted_by=$IDA founder=$IDA join_peer=$IDA@$ADDRA" ]'
check "A's log has Admit(B) with B's name" '[ "$(sqlite3 "$A/glowtalk.db" "SELECT name FROM st_members WHERE lower(hex(node))=\"$IDB\"")" = Bob ]'
check "B has no Found entry (it did not found a swarm)" '[ "$(sqlite3 "$B/glowtalk.db" "SELECT count(*) FROM log_entries")" = 0 ]'
N0=$(members)

start_node "$B" || { not_ok "node B starts"; done_testing; }
PIDB=$PID URLB=$URL
wait_for 10 connected "$B" "$IDA"; check "B dials join_peer and connects to A" '[ $? = 0 ]'
wait_for 10 connected "$A" "$IDB"; check "A lists B as connected" '[ $? = 0 ]'

# ---- attacks: one clear reason each, nothing stored ----
run_cmd join "$CODE" --data "$T_TMP/x1"
check "a reused invite is refused as already used" '[ $RC != 0 ] && [[ $ERR == *"already used"* ]] && [ ! -e "$T_TMP/x1" ]'

mkdir "$T_TMP/empty"
run_cmd join "$CODE" --data "$T_TMP/empty"
check "a failed join into an existing empty dir leaves it empty" '[ $RC != 0 ] && [ -d "$T_TMP/empty" ] && [ -z "$(ls -A "$T_TMP/empty")" ]'

run_cmd invite --data "$A" --ttl 1s --json
C1=$(code_of "$OUT"); sleep 1.2
run_cmd join "$C1" --data "$T_TMP/x2"
check "an expired invite is refused as expired" '[ $RC != 0 ] && [[ $ERR == *"expired"* ]] && [ ! -e "$T_TMP/x2" ]'

run_cmd invite --data "$A" --json
C2=$(code_of "$OUT") I2=$(id_of "$OUT")
run_cmd invite --data "$A" --revoke "$I2"
check "invite --revoke revokes" '[ $RC = 0 ] && [[ $OUT == "revoked $I2" ]]'
run_cmd invite --data "$A" --revoke "$I2"
check "revoking twice says so" '[ $RC != 0 ] && [[ $ERR == *"revoked already"* ]]'
run_cmd join "$C2" --data "$T_TMP/x3"
check "a revoked invite is refused as revoked" '[ $RC != 0 ] && [[ $ERR == *"revoked"* ]] && [ ! -e "$T_TMP/x3" ]'

run_cmd invite --data "$A" --json
C3=$(code_of "$OUT")
mid=$(( ${#C3} / 2 )); ch=${C3:$mid:1}; [ "$ch" = a ] && new=b || new=a
BAD="${C3:0:$mid}$new${C3:$((mid + 1))}"
run_cmd join "$BAD" --data "$T_TMP/x4"
check "a tampered code is refused before any connection" '[ $RC != 0 ] && [[ $ERR == *"not a valid invite code"* ]] && [ ! -e "$T_TMP/x4" ]'
run_cmd join "gt1-$(head -c 3000 /dev/zero | tr '\0' 'a')" --data "$T_TMP/x4"
check "an oversized code is refused" '[ $RC != 0 ] && [[ $ERR == *"too long"* ]]'

"$GLOWTALK" init --data "$C" >/dev/null 2>&1
run_cmd invite --data "$C" --advertise "$ADDRA" --json
CC=$(code_of "$OUT")
run_cmd join "$CC" --data "$T_TMP/x5"
check "another network's code is refused at the handshake (wrong network)" '[ $RC != 0 ] && [[ $ERR == *"wrong network"* ]] && [ ! -e "$T_TMP/x5" ]'

PORTA=${ADDRA##*:}
for i in 1 2 3; do
  head -c 5000 /dev/urandom > "/dev/tcp/127.0.0.1/$PORTA" 2>/dev/null || true
done
node -e 'const s = require("net").connect(+process.argv[1], "127.0.0.1");
  s.on("connect", () => { s.write(Buffer.alloc(64, 7)); setTimeout(() => s.destroy(), 300); });
  s.on("error", () => {});' "$PORTA"
check "garbage on the join plane leaves A running" 'kill -0 $PIDA && grep -q "handshake failed" "$A/daemon.log"'
check "A stays connected to B" 'connected "$A" "$IDB"'
run_cmd join "$C3" --data "$T_TMP/y" --name Yan
check "after the garbage a valid invite still admits" '[ $RC = 0 ] && [ -s "$T_TMP/y/network.key" ]'
check "the attacks added no member (one more for Yan)" '[ "$(members)" = $((N0 + 1)) ]'

run_cmd join "$CODE" --data "$B"
check "join refuses an initialised data dir" '[ $RC != 0 ] && [[ $ERR == *"already initialised"* ]]'
run_cmd invite --data "$A" --ttl 0
check "invite --ttl 0 is a usage error" '[ $RC = 2 ]'
run_cmd invite --data "$A" --ttl 3w
check "invite --ttl 3w is a usage error" '[ $RC = 2 ]'

# ---- removal: the connection is dropped and refused from then on ----
run_cmd remove "$IDB" --data "$A"
check "remove B" '[ $RC = 0 ]'
wait_for 5 not connected "$A" "$IDB"; check "A drops B's connection after the Remove" '[ $? = 0 ]'
sleep 1.5
check "A refuses B's redials" 'not connected "$A" "$IDB" && grep -q "is not a member: refused" "$A/daemon.log"'
check "B was told why" 'grep -qE "removed from the swarm|no longer a member|not a member" "$B/daemon.log"'

stop_node "$PIDB"; check "B stops cleanly" '[ $? = 0 ]'
stop_node "$PIDA"; check "A stops cleanly" '[ $? = 0 ]'
done_testing
