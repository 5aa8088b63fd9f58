# TAP helpers for integration tests (sourced). Tests start real daemons on
# loopback with their own data dirs, bounded in time, and stop them on exit.
set -u
GLOWTALK=${GLOWTALK_BIN:-$(pwd)/build/glowtalk}
T_COUNT=0
T_FAILED=0
T_PIDS=()
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/glowtalk-it-XXXXXX")
export HOME="$T_TMP/home" XDG_DATA_HOME="$T_TMP/xdg"
mkdir -p "$HOME"
unset GLOWTALK_DATA GLOWTALK_UI GLOWTALK_LISTEN GLOWTALK_UI_PASSWORD

t_cleanup() {
  local p
  for p in "${T_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$T_TMP"
}
trap t_cleanup EXIT

ok() { T_COUNT=$((T_COUNT + 1)); echo "ok $T_COUNT - $*"; }
not_ok() {
  T_COUNT=$((T_COUNT + 1)); T_FAILED=$((T_FAILED + 1))
  echo "not ok $T_COUNT - $*"
}
# check DESC 'CONDITION': ok when the shell condition (evaluated here, so
# [[ ]], && and || work) is true.
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
diag() { printf '# %s\n' "$@" >&2; }
done_testing() { echo "1..$T_COUNT"; [ "$T_FAILED" = 0 ]; exit $?; }

# run_cmd: run glowtalk, capturing stdout in $OUT, stderr in $ERR, status in
# $RC. Bounded to 60 s.
run_cmd() {
  local o="$T_TMP/out" e="$T_TMP/err"
  RC=0
  timeout 60 "$GLOWTALK" "$@" >"$o" 2>"$e" </dev/null || RC=$?
  OUT=$(cat "$o"); ERR=$(cat "$e")
}

# start_node DIR [ARGS...]: run a daemon in the background with the UI on a
# free loopback port; waits (10 s at most) for DIR/ui.url and sets $URL and
# $PID. Returns non-zero if it did not come up.
start_node() {
  local dir=$1; shift
  rm -f "$dir/ui.url"
  "$GLOWTALK" run --data "$dir" --ui 127.0.0.1:0 --listen 127.0.0.1:0 "$@" \
    >>"$dir/daemon.log" 2>&1 &
  PID=$!
  T_PIDS+=("$PID")
  local i
  for i in $(seq 1 100); do
    [ -s "$dir/ui.url" ] && { URL=$(cat "$dir/ui.url"); return 0; }
    kill -0 "$PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# stop_node PID: SIGTERM and wait (10 s at most); returns its exit status.
stop_node() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid"; return $?; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
  return 124
}

# http METHOD URL [curl args...]: sets $CODE and $BODY.
http() {
  local m=$1 u=$2; shift 2
  BODY=$(curl -s -m 10 -X "$m" -o - -w '\n%{http_code}' "$@" "$u") || true
  CODE=${BODY##*$'\n'}
  BODY=${BODY%$'\n'*}
}

# ---- several nodes ----
# node_id DIR: the node's id.
node_id() { "$GLOWTALK" status --data "$1" --json | sed -n 's/^{"node_id":"\([0-9a-f]*\)".*/\1/p'; }
# connected DIR ID: DIR's daemon lists ID as connected.
connected() {
  "$GLOWTALK" status --data "$1" --json |
    grep -q "\"node_id\":\"$2\",\"address\":[^,]*,\"connected\":true"
}
# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
  local n=$(($1 * 10)) i; shift
  for i in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
# not CMD...: CMD failed (for wait_for and check).
not() { ! "$@"; }
# json_str KEY: the string value of KEY in the JSON on stdin.
json_str() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
# hash_of DIR: the node's state_hash.
hash_of() { "$GLOWTALK" status --data "$1" --json 2>/dev/null | json_str state_hash; }
# q DIR SQL: query the node's store.
q() { sqlite3 "$1/glowtalk.db" "$2" 2>/dev/null; }
# blobs_ok DIR: every result's audio blob is in DIR's store, whole (its
# BLAKE2b-256 is its name).
blobs_ok() {
  local d=$1 h f bad=0
  for h in $(q "$d" "SELECT DISTINCT lower(hex(blob)) FROM st_results"); do
    f="$d/blobs/${h:0:2}/$h.opus"
    [ -s "$f" ] && [ "$(b2sum -l 256 "$f" | cut -c1-64)" = "$h" ] ||
      bad=$((bad + 1))
  done
  [ "$bad" = 0 ]
}
