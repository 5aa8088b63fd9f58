#!/usr/bin/env bash
# The web API of issue 7 on a real rendering node: live render events
# (sentence / audio / progress), GET /api/books/{id}/progress, part
# downloads (?post= / ?thread=), the podcast feed, GET /metrics, and their
# error paths.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEMO=$ROOT/contrib/demo/keeper-of-small-lights.html
D=$T_TMP/d
"$GLOWTALK" init --data "$D" >/dev/null 2>&1
W=$("$GLOWTALK" import --data "$D" "$DEMO" --json | jq -r .work_id)
start_node "$D" --workers 1 || { not_ok "node starts"; done_testing; }
token=$(curl -s "$URL" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
J=(-H "X-CSRF-Token: $token" -H "Content-Type: application/json")
jqb() { jq -r "$1" <<<"$BODY"; }

http POST "${URL}api/books" "${J[@]}" -d "{\"work_id\":\"$W\",\"name\":\"Web\"}"
B=$(jqb .id)
http GET "${URL}api/books/$B/posts?limit=2"
P1=$(jqb '.posts[0].id'); P2=$(jqb '.posts[1].id')
S1=$(jq -c '[.posts[0].sentences[].id]' <<<"$BODY")
N1=$(jq '.posts[0].sentences|length' <<<"$BODY")

# ---- progress ----
http GET "${URL}api/books/$B/progress"
check "GET /progress counts the book" \
  '[ "$CODE" = 200 ] && [ "$(jqb .book_id)" = "$B" ] && [ "$(jqb .total)" = 196 ] && [ "$(jqb .idle)" = 196 ]'
check "progress has throughput fields" \
  '[ "$(jqb .per_minute)" = 0 ] && [ "$(jqb ".nodes|length")" = 0 ] && [ "$(jqb .seconds_left_estimate)" = 0 ]'
http GET "${URL}api/books/00000000000000000000000000000000/progress"
check "progress of an unknown book is 404" '[ "$CODE" = 404 ]'

# ---- nothing rendered yet ----
http GET "${URL}books/$B/book.opus?post=$P1"
check "a post with nothing rendered is 409" '[ "$CODE" = 409 ] && [[ $(jqb .error) == *"post"* ]]'
http GET "${URL}books/$B/feed.xml"
check "the feed of an unrendered book is valid and empty" \
  '[ "$CODE" = 200 ] && xmllint --noout - <<<"$BODY" && [ "$(grep -c "<item>" <<<"$BODY")" = 0 ]'

# ---- render the first post and watch the events ----
curl -sN -m 120 "${URL}api/events" >"$T_TMP/events" 2>/dev/null &
EV=$!
T_PIDS+=("$EV")
sleep 0.5
http POST "${URL}api/books/$B/rerender" "${J[@]}" -d "{\"sentences\":$S1}"
check "rerender queues the first post" '[ "$CODE" = 200 ] && [ "$(jqb .queued)" = "$N1" ]'
for _ in $(seq 600); do
  [ "$(grep -c '^event: audio' "$T_TMP/events")" -ge "$N1" ] && break
  sleep 0.1
done
sleep 1.5 # the progress publisher runs every second
kill "$EV" 2>/dev/null
data_of() { awk -v t="$1" '$0 == "event: " t {getline; sub(/^data: /, ""); print}' "$T_TMP/events"; }
check "an audio event per rendered sentence" '[ "$(data_of audio | wc -l)" -ge "$N1" ]'
A=$(data_of audio | head -1)
check "audio events carry book, index, audio, duration and node" \
  '[ "$(jq -r .book_id <<<"$A")" = "$B" ] && [ "$(jq -r .index <<<"$A")" = 0 ] && [[ $(jq -r .audio <<<"$A") =~ ^/audio/[0-9a-f]{64}\.opus$ ]] && jq -e ".duration > 0 and (.node|length) == 64" <<<"$A" >/dev/null'
check "sentence events tell when a sentence starts rendering" \
  'data_of sentence | jq -s -e "any(.[]; .state == \"rendering\" and .book_id == \"$B\")" >/dev/null'
check "sentence events tell when it was requested" \
  'data_of sentence | jq -s -e "any(.[]; .state == \"pending\")" >/dev/null'
LASTP=$(data_of progress | tail -1)
check "progress events follow rendering, with throughput" \
  '[ "$(jq -r .done <<<"$LASTP")" = "$N1" ] && jq -e ".per_minute > 0 and (.nodes|length) == 1" <<<"$LASTP" >/dev/null'
AU=$(jq -r .audio <<<"$A")
CODE=$(curl -s -o /dev/null -w '%{http_code}' "${URL%/}$AU")
check "the audio an event names is served" '[ "$CODE" = 200 ]'

# ---- part downloads ----
curl -s -o "$T_TMP/post.opus" -w '%{http_code} %{content_type}' "${URL}books/$B/book.opus?post=$P1" >"$T_TMP/hdr"
check "GET book.opus?post= is an Ogg Opus file" \
  '[ "$(cat "$T_TMP/hdr")" = "200 audio/ogg" ] && ffprobe -v error "$T_TMP/post.opus"'
check "the post's file has its chapter" \
  '[ "$(ffprobe -v error -show_chapters -of json "$T_TMP/post.opus" | jq ".chapters|length")" = 1 ] || opusinfo "$T_TMP/post.opus" | grep -q CHAPTER001'
curl -s -o "$T_TMP/thread.opus" -w '%{http_code}' "${URL}books/$B/book.opus?thread=0" >"$T_TMP/hdr"
check "GET book.opus?thread=0 gives what is rendered of the thread" \
  '[ "$(cat "$T_TMP/hdr")" = 200 ] && ffprobe -v error "$T_TMP/thread.opus"'
http GET "${URL}books/$B/book.opus?post=$P2"
check "an unrendered post is 409" '[ "$CODE" = 409 ]'
http GET "${URL}books/$B/book.opus?post=nope"
check "an unknown post is 404" '[ "$CODE" = 404 ]'
http GET "${URL}books/$B/book.opus?thread=7"
check "an unknown thread is 404" '[ "$CODE" = 404 ]'
http GET "${URL}books/$B/book.opus?thread=x"
check "a malformed thread is 400" '[ "$CODE" = 400 ]'
http GET "${URL}books/$B/book.opus?thread=0&post=$P1"
check "post and thread together are 400" '[ "$CODE" = 400 ]'

# ---- the podcast feed ----
http GET "${URL}books/$B/feed.xml"
check "the feed is well-formed XML" '[ "$CODE" = 200 ] && xmllint --noout - <<<"$BODY"'
check "it is RSS 2.0 with the book's name" \
  '[ "$(xmllint --xpath "string(/rss/@version)" - <<<"$BODY")" = 2.0 ] && [ "$(xmllint --xpath "string(/rss/channel/title)" - <<<"$BODY")" = Web ]'
check "only the fully rendered post is an item" '[ "$(xmllint --xpath "count(/rss/channel/item)" - <<<"$BODY")" = 1 ]'
ENC=$(xmllint --xpath "string(/rss/channel/item/enclosure/@url)" - <<<"$BODY")
check "its enclosure is an absolute URL of the post's download" '[ "$ENC" = "${URL}books/$B/book.opus?post=$P1" ]'
check "the enclosure has a length and type audio/ogg" \
  '[ "$(xmllint --xpath "string(/rss/channel/item/enclosure/@type)" - <<<"$BODY")" = audio/ogg ] && [ "$(xmllint --xpath "string(/rss/channel/item/enclosure/@length)" - <<<"$BODY")" -gt 1000 ]'
check "every item has a guid" '[ "$(xmllint --xpath "string(/rss/channel/item/guid)" - <<<"$BODY")" = "glowtalk:$B:post:$P1" ]'
LEN=$(xmllint --xpath "string(/rss/channel/item/enclosure/@length)" - <<<"$BODY")
GOT=$(curl -s "$ENC" | wc -c)
check "the enclosure's length is the download's exact size" '[ "$LEN" = "$GOT" ]'
CL=$(curl -s -D - -o /dev/null "$ENC" | tr -d '\r' | sed -n 's/^Content-Length: //Ip')
check "a download measured before says its Content-Length" '[ "$CL" = "$LEN" ]'
G1=$BODY
http GET "${URL}books/$B/feed.xml"
check "the feed is stable" '[ "$BODY" = "$G1" ]'
http GET "${URL}books/$B/feed.xml?per=thread"
check "per=thread: the thread is not fully rendered, no item" \
  '[ "$CODE" = 200 ] && [ "$(xmllint --xpath "count(/rss/channel/item)" - <<<"$BODY")" = 0 ]'
http GET "${URL}books/$B/feed.xml?per=chapter"
check "per=other is 400" '[ "$CODE" = 400 ]'
http GET "${URL}books/00000000000000000000000000000000/feed.xml"
check "the feed of an unknown book is 404" '[ "$CODE" = 404 ]'
http GET "${URL}books/$B/feed.xml" -H "Host: evil.example"
check "a foreign Host gets no feed" '[ "$CODE" = 403 ]'
http GET "${URL}books/$B/other.txt"
check "an unknown download is 404" '[ "$CODE" = 404 ]'

# ---- metrics ----
http GET "${URL}metrics"
check "GET /metrics is text" '[ "$CODE" = 200 ]'
# Strict Prometheus text format: HELP/TYPE before samples, names and
# labels well formed, numeric values, every sample's metric typed.
printf '%s\n' "$BODY" > "$T_TMP/metrics"
check "the metrics parse as the Prometheus text format" \
  'perl -ne '\''
    chomp; next if $_ eq "";
    if (/^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S/) { $help{$1}=1; next }
    if (/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/) { die "dup $1" if $type{$1}++; next }
    die "bad line: $_" unless /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\})? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf)$/;
    die "untyped $1" unless $type{$1} && $help{$1};
    $n++; END { die "no samples" unless $n > 5 }'\'' "$T_TMP/metrics"'
