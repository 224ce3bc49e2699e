#!/bin/bash
# leak_report.sh - POST /api/v1/keys/revoke (issue 22 §1) over HTTP against `serve` with the API Keys plugin on
# SQLite: each body shape (form token= with token_type_hint, JSON {"token","url"}, GitHub's secret-scanning array);
# a live site key refused as 401 leaked (the date in the message) at once, in this server and in another process;
# the owner's status line ("The API key was reported as leaked on DATE from ADDRESS (found at URL) and revoked.
# Reset API key to make a new one."), gone once Enable made a new key; a grace value's grace ended; a named key's
# value revoked and its row marked leaked; unknown, dead and malformed tokens answered the same 200 {} with nothing
# changed; 400 for bodies that cannot be read (saying what to send), 413 over the body limit, 429 with Retry-After
# past the per-address limit, 503 when a provider failed; leaked for 90 days, then unknown; an audit row with the
# reporter's address, the escaped URL and the key's hint, and no key in any audit row, status line, log or database.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
if [ "${SKIP_UNDER_VALGRIND:-0}" = 1 ]; then
  echo "SKIP: leak_report.sh in the valgrind pass: it drives a server over HTTP; make test runs it"
  exit 0
fi
if [ ! -f "$PLUGIN" ]; then echo "FAIL: the API Keys plugin is built ($PLUGIN)"; exit 1; fi

