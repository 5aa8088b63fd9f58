#!/usr/bin/env bash
# Browser tests against a real node: playwright-core drives Debian's
# chromium headless. Screenshots land in tests/artifacts/.
. "$(dirname "$0")/../integration/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
D=$T_TMP/node
"$GLOWTALK" init --data "$D" >/dev/null 2>&1
if ! start_node "$D"; then
  echo "1..1"; echo "not ok 1 - node starts"; cat "$D/daemon.log" >&2; exit 1
fi
rc=0
node "$here/home.mjs" "$URL" || rc=$?
stop_node "$PID" >/dev/null
exit $rc
