#!/usr/bin/env bash
# glowtalk export: its refusals leave no file behind (the rendered path,
# with chapters checked by ffprobe, is tests/unit/test-book.c, which
# renders real sentences into a real log).
. "$(dirname "$0")/lib.sh"

DEMO=$(cd "$(dirname "$0")/../.." && pwd)/contrib/demo/keeper-of-small-lights.html
D="$T_TMP/node"
run_cmd init --data "$D"
run_cmd import --data "$D" "$DEMO" --json
W=$(printf '%s' "$OUT" | sed -n 's/.*"work_id":"\([0-9a-f]*\)".*/\1/p')
N=$(printf '%s' "$OUT" | sed -n 's/.*"sentences":\([0-9]*\).*/\1/p')
run_cmd book new "$W" --data "$D" --name Test --json
B=$(printf '%s' "$OUT" | sed -n 's/.*"book_id":"\([0-9a-f]\{32\}\)".*/\1/p')
check "a book to export" '[ ${#B} = 32 ]'

run_cmd export "$B" --data "$D"
check "export without -o is a usage error" '[ "$RC" = 2 ]'
run_cmd export "$B" -o "$T_TMP/out.opus" --data "$D"
check "nothing rendered: one clear error" \
  '[ "$RC" = 1 ] && [[ $ERR == *"0 of $N sentences"* ]]'
check "and no file, temp or final" \
  '[ -z "$(ls "$T_TMP" | grep out.opus)" ]'
run_cmd export ffffffffffff -o "$T_TMP/out.opus" --data "$D"
check "an unknown book is refused" '[ "$RC" = 1 ] && [[ $ERR == *"no book"* ]]'
run_cmd export "$B" -o "$T_TMP/no/such/dir/out.opus" --data "$D"
check "an unwritable path: non-zero, nothing written" \
  '[ "$RC" = 1 ] && [ ! -e "$T_TMP/no" ]'
done_testing
