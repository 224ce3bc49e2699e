#!/bin/bash
# apikeys_flow.sh - the API Keys plugin end to end through build/sample-host (issue 3, "Done when"): menu and
# page, enable -> key accepted by `call`, reset refused without --yes, reset with --yes (old 401, new 200),
# grace reset (both valid until the grace ends, checked with --now) and end-grace, pasted keys (trailing
# space refused, valid key replaces), disable 403 / enable restores the same key, a user without the
# permission sees and changes nothing, state survives restarts, a long-running `serve` process honours a
# reset at its next verification, and the plaintext key occurs in no file under the data directory.
. "$(dirname "$0")/lib.sh"

CONF="$TMP/panel.ini"
DATA="$TMP/data"
panel_ini "$CONF" data "$PLUGIN" "${PANEL_OWNER_SUPPORT[@]}" '[plugin:apikeys]' 'flush_interval = 1'
export PANEL_CONFIG="$CONF"
PAGE=settings/api-key
NOW=1800000000          # 2027-01-15 08:00 UTC

# ping KEY: GET /api/v1/ping with X-API-Key (sets OUT/RC)
ping() { run --now "$NOW" call GET /api/v1/ping -H "X-API-Key: $1"; }
status_of() { json_get 'j["status"]'; }
secret_of() { json_get 'j.get("secret","")'; }

# ----- menu and page ------------------------------------------------------------------------------------
run menu
expect_rc 0 "menu runs"
expect_out 'Settings > API Key' "the menu has Settings > API Key"
run --json page $PAGE
expect_rc 0 "page settings/api-key opens"
if [ "$(json_get 'j["title"]')" = "API Key" ]; then pass "page title is API Key"; else fail "page title"; fi
if [ "$(json_get '[f["value"] for f in j["fields"] if f["id"]=="api_key"][0]')" = "(no key)" ]; then
  pass "no key at first"; else fail "no key at first"; fi
if [ "$(json_get '" ".join(a["id"] for a in j["actions"])')" = "enable disable reset end-grace create-key revoke reset-key edit" ]; then
  pass "actions enable disable reset end-grace, and the named keys' create-key revoke reset-key edit"; else fail "actions"; fi

# ----- enable ---------------------------------------------------------------------------------------------
run --now "$NOW" --json action $PAGE enable
expect_rc 0 "enable succeeds"
K1=$(secret_of)
if [[ "$K1" =~ ^sak_[0-9A-Za-z]{49}$ ]]; then pass "enable returns a sak_ key of 53 characters"; else fail "enable key shape"; fi
ping "$K1"; expect_rc 0 "the new key is accepted"
expect_out '"ok":true|HTTP 200' "ping answers 200"
run --json --now "$NOW" call GET /api/v1/ping -H "Authorization: Bearer $K1"
if [ "$(status_of)" = 200 ]; then pass "Authorization: Bearer works"; else fail "bearer"; fi
run --now "$NOW" --json action $PAGE enable
expect_rc 0 "enable again succeeds"
expect_out 'already enabled' "enable again says it was already enabled"
if [ -z "$(secret_of)" ]; then pass "enable again reveals nothing"; else fail "enable again revealed a key"; fi
run page $PAGE
expect_out "sak_…${K1: -4}" "the page shows the hint (prefix and last 4)"
expect_no_out "$K1" "the page never shows the key"

# ----- denials ---------------------------------------------------------------------------------------------
run --json call GET /api/v1/ping
if [ "$(json_get 'j["body"]["error"]')" = missing ]; then pass "no key: 401 missing"; else fail "missing"; fi
run --json call GET /api/v1/ping -H "Authorization: Bearer"
if [ "$(json_get 'j["status"]')" = 401 ] && [ "$(json_get 'j["body"]["error"]')" = missing ]; then
  pass "an empty Bearer credential: 401 missing"; else fail "empty Bearer"; fi
