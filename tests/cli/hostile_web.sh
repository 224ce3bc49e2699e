#!/bin/bash
# hostile_web.sh - hostile input to `sample-host serve` (API Keys plugin + good fixture): oversized headers
# (431), too many headers, an oversized body (413), hostile bodies to the delivery routes (huge, bad JSON, ids that
# are not numbers, deep nesting: 400/413), an oversized API key (401 malformed), paths with `..` (never
# a file outside the panel, never another page), NUL bytes and invalid UTF-8 in field values through the web
# form (refused with a message, or stored and shown as valid UTF-8), and a login flood (no 5xx, no dropped
# connection, throttled). After every attack the server still answers; its resident memory stays bounded.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

alive() { http GET /healthz; check '[ "$CODE" = 200 ]' "the server still answers after $1"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }
utf8_ok() { python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' <"$TMP/http.body" 2>/dev/null; }
repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; }

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN $FIXTURES/good.so"
if ! start_server "$CONFIG"; then fail "server starts"; exit 1; fi
ADMIN_PASSWORD=$FIRST_PASSWORD
RSS_START=$(rss_kb)

# ----- oversized and numerous headers, oversized bodies
http GET /healthz -H "X-Big: $(repeat a 100000)"
check '[ "$CODE" = 431 ]' "a 100 KB header is refused with 431 Request Header Fields Too Large"
many=(); for i in $(seq 1 2000); do many+=(-H "X-Header-$i: value-$i"); done
http GET /healthz "${many[@]}"
check '[ "$CODE" = 431 ]' "2000 headers are refused with 431"
alive "oversized headers"

repeat a 1000000 >"$TMP/big.body"
http POST /login --data-binary @"$TMP/big.body"
check '[ "$CODE" = 413 ] && printf "%s" "$BODY" | grep -q "too large"' "a 1 MB body is refused with 413 and says it is too large"
http POST /api/v1/ping --data-binary @"$TMP/big.body" -H 'X-API-Key: sak_x'
check '[ "$CODE" = 413 ]' "a 1 MB body to the API is refused with 413 before authentication"
alive "oversized bodies"

# ----- a credential sent twice or padded with whitespace (RFC 9110: repeated fields are one list; the whitespace
# around a value is not part of it): two different keys are refused whichever comes first, never the first winning
run -c "$CONFIG" --json action settings/api-key enable
KEY=$(json_get 'j["secret"]')
OTHER="sak_$(repeat A 43)AAAAAA"
http GET /api/v1/ping -H "X-API-Key: $KEY" -H "X-API-Key: $OTHER"
check '[ "$CODE" = 400 ] && printf "%s" "$BODY" | grep -q "\"conflicting_credentials\""' \
  "a good key then another in a second X-API-Key: 400 conflicting_credentials"
http GET /api/v1/ping -H "X-API-Key: $OTHER" -H "X-API-Key: $KEY"
check '[ "$CODE" = 400 ] && printf "%s" "$BODY" | grep -q "\"conflicting_credentials\""' \
  "another key then the good one: 400 conflicting_credentials too"
check '! printf "%s" "$BODY" | grep -q "$KEY"' "the refusal does not echo either key"
http GET /api/v1/ping -H "X-API-Key: $KEY" -H "X-API-Key: $KEY"
check '[ "$CODE" = 200 ]' "the same key sent twice is that key: 200"
http GET /api/v1/ping -H "X-API-Key: $(printf '\t')$KEY  $(printf '\t')"
check '[ "$CODE" = 200 ]' "whitespace around the key is not part of it: 200"
http GET /api/v1/ping -H "Authorization: Bearer $KEY " -H "X-API-Key:  $KEY"
check '[ "$CODE" = 200 ]' "the same key padded in both headers: 200"

