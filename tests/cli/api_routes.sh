#!/bin/bash
# api_routes.sh - the sample host's API routes of issue 12 with the API Keys plugin, through `call` and through
# `serve` (curl): ping, whoami, store, deliveries pull (form limit=N) and ack (JSON ids) with good and bad
# bodies (400 naming what to send), wrong methods (405 + Allow), the body bound (413), the delivery queue file
# (host-deliveries.db, 0600) and the `deliveries` command (list, add, --json, permission deliveries.manage
# audited), call -d / -H Content-Type / --from, and X-Forwarded-For ignored unless the peer is a trusted proxy.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN"
C=(-c "$CONFIG")
jq_py() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
body_json() { printf '%s' "$OUT" | sed -n '2,$p' | jq_py "$1"; }   # the JSON after "HTTP NNN"

run "${C[@]}" --json action settings/api-key enable
KEY=$(json_get 'j["secret"]')
[ -n "$KEY" ] && pass "the API is enabled and a key is shown once" || fail "enable"
K=(-H "X-API-Key: $KEY")

# ----- ping, whoami, store
run "${C[@]}" call GET /api/v1/ping "${K[@]}"
expect_out '^HTTP 200' "call GET /api/v1/ping with the key answers 200"
run "${C[@]}" call GET /api/v1/whoami "${K[@]}"
expect_out '"principal":"apikeys:site"' "GET /api/v1/whoami names the principal the provider gave"
run "${C[@]}" call GET /api/v1/whoami
expect_rc 1 "GET /api/v1/whoami without a key is refused (exit 1)"
expect_out '^HTTP 401' "GET /api/v1/whoami without a key answers 401"
run "${C[@]}" call GET /api/v1/store "${K[@]}"
expect_out '"store_name":"Test <Store>"' "GET /api/v1/store answers with the store's name"
run "${C[@]}" call POST /api/v1/store "${K[@]}"
expect_out '^HTTP 405' "POST /api/v1/store answers 405"
run "${C[@]}" call GET /api/v1/nope "${K[@]}"
expect_out 'deliveries/pull' "an unknown route answers 404 listing the routes"

# ----- the delivery queue
run "${C[@]}" call POST /api/v1/deliveries/pull "${K[@]}"
expect_out '^HTTP 200' "pull on an empty queue answers 200"
expect_out '\{"items":\[\]\}' "pull on an empty queue gives no items"
[ "$(stat -c %a "$TMP/data/host-deliveries.db")" = 600 ] && pass "the queue is DATA_DIR/host-deliveries.db, mode 0600" \
  || fail "queue file mode: $(stat -c %a "$TMP/data/host-deliveries.db" 2>&1)"
run "${C[@]}" deliveries
expect_out 'empty' "deliveries on an empty queue says it is empty"
run "${C[@]}" deliveries add Steve 'give Steve diamond 1'
expect_rc 0 "deliveries add queues one"
expect_out 'Queued delivery 1 for Steve' "deliveries add says which id it got"
run "${C[@]}" --json deliveries add Alex 'say hello Alex'
[ "$(json_get 'j["id"], j["username"], j["ok"]')" = "2 Alex True" ] && pass "deliveries add --json gives ok, id and username" \
  || fail "deliveries add --json"
run "${C[@]}" deliveries add Émile 'give Émile "golden apple" 3'
expect_rc 0 "a UTF-8 username and a command with quotes are queued"
run "${C[@]}" deliveries add '' 'x'
expect_rc 2 "an empty username is a usage error"
expect_err 'username must be 1 to 64' "the message says what a username may be"
run "${C[@]}" deliveries add Steve "$(printf 'say a\nop Steve')"
expect_rc 2 "a command with a line break is refused"
run "${C[@]}" deliveries add Steve
expect_rc 2 "deliveries add without a command is a usage error"
run "${C[@]}" deliveries remove 1 2
expect_rc 2 "an unknown deliveries subcommand is a usage error"
run "${C[@]}" deliveries
expect_out '^ID +USERNAME +COMMAND +QUEUED +DELIVERED' "deliveries lists the queue with a header"
expect_out 'give Steve diamond 1 .*waiting' "a waiting delivery shows as waiting"

