#!/usr/bin/env bash
# The swarm page in a browser against a real node with a joined friend:
# members with online state, create an invite (code + copy button),
# revoke it, remove a member after confirming. Screenshot in
# tests/artifacts/swarm.png.
. "$(dirname "$0")/../integration/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
A=$T_TMP/a B=$T_TMP/b
"$GLOWTALK" init --data "$A" >/dev/null 2>&1
if ! start_node "$A"; then
  echo "1..1"; echo "not ok 1 - node starts"; cat "$A/daemon.log" >&2; exit 1
fi
PIDA=$PID URLA=$URL
code=$("$GLOWTALK" invite --data "$A" --json | jq -r .code)
"$GLOWTALK" join "$code" --data "$B" --name "Bea" >/dev/null 2>&1
start_node "$B" >/dev/null || { echo "1..1"; echo "not ok 1 - B starts"; exit 1; }
PIDB=$PID
rc=0
node "$here/swarm.mjs" "$URLA" || rc=$?
stop_node "$PIDB" >/dev/null
stop_node "$PIDA" >/dev/null
exit $rc