run --json call GET /api/v1/ping -H "X-API-Key: $K1" -H "Authorization: Bearer sak_anotherstalekeyfromanoldconfig"
if [ "$(json_get 'j["status"]')" = 400 ] && [ "$(json_get 'j["body"]["error"]')" = conflicting_credentials ]; then
  pass "a valid X-API-Key with a different Bearer value: 400 conflicting_credentials"; else fail "conflicting credentials"; fi
expect_out 'one header only' "the refusal says to send the key in one header only"
run --json call GET /api/v1/ping -H "X-API-Key: ${K1:0:52}"
if [ "$(json_get 'j["body"]["error"]')" = malformed ]; then pass "truncated key: 401 malformed"; else fail "malformed"; fi
expect_no_out "${K1:0:52}" "a denial never echoes the key"

# ----- reset ----------------------------------------------------------------------------------------------
run --json action $PAGE reset
expect_rc 1 "reset without --yes is refused"
expect_out 'breaks every external tool' "the refusal shows the confirmation text"
ping "$K1"; expect_rc 0 "after the refused reset the key still works"
run --now "$NOW" --json action $PAGE reset --yes
expect_rc 0 "reset with --yes succeeds"
K2=$(secret_of)
if [[ "$K2" =~ ^sak_ ]] && [ "$K2" != "$K1" ]; then pass "reset returns a new key"; else fail "reset key"; fi
run --json call GET /api/v1/ping -H "X-API-Key: $K1"
if [ "$(status_of)" = 401 ] && [ "$(json_get 'j["body"]["error"]')" = unknown ]; then
  pass "the old key gets 401 unknown"; else fail "old key after reset"; fi
ping "$K2"; expect_rc 0 "the new key gets 200"

# ----- grace ----------------------------------------------------------------------------------------------
run --now "$NOW" --json action $PAGE reset --yes --param grace=24h
expect_rc 0 "grace reset succeeds"
K3=$(secret_of)
expect_out 'valid until 2027-01-16 08:00 UTC' "the message says until when the old key works"
ping "$K2"; expect_rc 0 "during the grace period the old key works"
ping "$K3"; expect_rc 0 "during the grace period the new key works"
run --now $((NOW + 86400)) --json call GET /api/v1/ping -H "X-API-Key: $K2"
if [ "$(json_get 'j["body"]["error"]')" = expired ]; then pass "after the grace period: 401 expired"; else fail "expired"; fi
run --now "$NOW" page $PAGE
expect_out 'Previous key valid until' "the page shows the grace key's end"
run --now "$NOW" --json action $PAGE end-grace
expect_rc 0 "end-grace succeeds"
ping "$K2"; expect_rc 1 "after end-grace the old key is refused"
ping "$K3"; expect_rc 0 "after end-grace the new key works"
run --json action $PAGE end-grace
expect_rc 1 "end-grace without a grace period is refused (PANEL_E_STATE: exit 1)"
expect_out 'No previous key is in a grace period; nothing changed' "and says there was nothing to end"
run --json table $PAGE audit
expect_out '"refused: No previous key is in a grace period' "the refused end-grace is an audit row"

# ----- pasted key -----------------------------------------------------------------------------------------
PASTED="imported-0123456789-abcdefghijklmnopqrstuvwxyz"
run_stdin "$PASTED " --json set $PAGE api_key - --yes
expect_rc 1 "a pasted key with a trailing space is refused"
expect_out 'trailing space' "the refusal names the trailing space"
ping "$K3"; expect_rc 0 "after the refusal nothing changed"
run_stdin "$PASTED" --json set $PAGE api_key -
expect_rc 1 "pasting a key needs --yes"
run_stdin "$PASTED" --json set $PAGE api_key - --yes
expect_rc 0 "a valid pasted key is accepted"
ping "$PASTED"; expect_rc 0 "the pasted key works"
ping "$K3"; expect_rc 1 "the replaced key is refused"

# ----- disable / enable -----------------------------------------------------------------------------------
run --json action $PAGE disable
expect_rc 0 "disable succeeds"
run --json call GET /api/v1/ping -H "X-API-Key: $PASTED"
if [ "$(status_of)" = 403 ] && [ "$(json_get 'j["body"]["error"]')" = disabled ]; then
  pass "disabled: 403 disabled"; else fail "disabled"; fi
