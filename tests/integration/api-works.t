#!/usr/bin/env bash
# /api/imports and /api/works on a real node: uploads and URLs, progress
# events, the works, their threads and characters, and every error path.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEMO=$ROOT/contrib/demo/keeper-of-small-lights.html
FIX=${GLOWTALK_SRC:-$ROOT}/../shared/fixtures/glowfic
D=$T_TMP/d
"$GLOWTALK" init --data "$D" >/dev/null 2>&1
start_node "$D" || { not_ok "node starts"; done_testing; }
token=$(curl -s "$URL" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
post() { http POST "${URL}api/imports" -H "X-CSRF-Token: $token" "$@"; }
# wait_import ID: poll GET /api/imports/ID until done or failed (10 s).
wait_import() {
  local i
  for i in $(seq 1 100); do
    http GET "${URL}api/imports/$1"
    [[ $BODY == *'"state":"done"'* || $BODY == *'"state":"failed"'* ]] && return 0
    sleep 0.1
  done
  return 1
}

http GET "${URL}api/works"
check "no works at first" '[ "$CODE" = 200 ] && [ "$BODY" = "{\"works\":[]}" ]'

post -H "Content-Type: text/html" -H "X-Filename: keeper.html" --data-binary @"$DEMO"
check "upload is accepted at once" '[ "$CODE" = 202 ] && [[ $BODY == *"\"import_id\""* ]]'
id=$(sed -n 's/.*"import_id":"\([0-9a-f]*\)".*/\1/p' <<<"$BODY")
wait_import "$id"
check "the upload is imported" '[[ $BODY == *"\"state\":\"done\""* && $BODY == *"\"sentences\":196"* ]]'
work=$(sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p' <<<"$BODY")
dh=$(sed -n 's/.*"doc_hash":"\([0-9a-f]\{64\}\)".*/\1/p' <<<"$BODY")
check "the upload's document is in the log (ImportWork)" \
  '[ ${#dh} = 64 ] && [ "$(sqlite3 "$D/glowtalk.db" "SELECT lower(hex(doc_hash)) FROM st_works WHERE work_id='"'"'$work'"'"'")" = "$dh" ] && [ -f "$D/blobs/${dh:0:2}/$dh.opus" ]'
events=$(curl -s -N -m 1 "${URL}api/events?after=0" || true)
check "import progress arrives as live events" '[[ $events == *"event: import"*"\"state\":\"parsing\""*"\"state\":\"done\""* ]]'

http GET "${URL}api/works"
check "the work is listed with its counts" '[[ $BODY == *"\"id\":\"$work\""* && $BODY == *"\"title\":\"The Keeper of Small Lights\""* && $BODY == *"\"posts\":41"* && $BODY == *"\"words\":1996"* ]]'
http GET "${URL}api/works/$work"
check "a work lists its threads" '[ "$CODE" = 200 ] && [[ $BODY == *"\"threads\":[{\"id\":0"* && $BODY == *"\"posts\":41}]"* ]]'
check "a work has one threads key" '[ "$(grep -o "\"threads\"" <<<"$BODY" | wc -l)" = 1 ]'
http GET "${URL}api/works/$work/characters"
check "characters are listed" '[ "$CODE" = 200 ] && [[ $BODY == *"\"name\":\"Keeper Orla Finch\""* ]]'
check "narration appears per author" '[[ $BODY == *"\"key\":\"narrator:"* ]]'
check "characters carry sample lines" '[[ $BODY == *"\"samples\":[\""* ]]'
check "relative icon paths are not passed to the browser" '[[ $BODY != *"\"icon_url\":\"icons/"* ]]'
n=$(grep -o '"words":[0-9]*' <<<"$BODY" | cut -d: -f2 | awk "{s+=\$1} END {print s}")
check "characters and narration cover every word" '[ "$n" = 1996 ]'

post -H "Content-Type: application/json" -d '{"url":"https://evil.example/posts/1"}'
check "a non-Glowfic URL is refused at once" '[ "$CODE" = 400 ] && [[ $BODY == *"not Glowfic"* ]]'
post -H "Content-Type: application/json" -d '{"url":"https://glowfic.com/characters/5"}'
check "a Glowfic URL that is not a story is refused" '[ "$CODE" = 400 ]'
post -H "Content-Type: application/json" -d '{"link":"x"}'
check "a body without url is refused" '[ "$CODE" = 400 ] && [[ $BODY == *"URL"* ]]'
post -H "Content-Type: application/json" -d '{"url":'
check "malformed JSON is refused" '[ "$CODE" = 400 ] && [[ $BODY == *"JSON"* ]]'
post -H "Content-Type: text/html" --data-binary ""
check "an empty upload is refused" '[ "$CODE" = 400 ]'
head -c $((65 * 1024 * 1024)) /dev/zero > "$T_TMP/big"
post -H "Content-Type: text/html" --data-binary @"$T_TMP/big"
check "an oversized upload is refused" '[ "$CODE" = 413 ]'
http POST "${URL}api/imports" -H "Content-Type: application/json" -d '{"url":"https://glowfic.com/posts/1"}'
check "an import without the CSRF token is refused" '[ "$CODE" = 403 ]'

printf '<html><body><p>Just a page.</p></body></html>' > "$T_TMP/notglowfic.html"
post -H "Content-Type: text/html" --data-binary @"$T_TMP/notglowfic.html"
id=$(sed -n 's/.*"import_id":"\([0-9a-f]*\)".*/\1/p' <<<"$BODY")
wait_import "$id"
check "a page that is not Glowfic fails with a reason" '[[ $BODY == *"\"state\":\"failed\""* && $BODY == *"\"error\":"* ]]'
http GET "${URL}api/works"
check "a failed import stored nothing" '[ "$(grep -o "\"id\":" <<<"$BODY" | wc -l)" = 1 ]'

post -H "Content-Type: text/html" -H "X-Filename: alts%20%C3%A9.html" --data-binary @"$FIX/alts.html"
id=$(sed -n 's/.*"import_id":"\([0-9a-f]*\)".*/\1/p' <<<"$BODY")
wait_import "$id"
check "a real Glowfic page imports" '[[ $BODY == *"\"state\":\"done\""* && $BODY == *"\"posts\":26"* ]]'
http GET "${URL}api/works"
check "both works are listed" '[[ $BODY == *"\"source\":\"alts é.html\""* && $BODY == *"Keeper of Small Lights"* ]]'

http GET "${URL}api/works/0123456789abcdef0123456789abcdef"
check "an unknown work is a 404" '[ "$CODE" = 404 ]'
http GET "${URL}api/works/$work/characters/extra"
check "an unknown sub-path is a 404" '[ "$CODE" = 404 ]'
http GET "${URL}api/imports/ffffffffffffffff"
check "an unknown import is a 404" '[ "$CODE" = 404 ]'

stop_node "$PID"; rc=$?
check "the node stops cleanly" '[ $rc = 0 ]'
done_testing
