#!/usr/bin/env bash
# Works travel in the log as content: `glowtalk import` stores the work's
# canonical document as a blob and appends ImportWork naming it; an
# unchanged re-import appends nothing, a changed one a new ImportWork.
. "$(dirname "$0")/lib.sh"

DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
D="$T_TMP/node"
run_cmd init --data "$D"
run_cmd status --data "$D" --json
H0=$(printf '%s' "$OUT" | grep -o '"state_hash":"[0-9a-f]\{64\}"' | cut -d'"' -f4)

run_cmd import --data "$D" "$DEMO" --json
check "the demo imports" '[ "$RC" = 0 ]'
W=$(printf '%s' "$OUT" | sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p')
N=$(printf '%s' "$OUT" | sed -n 's/.*"sentences":\([0-9]*\).*/\1/p')
DH=$(printf '%s' "$OUT" | sed -n 's/.*"doc_hash":"\([0-9a-f]\{64\}\)".*/\1/p')
check "import --json prints the document hash" '[ ${#DH} = 64 ]'
check "the log holds one ImportWork" \
  '[ "$(sqlite3 "$D/glowtalk.db" "SELECT count(*) FROM log_entries WHERE op=16")" = 1 ]'
check "the state names the work, its document and counts" \
  '[ "$(sqlite3 "$D/glowtalk.db" "SELECT work_id, lower(hex(doc_hash)), sentences FROM st_works")" = "$W|$DH|$N" ]'
BLOB="$D/blobs/${DH:0:2}/$DH.opus"
check "the document blob is stored under its hash" \
  '[ -f "$BLOB" ] && [ "$(b2sum -l 256 "$BLOB" | cut -d" " -f1)" = "$DH" ]'
check "the log names a file by its name only" \
  '[ "$(sqlite3 "$D/glowtalk.db" "SELECT source_url FROM st_works")" = "keeper-of-small-lights.html" ]'
check "its size is the logged size" \
  '[ "$(stat -c %s "$BLOB")" = "$(sqlite3 "$D/glowtalk.db" "SELECT doc_size FROM st_works")" ]'
run_cmd status --data "$D" --json
H1=$(printf '%s' "$OUT" | grep -o '"state_hash":"[0-9a-f]\{64\}"' | cut -d'"' -f4)
check "status shows the new state" '[ ${#H1} = 64 ] && [ "$H1" != "$H0" ]'
check "status counts the work in the log and stored" \
  '[[ $OUT == *"\"works\":{\"in_log\":1,\"stored\":1,\"awaiting\":0}"* ]]'

run_cmd import --data "$D" "$DEMO"
check "an unchanged re-import appends nothing" \
  '[ "$RC" = 0 ] && [ "$(sqlite3 "$D/glowtalk.db" "SELECT count(*) FROM log_entries WHERE op=16")" = 1 ]'

# The same story with one more reply: a new document, a new ImportWork.
GROWN="$T_TMP/grown.html"
sed 's|</body>|<div class="post-container post-reply"><a class="noheight" id="reply-999999"> </a><div class="padding-10"><div class="post-info-box"><div class="post-info-text"><div class="post-character">Orla</div><div class="post-author">demo</div></div></div><div class="post-content"><p>A new reply. It grows the story.</p></div></div><div class="post-footer">Posted x</div></div></body>|' "$DEMO" > "$GROWN"
cp "$GROWN" "$T_TMP/keeper-of-small-lights.html"
run_cmd import --data "$D" "$T_TMP/keeper-of-small-lights.html" --json
DH2=$(printf '%s' "$OUT" | sed -n 's/.*"doc_hash":"\([0-9a-f]\{64\}\)".*/\1/p')
N2=$(printf '%s' "$OUT" | sed -n 's/.*"sentences":\([0-9]*\).*/\1/p')
check "a grown re-import has a new document" \
  '[ "$RC" = 0 ] && [ ${#DH2} = 64 ] && [ "$DH2" != "$DH" ] && [ "$N2" -gt "$N" ]'
check "and appends a second ImportWork the state now names" \
  '[ "$(sqlite3 "$D/glowtalk.db" "SELECT count(*) FROM log_entries WHERE op=16")" = 2 ] && [ "$(sqlite3 "$D/glowtalk.db" "SELECT lower(hex(doc_hash)) FROM st_works")" = "$DH2" ]'
run_cmd rebuild-state --data "$D" --json
check "the state rebuilds from the log" '[ "$RC" = 0 ] && [[ $OUT == *"\"entries\":3"* ]]'

# A node that holds the log entry and the blob but not the work tables (as
# after replication) materialises the work in the daemon.
sqlite3 "$D/glowtalk.db" "PRAGMA foreign_keys=ON; DELETE FROM works"
check "the work tables are gone" \
  '[ "$(sqlite3 "$D/glowtalk.db" "SELECT count(*) FROM work_sentences")" = 0 ]'
run_cmd status --data "$D" --json
check "status shows the work awaiting its document" \
  '[[ $OUT == *"\"works\":{\"in_log\":1,\"stored\":0,\"awaiting\":1}"* ]]'
check "the daemon starts" 'start_node "$D" --render=no'
for i in $(seq 1 50); do
  [ "$(sqlite3 "$D/glowtalk.db" "SELECT count(*) FROM work_sentences")" = "$N2" ] && break
  sleep 0.1
done
check "the daemon materialises the work from its document" \
  '[ "$(sqlite3 "$D/glowtalk.db" "SELECT lower(doc_hash) FROM works")" = "$DH2" ] && [ "$(sqlite3 "$D/glowtalk.db" "SELECT count(*) FROM work_sentences")" = "$N2" ]'
check "the daemon stops cleanly" 'stop_node "$PID"'

done_testing