metric() { awk -v m="$1" '$1 == m {print $2}' "$T_TMP/metrics"; }
check "metrics count the completions" '[ "$(metric glowtalk_completions_total)" -ge "$N1" ]'
check "metrics give the queue by state" '[ "$(metric "glowtalk_queue_sentences{state=\"done\"}")" -ge "$N1" ]'
check "metrics give renders per second and the average render time" \
  'awk "BEGIN{exit !($(metric glowtalk_renders_per_second) > 0 && $(metric glowtalk_render_seconds_average) > 0)}"'
check "metrics give the storage used" '[ "$(metric glowtalk_storage_bytes)" -gt 1000 ]'
check "metrics give the peers" '[ -n "$(metric "glowtalk_peers{state=\"connected\"}")" ]'
http GET "${URL}metrics/x"
check "a path under /metrics is 404" '[ "$CODE" = 404 ]'

# ---- lexicon ----
L="${URL}api/books/$B/lexicon"
http GET "$L"
check "a new book's lexicon is empty" '[ "$CODE" = 200 ] && [ "$(jqb ".lexicon|length")" = 0 ]'
http PUT "$L/Keeper" "${J[@]}" -d '{"pron":"keeper of lights"}'
check "PUT lexicon/WORD records it (case folded)" '[ "$CODE" = 200 ] && [ "$(jqb .word)" = keeper ] && [ "$(jqb .pron)" = "keeper of lights" ]'
http PUT "$L/orla" "${J[@]}" -d '{"pron":"[[\"o@rl@]]"}'
check "phonemes are accepted" '[ "$CODE" = 200 ]'
http GET "$L"
check "GET lists the words in order" '[ "$(jqb "[.lexicon[].word]|join(\",\")")" = "keeper,orla" ]'
http PUT "$L/keeper" "${J[@]}" -d '{"pron":"keepah"}'
http GET "$L"
check "a later PUT replaces the word" '[ "$(jqb ".lexicon|length")" = 2 ] && [ "$(jqb ".lexicon[0].pron")" = keepah ]'
http PUT "$L/keeper" "${J[@]}" -d '{"pron":"<b>x</b>"}'
check "a pronunciation with markup is 400" '[ "$CODE" = 400 ]'
http PUT "$L/keeper" "${J[@]}" -d '{}'
check "a missing pronunciation is 400" '[ "$CODE" = 400 ]'
http PUT "$L/two%20words" "${J[@]}" -d '{"pron":"x"}'
check "a word with a space is 400" '[ "$CODE" = 400 ]'
http PUT "$L/keeper" -H "Content-Type: application/json" -d '{"pron":"x"}'
check "no CSRF token: 403" '[ "$CODE" = 403 ]'
http POST "$L" "${J[@]}" -d '{}'
check "POST on the list is 405" '[ "$CODE" = 405 ]'
http DELETE "$L/orla" "${J[@]}"
check "DELETE removes a word" '[ "$CODE" = 200 ] && [ "$(jqb .deleted)" = true ]'
http DELETE "$L/orla" "${J[@]}"
check "deleting a word not there is 404" '[ "$CODE" = 404 ]'
http GET "$L"
check "the list shows the removal" '[ "$(jqb ".lexicon|length")" = 1 ]'
http GET "${URL}api/books/00000000000000000000000000000000/lexicon"
check "the lexicon of an unknown book is 404" '[ "$CODE" = 404 ]'
http POST "${URL}api/previews" "${J[@]}" -d '{"voice":"espeak:en","text":"Keeper"}'
PLAIN=$(jqb .audio)
http POST "${URL}api/previews" "${J[@]}" -d '{"voice":"espeak:en","text":"Keeper","lexicon":{"keeper":"zebra crossing"}}'
check "a preview with a lexicon entry sounds different" '[ "$CODE" = 200 ] && [ "$(jqb .audio)" != "$PLAIN" ] && [ "$(jqb .duration)" != null ]'
http POST "${URL}api/previews" "${J[@]}" -d '{"voice":"espeak:en","text":"Keeper","lexicon":{"keeper":"<x>"}}'
check "a preview with a bad lexicon entry is 400" '[ "$CODE" = 400 ] && [[ $(jqb .error) == lexicon:* ]]'

stop_node "$PID"
check "the node stops cleanly" '[ $? = 0 ]'
done_testing
