#!/usr/bin/env bash
# Cancelling a book's pending work while the daemon renders it: the work
# in flight is finished and recorded whole (every claimed sentence gets
# exactly one result), nothing more is claimed, and the state equals a
# rebuild from the log.
. "$(dirname "$0")/lib.sh"

DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
D="$T_TMP/node"
DB="$D/glowtalk.db"
q() { sqlite3 "$DB" "$1"; }
run_cmd init --data "$D"
run_cmd import --data "$D" "$DEMO" --json
W=$(printf '%s' "$OUT" | sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p')
run_cmd book new "$W" --data "$D" --voice espeak:en-us --json
B=$(printf '%s' "$OUT" | sed -n 's/.*"book_id":"\([0-9a-f]\{32\}\)".*/\1/p')
run_cmd render "$B" --data "$D" --json
N=$(printf '%s' "$OUT" | sed -n 's/.*"queued":\([0-9]*\).*/\1/p')
check "the demo book is queued" '[ "$RC" = 0 ] && [ "${N:-0}" -gt 100 ]'

check "the daemon starts" 'start_node "$D" --workers 2'
for i in $(seq 1 100); do
  [ "$(q "SELECT count(*) FROM log_entries WHERE op=32")" -ge 1 ] && break
  sleep 0.1
done
run_cmd cancel "$B" --data "$D"
check "cancel while a claim is in flight" '[ "$RC" = 0 ]'
CLAIMS=$(q "SELECT count(*) FROM log_entries WHERE op=32")
# Wait until every claimed sentence is back.
for i in $(seq 1 300); do
  C=$(q "SELECT coalesce(sum(last - first + 1), 0) FROM st_claims")
  R=$(q "SELECT count(*) FROM st_results")
  [ "$C" -gt 0 ] && [ "$C" = "$R" ] && break
  sleep 0.1
done
sleep 0.5
check "every claimed sentence was finished and recorded" \
  '[ "$C" -gt 0 ] && [ "$C" = "$R" ] && [ "$R" -lt "$N" ]'
check "each exactly once" \
  '[ "$(q "SELECT count(DISTINCT sentence) FROM st_results")" = "$R" ]'
check "nothing more is claimed after the cancel" \
  '[ "$(q "SELECT count(*) FROM log_entries WHERE op=32")" = "$CLAIMS" ]'
run_cmd status --data "$D" --json
check "status: nothing pending or claimed" \
  '[[ $OUT == *"\"pending\":0,\"claimed\":0"* ]]'
check "the daemon stops cleanly" 'stop_node "$PID"'
run_cmd status --data "$D" --json
H1=$(printf '%s' "$OUT" | grep -o '"state_hash":"[0-9a-f]\{64\}"' | cut -d'"' -f4)
run_cmd rebuild-state --data "$D" --json
H2=$(printf '%s' "$OUT" | grep -o '"state_hash":"[0-9a-f]\{64\}"' | cut -d'"' -f4)
check "the state equals a rebuild from the log" \
  '[ ${#H1} = 64 ] && [ "$H1" = "$H2" ]'

done_testing
