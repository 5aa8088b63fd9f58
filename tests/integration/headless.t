#!/usr/bin/env bash
# A headless node (issue 6): B joins A by invite and runs `glowtalk run
# --headless`: no web UI, it renders a book A queues (A renders nothing
# here), replicates the results back, and logs progress lines; `status`
# (plain and --json) shows its peers (connected, last seen, throughput),
# queue counts and a state hash equal to A's; SIGTERM stops it cleanly.
# The book is in the sleep:MS test engine, which A's UI does not offer
# while test-engines is off. The contrib systemd unit passes
# systemd-analyze verify.
. "$(dirname "$0")/lib.sh"
A=$T_TMP/a B=$T_TMP/b
DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
UNIT=$(cd "$(dirname "$0")/../.." && pwd)/contrib/glowtalk.service
node_id() { "$GLOWTALK" status --data "$1" --json | sed -n 's/^{"node_id":"\([0-9a-f]*\)".*/\1/p'; }
hash_of() { "$GLOWTALK" status --data "$1" --json | grep -o '"state_hash":"[0-9a-f]*"'; }
done_of() { "$GLOWTALK" status --data "$1" --json | sed -n 's/.*"queue":{[^}]*"done":\([0-9]*\).*/\1/p'; }
wait_for() {
  local n=$(($1 * 10)) i; shift
  for i in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}

"$GLOWTALK" init --data "$A" >/dev/null 2>&1
run_cmd import --data "$A" "$DEMO" --json
W=$(printf '%s' "$OUT" | sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p')
GLOWTALK_TEST_ENGINES=yes run_cmd book new "$W" --data "$A" --voice sleep:20 --json
BOOK=$(printf '%s' "$OUT" | sed -n 's/.*"book_id":"\([0-9a-f]\{32\}\)".*/\1/p')
check "A has a book in the sleep:20 test voice" '[ ${#BOOK} = 32 ]'

start_node "$A" --render=no --repl-heads-ms=500 ||
  { not_ok "A starts"; done_testing; }
PIDA=$PID URLA=$URL IDA=$(node_id "$A")
http GET "${URLA%/}/api/voices"
check "A's UI does not offer the sleep engine (test-engines off)" '[ "$CODE" = 200 ] && [[ $BODY != *sleep* ]]'
CODEB=$("$GLOWTALK" invite --data "$A" --json | sed -n 's/^{"code":"\([^"]*\)".*/\1/p')
run_cmd join "$CODEB" --data "$B" --name Spare
check "B joins by invite" '[ $RC = 0 ]'
IDB=$(node_id "$B")

GLOWTALK_TEST_ENGINES=yes "$GLOWTALK" run --data "$B" --headless \
  --listen 127.0.0.1:0 --workers 2 --repl-heads-ms=500 --progress-ms=300 \
  >"$B/daemon.log" 2>&1 &
PIDB=$!
T_PIDS+=("$PIDB")
wait_for 10 test -s "$B/swarm.addr"
check "headless B runs and listens on the swarm port" 'kill -0 $PIDB && [ -s "$B/swarm.addr" ]'
check "... serves no web UI" '[ ! -e "$B/ui.url" ] && grep -q "headless: no web UI" "$B/daemon.log" && ! grep -q "web UI on" "$B/daemon.log"'

run_cmd render "$BOOK" --data "$A" --json
N=$(printf '%s' "$OUT" | sed -n 's/.*"queued":\([0-9]*\).*/\1/p')
check "A queues the book ($N sentences)" '[ "${N:-0}" -gt 100 ]'
all_done() { [ "$(done_of "$A")" = "$N" ]; }
wait_for 90 all_done; check "B renders every sentence and A sees them done" '[ $? = 0 ]'
check "all by B, none failed" '[ "$(sqlite3 "$A/glowtalk.db" "SELECT count(DISTINCT sentence) FROM st_results WHERE lower(hex(author))=\"$IDB\"")" = "$N" ] && [ "$(sqlite3 "$A/glowtalk.db" "SELECT count(*) FROM st_failures")" = 0 ]'
same() { [ "$(hash_of "$A")" = "$(hash_of "$B")" ]; }
wait_for 10 same; check "A and B reach the same state hash" '[ $? = 0 ]'
blobs_at_a() {
  local h n=0
  for h in $(sqlite3 "$A/glowtalk.db" "SELECT lower(hex(blob)) FROM st_results"); do
    [ -s "$A/blobs/${h:0:2}/$h.opus" ] && n=$((n + 1))
  done
  [ "$n" = "$N" ]
}
wait_for 40 blobs_at_a; check "B's audio reaches A (every result's blob)" '[ $? = 0 ]'

progress_done() { grep -q "progress: $N done (+[0-9]*), 0 pending, 0 claimed, 0 failed; peers 1 of 1 connected" "$B/daemon.log"; }
wait_for 5 progress_done
check "B logs progress lines, the last with every sentence done" '[ $? = 0 ] && [ "$(grep -c "INFO  progress: " "$B/daemon.log")" -ge 2 ]'
quiet() {
  local n1
  n1=$(grep -c "INFO  progress: " "$B/daemon.log")
  sleep 1 # more than three periods
  [ "$(grep -c "INFO  progress: " "$B/daemon.log")" = "$n1" ]
}
wait_for 1 quiet # up to ten tries of a second
check "... and stays quiet once nothing moves" '[ $? = 0 ]'

"$GLOWTALK" status --data "$B" --json > "$T_TMP/st"
check "status --json: A as a peer, connected, last seen, throughput" 'grep -q "\"peers\":\[{\"node_id\":\"$IDA\",\"address\":\"[0-9.:]*\",\"connected\":true,\"direction\":\"out\",\"last_seen\":[1-9][0-9]*,\"bytes_in\":[1-9][0-9]*,\"bytes_out\":[1-9][0-9]*,\"rate_in\":[0-9.e+-]*,\"rate_out\":[0-9.e+-]*" "$T_TMP/st"'
check "status --json: queue counts and the state hash" 'grep -q "\"queue\":{\"pending\":0,\"claimed\":0,\"done\":$N,\"failed\":0}" "$T_TMP/st" && grep -q "$(hash_of "$A")" "$T_TMP/st"'
run_cmd status --data "$B"
check "plain status: peers, queue and state hash" '[[ $OUT == *"peers:          1 of 1 connected"*"queue:          0 pending, 0 claimed, $N done, 0 failed"*"state hash:     "[0-9a-f]* ]]'

stop_node "$PIDB"; check "SIGTERM stops headless B cleanly" '[ $? = 0 ] && grep -q "INFO  run: stopped" "$B/daemon.log"'
stop_node "$PIDA"; check "A stops cleanly" '[ $? = 0 ]'

if command -v systemd-analyze >/dev/null; then
  sed "s#/usr/local/bin/glowtalk#$GLOWTALK#" "$UNIT" > "$T_TMP/glowtalk.service"
  systemd-analyze verify "$T_TMP/glowtalk.service" >"$T_TMP/verify" 2>&1
  check "contrib/glowtalk.service passes systemd-analyze verify" '[ $? = 0 ] && [ ! -s "$T_TMP/verify" ]'
else
  ok "# SKIP systemd-analyze is not installed"
fi
check "the unit runs the node headless" 'grep -q "^ExecStart=/usr/local/bin/glowtalk run --headless$" "$UNIT"'
done_testing