http GET /api/v1/ping -H "X-API-Key: sak_$(repeat b 5000)"
check '[ "$CODE" = 401 ] && printf "%s" "$BODY" | grep -q "\"malformed\"" && ! printf "%s" "$BODY" | grep -q bbbbbbbb' \
  "a 5000-byte API key is refused 401 malformed without being echoed"
http GET /api/v1/ping -H "Authorization: Bearer $(repeat c 20000)"
check '[ "$CODE" = 401 ] && ! printf "%s" "$BODY" | grep -q cccccccc' "a 20 KB bearer token is refused 401 without being echoed"

# ----- the delivery routes (issue 12): huge bodies, bad JSON, ids that are not numbers, hostile forms
F=(-H 'X-Fixture: letmein')
JSON=(-H 'Content-Type: application/json')
for route in pull ack; do
  http POST "/api/v1/deliveries/$route" "${F[@]}" --data-binary @"$TMP/big.body"
  check '[ "$CODE" = 413 ]' "a 1 MB body to deliveries/$route is refused with 413"
done
repeat a 60000 >"$TMP/60k.body"
http POST /api/v1/deliveries/ack "${F[@]}" "${JSON[@]}" --data-binary @"$TMP/60k.body"
check '[ "$CODE" = 413 ] && printf "%s" "$BODY" | grep -q "\"body_too_large\""' "a 60 KB ack body gets 413 body_too_large (the API reads at most 16 KiB)"
printf '{"ids":[%s' "$(repeat '[' 8000)" >"$TMP/deep.json"
http POST /api/v1/deliveries/ack "${F[@]}" "${JSON[@]}" --data-binary @"$TMP/deep.json"
check '[ "$CODE" = 400 ]' "8000 nested arrays in an ack are refused with 400"
printf '{"x":%s1%s,"ids":[1]}' "$(repeat '[' 5000)" "$(repeat ']' 5000)" >"$TMP/deep2.json"
http POST /api/v1/deliveries/ack "${F[@]}" "${JSON[@]}" --data-binary @"$TMP/deep2.json"
check '[ "$CODE" = 400 ] && printf "%s" "$BODY" | grep -q "too deeply"' "5000 nested arrays in another member are refused as too deep"
for bad in '{"ids":["a"]}' '{"ids":[1x]}' '{"ids":[0x10]}' '{"ids":[true]}' '{"ids":[1e999]}' '{"ids":[null]}' \
           '{"ids":[{"id":1}]}' '{"ids":[9223372036854775808]}' '{"ids":[01]}' '{"ids":"1,2"}' '{"ids":[1' '{"ids' '{' \
           '{"ids":[1]}}' '{"\u0069ds":[1],"ids":[1]}' '{"a":"\x"}' '{"a":"\ud800"' ; do
  http POST /api/v1/deliveries/ack "${F[@]}" "${JSON[@]}" --data-binary "$bad"
  check '[ "$CODE" = 400 ] && printf "%s" "$BODY" | grep -q "send a JSON body such as"' "ack body $bad gets 400 saying what to send"
done
printf '{"ids":[1],"s":"a\x00b"}' >"$TMP/nul.json"
http POST /api/v1/deliveries/ack "${F[@]}" "${JSON[@]}" --data-binary @"$TMP/nul.json"
check '[ "$CODE" = 400 ]' "an ack with a raw NUL byte in a string is refused with 400"
printf '{"ids":[1],"s":"\xff\xfe"}' >"$TMP/utf8.json"
http POST /api/v1/deliveries/ack "${F[@]}" "${JSON[@]}" --data-binary @"$TMP/utf8.json"
check '[ "$CODE" = 400 ] && printf "%s" "$BODY" | grep -q "UTF-8" && utf8_ok' "an ack with invalid UTF-8 is refused naming UTF-8, in valid UTF-8"
http POST /api/v1/deliveries/ack "${F[@]}" "${JSON[@]}" --data-binary "{\"ids\":[$(seq -s, 1 1001)]}"
check '[ "$CODE" = 400 ] && printf "%s" "$BODY" | grep -q "at most 1000"' "an ack with 1001 ids is refused"
for bad in 'limit=1%00' 'limit=%' 'limit=%4' 'limit=+1' 'limit= 1' "limit=$(repeat 9 5000)"; do
  http POST /api/v1/deliveries/pull "${F[@]}" --data-binary "$bad"
  check '[ "$CODE" = 400 ] && printf "%s" "$BODY" | grep -q "limit=10"' "pull body ${bad:0:24} gets 400 saying what to send"
