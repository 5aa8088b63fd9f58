#!/usr/bin/env bash
# glowtalk cast BOOK --auto [--json] (DESIGN.md CLI contract): every
# character of the demo work gets a distinct voice in one batch of
# CastCharacter entries, the same on a second run, visible to a running
# daemon's API, and every voice it chose renders.
. "$(dirname "$0")/lib.sh"

DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
D="$T_TMP/node"
DB="$D/glowtalk.db"
q() { sqlite3 "$DB" "$1"; }
run_cmd init --data "$D"
run_cmd import --data "$D" "$DEMO" --json
W=$(printf '%s' "$OUT" | sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p')
NC=$(printf '%s' "$OUT" | sed -n 's/.*"characters":\([0-9]*\).*/\1/p')
run_cmd book new "$W" --data "$D" --json
B=$(printf '%s' "$OUT" | sed -n 's/.*"book_id":"\([0-9a-f]\{32\}\)".*/\1/p')
check "a book of the demo work" '[ "$RC" = 0 ] && [ ${#B} = 32 ] && [ "${NC:-0}" -ge 4 ]'

run_cmd cast "$B" extra --auto --data "$D"
check "--auto with a character is a usage error" '[ "$RC" = 2 ]'
run_cmd cast ffffffffffffffff --auto --data "$D"
check "--auto on an unknown book fails with one line" \
  '[ "$RC" = 1 ] && [ "$(printf "%s\n" "$ERR" | wc -l)" = 1 ]'
check "and appends nothing" '[ "$(q "SELECT count(*) FROM st_casting")" = 0 ]'

run_cmd cast "${B:0:12}" --auto --data "$D" --json
FIRST=$OUT
check "cast --auto --json succeeds" '[ "$RC" = 0 ]'
VOICES=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for c in d["characters"]:
    print(c["voice"])
assert sorted(d["cast"].values()) == sorted(c["voice"] for c in d["characters"])
')
check "it lists every character of the work" \
  '[ "$(printf "%s\n" "$VOICES" | grep -c .)" = "$NC" ]'
check "with distinct voices" \
  '[ "$(printf "%s\n" "$VOICES" | sort -u | grep -c .)" = "$NC" ]'
check "as one CastCharacter entry per character" \
  '[ "$(q "SELECT count(*) FROM st_casting WHERE kind = 1")" = "$NC" ]'

run_cmd cast "$B" --auto --data "$D" --json
check "a second run casts the same way" '[ "$RC" = 0 ] && [ "$OUT" = "$FIRST" ]'
run_cmd cast "$B" --auto --data "$D"
check "the text form names each character with its voice" \
  '[ "$RC" = 0 ] && [ "$(printf "%s\n" "$OUT" | grep -c "	espeak:")" = "$NC" ] &&
   [[ "$OUT" == *"Wren Tallow	espeak:"* ]]'

check "a daemon starts on the data dir" 'start_node "$D" --render=no'
http GET "${URL}api/books/$B"
API=$(printf '%s' "$BODY" | python3 -c '
import json, sys
print("\n".join(sorted(json.load(sys.stdin)["cast"].values())))')
check "the API shows the auto casting" \
  '[ "$CODE" = 200 ] && [ "$API" = "$(printf "%s\n" "$VOICES" | sort)" ]'
check "the daemon stops cleanly" 'stop_node "$PID"'

BAD=0
while read -r v; do
  run_cmd say "Hello." --voice "$v" -o "$T_TMP/v.opus"
  { [ "$RC" = 0 ] && opusinfo "$T_TMP/v.opus" >/dev/null 2>&1; } || BAD=$((BAD + 1))
done <<< "$VOICES"
check "every chosen voice renders" '[ "$BAD" = 0 ]'

done_testing
