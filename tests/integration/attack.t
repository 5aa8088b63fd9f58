#!/usr/bin/env bash
# Attacks on a real daemon over its real swarm port (issue 6): A founds a
# swarm, B and M join by invite, B runs. tests/integration/attack-peer.c
# speaks the real protocol as M (a member that turns hostile), as a
# non-member, as another network, and on the invite join plane; after
# each attack A has stored nothing (log count and state_hash unchanged),
# is still running, answers its UI and keeps B connected; at the end B's
# new entries still reach A. The join-command paths of reused, expired
# and revoked invites are in invite.t; here they are checked to store
# nothing too.
. "$(dirname "$0")/lib.sh"
A=$T_TMP/a B=$T_TMP/b M=$T_TMP/m N=$T_TMP/n W=$T_TMP/w
ATTACK=$(dirname "$GLOWTALK")/attack-peer
"$GLOWTALK" init --data "$A" >/dev/null 2>&1
"$GLOWTALK" init --data "$N" >/dev/null 2>&1
"$GLOWTALK" init --data "$W" >/dev/null 2>&1
cp "$A/network.key" "$N/network.key" # N: the right key, never admitted

node_id() { "$GLOWTALK" status --data "$1" --json | sed -n 's/^{"node_id":"\([0-9a-f]*\)".*/\1/p'; }
hash_of() { "$GLOWTALK" status --data "$1" --json | grep -o '"state_hash":"[0-9a-f]*"'; }
count_of() { sqlite3 "$1/glowtalk.db" 'SELECT count(*) FROM log_entries'; }
forks_of() { sqlite3 "$1/glowtalk.db" 'SELECT count(*) FROM log_forks'; }
same() { [ "$(hash_of "$A")" = "$(hash_of "$B")" ]; }
connected() {
  "$GLOWTALK" status --data "$1" --json |
    grep -q "\"node_id\":\"$2\",\"address\":[^,]*,\"connected\":true"
}
wait_for() {
  local n=$(($1 * 10)) i; shift
  for i in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
code_of() { sed -n 's/^{"code":"\([^"]*\)".*/\1/p' <<<"$1"; }
id_of() { sed -n 's/.*"invite_id":"\([0-9a-f]*\)".*/\1/p' <<<"$1"; }
IDA=$(node_id "$A") IDN=$(node_id "$N")

start_node "$A" --render=no --repl-heads-ms=200 --repl-stall-ms=300 ||
  { not_ok "node A starts"; done_testing; }
PIDA=$PID URLA=$URL ADDRA=$(cat "$A/swarm.addr")
invite() { run_cmd invite --data "$A" --json "$@"; code_of "$OUT"; }
CB=$(invite) CM=$(invite)
"$GLOWTALK" join "$CB" --data "$B" --name Bee >/dev/null 2>&1
"$GLOWTALK" join "$CM" --data "$M" --name Mallory >/dev/null 2>&1
check "B and M joined by invite" '[ -s "$B/network.key" ] && [ -s "$M/network.key" ]'
IDB=$(node_id "$B") IDM=$(node_id "$M")
# Invites that must not work (used, expired, revoked), and one left open
# for the join-plane attacks.
CEXP=$(invite --ttl 1s)
run_cmd invite --data "$A" --json; CREV=$(code_of "$OUT") IREV=$(id_of "$OUT")
run_cmd invite --data "$A" --revoke "$IREV"
COPEN=$(invite) CBUSY=$(invite)
start_node "$B" --render=no --repl-heads-ms=200 ||
  { not_ok "node B starts"; done_testing; }
PIDB=$PID
wait_for 10 connected "$A" "$IDB"; check "A and B are connected" '[ $? = 0 ]'
wait_for 15 same; check "B caught up with A" '[ $? = 0 ]'
sleep 1 # let B's address announcement settle on both
wait_for 10 same
H0=$(hash_of "$A") N0=$(count_of "$A")
check "baseline: A has a state hash and a log" '[ -n "$H0" ] && [ "$N0" -gt 4 ]'

# unchanged WHAT: A stored nothing, still runs, its UI answers and B is
# still connected to it.
unchanged() {
  check "$1: nothing stored" '[ "$(count_of "$A")" = "$N0" ] && [ "$(hash_of "$A")" = "$H0" ] && [ "$(forks_of "$A")" = 0 ]'
  http GET "${URLA%/}/api/status"
  check "$1: A still runs, its UI answers, B stays connected" 'kill -0 $PIDA && [ "$CODE" = 200 ] && connected "$A" "$IDB"'
}
attack() { R=$("$ATTACK" "$@" 2>&1); RC=$?; R=${R##*$'\n'}; }

# ---- the tool works: a member's handshake and Hello are accepted ----
OUTS=$("$ATTACK" "$M" "$IDA" "$ADDRA" hello 2>&1)
check "control: M (a member) is let in and sees the heads" '[[ $OUTS == *"ready: server at seq "*", we at seq 0"* ]]'
check "control: A answers M's goodbye with its close" '[[ ${OUTS##*$'"'"'\n'"'"'} == closed* ]]'

# ---- handshake attacks ----
attack "$W" "$IDA" "$ADDRA" handshake
check "another network's key: refused at msg 1, A says nothing" '[ $RC = 0 ] && [[ $R == "refused"*"after our 64 bytes"* ]]'
unchanged "wrong network key"
attack "$N" "$IDA" "$ADDRA" handshake
check "a non-member key: refused after msg 3, no msg 4" '[ $RC = 0 ] && [[ $R == "refused"*"after our 176 bytes"* ]]'
check "A logged the non-member" 'grep -q "${IDN:0:16}… is not a member: refused" "$A/daemon.log"'
unchanged "non-member key"
OUTS=$("$ATTACK" "$M" "$IDA" "$ADDRA" replay 2>&1)
check "a replayed handshake (msg 1 + msg 3 of a good one) gets no msg 4" '[[ $OUTS == *"first handshake accepted"*"refused: no msg 4"* ]]'
unchanged "replayed handshake"

# 600 silent TCP connections (anyone can open them: no key needed) must
# not lock members out: past 64 pending handshakes the oldest makes room.
PORTA=${ADDRA##*:} FDS=()
for i in $(seq 1 600); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$PORTA" && FDS+=("$fd")
done
OUTS=$("$ATTACK" "$M" "$IDA" "$ADDRA" hello 2>&1)
check "with 600 silent connections open, a member still gets in" '[ ${#FDS[@]} = 600 ] && [[ $OUTS == *"ready: server at seq "* ]]'
unchanged "600 silent connections"
for fd in "${FDS[@]}"; do exec {fd}>&-; done

# ---- frame attacks by a member ----
attack "$M" "$IDA" "$ADDRA" oversize
check "a length prefix past the 1 MiB cap drops the connection" '[ $RC = 0 ] && [[ $R == closed* ]]'
attack "$M" "$IDA" "$ADDRA" huge
check "a 4 GiB length prefix drops the connection" '[ $RC = 0 ] && [[ $R == closed* ]]'
check "A refused both at the length prefix, before allocating" '[ "$(grep -c "frame of [0-9]* bytes exceeds the cap" "$A/daemon.log")" = 2 ]'
unchanged "oversized frames"
attack "$M" "$IDA" "$ADDRA" garbage-bytes
check "bytes that fail authentication: Goodbye{PROTOCOL}, closed" '[ $RC = 0 ] && [[ $R == "closed goodbye 4 bad frame" ]]'
attack "$M" "$IDA" "$ADDRA" garbage-frame
check "an authenticated frame that is not protobuf: Goodbye{PROTOCOL}" '[ $RC = 0 ] && [[ $R == "closed goodbye 4 undecodable frame" ]]'
attack "$M" "$IDA" "$ADDRA" garbage-first
check "a first frame that is not Hello: Goodbye{PROTOCOL}" '[ $RC = 0 ] && [[ $R == "closed goodbye 4 first frame is not Hello" ]]'
attack "$M" "$IDA" "$ADDRA" second-hello
check "a second Hello: Goodbye{PROTOCOL}" '[ $RC = 0 ] && [[ $R == "closed goodbye 4 second Hello" ]]'
attack "$M" "$IDA" "$ADDRA" entries too-many
check "a ReplEntries over its count cap: Goodbye{PROTOCOL}" '[ $RC = 0 ] && [[ $R == "closed goodbye 4 undecodable frame" ]]'
unchanged "garbage frames"

# A member asks for a 1 MiB blob 200 times without reading: A queues at
# most 64 gets per peer (and its write queue stays bounded), then drops it.
head -c 1048576 /dev/urandom > "$T_TMP/blob"
BH=$(b2sum -l 256 "$T_TMP/blob" | cut -c1-64)
mkdir -p "$A/blobs/${BH:0:2}" && cp "$T_TMP/blob" "$A/blobs/${BH:0:2}/$BH.opus"
attack "$M" "$IDA" "$ADDRA" blob-gets "$BH" 200
check "200 unread blob gets: dropped past 64 queued" '[ $RC = 0 ] && [[ $R == "closed goodbye 4 too many blob gets in flight" ]]'
unchanged "blob get flood"

# ---- forged entries relayed by a member ----
for mode in bad-signature other-author wrong-network malformed; do
  attack "$M" "$IDA" "$ADDRA" entries $mode
  check "a relayed entry ($mode): the relay is dropped (Goodbye{PROTOCOL})" '[ $RC = 0 ] && [[ $R == "closed goodbye 4 bad entry" ]]'
  unchanged "forged entry ($mode)"
done
attack "$M" "$IDA" "$ADDRA" entries lamport=huge
check "M's own well-signed entry with a clock past 2^53: the relay is dropped" '[ $RC = 0 ] && [[ $R == "closed goodbye 4 bad entry" ]]'
unchanged "lamport past 2^53"
check "A logged why it dropped the relay" '[ "$(grep -c "${IDM:0:16}…: it relayed a bad entry" "$A/daemon.log")" = 5 ]'
attack "$M" "$IDA" "$ADDRA" entries lamport=1099511627776
check "M's entry with a clock 2^40 ahead of A's: refused (the author's fault, link kept)" '[ $RC = 0 ] && [ "$R" = open ]'
unchanged "lamport 2^40 ahead"
attack "$M" "$IDA" "$ADDRA" entries non-member
check "a non-member's entry is held aside, the link kept (design: not the relay's fault)" '[ $RC = 0 ] && [ "$R" = open ]'
check "... in quarantine, not in the log" '"$GLOWTALK" status --data "$A" --json | grep -q "\"quarantined\":1"'
unchanged "non-member's entry"
attack "$M" "$IDA" "$ADDRA" entries flood
Q=$("$GLOWTALK" status --data "$A" --json | sed -n 's/.*"quarantined":\([0-9]*\).*/\1/p' | head -n 1)
check "8,000 strangers' entries of 4 kB (32 MB): the quarantine stops at 16 MiB" '[ $RC = 0 ] && [ "$R" = open ] && [ "$Q" -gt 1000 ] && [ "$Q" -le 4200 ]'
unchanged "quarantine flood"

# ---- a member lies about A's own feed (the write fence) ----
# It reports 1000 entries of A's feed that only A could have signed and
# never delivers them, keeping the link busy with empty frames. A fences
# itself meanwhile (it cannot know), drops the liar for stalling, and
# withdraws the fence; the liar's later claims are ignored.
fenced() { "$GLOWTALK" status --data "$A" --json | grep -q '"fenced":true'; }
"$ATTACK" "$M" "$IDA" "$ADDRA" heads-lie-busy 8000 > "$T_TMP/lie" 2>&1 &
LIE=$!
wait_for 5 fenced; check "a lie about A's own feed fences A while it stands" '[ $? = 0 ]'
wait "$LIE"; R=$(tail -n 1 "$T_TMP/lie")
check "the liar is dropped for stalling, empty frames do not count" '[ "$R" = "closed goodbye 5 replication stalled" ]'
check "... and A withdrew the fence" '! fenced && grep -q "${IDM:0:16}… reported 1000 entries of our feed and did not deliver them: fence withdrawn" "$A/daemon.log"'
unchanged "lie about A's feed"
"$ATTACK" "$M" "$IDA" "$ADDRA" heads-lie 8000 > "$T_TMP/lie" 2>&1 &
LIE=$!
sleep 0.5
check "the known liar's new claim does not fence A" '! fenced'
wait "$LIE"; R=$(tail -n 1 "$T_TMP/lie")
check "... and it is dropped again" '[ "$R" = "closed goodbye 5 replication stalled" ] && ! fenced'
unchanged "second lie"

# ---- the invite join plane ----
attack join "$COPEN" "$ADDRA" other-key
check "a proof bound to another key is refused" '[ $RC = 0 ] && [[ $R == "refused: "*"proof"* ]]'
attack join "$COPEN" "$ADDRA" other-session
check "a proof of another session (a replay) is refused" '[ $RC = 0 ] && [[ $R == "refused: "*"proof"* ]]'
attack join "$COPEN" "$ADDRA" frames
check "log frames on the join plane: closed" '[ $RC = 0 ] && [[ $R == "closed goodbye 4 expected a JoinRequest" ]]'
attack join "$COPEN" "$ADDRA" oversize
check "an oversized frame on the join plane: closed" '[ $RC = 0 ] && [[ $R == closed* ]]'
unchanged "join-plane attacks"
# Every holder of an old code can open the join plane: 20 silent
# connections (past its 16 slots) must not lock a real joiner out.
SIL=()
for i in $(seq 1 20); do
  "$ATTACK" join "$CEXP" "$ADDRA" silent > "$T_TMP/sil$i" 2>&1 &
  SIL+=($!)
done
sleep 1
run_cmd join "$CBUSY" --data "$T_TMP/j-busy" --name Busy
check "with 20 silent join-plane connections open, a real join succeeds" '[ $RC = 0 ] && [ -s "$T_TMP/j-busy/network.key" ]'
check "... the oldest silent ones were closed to make room" 'grep -l "goodbye 5 too many joins" "$T_TMP"/sil* | grep -q .'
kill "${SIL[@]}" 2>/dev/null; wait "${SIL[@]}" 2>/dev/null
N0=$(count_of "$A") H0=$(hash_of "$A") # that join admitted Busy
for c in "$CM:used" "$CEXP:expired" "$CREV:revoked"; do
  run_cmd join "${c%:*}" --data "$T_TMP/j-${c##*:}"
  check "a ${c##*:} invite is refused" '[ $RC != 0 ] && [ ! -e "$T_TMP/j-${c##*:}" ]'
  unchanged "${c##*:} invite"
done

# ---- A still serves: a good member's entries, M's real entry, a join ----
run_cmd invite --data "$B" --json
check "B appends an entry" '[ $RC = 0 ]'
wait_for 10 same; check "B's entry reaches A after all the attacks" '[ $? = 0 ] && [ "$(count_of "$A")" = $((N0 + 1)) ]'
attack "$M" "$IDA" "$ADDRA" entries valid
check "control: M's correctly signed entry is taken, link kept" '[ $RC = 0 ] && [ "$R" = open ] && [ "$(count_of "$A")" = $((N0 + 2)) ]'
# M equivocates: a second, different seq 1 of its own feed. A keeps the
# proof, freezes M (its later entries are refused) and passes the proof
# on, so B freezes M too.
attack "$M" "$IDA" "$ADDRA" entries fork
check "a member's fork of its own feed: A keeps the proof and freezes it" '[ $RC = 0 ] && [ "$(forks_of "$A")" = 1 ] && "$GLOWTALK" status --data "$A" --json | grep -q "\"forks\":\[{[^]]*$IDM"'
forked_b() { [ "$(forks_of "$B")" = 1 ]; }
wait_for 10 forked_b; check "... and relays the proof: B freezes it too" '[ $? = 0 ]'
N1=$(count_of "$A")
attack "$M" "$IDA" "$ADDRA" entries valid
check "the frozen member's next entry is refused" '[ $RC = 0 ] && [ "$(count_of "$A")" = "$N1" ]'
run_cmd join "$COPEN" --data "$T_TMP/late" --name Late
check "the invite the attacks used is still good for a real join" '[ $RC = 0 ] && [ -s "$T_TMP/late/network.key" ]'
wait_for 10 same; check "A and B agree at the end" '[ $? = 0 ]'
stop_node "$PIDB"; check "B stops cleanly" '[ $? = 0 ]'
stop_node "$PIDA"; check "A stops cleanly" '[ $? = 0 ]'
done_testing
