#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the Glowtalk developers
# Our secret handshake (C, tests/interop/shs-peer.c) against the reference
# implementation (npm secret-handshake, tests/interop/shs-node.js) over TCP
# on 127.0.0.1, both ways: both ends must agree on each other's keys and on
# every derived box-stream key and nonce; a wrong network key, a non-member
# and a wrong server key are refused. Also C <-> C with encrypted frames,
# and the shs1-test conformance suite (npm shs1-test: correct and
# misbehaving peers, both roles) against the C peer.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
INTEROP=$ROOT/tests/interop
PEER=${SHS_PEER:-$(dirname "${GLOWTALK_BIN:-$ROOT/build/glowtalk}")/shs-peer}
NODE_JS=$INTEROP/shs-node.js
WAIT_S=10 # bounded waits, seconds

PLAN=30
echo "1..$PLAN"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Bail out! node and npm are needed (bash tools/deps.sh)"
  exit 1
fi
if [[ ! -x $PEER ]]; then
  echo "Bail out! $PEER is not built (make $(basename "$(dirname "$PEER")")/shs-peer)"
  exit 1
fi
if [[ ! -d $INTEROP/node_modules/secret-handshake ||
      ! -d $INTEROP/node_modules/shs1-test ]]; then
  npm ci --prefix "$INTEROP" --no-audit --no-fund --loglevel=error >&2 ||
    { echo "Bail out! npm ci --prefix tests/interop failed"; exit 1; }
fi

TMP=$(mktemp -d)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

n=0
ok() { # ok COND-EXIT-STATUS DESCRIPTION
  n=$((n + 1))
  if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
is() { # is GOT WANT DESCRIPTION
  n=$((n + 1))
  if [[ -n $1 && $1 == "$2" ]]; then
    echo "ok $n - $3"
  else
    echo "not ok $n - $3"
    echo "#   got:  '$1'"
    echo "#   want: '$2'"
  fi
}
field() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
rand_key() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }

# start_server NAME CMD...: run a server in the background, wait for its
# port line.
start_server() {
  local name=$1 i
  shift
  "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  PIDS+=($!)
  SERVER_PID=$!
  for ((i = 0; i < WAIT_S * 10; i++)); do
    grep -qs '^port ' "$TMP/$name.out" && return 0
    sleep 0.1
  done
  echo "# $name did not start:"; sed 's/^/#   /' "$TMP/$name.out" "$TMP/$name.err"
  return 1
}
# wait_server: exit status of the last started server (bounded).
wait_server() {
  local i
  for ((i = 0; i < WAIT_S * 10; i++)); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID"
}
# agree A B LABEL: the two ends' outputs A and B match crosswise.
agree() {
  is "$(field peer "$1")" "$(field pub "$2")" "$3: first end sees the second's key"
  is "$(field peer "$2")" "$(field pub "$1")" "$3: second end sees the first's key"
  is "$(field enc_key "$1")" "$(field dec_key "$2")" "$3: box-stream key one way"
  is "$(field dec_key "$1")" "$(field enc_key "$2")" "$3: box-stream key other way"
  is "$(field enc_nonce "$1"):$(field dec_nonce "$1")" \
     "$(field dec_nonce "$2"):$(field enc_nonce "$2")" "$3: nonces"
}

K=$(rand_key)
OTHER=$(rand_key)

# 1. Node client -> C server.
start_server c1 "$PEER" server --netkey "$K" --identity "$TMP/c.key"
timeout $WAIT_S node "$NODE_JS" client --netkey "$K" \
  --server-key "$(field pub "$TMP/c1.out")" --port "$(field port "$TMP/c1.out")" \
  >"$TMP/n1.out" 2>"$TMP/n1.err"
ok $? "node client completes a handshake with the C server"
wait_server
ok $? "C server completes it too"
agree "$TMP/n1.out" "$TMP/c1.out" "node client/C server"

# 2. C client -> Node server.
start_server n2 node "$NODE_JS" server --netkey "$K"
timeout $WAIT_S "$PEER" client --netkey "$K" --identity "$TMP/c.key" \
  --server-key "$(field pub "$TMP/n2.out")" --port "$(field port "$TMP/n2.out")" \
  >"$TMP/c2.out" 2>"$TMP/c2.err"
ok $? "C client completes a handshake with the node server"
wait_server
ok $? "node server completes it too"
agree "$TMP/c2.out" "$TMP/n2.out" "C client/node server"

# 3. The reference's pure-JS crypto path (chloride without sodium-native).
start_server c3 "$PEER" server --netkey "$K" --identity "$TMP/c.key"
CHLORIDE_JS=1 timeout $WAIT_S node "$NODE_JS" client --netkey "$K" \
  --server-key "$(field pub "$TMP/c3.out")" --port "$(field port "$TMP/c3.out")" \
  >"$TMP/n3.out" 2>"$TMP/n3.err"
ok $? "pure-JS node client completes a handshake with the C server"
wait_server
is "$(field enc_key "$TMP/n3.out")" "$(field dec_key "$TMP/c3.out")" \
  "pure-JS client and C server agree"

