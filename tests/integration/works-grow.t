#!/usr/bin/env bash
# A thread that grows: its book's finished audio stays valid after a
# re-import that adds replies, and only the new sentences are queued and
# synthesised (the unchanged ones keep their indices and results; the
# render cache would serve them anyway). See node/LOG.md "Re-imports".
. "$(dirname "$0")/lib.sh"

reply() { # reply ID CHARACTER TEXT
  printf '<div class="post-container post-reply"><a class="noheight" id="reply-%s"> </a><div class="padding-10"><div class="post-info-box"><div class="post-info-text"><div class="post-character">%s</div><div class="post-author">bo</div></div></div><div class="post-edit-box"><a rel="alternate" href="/replies/%s"></a><a href="/posts/42?at_id=%s"></a></div><div class="post-content"><p>%s</p></div></div><div class="post-footer">Posted x</div></div>' "$1" "$2" "$1" "$1" "$3"
}
PAGE="$T_TMP/thread.html"
{ reply 1 Ann "One. Two."; reply 2 Bo "Three."; } > "$PAGE"

D="$T_TMP/node"
DB="$D/glowtalk.db"
run_cmd init --data "$D"
run_cmd import --data "$D" "$PAGE" --json
W=$(printf '%s' "$OUT" | sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p')
check "the thread imports" '[ "$RC" = 0 ] && [ -n "$W" ]'
run_cmd book new "$W" --data "$D" --voice espeak:en-us --json
B=$(printf '%s' "$OUT" | sed -n 's/.*"book_id":"\([0-9a-f]\{32\}\)".*/\1/p')
run_cmd render "$B" --data "$D" --json
check "render queues its 3 sentences" '[[ $OUT == *"\"queued\":3,"* ]]'

done_count() {
  run_cmd status --data "$D" --json
  printf '%s' "$OUT" | sed -n 's/.*"queue":{[^}]*"done":\([0-9]*\).*/\1/p'
}
wait_done() { # wait_done N
  local i
  for i in $(seq 1 300); do
    [ "$(done_count)" = "$1" ] && return 0
    sleep 0.2
  done
  return 1
}
check "the daemon starts" 'start_node "$D" --workers 1'
check "all 3 are rendered" 'wait_done 3'
check "the daemon stops" 'stop_node "$PID"'
R1=$(sqlite3 "$DB" "SELECT count(*) FROM render_cache")
BLOBS1=$(sqlite3 "$DB" "SELECT group_concat(lower(hex(blob)), ',') FROM (SELECT blob FROM st_results ORDER BY sentence)")
check "three syntheses" '[ "$R1" = 3 ]'

# The thread grows by two replies.
{ reply 1 Ann "One. Two."; reply 2 Bo "Three."; reply 3 Ann "Four."; reply 4 Bo "Five. Six."; } > "$PAGE"
run_cmd import --data "$D" "$PAGE" --json
check "the grown thread re-imports with a new ImportWork" \
  '[ "$RC" = 0 ] && [ "$(sqlite3 "$DB" "SELECT count(*) FROM log_entries WHERE op=16")" = 2 ]'
check "finished results still count as done" '[ "$(done_count)" = 3 ]'
run_cmd render "$B" --data "$D" --json
check "render queues only the 3 new sentences" \
  '[[ $OUT == *"\"queued\":3,\"sentences\":6"* ]]'
check "the daemon starts again" 'start_node "$D" --workers 1'
check "all 6 are done" 'wait_done 6'
check "the daemon stops again" 'stop_node "$PID"'
check "only the new sentences were synthesised" \
  '[ "$(sqlite3 "$DB" "SELECT count(*) FROM render_cache")" = 6 ]'
BLOBS2=$(sqlite3 "$DB" "SELECT group_concat(lower(hex(blob)), ',') FROM (SELECT blob FROM st_results WHERE sentence < 3 ORDER BY sentence)")
check "the first three keep their audio" '[ -n "$BLOBS1" ] && [ "$BLOBS1" = "$BLOBS2" ]'

# An edit inside the story: one sentence added to the second reply moves
# every later sentence one index on. The import requests the moved ones
# again; the render cache serves them, only the new sentence is
# synthesised, and each index ends with the audio of its own text.
chosen() { # chosen SENTENCE: hex of its chosen result's blob
  sqlite3 "$DB" "SELECT lower(hex(r.blob)) FROM st_results r JOIN st_tasks t ON t.book = r.book AND t.sentence = r.sentence AND r.take = t.take AND (r.lamport, r.author) > (t.req_lamport, t.req_author) WHERE r.sentence = $1 ORDER BY r.lamport, r.author LIMIT 1"
}
OLD3=$(chosen 3); OLD4=$(chosen 4); OLD5=$(chosen 5)
{ reply 1 Ann "One. Two."; reply 2 Bo "Three. Three and a half."; reply 3 Ann "Four."; reply 4 Bo "Five. Six."; } > "$PAGE"
run_cmd import --data "$D" "$PAGE" --json
check "the edit moves three requested sentences: requested again" \
  '[ "$RC" = 0 ] && [[ $OUT == *"\"requested_again\":3"* ]]'
check "they no longer count as done" '[ "$(done_count)" = 3 ]'
run_cmd render "$B" --data "$D" --json
check "render queues what is not done: the inserted and the moved" '[[ $OUT == *"\"queued\":4,\"sentences\":7"* ]]'
check "the daemon starts a third time" 'start_node "$D" --workers 1'
check "all 7 are done" 'wait_done 7'
check "the daemon stops a third time" 'stop_node "$PID"'
check "only the inserted sentence was synthesised" \
  '[ "$(sqlite3 "$DB" "SELECT count(*) FROM render_cache")" = 7 ]'
check "moved sentences keep their own audio at their new index" \
  '[ -n "$OLD3" ] && [ "$(chosen 4)" = "$OLD3" ] && [ "$(chosen 5)" = "$OLD4" ] && [ "$(chosen 6)" = "$OLD5" ]'

done_testing