run "${C[@]}" call POST /api/v1/deliveries/pull "${K[@]}"
[ "$(body_json '[i["id"] for i in j["items"]]')" = "[1, 2, 3]" ] && pass "pull without a body gives the oldest waiting first" \
  || fail "pull order"
[ "$(body_json 'sorted(j["items"][0].keys())')" = "['command', 'id', 'username']" ] \
  && pass "each item has id, username and command" || fail "item members"
run "${C[@]}" call POST /api/v1/deliveries/pull "${K[@]}" -d 'token=ignored&limit=2'
[ "$(body_json 'len(j["items"])')" = 2 ] && pass "limit=2 gives two items; other form fields (token) are ignored" \
  || fail "limit=2"
run "${C[@]}" call POST /api/v1/deliveries/pull "${K[@]}" -d 'limit=%31'
[ "$(body_json 'len(j["items"])')" = 1 ] && pass "a %-escaped limit is decoded" || fail "limit=%31"
run "${C[@]}" call POST /api/v1/deliveries/pull "${K[@]}" -d 'limit=100'
expect_out '^HTTP 200' "limit=100 is accepted"
for bad in 'limit=0' 'limit=101' 'limit=abc' 'limit=-1' 'limit=' 'limit' 'limit=1&limit=2' 'limit=%zz' 'limit=1e1' \
           'limit=99999999999999999999'; do
  run "${C[@]}" call POST /api/v1/deliveries/pull "${K[@]}" -d "$bad"
  if printf '%s' "$OUT" | grep -q '^HTTP 400' && printf '%s' "$OUT" | grep -q 'send a form body such as limit=10'; then
    pass "pull body '$bad' gets 400 saying what to send"
  else fail "pull body '$bad' gets 400 saying what to send"; fi
done
run "${C[@]}" call POST /api/v1/deliveries/pull "${K[@]}" -H 'Content-Type: application/json' -d '{"limit":5}'
expect_out '^HTTP 400' "a JSON pull body is refused (the pull takes a form)"
run "${C[@]}" call GET /api/v1/deliveries/pull "${K[@]}"
expect_out '^HTTP 405' "GET on pull answers 405"
expect_out 'POST only' "the 405 says to send POST"
run "${C[@]}" call POST /api/v1/deliveries/pull
expect_out '^HTTP 401' "pull without a key answers 401"

J=(-H 'Content-Type: application/json')
run "${C[@]}" call POST /api/v1/deliveries/ack "${K[@]}" "${J[@]}" -d '{"ids":[1,2]}'
expect_out '^HTTP 200' "ack with two waiting ids answers 200"
expect_out '\{"acked":2\}' "ack counts the two ids"
run "${C[@]}" call POST /api/v1/deliveries/ack "${K[@]}" "${J[@]}" -d '{"ids":[1,2,999]}'
expect_out '\{"acked":0\}' "ids already acked and unknown ids are not counted"
run "${C[@]}" call POST /api/v1/deliveries/ack "${K[@]}" "${J[@]}" -d ' { "note" : {"x":[true,null,"s"]}, "ids" : [ 3 , 3 ] } '
expect_out '\{"acked":1\}' "an id given twice counts once; other members and whitespace are fine"
run "${C[@]}" call POST /api/v1/deliveries/ack "${K[@]}" "${J[@]}" -d '{"ids":[]}'
expect_out '\{"acked":0\}' "an empty ids list acks nothing"
run "${C[@]}" call POST /api/v1/deliveries/pull "${K[@]}"
expect_out '\{"items":\[\]\}' "acked deliveries are not pulled again"
run "${C[@]}" --json deliveries
[ "$(json_get '[d["delivered"] is not None for d in j]')" = "[True, True, True]" ] \
  && pass "deliveries --json shows when each was delivered" || fail "deliveries --json delivered"