PAGE=settings/api-key
CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN" 'leak_reports_per_minute = 1000'
C=(-c "$CONFIG")
DATE_RE='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC'
ALL_KEYS=()
status_value() { "$PWD/$B/sample-host" "${C[@]}" --json page $PAGE | python3 -c '
import json, sys
for s in json.load(sys.stdin)["status"]:
    if s["label"] == sys.argv[1]: print(s["value"])' "$1"; }
keys_row() { "$PWD/$B/sample-host" "${C[@]}" --json table $PAGE keys | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["ID"] == sys.argv[1]: print("|".join(r.values()))' "$1"; }
audit_rows() { "$PWD/$B/sample-host" "${C[@]}" table $PAGE audit --limit 100; }
revoke_form() { http POST /api/v1/keys/revoke "$@"; }
revoke_json() { http POST /api/v1/keys/revoke -H 'Content-Type: application/json' --data-binary "$1"; }
ping() { http GET /api/v1/ping -H "X-API-Key: $1"; }

run "${C[@]}" --json action $PAGE enable
SITE=$(json_get 'j["secret"]'); ALL_KEYS+=("$SITE")
start_server "$CONFIG" || { echo "FAIL: the server starts"; exit 1; }
ping "$SITE"
check '[ "$CODE" = 200 ]' "the site key works before the report"

# ----- a live site key, JSON {"token","url"}: refused at once, here and in another process --------------------------
URL='https://github.com/acme/shop/blob/main/config.yml?a=1&b=<x>"y" é'
revoke_json "{\"token\":\"$SITE\",\"url\":\"${URL//\"/\\\"}\"}"
check '[ "$CODE" = 200 ] && [ "$BODY" = "{}" ]' "JSON {token,url} with a live site key answers 200 {}"
ping "$SITE"
check '[ "$CODE" = 401 ] && body_has "\"error\":\"leaked\""' "the reported key is refused as 401 leaked right after the 200"
check "body_has 'this key was reported as leaked on $DATE_RE and revoked; ask the store owner for a new key'" \
  "the leaked answer names the date and what to do"
check '! body_has "$SITE"' "the answer never echoes the key"
run "${C[@]}" --json call GET /api/v1/ping -H "X-API-Key: $SITE"
check '[ "$(json_get "j[\"body\"][\"error\"]")" = leaked ]' "another process refuses it as leaked too"

LINE=$(status_value "Leak report")
ESC='https://github.com/acme/shop/blob/main/config.yml?a=1&b=%3Cx%3E%22y%22%20%C3%A9'
D=$(printf '%s' "$LINE" | grep -Eo "$DATE_RE" | head -1)
WANT="The API key was reported as leaked on $D from 127.0.0.1 (found at $ESC) and revoked. Reset API key to make a new one."
check '[ -n "$D" ] && [ "$LINE" = "$WANT" ]' \
  "the owner's status line says when, from where, where it was found (escaped) and what to do" "line: $LINE"
check '[ "$(status_value Key)" = "revoked: reported as leaked on $D. Reset API key to make a new one." ]' \
  "the summary's Key line says the key was revoked as leaked, in the owner's words" "Key: $(status_value Key)"
AUDIT=$(audit_rows)
HINT="${SITE:0:4}…${SITE: -4}"
check 'printf "%s" "$AUDIT" | grep -F "leak-report" | grep -F "127.0.0.1" | grep -F "$ESC" | grep -qF "$HINT"' \
  "an audit row has the reporter's address, the escaped URL and the key's hint" "audit: $AUDIT"

# Enable makes a new key; the status line goes
run "${C[@]}" --json action $PAGE enable
SITE2=$(json_get 'j["secret"]'); ALL_KEYS+=("$SITE2")
check '[ -n "$SITE2" ] && [ "$SITE2" != "$SITE" ]' "Enable makes a new key after the report"
ping "$SITE2"
check '[ "$CODE" = 200 ]' "the new key works"
check '[ -z "$(status_value "Leak report")" ]' "the status line is gone once a new key exists"
ping "$SITE"
check '[ "$CODE" = 401 ] && body_has "\"error\":\"leaked\""' "the reported value stays leaked after the new key"

# ----- a value in grace, form token= with token_type_hint ----------------------------------------------------------
run "${C[@]}" --json --yes action $PAGE reset --param grace=1h
SITE3=$(json_get 'j["secret"]'); ALL_KEYS+=("$SITE3")
ping "$SITE2"
check '[ "$CODE" = 200 ]' "the previous key works in its grace period"
revoke_form --data-urlencode "token=$SITE2" -d token_type_hint=access_token
check '[ "$CODE" = 200 ] && [ "$BODY" = "{}" ]' "form token= with token_type_hint answers 200 {}"
ping "$SITE2"
check '[ "$CODE" = 401 ] && body_has "\"error\":\"leaked\""' "the grace value is refused as leaked: its grace ended"
ping "$SITE3"
check '[ "$CODE" = 200 ]' "the current key still works"
check '[ -z "$(status_value "Previous key valid until")" ]' "the page no longer shows a previous key"

# ----- a named key, GitHub's array with unknown, dead and malformed tokens in the same batch -----------------------
run "${C[@]}" --json action $PAGE create-key --param label=Bot --param scopes=store.read
NAMED=$(json_get 'j["secret"]'); NID=$(json_get 'j["record"]'); ALL_KEYS+=("$NAMED")
ping "$NAMED"
check '[ "$CODE" = 200 ]' "the named key works before the report"
revoke_json "[{\"token\":\"$NAMED\",\"type\":\"acme_api_key\",\"url\":\"https://gist.github.com/x/1?key=$NAMED\",\"source\":\"content\"},
  {\"token\":\"sak_notakey\",\"type\":\"acme_api_key\",\"url\":\"https://x.test/\",\"source\":\"commit\"},
  {\"token\":\"ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"type\":\"x\",\"url\":\"\",\"source\":\"content\"}]"
check '[ "$CODE" = 200 ] && [ "$BODY" = "{}" ]' "GitHub's secret-scanning array answers 200 {}"
ping "$NAMED"
check '[ "$CODE" = 401 ] && body_has "\"error\":\"leaked\""' "the named key's value is refused as leaked"
ROW=$(keys_row "$NID")
check 'case "$ROW" in *"|leaked: revoked"*) true ;; *) false ;; esac' "the named key's row is marked leaked" "row: $ROW"
check 'audit_rows | grep -F "leak-report" | grep -F "key ID $NID" | grep -qF "https://gist.github.com/x/1?key=[the key]"' \
  "the audit row names the named key and where it was found, the key itself in that place as [the key]"
run "${C[@]}" --json --yes action $PAGE reset-key --record "$NID"
NAMED2=$(json_get 'j.get("secret","")'); ALL_KEYS+=("$NAMED2")
check '[ "$(json_get "\"previous key was reported as leaked and stays revoked\" in j[\"message\"]")" = True ]' \
  "Reset key's message says the reported value stays revoked"
ping "$NAMED2"
check '[ "$CODE" = 200 ] && ! keys_row "$NID" | grep -q leaked' "Reset key gives the named key a new value"
# revoked, it stays listed under "Show revoked keys", marked revoked and leaked (issue 25 section 4)
run "${C[@]}" --yes action $PAGE revoke --record "$NID"
run "${C[@]}" set $PAGE show_revoked 1
ROW=$(keys_row "$NID")
check 'printf "%s" "$ROW" | grep -Eq "\|revoked $DATE_RE, leaked \(was sak_"' \
  "a revoked key once reported as leaked is listed as revoked and leaked" "row: $ROW"
run "${C[@]}" set $PAGE show_revoked 0
check '[ -z "$(keys_row "$NID")" ]' "the filter off hides it again"

# ----- unknown, dead and malformed tokens: the same answer, nothing changes -----------------------------------------
BEFORE=$(audit_rows | wc -l)
for token in "$SITE" "sak_short" "not a key at all" "sak_$(printf 'A%.0s' {1..49})"; do
  revoke_form --data-urlencode "token=$token"
  check '[ "$CODE" = 200 ] && [ "$BODY" = "{}" ]' "a dead, malformed or unknown token answers the same 200 {} ('${token:0:12}')"
done
check '[ "$(audit_rows | wc -l)" = "$BEFORE" ]' "no audit row and no change for tokens that are no live key"
ping "$SITE3"
check '[ "$CODE" = 200 ]' "the current key is untouched"

# ----- bodies that cannot be read, and the body limit --------------------------------------------------------------
revoke_json '{"token": '
check '[ "$CODE" = 400 ] && body_has "not valid JSON" && body_has "send token=<key>"' \
  "invalid JSON answers 400 saying what to send"
revoke_json '{"url":"https://x.test/"}'
check '[ "$CODE" = 400 ] && body_has "must be an object with a non-empty string"' "JSON without a token answers 400"
revoke_json "[$(printf '{"token":"t"},%.0s' {1..100}){\"token\":\"t\"}]"
check '[ "$CODE" = 400 ] && body_has "1 to 100 findings"' "an array of 101 findings answers 400"
revoke_form -d token_type_hint=access_token
check '[ "$CODE" = 400 ] && body_has "the form has no token"' "a form without token answers 400"
revoke_form -H 'Content-Type: text/plain' -d "$SITE3"
check '[ "$CODE" = 400 ] && body_has "Content-Type"' "another Content-Type answers 400"
revoke_form --data-urlencode "token=$SITE3%zz"
check '[ "$CODE" = 200 ]' "an escaped % in a token is just an unknown token"
head -c 17000 /dev/zero | tr '\0' 'a' >"$TMP/big"
revoke_form --data-binary "@$TMP/big"
check '[ "$CODE" = 413 ]' "a body over 16384 bytes answers 413"
http GET /api/v1/keys/revoke
check '[ "$CODE" = 405 ]' "GET answers 405"
ping "$SITE3"
check '[ "$CODE" = 200 ]' "after all that the current key still works"

# ----- leaked for 90 days, then unknown (the verify path's clock: call --now) ---------------------------------------
T=$(date +%s)
run "${C[@]}" --now $((T + 89 * 86400)) --json call GET /api/v1/ping -H "X-API-Key: $SITE"
check '[ "$(json_get "j[\"body\"][\"error\"]")" = leaked ]' "89 days after the report the value is still answered as leaked"
run "${C[@]}" --now $((T + 91 * 86400)) --json call GET /api/v1/ping -H "X-API-Key: $SITE"
check '[ "$(json_get "j[\"body\"][\"error\"]")" = unknown ]' "after 90 days it is unknown"
stop_server

# ----- no key anywhere: database, audit, status lines, logs ---------------------------------------------------------
DUMP=$(sqlite3 "$TMP/data/apikeys.db" .dump 2>&1)
check 'printf "%s" "$DUMP" | grep -q "CREATE TABLE leaked_keys"' "the store keeps the reported digests in leaked_keys"
check '[ "$(sqlite3 "$TMP/data/apikeys.db" "SELECT count(*) FROM leaked_keys")" = 3 ]' \
  "three reported values are kept (site, grace, named)"
SEEN=""
for k in "${ALL_KEYS[@]}"; do
  for f in "$TMP/data"/* "$SERVER_LOG" "$TMP/server.out"; do
    [ -f "$f" ] && grep -aqF "$k" "$f" && SEEN="$SEEN $f"
  done
  audit_rows | grep -qF "$k" && SEEN="$SEEN audit"
  "$PWD/$B/sample-host" "${C[@]}" page $PAGE | grep -qF "$k" && SEEN="$SEEN page"
done
check '[ -z "$SEEN" ]' "no key appears in any database file, log, audit row or status line" "seen in:$SEEN"

# ----- 429 past the per-address limit; 503 when a provider fails ---------------------------------------------------
write_config "$TMP/limited.ini" "$PLUGIN $FIXTURES/good.so" 'leak_reports_per_minute = 3'
start_server "$TMP/limited.ini" limited || { echo "FAIL: the limited server starts"; exit 1; }
for i in 1 2 3; do revoke_form -d token=unknown$i; done
check '[ "$CODE" = 200 ]' "three reports a minute are answered"
revoke_form -d token=unknown4
check '[ "$CODE" = 429 ] && has_header "^Retry-After: [0-9]+" && body_has "too many leak reports"' \
  "the fourth answers 429 with Retry-After"
stop_server
write_config "$TMP/failing.ini" "$PLUGIN $FIXTURES/good.so"
start_server "$TMP/failing.ini" failing || { echo "FAIL: the failing server starts"; exit 1; }
revoke_form -d token=storefail
check '[ "$CODE" = 503 ] && body_has "report_unavailable" && body_has "fixture.s store is down" && has_header "^Retry-After:"' \
  "a provider that cannot handle the report gives 503 with Retry-After"
stop_server
