#!/usr/bin/env bash
# Two real daemons on 127.0.0.1 with their own data dirs and one network
# key (copied, and B admitted in A's log by tests/integration/repl-admit.c:
# a stand-in for invites) connect, list each other as peers,
# and reconnect after one is killed with -9 and restarted. A third node with
# another network key is never let in.
. "$(dirname "$0")/lib.sh"
A=$T_TMP/a B=$T_TMP/b C=$T_TMP/c
for d in "$A" "$B" "$C"; do "$GLOWTALK" init --data "$d" >/dev/null 2>&1; done
cp "$A/network.key" "$B/network.key"
ADMIT=$(dirname "$GLOWTALK")/repl-admit
"$ADMIT" "$A" "$B" 2>/dev/null || not_ok "B is admitted in A's log"
IDA=$(node_id "$A") IDB=$(node_id "$B") IDC=$(node_id "$C")
check "node ids" '[ ${#IDA} = 64 ] && [ ${#IDB} = 64 ] && [ "$IDA" != "$IDB" ]'

start_node "$A" || { not_ok "node A starts"; done_testing; }
PIDA=$PID URLA=$URL
ADDRA=$(cat "$A/swarm.addr")
check "A writes its swarm address" '[[ $ADDRA =~ ^127\.0\.0\.1:[0-9]+$ ]] && [ "${ADDRA#*:}" != 0 ]'
start_node "$B" --peers "$IDA@$ADDRA" || { not_ok "node B starts"; done_testing; }
PIDB=$PID
wait_for 10 connected "$B" "$IDA"; check "B lists A as connected" '[ $? = 0 ]'
wait_for 10 connected "$A" "$IDB"; check "A lists B as connected" '[ $? = 0 ]'
"$GLOWTALK" status --data "$A" --json > "$T_TMP/st"
check "status shows throughput fields" 'grep -q "\"bytes_in\":[1-9][0-9]*,\"bytes_out\":[1-9]" "$T_TMP/st" && grep -q "\"last_seen\":[0-9]" "$T_TMP/st"'
events=$(curl -s -N -m 1 "${URLA}api/events?after=0" || true)
check "A publishes a live peer event" '[[ $events == *"event: peer"*"\"node_id\":\"$IDB\",\"connected\":true"* ]]'
run_cmd status --data "$A"
check "plain status counts the peer" '[[ $OUT == *"peers:          1 of 1 connected"*"${IDB:0:16}"*connected* ]]'
http GET "${URL%/}/api/status"
check "B's GET /api/status lists A as a connected peer" '[ "$CODE" = 200 ] && [[ $BODY == *"\"peers\":[{\"node_id\":\"$IDA\",\"address\":\"$ADDRA\",\"connected\":true"* ]]'

# C has its own network key: it cannot even complete the handshake.
start_node "$C" --peers "$IDA@$ADDRA" || { not_ok "node C starts"; done_testing; }
PIDC=$PID
sleep 1
check "a node with another network key is not connected" 'not connected "$C" "$IDA" && ! "$GLOWTALK" status --data "$A" --json | grep -q "$IDC"'
check "A refused C at the handshake" 'grep -q "handshake failed" "$A/daemon.log"'
stop_node "$PIDC"

# control op "connect": a third member dialled at run time.
D=$T_TMP/d
"$GLOWTALK" init --data "$D" >/dev/null 2>&1
cp "$A/network.key" "$D/network.key"
stop_node "$PIDA"
"$ADMIT" "$A" "$D" 2>/dev/null || not_ok "D is admitted in A's log"
start_node "$A" --listen "$ADDRA" || { not_ok "node A restarts"; done_testing; }
PIDA=$PID
wait_for 15 connected "$A" "$IDB"
IDD=$(node_id "$D")
start_node "$D" || { not_ok "node D starts"; done_testing; }
PIDD=$PID
ctl() {
  node -e 'const c = require("net").connect(process.argv[1]);
    c.on("connect", () => c.write(process.argv[2] + "\n"));
    let b = ""; c.on("data", d => b += d); c.on("end", () => process.stdout.write(b));' \
    "$1/control.sock" "$2"
}
reply=$(ctl "$D" "{\"op\":\"connect\",\"args\":{\"node_id\":\"$IDA\",\"address\":\"$ADDRA\"}}")
check "control op connect accepts a node" '[[ $reply == *"\"ok\":true"* ]]'
wait_for 10 connected "$D" "$IDA"; check "D connects to A at run time" '[ $? = 0 ]'
reply=$(ctl "$D" "{\"op\":\"connect\",\"args\":{\"node_id\":\"$IDD\",\"address\":\"$ADDRA\"}}")
check "connect refuses our own node id" '[[ $reply == *"\"ok\":false"*"own node id"* ]]'
reply=$(ctl "$D" '{"op":"connect","args":{"node_id":"zz","address":"x"}}')
check "connect refuses a bad node id" '[[ $reply == *"\"ok\":false"* ]]'
stop_node "$PIDD"

# kill -9 A and restart it on the same port: B redials and reconnects.
kill -9 "$PIDA"; wait "$PIDA" 2>/dev/null
wait_for 10 not connected "$B" "$IDA"; check "B sees A gone" '[ $? = 0 ]'
start_node "$A" --listen "$ADDRA" || { not_ok "node A restarts"; done_testing; }
PIDA=$PID
wait_for 15 connected "$B" "$IDA"; check "B reconnects to the restarted A" '[ $? = 0 ]'
wait_for 10 connected "$A" "$IDB"; check "the restarted A lists B" '[ $? = 0 ]'
check "B counts three connections to A (A restarted twice)" '"$GLOWTALK" status --data "$B" --json | grep -q "\"connects\":3"'

# kill -9 B and restart it: it dials A again at once.
kill -9 "$PIDB"; wait "$PIDB" 2>/dev/null
start_node "$B" --peers "$IDA@$ADDRA" || { not_ok "node B restarts"; done_testing; }
PIDB=$PID
wait_for 10 connected "$B" "$IDA"; check "the restarted B reconnects" '[ $? = 0 ]'
stop_node "$PIDB"; check "B stops cleanly" '[ $? = 0 ]'
stop_node "$PIDA"; check "A stops cleanly" '[ $? = 0 ]'
check "A heard B's goodbye or close" 'grep -q "disconnected" "$A/daemon.log"'
done_testing
