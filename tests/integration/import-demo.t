#!/usr/bin/env bash
# The demo story (contrib/demo): imports offline with its characters,
# narration and pauses, and build.js regenerates it byte for byte.
set -u
BIN=${GLOWTALK_BIN:-./glowtalk}
SRC=${GLOWTALK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export GLOWTALK_LOG_LEVEL=warn

echo "1..4"
n=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
D=$TMP/data
"$BIN" init --data "$D" >/dev/null 2>&1
q() { sqlite3 "$D/glowtalk.db" "$1"; }

out=$("$BIN" import --data "$D" "$SRC/contrib/demo/keeper-of-small-lights.html" --json 2>&1)
words=${out#*\"words\":}; words=${words%%,*}
[[ $out == *'"posts":41,'* && $out == *'"characters":5,'* && $words -ge 1900 && $words -le 2200 ]]
ok $? "the demo imports: 41 posts, 5 characters, about 2,000 words ($out)"
[[ $(q "SELECT count(*) FROM work_posts WHERE char_key IS NULL") == 9 && \
   $(q "SELECT count(*) FROM work_characters WHERE icon_url LIKE 'icons/%.svg'") == 5 && \
   $(q "SELECT screenname FROM work_characters WHERE name = 'Pip'") == squawk_box ]]
ok $? "nine narration posts; every character has an icon; <wbr> screenname whole"
r=0
for f in $(q "SELECT DISTINCT icon_url FROM work_posts WHERE icon_url IS NOT NULL"); do
  [[ -s $SRC/contrib/demo/$f ]] || { echo "# missing $f"; r=1; }
done
ok $r "every icon the page names exists"
cp -r "$SRC/contrib/demo" "$TMP/demo"
node "$TMP/demo/build.js" >/dev/null && diff -r "$SRC/contrib/demo" "$TMP/demo" >/dev/null
ok $? "build.js regenerates the page and icons byte for byte"