run --json call GET /api/v1/ping -H "X-API-Key: $K1"
if [ "$(status_of)" = 401 ]; then pass "disabled: an invalid key still gets 401"; else fail "invalid while disabled"; fi
run --json action $PAGE disable
expect_out 'already disabled' "disable again says it was already disabled"
run --json action $PAGE enable
expect_rc 0 "enable succeeds"
if [ -z "$(secret_of)" ]; then pass "enable keeps the same key (nothing revealed)"; else fail "enable revealed a key"; fi
ping "$PASTED"; expect_rc 0 "enable restores the same key"

# ----- permissions ----------------------------------------------------------------------------------------
run --as helpdesk menu
expect_no_out 'API Key' "a user without the permission does not see the menu entry"
run --as helpdesk page $PAGE
expect_rc 1 "a user without the permission cannot open the page"
for a in enable disable end-grace; do
  run --as helpdesk action $PAGE $a --yes
  expect_rc 1 "a user without the permission cannot run $a"
done
run --as helpdesk --json action $PAGE reset --yes
expect_rc 1 "a user without the permission cannot reset"
if [ -z "$(secret_of 2>/dev/null)" ]; then pass "the refused reset reveals nothing"; else fail "refused reset revealed"; fi
run_stdin "$K1" --as helpdesk set $PAGE api_key - --yes
expect_rc 1 "a user without the permission cannot set the key"
ping "$PASTED"; expect_rc 0 "nothing changed for the user without the permission"

# ----- audit and status -----------------------------------------------------------------------------------
run --json table $PAGE audit --limit 50
expect_rc 0 "the audit table reads"
for act in enable disable reset end-grace "key change"; do
  expect_out "\"$act\"" "the audit has $act rows"
done
expect_out 'uid [0-9]+' "audit rows name the OS uid"
run page $PAGE
expect_out 'Requests with this key' "the page shows the request count"
expect_out 'Denied requests +missing [1-9]' "the page counts denied requests by reason"

# ----- a long-running second process ------------------------------------------------------------------------
$HOST serve --listen 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVE=$!
URL=""
for _ in $(seq 100); do
  URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$TMP/serve.out" | head -1)
  [ -n "$URL" ] && curl -fs "$URL/healthz" >/dev/null 2>&1 && break
  sleep 0.1   # waiting for the server to start, not for timing
done
api() { curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $1" "$URL/api/v1/ping"; }
if [ "$(api "$PASTED")" = 200 ]; then pass "the running server accepts the key"; else fail "serve accepts ($URL)"; fi
run --json action $PAGE reset --yes
K4=$(secret_of)
if [ "$(api "$PASTED")" = 401 ]; then pass "the running server refuses the old key right after a reset in another process"
else fail "serve saw the reset"; fi
if [ "$(api "$K4")" = 200 ]; then pass "the running server accepts the new key"; else fail "serve new key"; fi
run --json action $PAGE disable
if [ "$(api "$K4")" = 403 ]; then pass "the running server honours disable at once"; else fail "serve disable"; fi
run --json action $PAGE enable
kill "$SERVE" 2>/dev/null; wait "$SERVE" 2>/dev/null

# ----- restart and files ------------------------------------------------------------------------------------
ping "$K4"; expect_rc 0 "state survives a restart (a fresh process accepts the key)"
found=""
for k in "$K1" "$K2" "$K3" "$K4" "$PASTED"; do
  if grep -rqF -- "$k" "$DATA"; then found="$found ${k:0:8}"; fi
done
if [ -z "$found" ]; then pass "no plaintext key occurs in any file under the data directory"
else RC=1; OUT="$found"; fail "plaintext key found in the data directory"; fi
perm=$(stat -c '%a' "$DATA/apikeys.db" "$DATA/apikeys.secret" "$DATA/apikeys.epoch" | sort -u | tr '\n' ' ')
if [ "$perm" = "600 " ]; then pass "the plugin's files are 0600"; else OUT=$perm; fail "file modes"; fi
