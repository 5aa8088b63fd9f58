#!/usr/bin/env bash
# Saved continuity and section pages (GLOWFIC.md 3.4): `glowtalk import
# FILE` reads the thread list in reading order (sections in order,
# sectionless last) and imports each thread from the configured Glowfic
# base with the polite fetcher, or from saved thread files given after
# it (offline). Private and deleted posts, continuities and sections get
# Glowfic's message, exit 1 and nothing stored.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

node "$HERE/glowfic-server.js" "$T_TMP/requests.log" > "$T_TMP/port" 2>"$T_TMP/server.err" &
T_PIDS+=("$!")
for _ in $(seq 100); do grep -q PORT "$T_TMP/port" 2>/dev/null && break; sleep 0.05; done
BASE=http://127.0.0.1:$(awk '/PORT/{print $2}' "$T_TMP/port")
export GLOWTALK_GLOWFIC_BASE=$BASE GLOWTALK_GLOWFIC_DELAY=20 GLOWTALK_LOG_LEVEL=warn
D="$T_TMP/node"
run_cmd init --data "$D"
q() { sqlite3 "$D/glowtalk.db" "$1"; }
order() {
  q "SELECT group_concat(glowfic_id) FROM (SELECT glowfic_id FROM work_threads
     t JOIN works w USING (work_id) WHERE w.key='$1' ORDER BY position)"
}
requests() { wc -l < "$T_TMP/requests.log"; }

curl -s "$BASE/boards/9" > "$T_TMP/board.html"
curl -s "$BASE/board_sections/31" > "$T_TMP/section.html"
curl -s "$BASE/api/v1/posts/501" > "$T_TMP/post-501.json"
check "the stand-in serves the listing pages" \
  'grep -q continuity-header "$T_TMP/board.html" && grep -q post-subject "$T_TMP/section.html"'

run_cmd import --data "$D" "$T_TMP/board.html" --json
check "a saved continuity page imports (${ERR:0:200})" '[ "$RC" = 0 ] && [[ "$OUT" == *"\"threads\":3,"* ]]'
check "its threads in reading order: sections in order, sectionless last" \
  '[ "$(order glowfic:board:9)" = "502,501,503" ] || [ "$(order source:$T_TMP/board.html)" = "502,501,503" ]'
check "the private thread is skipped with Glowfic's message" \
  '[[ "$ERR" == *"skipping thread 403"*"permission"* ]]'
check "the work is titled by the continuity" \
  '[[ "$OUT" == *"\"title\":\"Test Continuity\""* ]]'
check "every thread came over the API" \
  'for t in 502 501 503; do grep -q "GET /api/v1/posts/$t " "$T_TMP/requests.log" || exit 1; done'

run_cmd import --data "$D" "$T_TMP/section.html" --json
check "a saved section page imports its threads" \
  '[ "$RC" = 0 ] && [[ "$OUT" == *"\"threads\":1,"* ]] && [ "$(order glowfic:section:31)" = "501" ]'
WORKS=$(q "SELECT count(*) FROM works")
run_cmd import --data "$D" "$BASE/board_sections/31" --json
check "importing the section's URL updates the same work" \
  '[ "$RC" = 0 ] && [ "$(q "SELECT count(*) FROM works")" = "$WORKS" ]'

# Offline: the section page with its thread saved as a file.
rm -rf "$T_TMP/off"
run_cmd init --data "$T_TMP/off"
BEFORE=$(requests)
GLOWTALK_GLOWFIC_BASE=http://127.0.0.1:9 run_cmd import --data "$T_TMP/off" \
  "$T_TMP/section.html" "$T_TMP/post-501.json" --json
check "with its threads as files a listing imports offline (${ERR:0:200})" \
  '[ "$RC" = 0 ] && [[ "$OUT" == *"\"threads\":1,"*"\"posts\":1,"* ]] && [ "$(requests)" = "$BEFORE" ]'
run_cmd import --data "$T_TMP/off" "$BASE/posts/501" "$T_TMP/post-501.json"
check "thread files with a URL are a usage error" '[ "$RC" = 2 ]'
run_cmd import --data "$T_TMP/off" "$T_TMP/post-501.json" "$T_TMP/post-501.json"
check "thread files without a listing page are a usage error" '[ "$RC" = 2 ]'

# Private, deleted, gone: one line, exit 1, nothing stored.
WORKS=$(q "SELECT count(*) FROM works")
bad() {
  run_cmd import --data "$D" "$@" --json
  [ "$RC" = 1 ] && [ -z "$OUT" ] && [ "$(q "SELECT count(*) FROM works")" = "$WORKS" ] &&
    [ "$(printf '%s\n' "$ERR" | grep -vc 'WARN')" = 1 ]
}
check "a deleted continuity: Glowfic's message" \
  'bad "$BASE/boards/404" && [[ "$ERR" == *"Continuity could not be found."* ]]'
check "a deleted section: Glowfic's message" \
  'bad "$BASE/board_sections/404" && [[ "$ERR" == *"Subcontinuity could not be found."* ]]'
check "a continuity whose every thread is private" \
  'bad "$BASE/boards/8" && [[ "$ERR" == *"private or deleted"* ]]'
check "a private post" 'bad "$BASE/posts/403" && [[ "$ERR" == *"permission"* ]]'
check "a deleted post" 'bad "$BASE/posts/404" && [[ "$ERR" == *"Post could not be found."* ]]'
grep -v 'id="section-\|posts/50[123]' "$T_TMP/board.html" > "$T_TMP/locked.html"
check "a saved listing whose threads are all private" \
  'bad "$T_TMP/locked.html" && [[ "$ERR" == *"private or deleted"* ]]'
printf '{"errors":[{"message":"You do not have permission to perform this action."}]}' > "$T_TMP/e403.json"
check "a saved API error body of a private post" \
  'bad "$T_TMP/e403.json" && [[ "$ERR" == *"permission"* ]]'

# The web upload of a saved continuity page fetches its threads too.
W2="$T_TMP/web"
run_cmd init --data "$W2"
if start_node "$W2"; then
  token=$(curl -s "$URL" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
  http POST "${URL}api/imports" -H "X-CSRF-Token: $token" -H "Content-Type: text/html" \
    -H "X-Filename: board.html" --data-binary @"$T_TMP/board.html"
  id=$(sed -n 's/.*"import_id":"\([0-9a-f]*\)".*/\1/p' <<<"$BODY")
  for i in $(seq 1 100); do
    http GET "${URL}api/imports/$id"
    [[ $BODY == *'"state":"done"'* || $BODY == *'"state":"failed"'* ]] && break
    sleep 0.1
  done
  check "an uploaded continuity page imports its threads ($BODY)" \
    '[[ $BODY == *"\"state\":\"done\""* && $BODY == *"\"threads\":3"* ]]'
  stop_node "$PID"
else
  not_ok "a node starts for the upload"
fi

done_testing
