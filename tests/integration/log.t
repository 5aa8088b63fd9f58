#!/usr/bin/env bash
# The signed log on a real data dir: init founds the swarm with a signed
# first entry, status shows the state hash, rebuild-state recomputes the
# same hash from the log, and a wrecked derived table is repaired by it.
. "$(dirname "$0")/lib.sh"

D="$T_TMP/node"
run_cmd init --data "$D" --json
check "init succeeds" '[ "$RC" = 0 ]'

run_cmd status --data "$D" --json
check "status succeeds" '[ "$RC" = 0 ]'
H1=$(printf '%s' "$OUT" | grep -o '"state_hash":"[0-9a-f]\{64\}"' | cut -d'"' -f4)
check "status shows a 64-hex state_hash" '[ ${#H1} = 64 ]'

run_cmd rebuild-state --data "$D" --json
check "rebuild-state succeeds" '[ "$RC" = 0 ]'
H2=$(printf '%s' "$OUT" | grep -o '"state_hash":"[0-9a-f]\{64\}"' | cut -d'"' -f4)
check "rebuild gives the same hash" '[ -n "$H2" ] && [ "$H1" = "$H2" ]'
check "the founder's first entry is in the log" \
  'printf "%s" "$OUT" | grep -q "\"entries\":1"'

# Wreck a derived table behind the reducer's back: status shows a different
# hash, rebuild-state brings the hash back.
sqlite3 "$D/glowtalk.db" "DELETE FROM st_members"
run_cmd status --data "$D" --json
H3=$(printf '%s' "$OUT" | grep -o '"state_hash":"[0-9a-f]\{64\}"' | cut -d'"' -f4)
check "a wrecked derived table changes the hash" '[ "$H3" != "$H1" ]'
run_cmd rebuild-state --data "$D"
check "rebuild-state repairs it" '[ "$RC" = 0 ] && printf "%s" "$OUT" | grep -q "$H1"'
check "and says the tables had diverged" 'printf "%s" "$OUT" | grep -q "diverged"'

# A fork (kept by the log as proof) is surfaced in status.
sqlite3 "$D/glowtalk.db" "INSERT INTO log_frozen VALUES (x'$(printf 'ab%.0s' $(seq 32))', 7)"
run_cmd status --data "$D" --json
check "status lists a frozen (forked) author" \
  'printf "%s" "$OUT" | grep -q "\"forks\":\[{\"node_id\":\"abab[0-9a-f]*\",\"frozen_at_seq\":7}\]"'

# The journey through the log: import, book, cast, render, cancel.
DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
E="$T_TMP/journey"
run_cmd init --data "$E"
run_cmd import --data "$E" "$DEMO" --json
W=$(printf '%s' "$OUT" | sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p')
N=$(printf '%s' "$OUT" | sed -n 's/.*"sentences":\([0-9]*\).*/\1/p')
check "the demo work imports" '[ "$RC" = 0 ] && [ -n "$W" ] && [ "$N" -gt 0 ]'
run_cmd book new "$W" --data "$E" --name Test --voice espeak:en --json
B=$(printf '%s' "$OUT" | sed -n 's/.*"book_id":"\([0-9a-f]\{32\}\)".*/\1/p')
check "book new prints a book_id" '[ "$RC" = 0 ] && [ ${#B} = 32 ]'
run_cmd cast "${B:0:8}" Orla espeak:en+f3 --data "$E"
check "cast by a book id prefix" '[ "$RC" = 0 ]'
run_cmd cast "${B:0:8}" Orla --data "$E"
check "cast without a voice is a usage error" '[ "$RC" = 2 ]'
run_cmd render "$B" --data "$E" --json
check "render queues every sentence" \
  '[ "$RC" = 0 ] && [[ $OUT == *"\"queued\":$N,"* ]]'
run_cmd status --data "$E" --json
check "status counts them pending" '[[ $OUT == *"\"pending\":$N,"* ]]'
run_cmd cancel "$B" --data "$E"
run_cmd status --data "$E" --json
check "cancel empties the queue" \
  '[[ $OUT == *"\"pending\":0,\"claimed\":0"* ]]'
H4=$(printf '%s' "$OUT" | grep -o '"state_hash":"[0-9a-f]\{64\}"' | cut -d'"' -f4)
run_cmd rebuild-state --data "$E" --json
check "the journey's state rebuilds to the same hash" \
  '[[ $OUT == *"\"state_hash\":\"$H4\""* ]] && [[ $OUT == *"\"entries\":6"* ]]'
run_cmd book new nosuchwork --data "$E"
check "book new of an unknown work fails with one line" \
  '[ "$RC" = 1 ] && [ -z "$OUT" ] && [[ $ERR == *"import"* ]]'
run_cmd remove "$(printf 'ab%.0s' $(seq 32))" --data "$E"
check "removing a non-member fails" '[ "$RC" = 1 ] && [[ $ERR == *"not a member"* ]]'

run_cmd rebuild-state --data "$T_TMP/nowhere"
check "rebuild-state on a missing data dir fails with one line" \
  '[ "$RC" = 1 ] && [ $(printf "%s\n" "$ERR" | wc -l) = 1 ]'

done_testing
