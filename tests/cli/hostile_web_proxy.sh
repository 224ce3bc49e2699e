#!/bin/bash
# hostile_web_proxy.sh - the client address behind a trusted proxy (issue 20, item 1) through `sample-host serve`
# with [host] trusted_proxies = 127.0.0.1 and the API Keys plugin: a named key allowed only from 127.0.0.1 (the
# proxy) is refused for a forwarded client however long the X-Forwarded-For the client wrote (before: 2100 bytes
# of it made the proxy the client, 200), several X-Forwarded-For lines are one list in the order received, a
# trusted proxy's header that does not end with an address is 400 (never the proxy as the client), and the
# invalid-key and login throttles count the forwarded client, not the proxy.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; }
body_code() { printf '%s' "$BODY" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("error",""))' 2>/dev/null; }
# logged_client PATH: the client address of the last access-log line for PATH
logged_client() { grep " GET $1 " "$SERVER_LOG" | tail -1 | awk '{print $3}'; }

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN"
sed -i 's|^\[host\]$|[host]\ntrusted_proxies = 127.0.0.1|' "$CONFIG"
C=(-c "$CONFIG")
run "${C[@]}" --json action settings/api-key enable
run "${C[@]}" --json action settings/api-key create-key --param label=Proxied --param scopes=store.read \
  --param allowed_ips=127.0.0.1
KEY=$(json_get 'j.get("secret","")' 2>/dev/null)
[ -n "$KEY" ] && pass "a named key allowed only from 127.0.0.1 is created" || { fail "create-key"; exit 1; }
if ! start_server "$CONFIG"; then fail "server starts"; exit 1; fi
K=(-H "X-API-Key: $KEY")
ONES=$(repeat 1 2100)

# ----- the allow-list sees the forwarded client, whatever the header's length
http GET /api/v1/store "${K[@]}"
check '[ "$CODE" = 200 ]' "the proxy itself (no X-Forwarded-For) is allowed: the key's list names 127.0.0.1"
http GET /api/v1/store "${K[@]}" -H 'X-Forwarded-For: 203.0.113.9'
check '[ "$CODE" = 403 ] && [ "$(body_code)" = ip_not_allowed ]' "a forwarded client 203.0.113.9 gets 403 ip_not_allowed"
http GET /api/v1/store "${K[@]}" -H "X-Forwarded-For: $ONES, 203.0.113.9"
check '[ "$CODE" = 403 ] && [ "$(body_code)" = ip_not_allowed ]' \
  "2100 bytes of the client's own X-Forwarded-For before 203.0.113.9 still give 403 ip_not_allowed (before: 200)"
check '[ "$(logged_client /api/v1/store)" = 203.0.113.9 ]' "... and the access log names 203.0.113.9"
http GET /api/v1/store "${K[@]}" -H "X-Forwarded-For: $(repeat 1 20000), 203.0.113.9"
check '[ "$CODE" = 403 ]' "20 KB of it: still 403"
http GET /api/v1/store "${K[@]}" -H "X-Forwarded-For: $(repeat 1 60000), 203.0.113.9"
check '[ "$CODE" = 431 ]' "a header too long for the server is 431, never the proxy's 200"
http GET /api/v1/store "${K[@]}" -H 'X-Forwarded-For: 127.0.0.1, 203.0.113.9'
check '[ "$CODE" = 403 ]' "a client claiming to be 127.0.0.1 left of its real address gets 403"

# ----- several X-Forwarded-For lines are one list, in the order received (RFC 9110, 5.3)
http GET /api/v1/store "${K[@]}" -H "X-Forwarded-For: $ONES" -H 'X-Forwarded-For: 203.0.113.9'
check '[ "$CODE" = 403 ] && [ "$(logged_client /api/v1/store)" = 203.0.113.9 ]' \
  "a 2100-byte line, then a line 203.0.113.9: the client is 203.0.113.9 (403)"
