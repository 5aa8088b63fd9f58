#!/usr/bin/env bash
# Single node end to end through the log: import the demo story, create a
# book, queue it, and let the daemon's own workers claim, render and
# complete every sentence. The daemon is killed -9 halfway and restarted:
# everything finishes, no sentence is rendered twice or lost, every
# result's audio decodes, a CLI command appending while the daemon runs
# does not fork the feed, and the state equals a rebuild from the log.
. "$(dirname "$0")/lib.sh"

DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
D="$T_TMP/node"
DB="$D/glowtalk.db"
run_cmd init --data "$D"
run_cmd import --data "$D" "$DEMO" --json
W=$(printf '%s' "$OUT" | sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p')
check "the demo work imports" '[ "$RC" = 0 ] && [ -n "$W" ]'
run_cmd book new "$W" --data "$D" --voice espeak:en-us --json
B=$(printf '%s' "$OUT" | sed -n 's/.*"book_id":"\([0-9a-f]\{32\}\)".*/\1/p')
check "book new prints a book_id" '[ "$RC" = 0 ] && [ ${#B} = 32 ]'
run_cmd render "$B" --data "$D" --json
N=$(printf '%s' "$OUT" | sed -n 's/.*"queued":\([0-9]*\).*/\1/p')
check "render queues every sentence" '[ "$RC" = 0 ] && [ "${N:-0}" -gt 100 ]'

# done COUNT of the queue, from status --json (empty on failure).
queue_done() {
  run_cmd status --data "$D" --json
  printf '%s' "$OUT" | sed -n 's/.*"queue":{[^}]*"done":\([0-9]*\).*/\1/p'
}

# start the daemon; after a kill -9 its workers may hold the data dir
# lock for a moment while they notice, so retry briefly.
start_renderer() {
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    start_node "$D" --workers 2 && return 0
    sleep 0.5
  done
  return 1
}

check "the daemon starts with two workers" 'start_renderer'
FIRST=$PID
SEEN=""
HALF=$((N / 3))
for i in $(seq 1 300); do
  DONE=$(queue_done)
  [ -n "$DONE" ] && [ "$DONE" != "${SEEN##* }" ] && SEEN="$SEEN $DONE"
  [ "${DONE:-0}" -ge "$HALF" ] && break
  sleep 0.1
done
kill -9 "$FIRST"
wait "$FIRST" 2>/dev/null
DONE=$(queue_done)
diag "killed at $DONE of $N done; progress seen:$SEEN"
check "progress moves while rendering" \
  '[ $(printf "%s\n" $SEEN | wc -l) -ge 2 ]'
check "killed mid-render" '[ "${DONE:-0}" -ge "$HALF" ] && [ "$DONE" -lt "$N" ]'

check "the daemon restarts" 'start_renderer'
# A CLI command appends to the node's feed while the daemon does.
run_cmd book new "$W" --data "$D" --name "Second" --json
check "a CLI append while the daemon runs succeeds" '[ "$RC" = 0 ]'
for i in $(seq 1 600); do
  DONE=$(queue_done)
  [ "${DONE:-0}" = "$N" ] && break
  sleep 0.1
done
check "every sentence is done after the restart" '[ "${DONE:-0}" = "$N" ]'
# The web download encodes on its own thread: civetweb's small stacks
# overflowed inside libopus and killed the daemon.
curl -s -o "$T_TMP/web.opus" -w "%{http_code}" "${URL}books/$B/book.opus" > "$T_TMP/code"
chapters=$(ffprobe -v error -show_chapters "$T_TMP/web.opus" 2>/dev/null | grep -c "\[CHAPTER\]")
check "the rendered book downloads with a chapter per post" '[ "$(cat "$T_TMP/code")" = 200 ] && [ "$chapters" = 41 ]'
check "the daemon survives the download" 'kill -0 "$PID"'
check "the daemon stops cleanly" 'stop_node "$PID"'

q() { sqlite3 "$DB" "$1"; }
# st_results has a row per (sentence, Complete entry) naming it.
check "one Complete per sentence: none rendered twice, none lost" \
  '[ "$(q "SELECT count(*), count(DISTINCT sentence) FROM st_results")" = "$N|$N" ]'
check "the killed run's claim was released" \
  '[ "$(q "SELECT count(*) FROM log_entries WHERE op=34")" -ge 1 ]'
check "no fork of the node's own feed" \
  '[ "$(q "SELECT count(*) FROM log_forks")" = 0 ] &&
   [ "$(q "SELECT max(seq) = count(*) FROM log_entries")" = 1 ]'
check "nothing failed" '[ "$(q "SELECT count(*) FROM st_failures")" = 0 ]'

BAD=0
for h in $(q "SELECT lower(hex(blob)) FROM st_results"); do
  f="$D/blobs/${h:0:2}/$h.opus"
  { [ -s "$f" ] && opusinfo "$f" >/dev/null 2>&1; } || BAD=$((BAD + 1))
done
check "every result's audio blob exists and decodes" '[ "$BAD" = 0 ]'

BYTES=$(q "SELECT sum(length(entry) + 64) FROM log_entries WHERE op BETWEEN 32 AND 36")
diag "log bytes per rendered sentence (claims, renewals, releases," \
  "completions, signatures): $((BYTES / N)) ($BYTES for $N)"

run_cmd status --data "$D" --json
H1=$(printf '%s' "$OUT" | grep -o '"state_hash":"[0-9a-f]\{64\}"' | cut -d'"' -f4)
run_cmd rebuild-state --data "$D" --json
H2=$(printf '%s' "$OUT" | grep -o '"state_hash":"[0-9a-f]\{64\}"' | cut -d'"' -f4)
check "the state equals a rebuild from the log" \
  '[ ${#H1} = 64 ] && [ "$H1" = "$H2" ]'
run_cmd status --data "$D"
check "status in words shows the queue and the state hash" \
  '[[ "$OUT" == *"queue:          0 pending, 0 claimed, $N done, 0 failed"* ]] &&
   [[ "$OUT" == *"state hash:     $H1"* ]]'

done_testing
