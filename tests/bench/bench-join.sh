#!/usr/bin/env bash
# Joining by invite over 127.0.0.1: the wall time of `glowtalk invite`
# (append InviteCreate) and `glowtalk join CODE` (new identity, join-plane
# handshake, proof, Admit on the member, new store) against a running
# member, N times in turn. node/JOIN.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
G=$PWD/$BUILD/glowtalk
N=${JOIN_BENCH_N:-20}
T=$(mktemp -d "${TMPDIR:-/tmp}/glowtalk-bench-join-XXXXXX")
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
echo "join (node/join.c, node/invites.c)"
make --no-print-directory -s "$BUILD/glowtalk"
"$G" init --data "$T/a" >/dev/null 2>&1
"$G" run --data "$T/a" --headless --render=no --listen 127.0.0.1:0 \
  >"$T/a.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do [ -s "$T/a/swarm.addr" ] && break; sleep 0.1; done
ms() { date +%s%3N; }
inv=() joi=()
for i in $(seq 1 "$N"); do
  t0=$(ms)
  code=$("$G" invite --data "$T/a" --advertise "$(cat "$T/a/swarm.addr")" --json 2>/dev/null | jq -r .code)
  t1=$(ms)
  "$G" join "$code" --data "$T/j$i" >/dev/null 2>&1
  t2=$(ms)
  inv+=($((t1 - t0))) joi+=($((t2 - t1)))
done
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %d ms, p95 %d ms, max %d ms", a[int((NR+1)/2)], a[int(NR*0.95+0.5)], a[NR]}'; }
echo "invite: $N codes: $(printf '%s\n' "${inv[@]}" | stats)"
echo "join:   $N joins: $(printf '%s\n' "${joi[@]}" | stats)"
echo "members on the inviter: $(sqlite3 "$T/a/glowtalk.db" 'SELECT count(*) FROM st_members') (1 + $N)"
