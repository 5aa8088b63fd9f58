#!/usr/bin/env bash
# The command-line contract and the daemon's life cycle, on the real binary.
. "$(dirname "$0")/lib.sh"

run_cmd --version
check "--version prints the version" '[ "$RC" = 0 -a "${OUT#glowtalk }" != "$OUT" ]'
run_cmd --help
check "--help lists the commands" '[ "$RC" = 0 ] && [[ $OUT == *"rebuild-state"* ]]'
run_cmd frobnicate
check "unknown command exits 2" '[ "$RC" = 2 ] && [[ $ERR == *"unknown command"* ]]'
run_cmd status --nope
check "unknown option exits 2" '[ "$RC" = 2 ] && [[ $ERR == *"usage: glowtalk status"* ]]'
run_cmd status --log-level=loud
check "bad option value exits 2" '[ "$RC" = 2 ]'

for c in init run invite join import say voices status book cast render \
         cancel export remove rebuild-state; do
  run_cmd "$c" --help
  check "$c --help" '[ "$RC" = 0 ] && [[ $OUT == "usage: glowtalk $c"* ]]'
done

# Commands whose capability has not landed say so, exit 1, print nothing.
D=$T_TMP/d
fake=0
for args in "invite --data $D" "join CODE --data $D" "import x --data $D" \
            "say hi -o $T_TMP/x.opus" "voices" "book new 1 --data $D" \
            "cast 1 --auto --data $D" "render 1 --data $D" \
            "cancel 1 --data $D" "export 1 -o $T_TMP/x.opus --data $D" \
            "remove abc --data $D" "rebuild-state --data $D"; do
  run_cmd $args
  if [[ $ERR == *"is not available yet"* ]] && { [ "$RC" != 1 ] || [ -n "$OUT" ]; }; then
    diag "$args: rc=$RC out=$OUT"; fake=1
  fi
done
check "unbuilt commands exit 1 with no output" '[ $fake = 0 ]'

run_cmd status --data "$D"
check "status on a missing dir fails clearly" '[ "$RC" = 1 ] && [[ $ERR == *"glowtalk init"* ]]'

run_cmd init --data "$D"
check "init succeeds" '[ "$RC" = 0 ]'
check "data dir is 0700" '[ "$(stat -c %a "$D")" = 700 ]'
check "identity key is 0600" '[ "$(stat -c %a "$D/identity.key")" = 600 ]'
check "network key is 0600" '[ "$(stat -c %a "$D/network.key")" = 600 ]'
check "database is private" '[ "$(stat -c %a "$D/glowtalk.db")" = 600 ]'

