#!/bin/bash
# usage_server.sh - usage and Sunset through the sample host's web server (issue 21, sections 1 and 4): one server
# process counts 7 allowed and 3 denied requests with the site key and 2 with an unknown key, and its one flush
# (flush_interval = 1) puts exactly those numbers in the hour's rows; a command-line process then adds its own.
# Over HTTP a value in its grace period gets Deprecation and Sunset, a named key 3 days before its expiry gets
# Sunset, and the current value and a named key far from its expiry get neither.
. "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
if [ "${SKIP_UNDER_VALGRIND:-0}" = 1 ] || [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: usage_server.sh in the valgrind pass: a web server waited on over HTTP; usage_hourly.sh checks the" \
       "same counts and headers through the command line, and make test runs this one on the plain build"
  exit 0
fi
PAGE=settings/api-key
NOW=1796000000                                  # 2026-11-30 00:53:20 UTC
HOUR=2026-11-30T00:00:00Z
mkdir -p "$TMP/data" "$TMP/other"; chmod 700 "$TMP/data" "$TMP/other"
panel_ini "$TMP/u.ini" "$TMP/data" "$PLUGIN" "${PANEL_OWNER[@]}" '[plugin:apikeys]' 'flush_interval = 1'
panel_ini "$TMP/other.ini" "$TMP/other" "$PLUGIN" "${PANEL_OWNER[@]}"
C=(-c "$TMP/u.ini" --now $NOW)
key_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])'; }
row() { printf '%s' "$OUT" | python3 -c "import json,sys; r=[x for x in json.load(sys.stdin) if x['hour']=='$HOUR' and x['key']=='$1']; print(r[0]['$2'] if r else '')"; }

run "${C[@]}" --json action $PAGE enable
K1=$(printf '%s' "$OUT" | key_of)
run -c "$TMP/other.ini" --json action $PAGE enable
UNKNOWN=$(printf '%s' "$OUT" | key_of)
run "${C[@]}" set $PAGE allowed_ips 127.0.0.0/8
# a named key that expires 3 days from now (made 27 days ago with 30 days), and one that expires in 30 days
run -c "$TMP/u.ini" --now $((NOW - 27 * 86400)) --json action $PAGE create-key --param label=soon --param scopes=store.read --param expires=30d
SOON=$(printf '%s' "$OUT" | key_of)
run "${C[@]}" --json action $PAGE create-key --param label=later --param scopes=store.read --param expires=30d
LATER=$(printf '%s' "$OUT" | key_of)

SERVER_ARGS="--now $NOW"
if ! start_server "$TMP/u.ini" usage; then fail "the server starts"; exit 1; fi
ok=0; for i in 1 2 3 4 5 6 7; do http GET /api/v1/ping -H "X-API-Key: $K1"; [ "$CODE" = 200 ] && ok=$((ok + 1)); done
check '[ $ok = 7 ]' "7 requests with the site key are allowed"
run "${C[@]}" set $PAGE allowed_ips 203.0.113.0/24
no=0; for i in 1 2 3; do http GET /api/v1/ping -H "X-API-Key: $K1"; [ "$CODE" = 403 ] && no=$((no + 1)); done
check '[ $no = 3 ]' "3 requests with the site key from outside its allowed IPs get 403"
run "${C[@]}" set $PAGE allowed_ips ''
for i in 1 2; do http GET /api/v1/ping -H "X-API-Key: $UNKNOWN"; done
check '[ "$CODE" = 401 ] && body_has "\"unknown\""' "a key of another store gets 401 unknown"
table_site_is() { run "${C[@]}" --json table $PAGE usage; [ "$(row site allowed) $(row site denied) $(row none denied)" = "$1" ]; }
wait_until 'table_site_is "7 3 2"' 20
check '[ "$(row site allowed) $(row site denied) $(row site ip_not_allowed) $(row none unknown)" = "7 3 3 2" ]' \
  "the server's flush writes exactly 7 allowed, 3 denied (ip_not_allowed) for site and 2 unknown for none"
run "${C[@]}" call GET /api/v1/ping -H "X-API-Key: $K1"
run "${C[@]}" --json table $PAGE usage
check '[ "$(row site allowed)" = 8 ]' "another process adds its count to the server's (8)"

# ----- the headers over HTTP ----------------------------------------------------------------------------------------
run "${C[@]}" --json action $PAGE reset --yes --param grace=1h
K2=$(printf '%s' "$OUT" | key_of)
http GET /api/v1/ping -H "X-API-Key: $K1"
check '[ "$CODE" = 200 ] && has_header "^Deprecation: @'$NOW'$" && has_header "^Sunset: Mon, 30 Nov 2026 01:53:20 GMT$"' \
  "the value in its grace period gets Deprecation: @<reset> and Sunset: <grace end>"
http GET /api/v1/ping -H "X-API-Key: $K2"
check '[ "$CODE" = 200 ] && ! has_header "^(Deprecation|Sunset):"' "the current value gets neither"
http GET /api/v1/ping -H "X-API-Key: $SOON"
check '[ "$CODE" = 200 ] && has_header "^Sunset: Thu, 03 Dec 2026 00:53:20 GMT$" && ! has_header "^Deprecation:"' \
  "a named key 3 days before its expiry gets Sunset: <its expiry>, no Deprecation"
http GET /api/v1/ping -H "X-API-Key: $LATER"
check '[ "$CODE" = 200 ] && ! has_header "^(Deprecation|Sunset):"' "a named key 30 days from its expiry gets neither"
http GET /api/v1/ping -H "X-API-Key: $UNKNOWN"
check '[ "$CODE" = 401 ] && ! has_header "^(Deprecation|Sunset):"' "a denied request gets neither"
stop_server
