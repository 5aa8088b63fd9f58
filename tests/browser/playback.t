#!/usr/bin/env bash
# Issue 4: `glowtalk say` with a mixed voice makes a file that plays in
# Chromium, served by a real node (tests/browser/playback.mjs).
. "$(dirname "$0")/../integration/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
D=$T_TMP/node
"$GLOWTALK" init --data "$D" >/dev/null 2>&1
OUT_FILE=$T_TMP/mixed.opus
if ! "$GLOWTALK" say "The lamp is lit, and the harbour is quiet tonight." \
     --voice espeak:en+m3:60+f2:40 -o "$OUT_FILE" --data "$D" 2>"$T_TMP/err"; then
  echo "1..1"; echo "not ok 1 - glowtalk say with a mixed voice ($(cat "$T_TMP/err"))"; exit 1
fi
# say stored the same bytes in the node's blob store: find their hash
HASH=
for f in "$D"/blobs/*/*.opus; do
  cmp -s "$f" "$OUT_FILE" && HASH=$(basename "$f" .opus)
done
LEN=$(opusinfo "$OUT_FILE" 2>/dev/null | sed -n 's/.*Playback length: \([0-9]*\)m:\([0-9.]*\)s.*/\1 \2/p' |
      awk '{ printf "%.3f", $1 * 60 + $2 }')
if [ -z "$HASH" ] || [ -z "$LEN" ] || ! start_node "$D"; then
  echo "1..1"; echo "not ok 1 - the blob is stored ($HASH, $LEN s) and the node starts"
  cat "$D/daemon.log" >&2; exit 1
fi
rc=0
node "$here/playback.mjs" "$URL" "$HASH" "$LEN" || rc=$?
stop_node "$PID" >/dev/null
exit $rc
