#!/usr/bin/env bash
# /api/voices, /api/previews and /audio on a real node: the catalogue, a
# preview rendered and decoded, Range and cache headers, and error paths.
. "$(dirname "$0")/lib.sh"
D=$T_TMP/d
"$GLOWTALK" init --data "$D" >/dev/null 2>&1
start_node "$D" || { not_ok "node starts"; done_testing; }
token=$(curl -s "$URL" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
preview() { http POST "${URL}api/previews" -H "X-CSRF-Token: $token" -H "Content-Type: application/json" -d "$1"; }

http GET "${URL}api/voices"
check "the catalogue lists voices" '[ "$CODE" = 200 ] && [[ $BODY == *"\"voices\":[{"*"\"lang\":\"en-us\""* ]]'
check "the catalogue lists variants and presets" '[[ $BODY == *"\"variants\":[{"* && $BODY == *"\"role\":\"Narrator\""* ]]'

preview '{"voice":"espeak:en-us+f2,rate=180","text":"Hello, this is a preview."}'
check "a preview renders" '[ "$CODE" = 200 ] && [[ $BODY == *"\"audio\":\"/audio/"*".opus\""* && $BODY == *"\"cached\":false"* ]]'
audio=$(sed -n 's/.*"audio":"\/\([^"]*\)".*/\1/p' <<<"$BODY")
curl -s -D "$T_TMP/h" -o "$T_TMP/p.opus" "$URL$audio"
check "the audio is served as audio/ogg" 'grep -qi "^Content-Type: audio/ogg" "$T_TMP/h"'
check "the audio is cached as immutable" 'grep -qi "^Cache-Control: .*immutable" "$T_TMP/h"'
check "the audio decodes" 'opusinfo "$T_TMP/p.opus" >/dev/null 2>&1 && ! opusinfo "$T_TMP/p.opus" 2>&1 | grep -qi "error"'
size=$(stat -c %s "$T_TMP/p.opus")
curl -s -D "$T_TMP/h" -o "$T_TMP/part" -H "Range: bytes=10-19" "$URL$audio"
check "Range requests get 206 and the bytes asked for" 'head -1 "$T_TMP/h" | grep -q 206 && [ "$(stat -c %s "$T_TMP/part")" = 10 ] && cmp -s "$T_TMP/part" <(tail -c +11 "$T_TMP/p.opus" | head -c 10)'
etag=$(grep -i "^Etag:" "$T_TMP/h" | cut -d" " -f2 | tr -d "\r")
code=$(curl -s -o /dev/null -w "%{http_code}" -H "If-None-Match: $etag" "$URL$audio")
check "a known ETag gets 304" '[ "$code" = 304 ]'
preview '{"voice":"espeak:en-us+f2,rate=180","text":"Hello, this is a preview."}'
check "the same line in the same voice comes from the cache" '[[ $BODY == *"\"cached\":true"* && $BODY == *"$audio"* ]]'
preview '{"voice":"espeak:en-us+f2,rate=181","text":"Hello, this is a preview."}'
check "another rate is another render" '[[ $BODY == *"\"cached\":false"* && $BODY != *"$audio"* ]]'

preview '{"voice":"espeak:xx-nope","text":"Hi"}'
check "an unknown voice is a 400 with a reason" '[ "$CODE" = 400 ] && [[ $BODY == *"unknown"* ]]'
preview '{"voice":"espeak:en-us+m3:60+","text":"Hi"}'
check "a malformed mix is a 400" '[ "$CODE" = 400 ]'
preview '{"voice":"espeak:en-us","text":"   "}'
check "empty text is a 400" '[ "$CODE" = 400 ]'
long=$(head -c 1200 /dev/zero | tr "\0" a)
preview "{\"voice\":\"espeak:en-us\",\"text\":\"$long\"}"
check "over-long text is a 400" '[ "$CODE" = 400 ]'
preview '{"text":"Hi"}'
check "a missing voice is a 400" '[ "$CODE" = 400 ]'
http POST "${URL}api/previews" -H "Content-Type: application/json" -d '{"voice":"espeak:en-us","text":"Hi"}'
check "a preview without the CSRF token is refused" '[ "$CODE" = 403 ]'
http GET "${URL}audio/$(printf "%064d" 0).opus"
check "unknown audio is a 404" '[ "$CODE" = 404 ]'
http GET "${URL}audio/..%2F..%2Fidentity.key" --path-as-is
check "no path escapes the audio store" '[ "$CODE" = 404 ] && [[ $BODY != *"glowtalk-identity"* ]]'
http GET "${URL}audio/${audio#audio/}x"
check "a malformed audio name is a 404" '[ "$CODE" = 404 ]'

stop_node "$PID"; rc=$?
check "the node stops cleanly" '[ $rc = 0 ]'
done_testing
