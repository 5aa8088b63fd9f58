#!/usr/bin/env bash
# /api/books on a real node: create, list, read, rename, fork, delete;
# casting and auto-cast; render / cancel / rerender as log entries with
# progress events; the reader's and player's lists; every error path.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEMO=$ROOT/contrib/demo/keeper-of-small-lights.html
D=$T_TMP/d
"$GLOWTALK" init --data "$D" >/dev/null 2>&1
W=$("$GLOWTALK" import --data "$D" "$DEMO" --json | jq -r .work_id)
# This node renders nothing, so queue states stay as the API set them
# (render.t covers the render loop).
start_node "$D" --render=no || { not_ok "node starts"; done_testing; }
token=$(curl -s "$URL" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
J=(-H "X-CSRF-Token: $token" -H "Content-Type: application/json")
jqb() { jq -r "$1" <<<"$BODY"; }
orla() { jq -r --arg k "$ORLA" '.cast[$k]' <<<"$BODY"; }

http GET "${URL}api/books"
check "no books at first" '[ "$CODE" = 200 ] && [ "$(jqb ".books|length")" = 0 ]'

# ---- create ----
http POST "${URL}api/books" "${J[@]}" -d "{\"work_id\":\"$W\",\"name\":\"Keeper\"}"
check "POST /api/books creates a book" '[ "$CODE" = 201 ] && [ "$(jqb .name)" = Keeper ] && [ "$(jqb .work_id)" = "$W" ]'
B=$(jqb .id)
check "the book id is 32 hex" '[[ $B =~ ^[0-9a-f]{32}$ ]]'
check "a new book has progress with every sentence idle" \
  '[ "$(jqb .progress.total)" = 196 ] && [ "$(jqb .progress.done)" = 0 ] && [ "$(jqb .progress.idle)" = 196 ]'
http POST "${URL}api/books" "${J[@]}" -d '{"work_id":"nope","name":"x"}'
check "an unknown work is 404" '[ "$CODE" = 404 ] && [[ $(jqb .error) == *"no work"* ]]'
http POST "${URL}api/books" "${J[@]}" -d "{\"work_id\":\"$W\"}"
check "a missing name is 400" '[ "$CODE" = 400 ]'
http POST "${URL}api/books" "${J[@]}" -d "{\"work_id\":\"$W\",\"name\":\"$(printf 'x%.0s' $(seq 300))\"}"
check "a name over the cap is 400" '[ "$CODE" = 400 ]'
http POST "${URL}api/books" "${J[@]}" -d "{\"work_id\":\"$W\",\"name\":\"F\",\"fork_of\":\"zz\"}"
check "a malformed fork_of is 400" '[ "$CODE" = 400 ]'
http POST "${URL}api/books" "${J[@]}" -d "{\"work_id\":\"$W\",\"name\":\"F\",\"fork_of\":\"$(printf 'ab%.0s' $(seq 16))\"}"
check "forking an unknown book is 404" '[ "$CODE" = 404 ]'
http POST "${URL}api/books" -H "Content-Type: application/json" -d "{\"work_id\":\"$W\",\"name\":\"x\"}"
check "no CSRF token: refused" '[ "$CODE" = 403 ]'
http POST "${URL}api/books" "${J[@]}" -d '[1]'
check "a body that is not an object is 400" '[ "$CODE" = 400 ]'

# ---- read, list, rename ----
http GET "${URL}api/books/$B"
check "GET /api/books/{id}" '[ "$CODE" = 200 ] && [ "$(jqb .id)" = "$B" ] && [ "$(jqb ".cast|length")" = 0 ]'
http GET "${URL}api/books/00000000000000000000000000000000"
check "an unknown book is 404" '[ "$CODE" = 404 ]'
http GET "${URL}api/books/xyz"
check "a malformed book id is 404" '[ "$CODE" = 404 ]'
http PATCH "${URL}api/books/$B" "${J[@]}" -d '{"name":"Renamed"}'
check "PATCH renames" '[ "$CODE" = 200 ] && [ "$(jqb .name)" = Renamed ]'
http PATCH "${URL}api/books/$B" "${J[@]}" -d '{"name":""}'
check "an empty name is 400" '[ "$CODE" = 400 ]'
http GET "${URL}api/books?work=$W"
check "GET /api/books?work= lists it" '[ "$(jqb ".books|length")" = 1 ] && [ "$(jqb ".books[0].name")" = Renamed ]'
http GET "${URL}api/books?work=other"
check "and another work has none" '[ "$CODE" = 200 ] && [ "$(jqb ".books|length")" = 0 ]'

http GET "${URL}api/works"
check "the works list names the book" '[ "$(jqb ".works[0].books[0].id")" = "$B" ] && [ "$(jqb ".works[0].books[0].name")" = Renamed ]'
http GET "${URL}api/status"
check "status lists the books feature" '[ "$(jqb "[.features[]|select(.==\"books\")]|length")" = 1 ]'

# ---- casting ----
ORLA=$(curl -s "${URL}api/works/$W/characters" | jq -r '.characters[]|select(.name=="Keeper Orla Finch")|.key')
ORLA_URI=$(jq -rn --arg k "$ORLA" '$k|@uri')
NARR_URI=$(curl -s "${URL}api/works/$W/characters" | jq -r '[.characters[]|select(.key|startswith("narrator:"))][0].key|@uri')
http PUT "${URL}api/books/$B/cast/default" "${J[@]}" -d '{"voice":"espeak:en+m3"}'
check "PUT cast/default" '[ "$CODE" = 200 ]'
http PUT "${URL}api/books/$B/cast/$ORLA_URI" "${J[@]}" -d '{"voice":"espeak:en+f3"}'
check "PUT cast/{character}" '[ "$CODE" = 200 ]'
http PUT "${URL}api/books/$B/cast/$ORLA_URI" "${J[@]}" -d '{"voice":"espeak:en+nosuch:x:y"}'
check "a malformed voice is 400" '[ "$CODE" = 400 ] && [[ $(jqb .error) == *"bad voice"* ]]'
http PUT "${URL}api/books/$B/cast/Nobody" "${J[@]}" -d '{"voice":"espeak:en"}'
check "an unknown character is 404" '[ "$CODE" = 404 ]'
http PUT "${URL}api/books/$B/cast/$ORLA_URI" "${J[@]}" -d '{}'
check "a missing voice is 400" '[ "$CODE" = 400 ]'
http PUT "${URL}api/books/$B/cast/$NARR_URI" "${J[@]}" -d '{"voice":"espeak:en+m1"}'
check "a narrator can be cast too" '[ "$CODE" = 200 ]'
http GET "${URL}api/books/$B"
check "the book shows its casting" '[ "$(jqb .default_voice)" = "espeak:en+m3" ] && [ "$(orla)" = "espeak:en+f3" ]'
http PUT "${URL}api/books/$B/cast/$ORLA_URI" "${J[@]}" -d '{"voice":null}'
http GET "${URL}api/books/$B"
check "voice null unsets it" '[ "$(orla)" = null ]'
http POST "${URL}api/books/$B/autocast" "${J[@]}"
nchars=$(curl -s "${URL}api/works/$W/characters" | jq '[.characters[]|select(.key|startswith("narrator:")|not)]|length')
check "autocast gives every character a voice (narrators keep theirs)" '[ "$CODE" = 200 ] && [ "$(jqb ".cast|length")" = $((nchars + 1)) ] && [ "$nchars" -gt 1 ]'
check "and distinct voices" '[ "$(jqb "[.cast[]]|unique|length")" = $((nchars + 1)) ]'
http POST "${URL}api/books" "${J[@]}" -d "{\"work_id\":\"$W\",\"name\":\"Fork\",\"fork_of\":\"$B\"}"
F=$(jqb .id)
check "a fork copies the casting" '[ "$CODE" = 201 ] && [ "$(jqb .fork_of)" = "$B" ] && [ "$(jqb ".cast|length")" = $((nchars + 1)) ]'

# ---- lists ----
http GET "${URL}api/books/$B/sentences?from=0&limit=5"
check "sentences: a page in story order" '[ "$CODE" = 200 ] && [ "$(jqb ".sentences|length")" = 5 ] && [ "$(jqb ".sentences[4].index")" = 4 ] && [ "$(jqb .next)" = 5 ] && [ "$(jqb .total)" = 196 ]'
S3=$(jqb ".sentences[3].id")
http GET "${URL}api/books/$B/sentences?at=$S3&limit=2"
check "sentences?at=ID starts there" '[ "$(jqb ".sentences[0].id")" = "$S3" ] && [ "$(jqb ".sentences[0].index")" = 3 ]'
http GET "${URL}api/books/$B/sentences?at=nosuch"
check "an unknown at is 404" '[ "$CODE" = 404 ]'
http GET "${URL}api/books/$B/sentences?limit=100000"
check "a limit over the cap is 400" '[ "$CODE" = 400 ]'
http GET "${URL}api/books/$B/sentences?from=-1"
check "a negative from is 400" '[ "$CODE" = 400 ]'
http GET "${URL}api/books/$B/posts?from=0&limit=3"
check "posts: the reader's page" '[ "$CODE" = 200 ] && [ "$(jqb ".posts|length")" = 3 ] && [ "$(jqb ".posts[0].index")" = 0 ] && [ "$(jqb .next)" = 3 ] && [ "$(jqb ".posts[0].sentences[0].state")" = idle ]'
check "posts carry speaker and voice" '[ -n "$(jqb ".posts[0].speaker")" ] && [ "$(jqb ".posts[0].voice")" != null ]'
http GET "${URL}api/books/$B/posts?from=40"
check "the last page has next null" '[ "$(jqb ".posts|length")" = 1 ] && [ "$(jqb .next)" = null ]'

# ---- per-post and snippet voices ----
http GET "${URL}api/books/$B/posts?from=1&limit=1"
P1=$(jqb ".posts[0].id")
P1_URI=$(jq -rn --arg k "$P1" '$k|@uri')
http PUT "${URL}api/books/$B/posts/$P1_URI/voice" "${J[@]}" -d '{"voice":"espeak:en+f4"}'
check "PUT posts/{id}/voice" '[ "$CODE" = 200 ]'
http GET "${URL}api/books/$B/posts?from=1&limit=1"
check "the reader shows the post's override" '[ "$(jqb ".posts[0].voice_override")" = "espeak:en+f4" ] && [ "$(jqb ".posts[0].voice")" = "espeak:en+f4" ]'
http PUT "${URL}api/books/$B/posts/nosuch/voice" "${J[@]}" -d '{"voice":"espeak:en"}'
check "an unknown post is 404" '[ "$CODE" = 404 ]'
http GET "${URL}api/books/$B/sentences?from=10&limit=4"
SN=$(jq -c '[.sentences[0].id, .sentences[1].id, .sentences[3].id]' <<<"$BODY")
http PUT "${URL}api/books/$B/snippets" "${J[@]}" -d "{\"sentences\":$SN,\"voice\":\"espeak:en+m2\"}"
check "PUT snippets: one entry per run" '[ "$CODE" = 200 ] && [ "$(jqb .sentences)" = 3 ] && [ "$(jqb .snippets)" = 2 ]'
http PUT "${URL}api/books/$B/snippets" "${J[@]}" -d '{"sentences":["nosuch"],"voice":"espeak:en"}'
check "a snippet of an unknown sentence is 400" '[ "$CODE" = 400 ]'
http PUT "${URL}api/books/$B/snippets" "${J[@]}" -d "{\"sentences\":$SN,\"voice\":\"bogus\"}"
check "a snippet with a bad voice is 400" '[ "$CODE" = 400 ]'

# ---- render, cancel, rerender ----
after=$(curl -s -N -m 1 "${URL}api/events?after=0" | sed -n 's/^id: //p' | tail -1)
http POST "${URL}api/books/$B/render" "${J[@]}"
check "render queues every sentence" '[ "$CODE" = 200 ] && [ "$(jqb .queued)" = 196 ]'
http GET "${URL}api/books/$B"
check "and they are pending" '[ "$(jqb .progress.pending)" = 196 ] && [ "$(jqb .progress.idle)" = 0 ]'
events=$(curl -s -N -m 1 "${URL}api/events?after=${after:-0}" || true)
check "a progress event is published" '[[ $events == *"event: progress"*"\"book_id\":\"$B\""*"\"pending\":196"* ]]'
http POST "${URL}api/books/$B/render" "${J[@]}"
check "render again queues nothing new" '[ "$(jqb .queued)" = 0 ]'
http POST "${URL}api/books/$B/rerender" "${J[@]}" -d "{\"sentences\":[\"$S3\",\"$S3\"]}"
check "rerender by id queues it (once)" '[ "$CODE" = 200 ] && [ "$(jqb .queued)" = 1 ]'
http POST "${URL}api/books/$B/rerender" "${J[@]}" -d '{"sentences":["nosuch"]}'
check "rerender of an unknown sentence is 400" '[ "$CODE" = 400 ]'
http POST "${URL}api/books/$B/rerender" "${J[@]}" -d '{}'
check "rerender needs sentences or failed" '[ "$CODE" = 400 ]'
http POST "${URL}api/books/$B/rerender" "${J[@]}" -d '{"failed":true}'
check "rerender failed with none failed queues nothing" '[ "$CODE" = 200 ] && [ "$(jqb .queued)" = 0 ]'
http POST "${URL}api/books/$B/cancel" "${J[@]}"
check "cancel drops the pending ones" '[ "$CODE" = 200 ] && [ "$(jqb .cancelled)" = 196 ]'
http GET "${URL}api/books/$B"
check "nothing is pending after" '[ "$(jqb .progress.pending)" = 0 ] && [ "$(jqb .progress.idle)" = 196 ]'
http GET "${URL}books/$B/book.opus"
check "book.opus with nothing rendered is 409" '[ "$CODE" = 409 ] && [[ $BODY == *"0 of 196"* ]]'
http GET "${URL}books/$B/other"
check "an unknown download is 404" '[ "$CODE" = 404 ]'
http POST "${URL}api/books/$B/nosuch" "${J[@]}"
check "an unknown action is 404" '[ "$CODE" = 404 ]'

# ---- delete ----
http DELETE "${URL}api/books/$F" -H "X-CSRF-Token: $token"
check "DELETE removes a book" '[ "$CODE" = 200 ]'
http GET "${URL}api/books/$F"
check "a deleted book is gone" '[ "$CODE" = 404 ]'
http DELETE "${URL}api/books/$F" -H "X-CSRF-Token: $token"
check "deleting it again is 404" '[ "$CODE" = 404 ]'
"$GLOWTALK" status --data "$D" --json >/dev/null 2>&1
check "the daemon is still up" 'kill -0 $PID'
done_testing
