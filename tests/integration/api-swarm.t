#!/usr/bin/env bash
# /api/peers and /api/invites on a real node: members with online state
# and throughput, invite codes (create, list without secrets, revoke) and
# removing a member, with every error path.
. "$(dirname "$0")/lib.sh"
A=$T_TMP/a B=$T_TMP/b
"$GLOWTALK" init --data "$A" >/dev/null 2>&1
start_node "$A" || { not_ok "node A starts"; done_testing; }
PIDA=$PID URLA=$URL
IDA=$("$GLOWTALK" status --data "$A" --json | jq -r .node_id)
token=$(curl -s "$URLA" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')
J=(-H "X-CSRF-Token: $token" -H "Content-Type: application/json")
jqb() { jq -r "$1" <<<"$BODY"; }

http GET "${URLA}api/status"
check "status lists the swarm feature" '[ "$(jqb "[.features[]|select(.==\"swarm\")]|length")" = 1 ]'
http GET "${URLA}api/peers"
check "GET /api/peers: this node, the founder, online" '[ "$CODE" = 200 ] && [ "$(jqb .self)" = "$IDA" ] && [ "$(jqb ".members|length")" = 1 ] && [ "$(jqb ".members[0].self")" = true ] && [ "$(jqb ".members[0].online")" = true ]'
check "GET /api/peers: this node's engines and workers" '[ "$(jqb ".node.engines[0]")" = espeak-ng ] && [ "$(jqb ".node.workers")" -ge 1 ]'

http GET "${URLA}api/invites"
check "no open invites at first" '[ "$CODE" = 200 ] && [ "$(jqb ".invites|length")" = 0 ]'
http POST "${URLA}api/invites" -H "Content-Type: application/json" -d '{"ttl":"1h"}'
check "POST /api/invites without the CSRF token: 403" '[ "$CODE" = 403 ]'
http POST "${URLA}api/invites" "${J[@]}" -d '{"ttl":"3 weeks"}'
check "a bad ttl: 400" '[ "$CODE" = 400 ] && [[ $(jqb .error) == *"duration"* ]]'
http POST "${URLA}api/invites" "${J[@]}" -d '{"ttl":5}'
check "a ttl that is not a string: 400" '[ "$CODE" = 400 ]'
http POST "${URLA}api/invites" "${J[@]}" -d '[1]'
check "a body that is not an object: 400" '[ "$CODE" = 400 ]'
http POST "${URLA}api/invites" "${J[@]}" -d '{"ttl":"1h"}'
CODE1=$(jqb .code) INV1=$(jqb .invite_id)
now=$(($(date +%s) * 1000))
check "POST /api/invites: 201 with code, id and expiry in an hour" '[ "$CODE" = 201 ] && [[ $CODE1 == gt1-* ]] && [ ${#INV1} = 32 ] && [ $(( $(jqb .expires) - now )) -gt 3500000 ] && [ $(( $(jqb .expires) - now )) -le 3600000 ]'
http POST "${URLA}api/invites" "${J[@]}" -d '{}'
INV2=$(jqb .invite_id)
check "the default ttl is a day" '[ "$CODE" = 201 ] && [ $(( $(jqb .expires) - now )) -gt 86000000 ]'
http GET "${URLA}api/invites"
check "GET /api/invites lists both, never a code" '[ "$(jqb ".invites|length")" = 2 ] && [[ $BODY == *"$INV1"* ]] && [[ $BODY != *"gt1-"* ]] && [[ $BODY != *"code"* ]] && [ "$(jqb ".invites[0].created_by")" = "$IDA" ]'

http DELETE "${URLA}api/invites/xyz" -H "X-CSRF-Token: $token"
check "DELETE a malformed invite id: 400" '[ "$CODE" = 400 ]'
http DELETE "${URLA}api/invites/00000000000000000000000000000000" -H "X-CSRF-Token: $token"
check "DELETE an unknown invite: 404" '[ "$CODE" = 404 ]'
http DELETE "${URLA}api/invites/$INV2"
check "DELETE without the CSRF token: 403" '[ "$CODE" = 403 ]'
http DELETE "${URLA}api/invites/$INV2" -H "X-CSRF-Token: $token"
check "DELETE /api/invites/ID revokes" '[ "$CODE" = 200 ] && [ "$(jqb .revoked)" = "$INV2" ]'
http DELETE "${URLA}api/invites/$INV2" -H "X-CSRF-Token: $token"
check "revoking again: 409" '[ "$CODE" = 409 ]'
http GET "${URLA}api/invites"
check "the revoked invite is no longer open" '[ "$(jqb ".invites|length")" = 1 ] && [ "$(jqb ".invites[0].invite_id")" = "$INV1" ]'

# A friend joins with the code made through the API.
run_cmd join "$CODE1" --data "$B" --name "Bea"
check "the API's code admits a friend" '[ $RC = 0 ]'
start_node "$B" || { not_ok "node B starts"; done_testing; }
PIDB=$PID
IDB=$("$GLOWTALK" status --data "$B" --json | jq -r .node_id)
online() { http GET "${URLA}api/peers"; [ "$(jq -r --arg b "$IDB" '.members[]|select(.node_id==$b)|.online' <<<"$BODY")" = true ]; }
wait_for 10 online; check "GET /api/peers shows Bea online" '[ $? = 0 ] && [ "$(jq -r --arg b "$IDB" ".members[]|select(.node_id==\$b)|.name" <<<"$BODY")" = Bea ]'
check "a member has throughput and last-seen fields" '[ "$(jq -r --arg b "$IDB" ".members[]|select(.node_id==\$b)|(.rate_in|type)+(.last_seen|type)+(.bytes_in|type)" <<<"$BODY")" = numbernumbernumber ]'
http GET "${URLA}api/invites"
check "the used invite is no longer open" '[ "$(jqb ".invites|length")" = 0 ]'

http DELETE "${URLA}api/peers/$IDA" -H "X-CSRF-Token: $token"
check "removing this node: 400" '[ "$CODE" = 400 ]'
http DELETE "${URLA}api/peers/nothex" -H "X-CSRF-Token: $token"
check "removing a malformed id: 400" '[ "$CODE" = 400 ]'
http DELETE "${URLA}api/peers/$(printf '%064d' 0)" -H "X-CSRF-Token: $token"
check "removing an unknown node: 404" '[ "$CODE" = 404 ]'
http DELETE "${URLA}api/peers/$IDB"
check "removing without the CSRF token: 403" '[ "$CODE" = 403 ]'
http DELETE "${URLA}api/peers/$IDB" -H "X-CSRF-Token: $token"
check "DELETE /api/peers/ID removes Bea" '[ "$CODE" = 200 ] && [ "$(jqb .removed)" = "$IDB" ]'
offline() { http GET "${URLA}api/peers"; [ "$(jq -r --arg b "$IDB" '.members[]|select(.node_id==$b)|"\(.online) \(.removed)"' <<<"$BODY")" = "false true" ]; }
wait_for 5 offline; check "Bea is removed and offline" '[ $? = 0 ]'
http DELETE "${URLA}api/peers/$IDB" -H "X-CSRF-Token: $token"
check "removing again: 409" '[ "$CODE" = 409 ]'
events=$(curl -s -N -m 1 "${URLA}api/events?after=0" || true)
check "live swarm events for invite, revoke and remove" '[[ $events == *"event: swarm"*"\"change\":\"invite\",\"id\":\"$INV1\""* ]] && [[ $events == *"\"change\":\"revoke\",\"id\":\"$INV2\""* ]] && [[ $events == *"\"change\":\"remove\",\"id\":\"$IDB\""* ]]'
http GET "${URLA}api/peers/x"
check "GET /api/peers/x: 404" '[ "$CODE" = 404 ]'

stop_node "$PIDB"; stop_node "$PIDA"
check "A stops cleanly" '[ $? = 0 ]'
done_testing
