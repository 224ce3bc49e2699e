#!/bin/bash
# usage_hourly.sh - see who still uses a key (issue 21, sections 1, 3 and 4), on the command line with a fixed
# clock (--now): the table usage counts each process's requests per UTC hour and key value (7 allowed and 3 denied
# with the site key, 2 with an unknown key: exactly those numbers in the hour's rows, every process adding its
# own), and prunes a row 31 days old; --json gives numbers. After a reset with a grace period the old value's last
# caller (address and User-Agent) is on the page and in End grace period's note, with its requests in the last hour;
# a request with the old value gets Deprecation and Sunset, a named key 3 days before its expiry gets Sunset, and
# nothing else gets either.
. "$(dirname "$0")/lib.sh"
PAGE=settings/api-key
NOW=1796000000                                  # 2026-11-30 00:53:20 UTC
HOUR=2026-11-30T00:00:00Z
mkdir -p "$TMP/data"; chmod 700 "$TMP/data"
panel_ini "$TMP/u.ini" "$TMP/data" "$PLUGIN" "${PANEL_OWNER[@]}"
C=(-c "$TMP/u.ini")
key_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])'; }
# row KEY FIELD: FIELD of the current hour's usage row of KEY in the last --json table (empty: no row)
row() { printf '%s' "$OUT" | python3 -c "import json,sys; r=[x for x in json.load(sys.stdin) if x['hour']=='$HOUR' and x['key']=='$1']; print(r[0]['$2'] if r else '')"; }

run "${C[@]}" --now $NOW --json action $PAGE enable
K1=$(printf '%s' "$OUT" | key_of)
run "${C[@]}" --now $NOW set $PAGE allowed_ips 203.0.113.0/24
expect_rc 0 "allowed_ips 203.0.113.0/24"

# ----- 1. exact counts, each process adding its own ----------------------------------------------------------------
for i in 1 2 3 4 5 6 7; do run "${C[@]}" --now $((NOW + i)) call GET /api/v1/ping -H "X-API-Key: $K1" --from 203.0.113.7; done
expect_out '^HTTP 200' "the site key is allowed from 203.0.113.7"
for i in 1 2 3; do run "${C[@]}" --now $((NOW + 10)) call GET /api/v1/ping -H "X-API-Key: $K1" --from 198.51.100.1; done
expect_out '"error":"ip_not_allowed"' "the site key is denied from 198.51.100.1"
# a well-formed key of another store: unknown here
mkdir -p "$TMP/other"; chmod 700 "$TMP/other"
panel_ini "$TMP/other.ini" "$TMP/other" "$PLUGIN" "${PANEL_OWNER[@]}"
run -c "$TMP/other.ini" --json action $PAGE enable
UNKNOWN=$(printf '%s' "$OUT" | key_of)
for i in 1 2; do run "${C[@]}" --now $((NOW + 20)) call GET /api/v1/ping -H "X-API-Key: $UNKNOWN"; done
expect_out '"error":"unknown"' "a key of no store is unknown"
run "${C[@]}" --now $((NOW + 30)) --json table $PAGE usage
expect_rc 0 "table $PAGE usage --json"
check '[ "$(row site allowed) $(row site denied) $(row site ip_not_allowed) $(row site unknown)" = "7 3 3 0" ]' \
  "the hour's site row: 7 allowed, 3 denied (ip_not_allowed 3)"
check '[ "$(row none allowed) $(row none denied) $(row none unknown)" = "0 2 2" ]' \
  "the hour's none row: 2 denied unknown"
check 'printf "%s" "$OUT" | python3 -c "import json,sys; r=json.load(sys.stdin)[0]; assert type(r[\"allowed\"]) is int and type(r[\"hour\"]) is str"' \
  "--json gives the counts as numbers"
run "${C[@]}" --now $((NOW + 30)) table $PAGE usage
expect_out "^hour +key +allowed +denied +missing +malformed +unknown +expired" "the table's columns: hour, key, allowed, denied, one per code"
expect_out "$HOUR +site +7 +3 " "the text table shows the site row"

# ----- 3. the old value's last caller ------------------------------------------------------------------------------
run "${C[@]}" --now $((NOW + 40)) set $PAGE allowed_ips ''
run "${C[@]}" --now $((NOW + 60)) --json action $PAGE reset --yes --param grace=24h
K2=$(printf '%s' "$OUT" | key_of)
run "${C[@]}" --now $((NOW + 70)) page $PAGE
expect_out 'end-grace +End grace period +\(The previous key was used 1 minute ago from 203\.0\.113\.7; ending the grace period now breaks that tool\.\)' \
  "end-grace names the previous value's last use (before the reset, as the current key)"
run "${C[@]}" --now $((NOW + 80)) call GET /api/v1/ping -H "X-API-Key: $K1" --from 203.0.113.7 -H 'User-Agent: ZonelyPlugin/1.2'
expect_rc 0 "the previous value still works in its grace period"
# ---- 4. ... and is told so
expect_out "^Deprecation: @$((NOW + 60))\$" "its response carries Deprecation: @<the reset's time>"
expect_out '^Sunset: Tue, 01 Dec 2026 00:54:20 GMT$' "its response carries Sunset: <the grace end as an HTTP-date>"
run "${C[@]}" --now $((NOW + 90)) call GET /api/v1/ping -H "X-API-Key: $K2" --from 198.51.100.4 -H 'User-Agent: NewTool/2'
expect_no_out '^(Deprecation|Sunset):' "the current value gets neither header"
run "${C[@]}" --now $((NOW + 260)) page $PAGE
expect_out 'Previous key last caller +3 minutes ago from 203\.0\.113\.7 \(ZonelyPlugin/1\.2\)' \
  "the page shows the previous value's last caller: address and User-Agent"
