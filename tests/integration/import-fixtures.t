#!/usr/bin/env bash
# Every shared fixture of fixtures/glowfic/SOURCES.md through `glowtalk
# import FILE` (the text output a user sees): posts, opening posts, posts
# with an icon, with a character, narration (spacer-alt) and with a
# timestamp match the "Expected parse results" table; the API files give
# their posts; the synthetic apipie examples are refused with one line.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
FIX=${GLOWTALK_FIXTURES:-$SRC/../shared/fixtures/glowfic}
D="$T_TMP/node"
run_cmd init --data "$D"
q() { sqlite3 "$D/glowtalk.db" "$1"; }

# file containers OP with-icon with-character spacer-alt with-time
while read -r file posts op icon chars spacer timed; do
  run_cmd import --data "$D" "$FIX/$file"
  W=$(printf '%s\n' "$OUT" | sed -n 's/^work \([0-9a-f]*\):.*/\1/p')
  got=$(q "SELECT count(*), sum(kind = 'op'), sum(icon_url IS NOT NULL),
           sum(character IS NOT NULL), sum(char_key IS NULL),
           sum(created_at IS NOT NULL AND created_at != '')
           FROM work_posts WHERE work_id = '$W'")
  check "$file: $posts posts, $op OP, $icon icons, $chars characters, $spacer narration, $timed timed (got $got)" \
    '[ "$RC" = 0 ] && [[ "$OUT" == *"posts $posts,"* ]] &&
     [ "$got" = "$posts|$op|$icon|$chars|$spacer|$timed" ]'
done <<'TABLE'
alts.html 26 1 21 26 0 26
dialogue-2author.html 40 0 40 40 0 40
icon-aspect.html 36 0 36 36 0 36
icon-heavy.html 30 0 30 30 0 30
multi-author-3plus.html 40 1 28 39 1 40
thread-page.html 3 1 3 2 1 3
TABLE

run_cmd import --data "$D" "$FIX/post_7508.json"
W=$(printf '%s\n' "$OUT" | sed -n 's/^work \([0-9a-f]*\):.*/\1/p')
check "post_7508.json: the opening post with its character and icon" \
  '[ "$RC" = 0 ] && [[ "$OUT" == *"threads 1, posts 1,"* ]] &&
   [ "$(q "SELECT count(*) FROM work_posts WHERE work_id = '"'"'$W'"'"' AND kind = '"'"'op'"'"' AND character IS NOT NULL AND icon_url IS NOT NULL")" = 1 ]'
run_cmd import --data "$D" "$FIX/replies_7508_p1.json"
check "replies_7508_p1.json: its 5 replies" \
  '[ "$RC" = 0 ] && [[ "$OUT" == *"posts 5,"* ]]'
WORKS=$(q "SELECT count(*) FROM works")
run_cmd import --data "$D" "$FIX/apipie_examples.json"
check "apipie_examples.json (synthetic, not a story) is refused with one line" \
  '[ "$RC" = 1 ] && [ "$(printf "%s\n" "$ERR" | wc -l)" = 1 ] &&
   [ "$(q "SELECT count(*) FROM works")" = "$WORKS" ]'

done_testing