for bad in '{"ids":["1"]}' '{"ids":[1.5]}' '{"ids":[-1]}' '{"ids":[0]}' '{"ids":[1e2]}' '{"ids":1}' '{}' '[1,2]' \
           'ids=1' '{"ids":[1,]}' '{"ids":[1]} x' '{"ids":[1]' '{"ids":[99999999999999999999]}' '{"ids":[1],"ids":[2]}' \
           "{'ids':[1]}" '{"ids":[nan]}' ''; do
  run "${C[@]}" call POST /api/v1/deliveries/ack "${K[@]}" "${J[@]}" -d "$bad"
  if printf '%s' "$OUT" | grep -q '^HTTP 400' && printf '%s' "$OUT" | grep -q 'send a JSON body such as'; then
    pass "ack body '$bad' gets 400 saying what to send"
  else fail "ack body '$bad' gets 400 saying what to send"; fi
done
run "${C[@]}" call POST /api/v1/deliveries/ack "${K[@]}" -d '{"ids":[1]}'
expect_out 'not the Content-Type given' "an ack sent as a form (call -d's default) is refused naming the Content-Type"
run "${C[@]}" call POST /api/v1/deliveries/ack "${K[@]}" "${J[@]}" -d "{\"ids\":[$(seq -s, 1 1001)]}"
expect_out 'at most 1000' "more than 1000 ids are refused"
# What a refused ack's message names (jansson's strict parse, issue 19 section 7): the problem, where it is.
ack_says() { run "${C[@]}" call POST /api/v1/deliveries/ack "${K[@]}" "${J[@]}" -d "$1"
  expect_out "^HTTP 400" "ack body '$1' gets 400"; expect_out "$2" "ack body '$1': the message says $3"; }
ack_says '{"ids":[1],"ids":[2]}' 'same member name twice.* at byte 16' '"ids" is given twice, and where'
ack_says '{"note":{"a":1,"\u0061":2},"ids":[1]}' 'same member name twice' 'a member of another object is given twice'
ack_says '{"ids":[1]} x' 'more than one JSON value.* at byte 13' 'text follows the value, and where'
ack_says '{"ids":[1]' 'ends before its JSON value does' 'the body is cut short'
ack_says '{"ids":[1,]}' 'not valid JSON \(RFC 8259\): unexpected token at byte 11' 'the trailing comma is not JSON, and where'
ack_says '{"ids":[99999999999999999999]}' 'number is too large' 'the id is too large'
ack_says '{"ids":[1.5]}' 'whole numbers from 1 up' 'an id must be a whole number'
ack_says '{"ids":["1"]}' 'not strings' 'an id must be a number, not a string'
ack_says '{"ids":1}' '"ids\\" must be an array' '"ids" must be an array'
ack_says '{}' 'no \\"ids\\" member' 'the body lacks "ids"'
ack_says '[1,2]' 'must be a JSON object' 'the body must be an object'
ack_says '' 'the body is empty' 'the body is empty'
ack_says "{\"x\":$(printf '[%.0s' $(seq 16))1$(printf ']%.0s' $(seq 16)),\"ids\":[1]}" 'too deeply' \
  'another member nests 17 levels deep'
run "${C[@]}" call POST /api/v1/deliveries/ack "${K[@]}" "${J[@]}" \
  -d "{\"x\":$(printf '[%.0s' $(seq 15))1$(printf ']%.0s' $(seq 15)),\"s\":\"\\u0000\",\"ids\":[]}"
expect_out '\{"acked":0\}' "an ack whose other members nest 16 levels deep and hold \\u0000 is valid JSON, accepted"
run "${C[@]}" call PUT /api/v1/deliveries/ack "${K[@]}"
expect_out '^HTTP 405' "PUT on ack answers 405"

# ----- call's options
run "${C[@]}" call POST /api/v1/deliveries/pull "${K[@]}" -d 'limit=1' -d 'limit=2'
expect_rc 2 "call -d twice is a usage error"
run "${C[@]}" call GET /api/v1/ping "${K[@]}" --from 203.0.113.7
expect_rc 0 "call --from with an IPv4 address works"
run "${C[@]}" call GET /api/v1/ping "${K[@]}" --from 2001:db8::1
expect_rc 0 "call --from with an IPv6 address works"
run "${C[@]}" call GET /api/v1/ping --from not-an-address
expect_rc 2 "call --from with something that is not an address is a usage error"
run "${C[@]}" page settings/api-key -d x
expect_rc 2 "-d on a command other than call is a usage error"
run "${C[@]}" call POST /api/v1/deliveries/pull -d "$(head -c 17000 /dev/zero | tr '\0' a)"
expect_rc 2 "a -d body over 16 KiB is a usage error"

