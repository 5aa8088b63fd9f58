#!/usr/bin/env bash
# The user's journey in a browser (journey.mjs) against a real node that
# imports from the stand-in Glowfic of the import tests.
. "$(dirname "$0")/../integration/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
node "$root/tests/integration/glowfic-server.js" "$T_TMP/requests.log" > "$T_TMP/port" 2>"$T_TMP/server.err" &
T_PIDS+=("$!")
for _ in $(seq 100); do grep -q PORT "$T_TMP/port" 2>/dev/null && break; sleep 0.05; done
BASE=http://127.0.0.1:$(awk '/PORT/{print $2}' "$T_TMP/port")
# A page whose title and text try to inject markup and script.
cat > "$T_TMP/hostile.html" <<'HTML'
<html><head><title>x</title></head><body><div id="content">
<div class="content-header"><span id="post-title">&lt;img src=x onerror="window.__pwned=true"&gt; Hostile</span></div>
<div class="post-container post-post"><div class="padding-10"><div class="post-info-box">
<div class="post-info-text"><div class="post-character">&lt;script&gt;window.__pwned=true&lt;/script&gt;</div>
<div class="post-author">mallory</div></div></div>
<div class="post-content"><p>Hello &lt;script&gt;window.__pwned=true&lt;/script&gt; there.</p></div></div>
<div class="post-footer"><div class="right-align"><div class="padding-5">Posted <span class="post-posted"><time datetime="2026-01-01T00:00:00Z">Jan 1, 2026</time></span></div></div></div></div>
</div></body></html>
HTML
D=$T_TMP/node
"$GLOWTALK" init --data "$D" >/dev/null 2>&1
if ! GLOWTALK_GLOWFIC_BASE=$BASE GLOWTALK_GLOWFIC_DELAY=0 start_node "$D"; then
  echo "1..1"; echo "not ok 1 - node starts"; cat "$D/daemon.log" >&2; exit 1
fi
rc=0
node "$here/journey.mjs" "$URL" "$BASE" "$root/contrib/demo/keeper-of-small-lights.html" "$T_TMP/hostile.html" || rc=$?
if ! stop_node "$PID" >/dev/null; then
  echo "# the daemon did not stop cleanly (sanitizer report or crash?):"
  tail -20 "$D/daemon.log" | sed 's/^/# /'
  rc=1
fi
exit $rc