done
http POST /api/v1/deliveries/pull "${F[@]}" --data-binary "$(for i in $(seq 1 1200); do printf 'f%d=%%41&' "$i"; done)limit=3"
check '[ "$CODE" = 200 ] && printf "%s" "$BODY" | grep -q "\"items\""' "a pull form with 1200 other fields still answers 200"
alive "hostile delivery bodies"

# ----- paths with ..
for p in /../etc/passwd /admin/../../../../etc/passwd /admin/%2e%2e/%2e%2e/etc/passwd \
         /admin/settings/..%2f..%2f..%2fetc%2fpasswd /static/../../../etc/passwd /api/../../etc/passwd; do
  http GET "$p" --path-as-is
  check '[ "$CODE" != 200 ] && [ "${CODE:0:1}" != 5 ] && ! printf "%s" "$BODY" | grep -q "root:"' \
    "logged out, $p is not served (status $CODE)"
done
JAR="$TMP/admin.jar"
login admin "$ADMIN_PASSWORD" "$JAR"
check '[ "$CODE" = 303 ]' "admin logs in"
for p in /admin/../../../../etc/passwd /admin/settings/../../etc/passwd /admin/settings/api-key/.. \
         /admin/settings/api-key/../../fixture/good /admin/fixture/good/../../../etc/passwd; do
  http GET "$p" --path-as-is -b "$JAR"
  check '[ "$CODE" = 404 ] && ! printf "%s" "$BODY" | grep -q "root:"' "logged in, $p is 404 (no traversal into files or pages)"
done
alive "paths with .."

# ----- NUL bytes and invalid UTF-8 in field values (web form)
http GET /admin/settings/api-key -b "$JAR"; CSRF=$(csrf_of_body)
http POST /admin/settings/api-key -b "$JAR" --data "_csrf=$CSRF&_op=action&_action=enable"
http GET /admin/settings/api-key -b "$JAR"; PAGE_BEFORE=$(printf '%s' "$BODY" | grep -o 'sak_…[A-Za-z0-9]*' | sort -u)
check '[ -n "$PAGE_BEFORE" ]' "the API key page shows the current key's hint"
# post_key VALUE: pastes VALUE as the key and follows the 303 to the page, which names the refusal once
post_key() { http POST /admin/settings/api-key -b "$JAR" --data "_csrf=$CSRF&_op=field&_field=api_key&_confirm=1&value=$1"; follow "$JAR"; }
post_key 'imported%00key-0123456789012345678901234567890'
check '[ "$POSTED" = 303 ] && [ "$CODE" = 200 ] && printf "%s" "$BODY" | grep -q "NUL byte at position 9"' "a key with a NUL byte is refused (303 to the page) naming its position"
post_key 'imported-%FF%FE-0123456789012345678901234567890'
check '[ "$POSTED" = 303 ] && printf "%s" "$BODY" | grep -q "outside printable ASCII at position 10" && utf8_ok' \
  "a key with invalid UTF-8 is refused naming the position, and the page saying so is valid UTF-8"
post_key 'imported-%C3%A9-0123456789012345678901234567890'
check '[ "$POSTED" = 303 ] && printf "%s" "$BODY" | grep -q "outside printable ASCII"' "a key with a non-ASCII letter is refused"
http GET /admin/settings/api-key -b "$JAR"
check '[ "$(printf "%s" "$BODY" | grep -o "sak_…[A-Za-z0-9]*" | sort -u)" = "$PAGE_BEFORE" ]' \
  "after the refused values the current key is unchanged"