# 4. Wrong network key, node client -> C server: refused at msg 1.
start_server c4 "$PEER" server --netkey "$K" --identity "$TMP/c.key"
timeout $WAIT_S node "$NODE_JS" client --netkey "$OTHER" \
  --server-key "$(field pub "$TMP/c4.out")" --port "$(field port "$TMP/c4.out")" \
  >"$TMP/n4.out" 2>"$TMP/n4.err"
[[ $? == 1 ]]
ok $? "node client with another network key fails"
wait_server
[[ $? == 1 ]] && grep -q '^error handshake: .*msg 1 (client hello)' "$TMP/c4.out"
ok $? "C server refuses it at msg 1"

# 5. Wrong network key, C client -> node server.
start_server n5 node "$NODE_JS" server --netkey "$OTHER"
timeout $WAIT_S "$PEER" client --netkey "$K" --identity "$TMP/c.key" \
  --server-key "$(field pub "$TMP/n5.out")" --port "$(field port "$TMP/n5.out")" \
  >"$TMP/c5.out" 2>"$TMP/c5.err"
[[ $? == 1 ]] && grep -q '^error handshake' "$TMP/c5.out"
ok $? "C client with another network key fails"
wait_server
[[ $? == 1 ]] && grep -q 'invalid challenge (phase 1)' "$TMP/n5.out"
ok $? "node server refuses it at msg 1"

# 6. Non-member: the C server allows only some other key.
start_server c6 "$PEER" server --netkey "$K" --identity "$TMP/c.key" \
  --allow "$(rand_key)"
timeout $WAIT_S node "$NODE_JS" client --netkey "$K" \
  --server-key "$(field pub "$TMP/c6.out")" --port "$(field port "$TMP/c6.out")" \
  >"$TMP/n6.out" 2>"$TMP/n6.err"
[[ $? == 1 ]] && ! grep -q '^ok' "$TMP/n6.out"
ok $? "node client that is not a member fails"
wait_server
[[ $? == 1 ]] && grep -q 'not authorised' "$TMP/c6.out"
ok $? "C server refuses the non-member after msg 3, without msg 4"

# 7. The node client expects another server key.
start_server c7 "$PEER" server --netkey "$K" --identity "$TMP/c.key"
timeout $WAIT_S node "$NODE_JS" client --netkey "$K" \
  --server-key "$(field pub "$TMP/n1.out")" --port "$(field port "$TMP/c7.out")" \
  >"$TMP/n7.out" 2>"$TMP/n7.err"
[[ $? == 1 ]]
ok $? "node client expecting another server key fails"
wait_server
[[ $? == 1 ]] && grep -q 'msg 3' "$TMP/c7.out"
ok $? "C server cannot open its msg 3"

# 8. The node server refuses a C client that is not allowed.
start_server n8 node "$NODE_JS" server --netkey "$K" --refuse
timeout $WAIT_S "$PEER" client --netkey "$K" --identity "$TMP/c.key" \
  --server-key "$(field pub "$TMP/n8.out")" --port "$(field port "$TMP/n8.out")" \
  >"$TMP/c8.out" 2>"$TMP/c8.err"
[[ $? == 1 ]] && grep -q 'peer closed' "$TMP/c8.out"
ok $? "C client refused by the node server learns nothing (no msg 4)"
wait_server >/dev/null

# 9. C <-> C over TCP with the encrypted frames after the handshake.
start_server c9 "$PEER" server --netkey "$K" --identity "$TMP/s.key" --frames
timeout $WAIT_S "$PEER" client --netkey "$K" --identity "$TMP/c.key" \
  --server-key "$(field pub "$TMP/c9.out")" --port "$(field port "$TMP/c9.out")" \
  --frames >"$TMP/c9c.out" 2>"$TMP/c9c.err"
ok $? "C client sends frames and reads the echo"
wait_server
ok $? "C server echoes until the authenticated close"
is "$(field frames "$TMP/c9.out")" "3" "server read 3 frames"

# 10. shs1-test: 20 good and 25 misbehaving clients / servers per role.
printf '#!/bin/sh\nexec "%s" shs1-server "$@"\n' "$PEER" >"$TMP/shs1-server"
printf '#!/bin/sh\nexec "%s" shs1-client "$@"\n' "$PEER" >"$TMP/shs1-client"
chmod +x "$TMP/shs1-server" "$TMP/shs1-client"
timeout 60 node "$INTEROP/node_modules/shs1-test/test-server.js" \
  "$TMP/shs1-server" >"$TMP/shs1-server.log" 2>&1
ok $? "shs1-test server suite passes"
grep -v '^shs-peer: ' "$TMP/shs1-server.log" | sed 's/^/# /'
timeout 60 node "$INTEROP/node_modules/shs1-test/test-client.js" \
  "$TMP/shs1-client" >"$TMP/shs1-client.log" 2>&1
ok $? "shs1-test client suite passes"
grep -v '^shs-peer: ' "$TMP/shs1-client.log" | sed 's/^/# /'

# What each end said when it refused (expected in cases 4-8).
grep -H '^error' "$TMP"/*.out | sed "s|^$TMP/|# |"
[[ $n == "$PLAN" ]] || echo "# planned $PLAN, ran $n"