# ----- permission
run "${C[@]}" --as helpdesk deliveries
expect_rc 1 "a role without deliveries.manage may not list the queue"
expect_err "needs permission 'deliveries.manage'" "the refusal names the permission"
run "${C[@]}" --as helpdesk deliveries add Steve 'op Steve'
expect_rc 1 "a role without deliveries.manage may not add to the queue"
run "${C[@]}" host-audit
expect_out 'helpdesk .*deliveries.add .*denied' "the refusal is in the host audit log"

# ----- the same over HTTP
if ! start_server "$CONFIG"; then fail "server starts"; exit 1; fi
run "${C[@]}" deliveries add Steve 'give Steve emerald 2'
http POST /api/v1/deliveries/pull "${K[@]}" -d 'token=abc&limit=5'
[ "$CODE" = 200 ] && printf '%s' "$BODY" | grep -q '"command":"give Steve emerald 2"' \
  && pass "serve: curl -d 'token=..&limit=5' pulls the waiting delivery" || fail "serve pull: $CODE $BODY"
ID=$(printf '%s' "$BODY" | jq_py 'j["items"][0]["id"]')
http POST /api/v1/deliveries/ack "${K[@]}" -H 'Content-Type: application/json' --data-binary "{\"ids\":[$ID]}"
[ "$CODE" = 200 ] && [ "$BODY" = '{"acked":1}' ] && pass "serve: ack with JSON ids answers {\"acked\":1}" \
  || fail "serve ack: $CODE $BODY"
http POST /api/v1/deliveries/ack "${K[@]}" -H 'Content-Type: application/json' --data-binary '{"ids":[x]}'
[ "$CODE" = 400 ] && printf '%s' "$BODY" | grep -q '"error":"bad_request"' && pass "serve: bad JSON answers 400 bad_request" \
  || fail "serve bad JSON: $CODE $BODY"
http GET /api/v1/deliveries/ack "${K[@]}"
[ "$CODE" = 405 ] && printf '%s\n' "$HEADERS" | grep -qi '^allow: POST' && pass "serve: GET on ack answers 405 with Allow: POST" \
  || fail "serve 405: $CODE $HEADERS"
head -c 20000 /dev/zero | tr '\0' 'a' >"$TMP/20k"
http POST /api/v1/deliveries/pull "${K[@]}" --data-binary @"$TMP/20k"
[ "$CODE" = 413 ] && printf '%s' "$BODY" | grep -q '"error":"body_too_large"' && pass "serve: a 20 KB API body answers 413" \
  || fail "serve 413: $CODE $BODY"
http GET /api/v1/whoami "${K[@]}"
[ "$CODE" = 200 ] && printf '%s' "$BODY" | grep -q '"principal":"apikeys:site"' && pass "serve: whoami answers 200" \
  || fail "serve whoami: $CODE $BODY"
http GET /api/v1/ping "${K[@]}" -H 'X-Forwarded-For: 203.0.113.9'
if grep -q 'access: .* 127\.0\.0\.1 GET /api/v1/ping 200' "$SERVER_LOG" && ! grep -q '203\.0\.113\.9' "$SERVER_LOG"; then
  pass "serve: X-Forwarded-For is ignored when the peer is not a trusted proxy (none by default)"
else fail "serve: X-Forwarded-For ignored by default"; tail -3 "$SERVER_LOG"; fi
stop_server