http GET /admin/fixture/good -b "$JAR"; CSRF=$(csrf_of_body)
http POST /admin/fixture/good -b "$JAR" --data "_csrf=$CSRF&_op=field&_field=text&value=ab%FF%FEcd%C0%80ef"
check '[ "$CODE" = 303 ] || [ "$CODE" = 422 ]' "invalid UTF-8 in a text field is stored or refused, no crash (status $CODE)"
http GET /admin/fixture/good -b "$JAR"
check '[ "$CODE" = 200 ] && utf8_ok' "the page showing that field is still valid UTF-8"
http POST /admin/fixture/good -b "$JAR" --data "_csrf=$CSRF&_op=field&_field=text&value=ab%00cd"; follow "$JAR"
check '[ "$POSTED" = 303 ] && printf "%s" "$BODY" | grep -q "Not saved: .*NUL"' "a NUL byte in a text field is refused by its validator"
http POST /admin/fixture/good -b "$JAR" --data "_csrf=$CSRF&_op=field&_field=text" --data-urlencode "value=$(repeat x 5000)"
follow "$JAR"
check '{ [ "$POSTED" = 303 ] && body_has "Not saved"; } || [ "$POSTED" = 413 ] || [ "$POSTED" = 400 ]' "a 5000-byte field value is refused (status $POSTED)"
http POST /admin/fixture/good -b "$JAR" --data "_csrf=$CSRF&_op=action&_action=echo&p.text=a%FFb"; follow "$JAR"
check '[ "${POSTED:0:1}" = 4 ] || { [ "$POSTED" = 303 ] && [ "$CODE" = 200 ] && utf8_ok; }' "invalid UTF-8 in an action parameter is refused or answered as valid UTF-8 (status $POSTED)"
alive "hostile field values"

# ----- a login flood: 2 x 200 failed logins, 8 at a time
FLOOD_JAR="$TMP/flood.jar"
http GET /login -c "$FLOOD_JAR" -b "$FLOOD_JAR"; TOKEN=$(csrf_of_body)
flood() {
  seq 1 200 | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' -b "$FLOOD_JAR" \
    --data "_csrf=$TOKEN&user=flood{}&password=wrong-password-{}" "${SERVER_URL}login" >"$TMP/flood.codes"
}
flood
RSS_FLOOD1=$(rss_kb)
flood
RSS_FLOOD2=$(rss_kb)
CODE="$(sort "$TMP/flood.codes" | uniq -c | tr '\n' ' ')"
check '! grep -qv "^\(401\|429\)$" "$TMP/flood.codes"' "a login flood gets only 401 or 429 (no 5xx, no dropped connection): $CODE"
check 'grep -q "^429$" "$TMP/flood.codes"' "a login flood is throttled (429)"
alive "a login flood"
# Sanitizer builds keep freed memory in quarantine (and leaks are LeakSanitizer's job there), so they get
# looser bounds; the plain build must stay under 96 MB and grow less than 8 MB in the second flood.
LIMIT_KB=$((96 * 1024)) GROWTH_KB=8192
if ldd "$PWD/$B/sample-host" 2>/dev/null | grep -q 'libasan\|libtsan'; then LIMIT_KB=$((1024 * 1024)) GROWTH_KB=$((128 * 1024)); fi
CODE="start ${RSS_START} kB, after flood 1 ${RSS_FLOOD1} kB, after flood 2 ${RSS_FLOOD2} kB"
check '[ "$RSS_FLOOD2" -lt "$LIMIT_KB" ] && [ $((RSS_FLOOD2 - RSS_FLOOD1)) -lt "$GROWTH_KB" ]' \
  "the server's memory stays bounded under attack ($CODE)"

stop_server
check '[ "$STOP_RC" = 0 ]' "the server exits 0 on SIGTERM after all of it"
