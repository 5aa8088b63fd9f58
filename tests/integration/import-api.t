#!/usr/bin/env bash
# The works API of a running node: POST /api/imports with an uploaded page
# or a Glowfic URL, GET /api/works, /api/works/{id}, .../characters, and a
# bad upload refused with nothing stored.
set -u
BIN=${GLOWTALK_BIN:-./glowtalk}
SRC=${GLOWTALK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
export GLOWTALK_LOG_LEVEL=warn

echo "1..6"
n=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

node "$HERE/glowfic-server.js" "$TMP/requests.log" > "$TMP/port" 2>/dev/null &
PIDS+=($!)
D=$TMP/data
"$BIN" init --data "$D" >/dev/null 2>&1
for _ in $(seq 100); do grep -q PORT "$TMP/port" 2>/dev/null && break; sleep 0.05; done
BASE=http://127.0.0.1:$(awk '/PORT/{print $2}' "$TMP/port")
GLOWTALK_GLOWFIC_BASE=$BASE GLOWTALK_GLOWFIC_DELAY=0 \
  "$BIN" run --data "$D" --ui 127.0.0.1:0 --listen 127.0.0.1:0 >"$TMP/daemon.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do [[ -s $D/ui.url ]] && break; sleep 0.05; done
UI=$(cat "$D/ui.url")
TOKEN=$(curl -s "$UI/" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
post() { curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "X-CSRF-Token: $TOKEN" "$@"; }

code=$(post -H 'Content-Type: text/html' --data-binary @"$SRC/contrib/demo/keeper-of-small-lights.html" "$UI/api/imports?name=demo.html")
body=$(cat "$TMP/body")
[[ $code == 201 && $body == *'"posts":41'* && $body == *'"characters":5'* ]]
ok $? "an uploaded page imports (HTTP $code)"
id=${body#*\"work_id\":\"}; id=${id%%\"*}

list=$(curl -s "$UI/api/works")
one=$(curl -s "$UI/api/works/$id")
[[ $list == *"\"work_id\":\"$id\""* && $one == *'"threads":[{"position":0'* && $one == *'The Keeper of Small Lights'* ]]
ok $? "GET /api/works and /api/works/{id} describe it"

chars=$(curl -s "$UI/api/works/$id/characters")
[[ $chars == *'"name":"Keeper Orla Finch"'* && $chars == *'"samples":[{"post_key":'* && $chars == *'icons/orla-'* ]]
ok $? "GET /api/works/{id}/characters gives icons, counts and sample lines"

code=$(post -H 'Content-Type: application/json' --data "{\"url\":\"$BASE/posts/500\"}" "$UI/api/imports")
[[ $code == 201 && $(cat "$TMP/body") == *'"posts":231'* ]]
ok $? "a Glowfic URL imports through the API (HTTP $code)"

before=$(curl -s "$UI/api/works")
code=$(post -H 'Content-Type: text/html' --data-binary '<html><body><p>not a story</p></body></html>' "$UI/api/imports")
code2=$(post -H 'Content-Type: application/json' --data '{"url":"https://example.com/posts/1"}' "$UI/api/imports")
[[ $code == 400 && $code2 == 400 && $(curl -s "$UI/api/works") == "$before" ]]
ok $? "bad uploads and foreign URLs are refused and change nothing ($code, $code2)"

code=$(curl -s -o /dev/null -w '%{http_code}' "$UI/api/works/0123456789abcdef0123456789abcdef")
code2=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'x' "$UI/api/imports")
[[ $code == 404 && $code2 == 403 ]]
ok $? "unknown work is 404; an import without the CSRF token is 403"