expect_out 'Previous key requests in the last hour +8$' "... and its requests in the last hour (7 + 1)"
expect_out 'Key last caller +2 minutes ago from 198\.51\.100\.4 \(NewTool/2\)' "the page shows the current value's last caller"
expect_out 'end-grace +End grace period +\(The previous key was used 3 minutes ago from 203\.0\.113\.7 \(ZonelyPlugin/1\.2\); ending the grace period now breaks that tool\.\)' \
  "end-grace's note names the last caller, and the action stays available"
run "${C[@]}" --now $((NOW + 260)) --json table $PAGE usage
check '[ "$(row site-previous allowed) $(row site allowed)" = "1 8" ]' "site-previous and site are counted apart"
# a User-Agent is kept to 80 bytes, control characters as '?'
LONG_UA=$(printf 'A%.0s' $(seq 1 100))
run "${C[@]}" --now $((NOW + 300)) call GET /api/v1/ping -H "X-API-Key: $K1" -H "User-Agent: $LONG_UA"
run "${C[@]}" --now $((NOW + 300)) page $PAGE
expect_out "Previous key last caller +[0-9]+ seconds ago from local \\($(printf 'A%.0s' $(seq 1 80))\\)\$" \
  "a User-Agent is kept to its first 80 characters"
run "${C[@]}" --now $((NOW + 300 + 3700)) page $PAGE
expect_out 'end-grace +End grace period +\(No request with the previous key in the last 60 minutes\.\)' \
  "an hour later end-grace says no request came with the previous key in the last 60 minutes"
expect_out 'Previous key requests in the last hour +0$' "... and the page counts none in the last hour"
# only the last caller is kept: nothing in the store holds the earlier one
check '[ "$(sqlite3 "$TMP/data/apikeys.db" "SELECT count(*) FROM keys WHERE last_agent LIKE '"'"'%Zonely%'"'"'")" = 0 ]' \
  "the store keeps only the last caller of a value (the earlier User-Agent is gone)"

# ----- 4. a named key 3 days before its expiry -----------------------------------------------------------------------
run "${C[@]}" --now $NOW --json action $PAGE create-key --param label=bot --param scopes=store.read --param expires=30d
NK=$(printf '%s' "$OUT" | key_of)
run "${C[@]}" --now $((NOW + 86400)) call GET /api/v1/ping -H "X-API-Key: $NK"
expect_rc 0 "the named key works"
expect_no_out '^(Deprecation|Sunset):' "29 days before its expiry a named key gets neither header"
run "${C[@]}" --now $((NOW + 27 * 86400)) call GET /api/v1/ping -H "X-API-Key: $NK"
expect_out '^Sunset: Wed, 30 Dec 2026 00:53:20 GMT$' "3 days before its expiry a named key gets Sunset: <its expiry>"
expect_no_out '^Deprecation:' "... and no Deprecation"
run "${C[@]}" --now $((NOW + 27 * 86400)) --json call GET /api/v1/ping -H "X-API-Key: $NK"
check '[ "$(json_get "j[\"headers\"][\"Sunset\"]")" = "Wed, 30 Dec 2026 00:53:20 GMT" ]' "call --json gives the headers"

# ----- 1. a row 31 days old is pruned at the next flush ---------------------------------------------------------------
run "${C[@]}" --now $((NOW + 31 * 86400)) call GET /api/v1/ping -H "X-API-Key: $NK"
run "${C[@]}" --now $((NOW + 31 * 86400)) --json table $PAGE usage
check '[ -z "$(row site allowed)" ] && [ "$(sqlite3 "$TMP/data/apikeys.db" "SELECT count(*) FROM usage_hourly WHERE hour = '$((NOW - NOW % 3600))'")" = 0 ]' \
  "a row 31 days old is pruned (gone from the table and the store)"
check 'printf "%s" "$OUT" | grep -q "\"key\": *\"[0-9]*\""' "the named key's requests are counted under its id"

# ----- 3. a named key in its reset grace: its previous and current value's last callers --------------------------------
T=$((NOW + 32 * 86400))
run "${C[@]}" --now $T --json action $PAGE create-key --param label=relay --param scopes=store.read
OLDV=$(printf '%s' "$OUT" | key_of); REC=$(json_get 'j.get("record", "")')
run "${C[@]}" --now $((T + 10)) --json action $PAGE reset-key --record "$REC" --yes --param grace=1h
NEWV=$(printf '%s' "$OUT" | key_of)
run "${C[@]}" --now $((T + 20)) call GET /api/v1/ping -H "X-API-Key: $OLDV" --from 203.0.113.8 -H 'User-Agent: RelayBot/3'
expect_out '^Deprecation: @'$((T + 10))'$' "the named key's old value in its reset grace gets Deprecation"
run "${C[@]}" --now $((T + 30)) call GET /api/v1/ping -H "X-API-Key: $NEWV" --from 198.51.100.8
run "${C[@]}" --now $((T + 200)) page $PAGE
expect_out "relay \\(key $REC\\): previous value last caller +3 minutes ago from 203\\.0\\.113\\.8 \\(RelayBot/3\\)" \
  "the page shows a named key's previous value's last caller during its reset grace"
expect_out "relay \\(key $REC\\): previous value requests in the last hour +1\$" "... its requests in the last hour"
expect_out "relay \\(key $REC\\): current value last caller +2 minutes ago from 198\\.51\\.100\\.8\$" \
  "... and its current value's last caller"
