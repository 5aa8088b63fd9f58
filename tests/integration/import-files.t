#!/usr/bin/env bash
# glowtalk import FILE: every shared fixture imports with the counts of
# fixtures/glowfic/SOURCES.md; re-importing an edited page keeps the ids of
# unchanged sentences; bad files get one error line, exit 1, nothing stored.
set -u
BIN=${GLOWTALK_BIN:-./glowtalk}
SRC=${GLOWTALK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
FIX=$SRC/../shared/fixtures/glowfic
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export GLOWTALK_LOG_LEVEL=warn

echo "1..12"
n=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
D=$TMP/data
"$BIN" init --data "$D" >/dev/null 2>&1
q() { sqlite3 "$D/glowtalk.db" "$1"; }

# file posts characters-with-text narration(posts without character)
check() {
  local file=$1 posts=$2 narr=$3 out
  out=$("$BIN" import --data "$D" "$FIX/$file" --json 2>&1)
  local id=${out#*\"work_id\":\"}; id=${id%%\"*}
  [[ $out == *"\"posts\":$posts,"* && \
     $(q "SELECT count(*) FROM work_posts WHERE work_id='$id' AND char_key IS NULL") == "$narr" && \
     $(q "SELECT count(*) FROM work_sentences WHERE work_id='$id' AND text = ''") == 0 ]]
  ok $? "$file: $posts posts, $narr narration ($out)"
}
check alts.html 26 0
check dialogue-2author.html 40 0
check icon-aspect.html 36 0
check icon-heavy.html 30 0
check multi-author-3plus.html 40 1
check thread-page.html 3 1

# 7: an API post file and a replies file
out=$("$BIN" import --data "$D" "$FIX/post_7508.json" --json 2>&1) && \
out2=$("$BIN" import --data "$D" "$FIX/replies_7508_p1.json" --json 2>&1)
[[ $out == *'"posts":1,'* && $out2 == *'"posts":5,'* ]]
ok $? "saved API replies import ($out2)"

# 8-9: re-import of an edited page: one post edited, one reply added
cp "$FIX/thread-page.html" "$TMP/page.html"
"$BIN" import --data "$D" "$TMP/page.html" --json >/dev/null 2>&1
before=$(q "SELECT sentence_id FROM work_sentences s JOIN works w USING (work_id) WHERE w.key='glowfic:post:100' ORDER BY post_key, position")
node - "$TMP/page.html" <<'JS'
const fs = require('fs');
const p = process.argv[2];
let s = fs.readFileSync(p, 'utf8');
// edit the OP's last paragraph and append a copy of the last reply as new
s = s.replace('She does not feel any tiles.', 'She does not feel any tiles. Nothing answers.');
const i = s.lastIndexOf('<div class="post-container post-reply');
const block = s.slice(i, s.indexOf('</body>'));
const last = block.match(/reply-(\d+)/)[1];
s = s.replace('</body>', block.split(last).join('99999') + '</body>');
fs.writeFileSync(p, s);
JS
out=$("$BIN" import --data "$D" "$TMP/page.html" --json 2>&1)
after=$(q "SELECT sentence_id FROM work_sentences s JOIN works w USING (work_id) WHERE w.key='glowfic:post:100' ORDER BY post_key, position")
kept=$(comm -12 <(sort <<<"$before") <(sort <<<"$after") | wc -l)
total=$(wc -l <<<"$before")
[[ $out == *'"new_posts":1,'* && $out == *'"changed_posts":1,'* && $out == *'"posts":4,'* ]]
ok $? "re-import adds the new reply and updates the edited post ($out)"
[[ $kept == "$total" ]]
ok $? "every unchanged sentence keeps its id ($kept of $total)"

# 11-12: bad files
works=$(q "SELECT count(*) FROM works")
bad() {
  local file=$1 want=$2
  "$BIN" import --data "$D" "$file" --json > "$TMP/out" 2> "$TMP/err"
  local rc=$?
  [[ $rc == 1 && ! -s $TMP/out && $(wc -l < "$TMP/err") == 1 && $(cat "$TMP/err") == *"$want"* && \
     $(q "SELECT count(*) FROM works") == "$works" ]] || { echo "# $file: rc=$rc $(cat "$TMP/err")"; return 1; }
}
: > "$TMP/empty.html"
printf '<html><body><h1>My blog</h1><p>Hello.</p></body></html>' > "$TMP/blog.html"
head -c 30000 "$FIX/multi-author-3plus.html" > "$TMP/cut.html"
printf '<html><body>' > "$TMP/cut2.html"; cat "$FIX/thread-page.html" | head -c 3000 >> "$TMP/cut2.html"
printf '{"id": 5, "subject": "x", ' > "$TMP/bad.json"
r=0
bad "$TMP/empty.html" "empty" || r=1
bad "$TMP/blog.html" "no Glowfic posts" || r=1
bad "$TMP/cut2.html" "cut short" || r=1
bad "$TMP/bad.json" "invalid JSON" || r=1
bad "$TMP/missing.html" "cannot open" || r=1
ok $r "empty, non-Glowfic, truncated, invalid JSON, missing: refused"
r=0
GLOWTALK_FETCH_MAX_BYTES=2048 bad "$FIX/alts.html" "over the limit" || r=1
ok $r "a file over fetch-max-bytes is refused before reading"

# 12: images spoken as alt text, or skipped (images = skip)
page='<div class="post-container post-reply"><a class="noheight" id="reply-7"> </a><div class="padding-10"><div class="post-info-box"><div class="post-info-text"><div class="post-author">au</div></div></div><div class="post-edit-box"><a href="/posts/8?at_id=7"></a></div><div class="post-content"><p>See <img src="m.png" alt="a map of the coast"> here.</p></div></div><div class="post-footer">x</div></div>'
printf '%s' "$page" > "$TMP/img.html"
D4=$TMP/data4
"$BIN" init --data "$D4" >/dev/null 2>&1
"$BIN" import --data "$D4" "$TMP/img.html" >/dev/null 2>&1
alt=$(sqlite3 "$D4/glowtalk.db" "SELECT text FROM work_sentences")
"$BIN" import --data "$D4" --images skip "$TMP/img.html" >/dev/null 2>&1
skip=$(sqlite3 "$D4/glowtalk.db" "SELECT text FROM work_sentences")
[[ $alt == "See a map of the coast here." && $skip == "See here." ]]
ok $? "images: alt text by default, nothing with --images skip ($alt / $skip)"