run_cmd status --data "$D" --json
check "status --json works" '[ "$RC" = 0 ]'
node_id=$(sed -n 's/.*"node_id":"\([0-9a-f]*\)".*/\1/p' <<<"$OUT")
check "status has a node id" '[ ${#node_id} = 64 ]'
check "status has a network id" 'grep -Eq '\''"network_id":"[0-9a-f]{32}"'\'' <<<"$OUT"'
check "status has the schema version" 'grep -Eq '\''"schema_version":[1-9]'\'' <<<"$OUT"'
check "status says no daemon runs" 'grep -q "\"daemon\":{\"running\":false}" <<<"$OUT"'
check "status has peers and queue" 'grep -q '\''"peers":\[.*"queue":{'\'' <<<"$OUT"'

run_cmd init --data "$D"
check "init refuses an initialised dir" '[ "$RC" = 1 ] && [[ $ERR == *"--force"* ]]'
run_cmd status --data "$D" --json
check "refused init changed nothing" 'grep -q "\"$node_id\"" <<<"$OUT"'
run_cmd init --data "$D" --force --json
new_id=$(sed -n 's/.*"node_id":"\([0-9a-f]*\)".*/\1/p' <<<"$OUT")
check "init --force makes a new identity" '[ "$RC" = 0 -a ${#new_id} = 64 -a "$new_id" != "$node_id" ]'
check "init --force kept the old database aside" 'ls "$D"/glowtalk.db.replaced-* >/dev/null'

# GLOWTALK_DATA and the XDG default.
run_cmd init
check "init uses \$XDG_DATA_HOME/glowtalk by default" '[ "$RC" = 0 -a -f "$XDG_DATA_HOME/glowtalk/identity.key" ]'
GLOWTALK_DATA=$D run_cmd status --json
check "GLOWTALK_DATA selects the data dir" 'grep -q "\"$new_id\"" <<<"$OUT"'

# The config file is read, and its errors name the line.
printf 'log-level = error\nworkers = lots\n' > "$D/glowtalk.conf"
run_cmd status --data "$D"
check "bad config file value is reported with its line" '[ "$RC" = 1 ] && [[ $ERR == *"glowtalk.conf:2: workers"* ]]'
printf 'log-level = debug\n' > "$D/glowtalk.conf"
run_cmd status --data "$D"
check "config file sets the log level" '[[ $ERR == *"DEBUG"* ]]'
run_cmd status --data "$D" --log-level warn
check "a flag beats the config file" '[[ $ERR != *"DEBUG"* ]]'
GLOWTALK_LOG_LEVEL=error run_cmd status --data "$D"
check "the environment beats the config file" '[[ $ERR != *"DEBUG"* ]]'
rm -f "$D/glowtalk.conf"

# The daemon.
if start_node "$D"; then ok "daemon starts"; else not_ok "daemon starts"; cat "$D/daemon.log" >&2; fi
http GET "$URL"
check "UI page answers" '[ "$CODE" = 200 ] && [[ $BODY == *"<title>Glowtalk</title>"* ]]'
token=$(sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p' <<<"$BODY")
check "page carries a CSRF token" '[ ${#token} = 64 ]'
http GET "${URL}api/status"
check "/api/status answers with the node id" '[ "$CODE" = 200 ] && [[ $BODY == *"$new_id"* ]]'
http GET "${URL}app.js"
check "UI files are served from the binary" '[ "$CODE" = 200 ] && [[ $BODY == *"/api/status"* ]]'
http GET "${URL}api/status" -H "Host: evil.example:${URL##*:}"
check "foreign Host header is refused (DNS rebinding)" '[ "$CODE" = 403 ]'
http POST "${URL}api/anything" -d '{}'
check "POST without CSRF token is refused" '[ "$CODE" = 403 ]'
http POST "${URL}api/anything" -d '{}' -H "X-CSRF-Token: $token"
check "POST with the token passes the check" '[ "$CODE" = 404 ]'
http GET "${URL}../../../etc/passwd" --path-as-is
check "path traversal finds nothing" '[ "$CODE" != 200 ] && [[ $BODY != *"root:"* ]]'
http GET "${URL}%2e%2e/%2e%2e/etc/passwd" --path-as-is
check "encoded traversal finds nothing" '[ "$CODE" != 200 ] && [[ $BODY != *"root:"* ]]'
events=$(curl -s -N -m 2 "${URL}api/events?after=0" || true)
check "live events stream over SSE" '[[ $events == *"event: node"* && $events == *"\"state\":\"running\""* ]]'
events=$(curl -s -N -m 1 -H "Last-Event-ID: 1" "${URL}api/events" || true)
check "SSE resumes after Last-Event-ID" '[[ $events == "retry: 2000"* && $events != *"event: node"* ]]'
http GET "${URL}api/nope"
check "unknown API path is a JSON 404" '[ "$CODE" = 404 ] && [[ $BODY == *'\''"error"'\''* ]]'

run_cmd run --data "$D" --ui 127.0.0.1:0 --listen 127.0.0.1:0
check "second daemon on the same dir refuses" '[ "$RC" = 1 ] && [[ $ERR == *"in use by another glowtalk"* ]]'
run_cmd init --data "$D" --force
check "init --force refuses while the daemon runs" '[ "$RC" = 1 ] && [[ $ERR == *"in use"* ]]'
run_cmd status --data "$D" --json
check "status works while the daemon runs" '[ "$RC" = 0 ] && grep -q "\"daemon\":{\"running\":true,\"pid\":$PID}" <<<"$OUT"'

stop_node "$PID"; rc=$?
check "SIGTERM stops the daemon cleanly" '[ "$rc" = 0 ]'
check "ui.url is removed on exit" '[ ! -e "$D/ui.url" ]'

# After kill -9 the lock is free again.
start_node "$D" >/dev/null
kill -9 "$PID"; wait "$PID" 2>/dev/null
if start_node "$D"; then ok "restart after kill -9"; else not_ok "restart after kill -9"; fi
stop_node "$PID" >/dev/null

# Headless: no UI.
"$GLOWTALK" run --data "$D" --headless --listen 127.0.0.1:0 >"$T_TMP/hl.log" 2>&1 &
hp=$!; T_PIDS+=("$hp"); sleep 0.5
check "headless node runs without a UI" 'kill -0 "$hp" && [ ! -e "$D/ui.url" ] && grep -q headless "$T_TMP/hl.log"'
stop_node "$hp" >/dev/null

# Beyond loopback needs a password.
run_cmd run --data "$D" --ui 0.0.0.0:0 --listen 127.0.0.1:0
check "UI beyond loopback without a password refuses to start" '[ "$RC" = 1 ] && [[ $ERR == *"ui-password"* ]]'
if GLOWTALK_UI_PASSWORD=s3cret start_node "$D" --ui 0.0.0.0:0; then
  port=${URL##*:}; port=${port%/}
  http GET "http://127.0.0.1:$port/api/status"
  check "password-protected UI asks for it" '[ "$CODE" = 401 ]'
  http GET "http://127.0.0.1:$port/api/status" -u "me:wrong"
  check "wrong password is refused" '[ "$CODE" = 401 ]'
  http GET "http://127.0.0.1:$port/api/status" -u "me:s3cret"
  check "right password is accepted" '[ "$CODE" = 200 ]'
  stop_node "$PID" >/dev/null
else
  not_ok "password-protected UI starts"
fi

# A corrupt or newer database gets a clear error and is left untouched.
D2=$T_TMP/d2
run_cmd init --data "$D2"
sqlite3 "$D2/glowtalk.db" "PRAGMA wal_checkpoint(TRUNCATE); INSERT INTO schema_migrations VALUES (9999, '9999_future', 'x');" >/dev/null
cp "$D2/glowtalk.db" "$T_TMP/newer.db"
run_cmd status --data "$D2"
check "newer database is refused clearly" '[ "$RC" = 1 ] && [[ $ERR == *"newer than this glowtalk"* ]]'
check "newer database is left untouched" 'cmp -s "$D2/glowtalk.db" "$T_TMP/newer.db"'
run_cmd run --data "$D2" --ui 127.0.0.1:0 --listen 127.0.0.1:0
check "daemon refuses a newer database" '[ "$RC" = 1 ]'
head -c 8192 /dev/urandom > "$D2/glowtalk.db"
rm -f "$D2/glowtalk.db-wal" "$D2/glowtalk.db-shm"
cp "$D2/glowtalk.db" "$T_TMP/corrupt.db"
run_cmd status --data "$D2"
check "corrupt database is refused clearly" '[ "$RC" = 1 ] && [[ $ERR == *"corrupt"* ]]'
check "corrupt database is left untouched" 'cmp -s "$D2/glowtalk.db" "$T_TMP/corrupt.db"'

done_testing
