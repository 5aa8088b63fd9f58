#!/usr/bin/env bash
# The sleep:MS test engine (issue 6): refused unless test-engines is on;
# with it on, `glowtalk say` waits MS ms and writes a valid silent Ogg Opus
# file of the sentence's estimated reading time, and a daemon renders a
# whole book in voice sleep:50 end to end through the log.
. "$(dirname "$0")/lib.sh"

DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
D="$T_TMP/node"
DB="$D/glowtalk.db"
TEXT="One two three four five six seven eight nine ten eleven twelve."

run_cmd say "$TEXT" --voice sleep:200 -o "$T_TMP/off.opus"
check "without test-engines the sleep engine is refused" \
  '[ "$RC" = 1 ] && [[ "$ERR" == *"test engine"*"test-engines"* ]]'
check "and no file is written" '[ ! -e "$T_TMP/off.opus" ]'
run_cmd voices --json
check "the catalogue hides it" '[ "$RC" = 0 ] && [[ "$OUT" != *sleep* ]]'

export GLOWTALK_TEST_ENGINES=yes
run_cmd voices --json
check "with test-engines the catalogue offers it" \
  '[[ "$OUT" == *'"'"'"spec":"sleep:100"'"'"'* ]]'
S=$(date +%s%N)
run_cmd say "$TEXT" --voice sleep:200 -o "$T_TMP/s.opus"
MS=$(( ($(date +%s%N) - S) / 1000000 ))
check "say with sleep:200 succeeds" '[ "$RC" = 0 ] && [ -s "$T_TMP/s.opus" ]'
check "it waited at least 200 ms (took $MS ms)" '[ "$MS" -ge 200 ]'
check "opusinfo accepts the file" 'opusinfo "$T_TMP/s.opus" >/dev/null 2>&1'
# 12 words at 175 words a minute: 4114 ms, in whole seconds: 5 s
LEN=$(opusinfo "$T_TMP/s.opus" 2>/dev/null | sed -n 's/.*Playback length: \([0-9]*\)m:\([0-9.]*\)s.*/\1 \2/p')
check "its duration is the estimated reading time in whole seconds (${LEN})" \
  'awk -v l="$LEN" "BEGIN { split(l, a, \" \"); d = a[1] * 60 + a[2]; exit !(d > 4.95 && d < 5.05) }"'
PEAK=$(ffmpeg -hide_banner -nostats -i "$T_TMP/s.opus" -af volumedetect -f null - 2>&1 | sed -n 's/.*max_volume: \(-*[0-9.]*\) dB.*/\1/p')
check "and it is silent (peak ${PEAK:-?} dB)" \
  'awk -v p="${PEAK:-0}" "BEGIN { exit !(p < -80) }"'

# A book in sleep:50 through the daemon's log and workers.
unset GLOWTALK_TEST_ENGINES
run_cmd init --data "$D"
run_cmd import --data "$D" "$DEMO" --json
W=$(printf '%s' "$OUT" | sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p')
check "the demo work imports" '[ "$RC" = 0 ] && [ -n "$W" ]'
run_cmd book new "$W" --data "$D" --voice sleep:50 --json
check "book new refuses sleep:50 without test-engines" \
  '[ "$RC" = 1 ] && [[ "$ERR" == *"test-engines"* ]]'
export GLOWTALK_TEST_ENGINES=yes
run_cmd book new "$W" --data "$D" --voice sleep:50 --json
B=$(printf '%s' "$OUT" | sed -n 's/.*"book_id":"\([0-9a-f]\{32\}\)".*/\1/p')
check "book new accepts sleep:50 with test-engines" \
  '[ "$RC" = 0 ] && [ ${#B} = 32 ]'
run_cmd render "$B" --data "$D" --json
N=$(printf '%s' "$OUT" | sed -n 's/.*"queued":\([0-9]*\).*/\1/p')
check "render queues every sentence" '[ "$RC" = 0 ] && [ "${N:-0}" -gt 100 ]'

queue_done() {
  run_cmd status --data "$D" --json
  printf '%s' "$OUT" | sed -n 's/.*"queue":{[^}]*"done":\([0-9]*\).*/\1/p'
}
S=$(date +%s%N)
check "the daemon starts with test-engines and two workers" \
  'start_node "$D" --workers 2'
for i in $(seq 1 600); do
  DONE=$(queue_done)
  [ "${DONE:-0}" = "$N" ] && break
  sleep 0.1
done
MS=$(( ($(date +%s%N) - S) / 1000000 ))
diag "$N sentences in sleep:50 on 2 workers: $MS ms (floor $((N * 50 / 2)) ms)"
check "every sentence is done" '[ "${DONE:-0}" = "$N" ]'
check "the book's voice is sleep:50" \
  '[ "$(sqlite3 "$DB" "SELECT voice FROM st_casting WHERE kind = 0")" = "sleep:50" ]'
check "two workers took at least N * 50 ms / 2" '[ "$MS" -ge $((N * 25)) ]'
check "the daemon stops cleanly" 'stop_node "$PID"'

q() { sqlite3 "$DB" "$1"; }
check "one Complete per sentence, nothing failed" \
  '[ "$(q "SELECT count(*), count(DISTINCT sentence) FROM st_results")" = "$N|$N" ] &&
   [ "$(q "SELECT count(*) FROM st_failures")" = 0 ]'
BAD=0
for h in $(q "SELECT lower(hex(blob)) FROM st_results"); do
  f="$D/blobs/${h:0:2}/$h.opus"
  { [ -s "$f" ] && opusinfo "$f" >/dev/null 2>&1; } || BAD=$((BAD + 1))
done
check "every result's audio blob exists and passes opusinfo" '[ "$BAD" = 0 ]'
ESPEAK=$(q "SELECT count(*) FROM render_cache")
check "its renders are cached under their own keys ($ESPEAK)" '[ "$ESPEAK" -ge 1 ]'

done_testing