# ----- [host] api_scopes and trusted_proxies
scoped_config() { write_config "$1" "$PLUGIN" "${@:2}"; } # scoped_config FILE LINE...: with extra [host] lines
scoped_config "$TMP/scopes.ini" 'api_scopes = store.read: Read the store; deliveries.pull: Pull deliveries'
run -c "$TMP/scopes.ini" menu
expect_rc 2 "an api_scopes catalogue without a route's scope stops the host (exit 2)"
expect_err 'lacks scope deliveries.ack, which the route POST /api/v1/deliveries/ack requires' "the message names the missing scope and its route"
scoped_config "$TMP/scopes.ini" 'api_scopes = store.read Read the store'
run -c "$TMP/scopes.ini" menu
expect_rc 2 "an api_scopes item without ':' stops the host"
expect_err "has no ':' between its id and its description" "the message says how to write an item"
scoped_config "$TMP/scopes.ini" 'api_scopes = Store.Read: x; deliveries.pull: y; deliveries.ack: z'
run -c "$TMP/scopes.ini" menu
expect_rc 2 "an api_scopes id with capitals is refused"
scoped_config "$TMP/scopes.ini" 'api_scopes = store.read: a; store.read: b; deliveries.pull: y; deliveries.ack: z'
run -c "$TMP/scopes.ini" menu
expect_rc 2 "an api_scopes id listed twice is refused"
scoped_config "$TMP/scopes.ini" 'api_scopes = store.read: Read it; deliveries.pull: Pull; deliveries.ack: Ack; orders.read: Read orders;'
run -c "$TMP/scopes.ini" call GET /api/v1/store "${K[@]}"
expect_rc 0 "a catalogue with an extra scope and a trailing ';' is accepted and the routes work"
grep -v '^plugins = ' sample-host/panel.ini >"$TMP/shipped.ini"; chmod 600 "$TMP/shipped.ini"
run -c "$TMP/shipped.ini" --data-dir "$TMP/shipped-data" --plugin "$PLUGIN" call GET /api/v1/ping "${K[@]}"
expect_rc 1 "the shipped panel.ini (with its three api_scopes) starts the host; another data dir knows no key"
expect_out '^HTTP 401' "the shipped config's host answers the API (401 for a key of another data dir)"
grep -Eq '^api_scopes = .*store\.read: .*deliveries\.pull: .*deliveries\.ack: ' sample-host/panel.ini \
  && pass "the shipped panel.ini lists store.read, deliveries.pull and deliveries.ack with descriptions" \
  || fail "shipped api_scopes"

scoped_config "$TMP/proxy.ini" 'trusted_proxies = 127.0.0.0/8 ::1'
cp -r "$TMP/data/." "$TMP/proxy-data/" 2>/dev/null || { mkdir -p "$TMP/proxy-data" && cp -r "$TMP/data/." "$TMP/proxy-data/"; }
sed -i "s|^data_dir = .*|data_dir = $TMP/proxy-data|" "$TMP/proxy.ini"
if ! start_server "$TMP/proxy.ini" proxy; then fail "server starts with trusted_proxies"; else
  http GET /api/v1/ping "${K[@]}" -H 'X-Forwarded-For: 198.51.100.1, 203.0.113.9'
  http GET /api/v1/store "${K[@]}" -H 'X-Forwarded-For: 203.0.113.10, 127.0.0.1' -H 'X-Forwarded-For: 127.0.0.2'
  http GET /api/v1/whoami "${K[@]}" -H 'X-Forwarded-For: not-an-address'
  grep -q 'access: .* 203\.0\.113\.9 GET /api/v1/ping ' "$SERVER_LOG" \
    && pass "serve: from a trusted proxy, the right-most untrusted X-Forwarded-For hop is the client" \
    || { fail "trusted proxy hop"; tail -3 "$SERVER_LOG"; }
  grep -q 'access: .* 203\.0\.113\.10 GET /api/v1/store ' "$SERVER_LOG" \
    && pass "serve: trusted hops (also in a second X-Forwarded-For header) are skipped" \
    || { fail "trusted hops skipped"; tail -3 "$SERVER_LOG"; }
  grep -q 'access: .* 127\.0\.0\.1 GET /api/v1/whoami 400 ' "$SERVER_LOG" \
    && pass "serve: a trusted proxy's X-Forwarded-For that is not an address is refused (400), the peer logged" \
    || { fail "garbage XFF"; tail -3 "$SERVER_LOG"; }
  stop_server
fi
scoped_config "$TMP/proxy-bad.ini" 'trusted_proxies = 10.0.0.0/33'
"$PWD/$B/sample-host" -c "$TMP/proxy-bad.ini" serve --listen 127.0.0.1:0 >"$TMP/out" 2>"$TMP/err" </dev/null; RC=$?
OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
expect_rc 2 "serve refuses a trusted_proxies CIDR with a prefix past /32"
expect_err "trusted_proxies: '10.0.0.0/33' is not an address or CIDR" "the message names the bad item"
