#!/usr/bin/env bash
# Import over HTTP from a stand-in Glowfic on 127.0.0.1 (glowfic-server.js):
# a whole thread through the API with paging, a 429 and a 503 honoured,
# the OP author from HTML, a reply permalink through a redirect, a
# continuity in reading order, API and flat-HTML imports agreeing, and
# bad URLs refused with one line, exit 1 and nothing stored.
set -u
BIN=${GLOWTALK_BIN:-./glowtalk}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
SERVER=
cleanup() { [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

echo "1..18"
n=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

node "$HERE/glowfic-server.js" "$TMP/requests.log" > "$TMP/port" 2>"$TMP/server.err" &
SERVER=$!
for _ in $(seq 100); do grep -q PORT "$TMP/port" 2>/dev/null && break; sleep 0.05; done
PORT=$(awk '/PORT/{print $2}' "$TMP/port")
BASE=http://127.0.0.1:$PORT
export GLOWTALK_GLOWFIC_BASE=$BASE GLOWTALK_GLOWFIC_DELAY=150 GLOWTALK_LOG_LEVEL=warn
D=$TMP/data
"$BIN" init --data "$D" >/dev/null 2>&1

count() { sqlite3 "$D/glowtalk.db" "$1"; }

# 1-3: the whole thread (OP + 230 replies over 3 pages, 429 and 503 retried)
start=$(date +%s)
out=$("$BIN" import --data "$D" "$BASE/posts/500?page=3#reply-9005" --json 2>"$TMP/err")
rc=$?
ok $rc "import of a thread over the API exits 0 ($(head -c 200 "$TMP/err"))"
[[ $out == *'"posts":231'* && $out == *'"threads":1'* && $out == *'"characters":3'* ]]
ok $? "every post of the thread arrives: $out"
elapsed=$(( $(date +%s) - start ))
grep -q 'page=2.*' "$TMP/requests.log" && [[ $(grep -c 'replies?per_page=100&page=2' "$TMP/requests.log") == 2 && \
   $(grep -c 'replies?per_page=100&page=3' "$TMP/requests.log") == 2 && $elapsed -ge 2 ]]
ok $? "429 and 503 were retried after Retry-After (took ${elapsed}s)"

# 4: requests of one import were spaced by glowfic-delay (150 ms; the
# server sees arrival times, so allow half of it for scheduling jitter)
gap=$(awk '{ if (NR > 1) { d = $1 - prev; if (min == "" || d < min) min = d } prev = $1 } END { print min }' "$TMP/requests.log")
[[ -n $gap && $gap -ge 75 ]]
ok $? "requests are spaced by glowfic-delay (smallest gap ${gap} ms)"
export GLOWTALK_GLOWFIC_DELAY=20

# 5: OP author from the API (who owns the OP's character), not HTML
[[ $(count "SELECT author FROM work_posts WHERE post_key='p500'") == quillpen ]] && \
  grep -q 'characters?post_id=500&user_id=1' "$TMP/requests.log" && \
  ! grep -q ' /posts/500 ' "$TMP/requests.log" && grep -q 'glowtalk/' "$TMP/requests.log"
ok $? "the OP's author comes from the characters API; no HTML page; User-Agent names glowtalk"

# 6: a narration OP with two authors: its HTML page names the author
"$BIN" import --data "$D" "$BASE/posts/505" --json >/dev/null 2>"$TMP/err"
[[ $(count "SELECT author FROM work_posts WHERE post_key='p505'") == stonewright ]]
ok $? "a narration OP's author comes from the HTML page ($(head -c 200 "$TMP/err"))"

# 5: re-import changes nothing and keeps every sentence id
before=$(count "SELECT group_concat(sentence_id) FROM (SELECT sentence_id FROM work_sentences ORDER BY 1)")
out=$("$BIN" import --data "$D" "$BASE/posts/500" --json 2>/dev/null)
after=$(count "SELECT group_concat(sentence_id) FROM (SELECT sentence_id FROM work_sentences ORDER BY 1)")
[[ $before == "$after" && $out == *'"new_posts":0'* && $out == *'"changed_posts":0'* ]]
ok $? "re-import keeps every sentence and adds nothing"

# 6: reply permalink (redirect to the page holding it) names the same work
out2=$("$BIN" import --data "$D" "https://www.glowfic.com/replies/9120#reply-9120" --json 2>"$TMP/err")
[[ $? == 0 && ${out2%%,*} == "${out%%,*}" ]]
ok $? "a reply permalink imports its whole thread ($(head -c 200 "$TMP/err"))"

# 7: the flat HTML page of the same thread agrees with the API import
curl -s "$BASE/posts/500?view=flat" -o "$TMP/flat.html"
D2=$TMP/data2
"$BIN" init --data "$D2" >/dev/null 2>&1
"$BIN" import --data "$D2" "$TMP/flat.html" --json >/dev/null 2>"$TMP/err"
W="work_id = (SELECT work_id FROM works WHERE key = 'glowfic:post:500')"
q="SELECT post_key, sentence_id, text, para, pause FROM work_sentences WHERE $W ORDER BY post_key, position"
[[ -n $(sqlite3 "$D2/glowtalk.db" "$q") && "$(sqlite3 "$D/glowtalk.db" "$q")" == "$(sqlite3 "$D2/glowtalk.db" "$q")" ]]
ok $? "API and flat HTML imports give the same sentences and ids ($(head -c 200 "$TMP/err"))"
q="SELECT post_key, author, coalesce(alias, character), screenname, icon_url, icon_keyword, words FROM work_posts WHERE $W ORDER BY post_key"
[[ "$(sqlite3 "$D/glowtalk.db" "$q")" == "$(sqlite3 "$D2/glowtalk.db" "$q")" ]]
ok $? "API and flat HTML imports agree on speakers, authors and icons"

# saved paginated pages (hidden OP on pages 2 and 3), imported 3, 1, 2
D3=$TMP/data3
"$BIN" init --data "$D3" >/dev/null 2>&1
for pg in 3 1 2; do
  curl -s "$BASE/posts/500?page=$pg&per_page=100" -o "$TMP/page$pg.html"
  "$BIN" import --data "$D3" "$TMP/page$pg.html" >/dev/null 2>"$TMP/err" || break
done
q="SELECT group_concat(post_key) FROM (SELECT post_key FROM work_posts WHERE $W ORDER BY thread_pos, position)"
q2="SELECT post_key, sentence_id FROM work_sentences WHERE $W ORDER BY 1, 2"
[[ -n $(sqlite3 "$D3/glowtalk.db" "$q") && "$(sqlite3 "$D/glowtalk.db" "$q")" == "$(sqlite3 "$D3/glowtalk.db" "$q")" && \
   "$(sqlite3 "$D/glowtalk.db" "$q2")" == "$(sqlite3 "$D3/glowtalk.db" "$q2")" ]]
ok $? "paginated pages saved and imported out of order give the API's thread ($(head -c 200 "$TMP/err"))"

# 9: a continuity: sections in order, sectionless last
out=$("$BIN" import --data "$D" "$BASE/boards/9" --json 2>"$TMP/err")
order=$(count "SELECT group_concat(glowfic_id) FROM (SELECT glowfic_id FROM work_threads t JOIN works w USING (work_id) WHERE w.key='glowfic:board:9' ORDER BY position)")
sections=$(count "SELECT group_concat(coalesce(section, '-')) FROM (SELECT section FROM work_threads t JOIN works w USING (work_id) WHERE w.key='glowfic:board:9' ORDER BY position)")
[[ $order == "502,501,503" && $sections == "First,Second,-" && $out == *'"threads":3'* ]] && grep -q 'GET /api/v1/posts/403 ' "$TMP/requests.log"
ok $? "a continuity imports its readable threads in reading order ($order)"
out=$("$BIN" import --data "$D" "$BASE/board_sections/31" --json 2>"$TMP/err")
[[ $out == *'"threads":1'* ]]
ok $? "a section imports only its threads ($(head -c 200 "$TMP/err"))"

# 11-14: bad input: one line, exit 1, nothing stored
works=$(count "SELECT count(*) FROM works")
bad() {
  local url=$1 want=$2 err
  "$BIN" import --data "$D" "$url" --json > "$TMP/out" 2> "$TMP/err"
  local rc=$?
  err=$(cat "$TMP/err")
  [[ $rc == 1 && ! -s $TMP/out && $(wc -l < "$TMP/err") == 1 && $err == *"$want"* && \
     $(count "SELECT count(*) FROM works") == "$works" ]]
}
bad "$BASE/posts/404" "Post could not be found"; r1=$?
bad "$BASE/posts/403" "permission"; r2=$?
[[ $r1 == 0 && $r2 == 0 ]]
ok $? "404 and 403 are refused with Glowfic's message"
bad "https://example.com/posts/1" "not Glowfic"; r1=$?
bad "$BASE/characters/5" "not a Glowfic story URL"; r2=$?
bad "ftp://glowfic.com/posts/1" "http"; r3=$?
[[ $r1 == 0 && $r2 == 0 && $r3 == 0 ]]
ok $? "URLs off Glowfic or not a story are refused"
bad "$BASE/posts/666" "outside"; r1=$?
GLOWTALK_FETCH_MAX_BYTES=4096 bad "$BASE/posts/777" "over the limit"; r2=$?
[[ $r1 == 0 && $r2 == 0 ]]
ok $? "a redirect off the host and a response over the cap are refused"
bad "$BASE/posts/888" "invalid JSON"
ok $? "a truncated API reply is refused"
GLOWTALK_FETCH_TIMEOUT=1 bad "$BASE/posts/999" "timed out"
ok $? "a server slower than fetch-timeout is abandoned"
