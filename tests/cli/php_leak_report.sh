#!/bin/bash
# php_leak_report.sh - POST /api/v1/keys/revoke of the example PHP panel (examples/php-panel/src/Revoke.php, issue 22
# §1) under nginx + php-fpm (2 workers, the preload setup): a live site key reported as JSON {"token","url"} is
# refused as 401 leaked by the panel's API and by the sample host at once; a form token= and GitHub's array with
# unknown and malformed tokens answer the same 200 {}; 400 naming what to send; 413 over 16384 bytes; 429 with
# Retry-After past [host] leak_reports_per_minute; the owner's status line; no key in the panel's logs.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../php/php_env.sh"
source "$(dirname "$0")/../php/fpm_stack.sh"
if [ -n "${TEST_WRAPPER:-}" ] || [ "${SKIP_UNDER_VALGRIND:-0}" = 1 ]; then
  echo "SKIP: php_leak_report.sh in the valgrind pass: PHP, php-fpm and nginx are not run under valgrind;" \
       "make test runs it"
  exit 0
fi
require_php fpm
php_environment
trap 'stop_php_stack KILL; rm -rf "$TMP"' EXIT

CONFIG="$TMP/panel.ini"
panel_ini "$CONFIG" "$TMP/data" "$PLUGIN" 'leak_reports_per_minute = 6' "${PANEL_OWNER[@]}"
run -c "$CONFIG" --json action settings/api-key enable
KEY=$(json_get 'j["secret"]')
check '[ -n "$KEY" ]' "the CLI enables the API and prints a key"
if ! start_php_stack "$CONFIG" 2; then echo "FAIL: nginx + php-fpm with 2 workers start"; exit 1; fi
# post ARGS...: a POST to the revoke route; sets CODE, BODY, HEADERS
post() {
  CODE=$(curl -s -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' -X POST "$@" "$STACK_URL/api/v1/keys/revoke")
  BODY=$(cat "$TMP/b"); HEADERS=$(tr -d '\r' <"$TMP/h")
}
ping_code() { curl -s -o "$TMP/pb" -w '%{http_code}' -H "X-API-Key: $KEY" "$STACK_URL/api/v1/ping"; }

check '[ "$(ping_code)" = 200 ]' "the key works through the panel before the report"
post -H 'Content-Type: application/json' --data-binary "{\"token\":\"$KEY\",\"url\":\"https://paste.example/abc\"}"
check '[ "$CODE" = 200 ] && [ "$BODY" = "{}" ]' "JSON {token,url} with the live key answers 200 {}"
check '[ "$(ping_code)" = 401 ] && grep -q "\"error\":\"leaked\"" "$TMP/pb"' "the panel's API refuses the key as 401 leaked at once" \
  "$(cat "$TMP/pb")"
run -c "$CONFIG" --json call GET /api/v1/ping -H "X-API-Key: $KEY"
check '[ "$(json_get "j[\"body\"][\"error\"]")" = leaked ]' "the sample host refuses it as leaked too"
post --data-urlencode "token=sak_0000000000000000000000000000000000000000000A2Lz8T" -d token_type_hint=access_token
check '[ "$CODE" = 200 ] && [ "$BODY" = "{}" ]' "form token= with an unknown key answers the same 200 {}"
post -H 'Content-Type: application/json' \
  --data-binary '[{"token":"sak_short","type":"x","url":"https://x.test/","source":"content"},{"token":"nope"}]'
check '[ "$CODE" = 200 ] && [ "$BODY" = "{}" ]' "GitHub's array with malformed tokens answers the same 200 {}"
post -H 'Content-Type: application/json' --data-binary '{"token":'
check '[ "$CODE" = 400 ] && grep -q "send token=<key>" "$TMP/b"' "invalid JSON answers 400 saying what to send"
head -c 17000 /dev/zero | tr '\0' a >"$TMP/big"
post --data-binary "@$TMP/big"
check '[ "$CODE" = 413 ]' "a body over 16384 bytes answers 413"
post -d token=x
post -d token=y
check '[ "$CODE" = 429 ] && printf "%s" "$HEADERS" | grep -Eiq "^Retry-After: [0-9]+"' \
  "past leak_reports_per_minute from one address: 429 with Retry-After"
run -c "$CONFIG" --json page settings/api-key
LINE=$(json_get '[s["value"] for s in j["status"] if s["label"] == "Leak report"][0]' 2>/dev/null)
check 'printf "%s" "$LINE" | grep -Eq "^The API key was reported as leaked on .* from 127\.0\.0\.1 \(found at https://paste\.example/abc\) and revoked\. Reset API key to make a new one\.$"' \
  "the owner's status line names the report" "line: $LINE"
check '! grep -rqF "$KEY" "$STACK"/*.log' "no key in the panel's logs"