http GET /api/v1/store "${K[@]}" -H 'X-Forwarded-For: 198.51.100.1' -H 'X-Forwarded-For: 203.0.113.9'
check '[ "$(logged_client /api/v1/store)" = 203.0.113.9 ]' "lines 198.51.100.1 then 203.0.113.9: the last line's hop is the client"
http GET /api/v1/store "${K[@]}" -H 'X-Forwarded-For: 203.0.113.9' -H 'X-Forwarded-For: 198.51.100.1'
check '[ "$(logged_client /api/v1/store)" = 198.51.100.1 ]' "the same lines the other way round: 198.51.100.1"
http GET /api/v1/store "${K[@]}" -H 'X-Forwarded-For: 203.0.113.9, 127.0.0.1' -H 'X-Forwarded-For: 127.0.0.1,'
check '[ "$CODE" = 403 ] && [ "$(logged_client /api/v1/store)" = 203.0.113.9 ]' \
  "trusted hops across lines are skipped, an empty list element ignored: 203.0.113.9 (403)"

# ----- a trusted proxy's header that does not name the client: 400, never the proxy as the client
for xff in 'X-Forwarded-For: not-an-address' 'X-Forwarded-For: 203.0.113.9, not-an-address' 'X-Forwarded-For;' \
           'X-Forwarded-For: , ,' 'X-Forwarded-For: 203.0.113.9:4711'; do
  http GET /api/v1/store "${K[@]}" -H "$xff"
  check '[ "$CODE" = 400 ] && printf "%s" "$BODY" | grep -q "X-Forwarded-For" && printf "%s\n" "$HEADERS" | grep -qi "^connection: close"' \
    "'$xff' from the trusted proxy: 400 naming X-Forwarded-For, connection closed"
done
http GET /api/v1/store "${K[@]}" -H 'X-Forwarded-For: not-an-address, 203.0.113.9'
check '[ "$CODE" = 403 ]' "garbage the client wrote left of its address is never read: 403 for 203.0.113.9"
http GET /healthz
check '[ "$CODE" = 200 ]' "the server still answers"

# ----- the invalid-key throttle counts the forwarded client
LONG_XFF=(-H "X-Forwarded-For: $ONES, 203.0.113.9")
for i in $(seq 1 30); do http GET /api/v1/ping -H "X-API-Key: sak_not_a_key_$i" "${LONG_XFF[@]}"; done
# the bucket holds 30 and refills one per 2 s: a slow run may need a few more before the 429
for i in $(seq 1 15); do
  http GET /api/v1/ping -H 'X-API-Key: sak_not_a_key_x' -H 'X-Forwarded-For: 203.0.113.9'
  [ "$CODE" = 429 ] && break
done
check '[ "$CODE" = 429 ] && [ "$(body_code)" = too_many_invalid ]' \
  "after 30 invalid keys sent with a long X-Forwarded-For, 203.0.113.9 is throttled (429 too_many_invalid)"
http GET /api/v1/ping -H 'X-API-Key: sak_not_a_key_y'
check '[ "$CODE" = 401 ]' "the proxy's own address is not throttled for them (401, not 429)"
http GET /api/v1/ping -H 'X-API-Key: sak_not_a_key_z' -H 'X-Forwarded-For: 198.51.100.1'
check '[ "$CODE" = 401 ]' "another forwarded client is not throttled (401)"

# ----- the login throttle counts the forwarded client too
JAR="$TMP/login.jar"
http GET /login -c "$JAR" -b "$JAR"; TOKEN=$(csrf_of_body)
for i in 1 2 3; do
  http POST /login -b "$JAR" "${LONG_XFF[@]}" --data "_csrf=$TOKEN&user=helpdesk&password=wrong-password-$i"
done
throttle_row() { sqlite3 "$TMP/data/admin-sessions.db" "SELECT coalesce(max(failures), 0) FROM throttle WHERE scope = 'addr' AND key = 'a:$1'"; }
CODE="$CODE; 203.0.113.9: $(throttle_row 203.0.113.9), 127.0.0.1: $(throttle_row 127.0.0.1)"
check '[ "$(throttle_row 203.0.113.9)" = 3 ] && [ "$(throttle_row 127.0.0.1)" = 0 ]' \
  "3 wrong passwords sent with a long X-Forwarded-For count against 203.0.113.9, not the proxy"

stop_server
check '[ "$STOP_RC" = 0 ]' "the server exits 0 on SIGTERM"
