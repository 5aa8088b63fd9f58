#!/usr/bin/env bash
# Fetch-before-play between two real daemons (node/blobx.c): a blob only A
# holds is served by B's GET /audio/HASH.opus after B fetched it from A
# over the swarm; a blob nobody holds is a quick 404; status shows the
# "blobs" object. B is a member by invite (glowtalk invite / join).
. "$(dirname "$0")/lib.sh"
A=$T_TMP/a B=$T_TMP/b
"$GLOWTALK" init --data "$A" >/dev/null 2>&1
IDA=$(node_id "$A")

# A blob (300 kB: several chunks) placed in A's store by hand.
head -c 300000 /dev/urandom > "$T_TMP/blob"
HASH=$(b2sum -l 256 "$T_TMP/blob" | cut -c1-64)
mkdir -p "$A/blobs/${HASH:0:2}"
cp "$T_TMP/blob" "$A/blobs/${HASH:0:2}/$HASH.opus"

start_node "$A" || { not_ok "node A starts"; done_testing; }
PIDA=$PID
CODE=$("$GLOWTALK" invite --data "$A" | grep -o 'gt1-[0-9A-Za-z-]*' | head -n 1)
"$GLOWTALK" join "$CODE" --data "$B" >/dev/null 2>&1
start_node "$B" ||
  { not_ok "node B starts"; done_testing; }
PIDB=$PID URLB=$URL
wait_for 10 connected "$B" "$IDA"; check "B is connected to A" '[ $? = 0 ]'
check "B does not hold the blob" '[ ! -e "$B/blobs/${HASH:0:2}/$HASH.opus" ]'

curl -s -o "$T_TMP/got" -w '%{http_code}' "${URLB}audio/$HASH.opus" > "$T_TMP/code"
check "B serves A's blob after fetching it (200)" '[ "$(cat "$T_TMP/code")" = 200 ]'
check "the bytes are A's" 'cmp -s "$T_TMP/blob" "$T_TMP/got"'
check "B stored it" 'cmp -s "$T_TMP/blob" "$B/blobs/${HASH:0:2}/$HASH.opus"'

NONE=$(printf 'ab%.0s' $(seq 1 32))
s0=$(date +%s%N)
http GET "${URLB%/}/audio/$NONE.opus"
s1=$(date +%s%N)
check "a blob no peer holds is a 404" '[ "$CODE" = 404 ]'
check "... answered without waiting the 10 s bound" '[ $(( (s1 - s0) / 1000000 )) -lt 5000 ]'

"$GLOWTALK" status --data "$B" --json > "$T_TMP/st"
check "status --json has the blobs object" 'grep -q "\"blobs\":{\"wanted\":[0-9]*,.*\"fetched\":1,\"bytes_in\":300000," "$T_TMP/st"'
run_cmd status --data "$B"
check "plain status has a blobs line" '[[ $OUT == *"blobs:          0 wanted, 0 fetching, 1 fetched (0.3 MB in, 0.0 MB out)"* ]]'
http GET "${URLB%/}/api/status"
check "GET /api/status has it too" '[ "$CODE" = 200 ] && [[ $BODY == *"\"blobs\":{"*"\"fetching\":"* ]]'
"$GLOWTALK" status --data "$A" --json > "$T_TMP/sta"
check "A counts what it served" 'grep -q "\"bytes_out\":300000," "$T_TMP/sta"'

stop_node "$PIDB"
stop_node "$PIDA"
done_testing
