#!/bin/bash
# reliability_secrets.sh - secret hygiene of the API Keys plugin (issue 5): a scripted session of enables,
# resets with and without grace, failed calls, a grace period (via --now), end-grace, pasted keys (accepted
# and refused), disable/enable, a named key (created, used, refused, edited, reset with grace, pasted, revoked),
# page and table views, and a running web server answering API calls and the admin page. Then every plaintext
# key (and its 43-char body, and its first 24 characters) is searched for in the database, WAL and shm (copied
# while the server runs, and again at the end), every file under the data directory, the server's logs and
# output, the audit rows (sqlite3 .dump) and the output of every command except the one that revealed that
# key. It must appear nowhere.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../browser/server.sh"

CONF="$TMP/panel.ini"
write_config "$CONF" "$PLUGIN"
H="$PWD/$B/sample-host -c $CONF"
OUTS="$TMP/outputs"; mkdir -p "$OUTS"
n=0
# cmd [STDIN] -- ARGS...: runs the sample host, keeping stdout+stderr as its own file; sets RC and LAST.
cmd() {
  local input=""
  if [ "$1" != "--" ]; then input=$1; shift; fi
  shift
  n=$((n + 1)); LAST="$OUTS/$(printf %03d $n).txt"
  printf '%s' "$input" | $H "$@" >"$LAST" 2>&1; RC=$?
  OUT=$(cat "$LAST"); ERR=""
}
secret_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("secret",""))' "$1"; }
declare -A REVEALED_BY   # key -> the output file allowed to contain it ("" = none)
call_key() { cmd -- call GET /api/v1/ping -H "X-API-Key: $1"; }
expect_http() { if grep -q "^HTTP $1" "$LAST"; then pass "$2"; else fail "$2 (wanted HTTP $1)"; fi; }

cmd -- --json action settings/api-key enable
K1=$(secret_of "$LAST"); REVEALED_BY[$K1]=$LAST
[ ${#K1} -eq 53 ] && pass "enable reveals a 53-character key once" || fail "enable reveals a key"
call_key "$K1"; expect_http 200 "the first key works"
cmd -- call GET /api/v1/ping -H "Authorization: Bearer $K1"; expect_http 200 "the first key works as a Bearer token"
call_key "${K1:0:40}"; expect_http 401 "a truncated key is refused"
call_key "${K1}x"; expect_http 401 "a key with an extra character is refused"
cmd -- call GET /api/v1/ping; expect_http 401 "a call without a key is refused"

cmd -- --json action settings/api-key reset --yes
K2=$(secret_of "$LAST"); REVEALED_BY[$K2]=$LAST
call_key "$K1"; expect_http 401 "reset without grace revokes the first key"
call_key "$K2"; expect_http 200 "the second key works"
cmd -- action settings/api-key reset; expect_rc 1 "reset without --yes is refused"

cmd -- --json action settings/api-key reset --yes --param grace=1h
K3=$(secret_of "$LAST"); REVEALED_BY[$K3]=$LAST
call_key "$K2"; expect_http 200 "the previous key works during its grace period"
call_key "$K3"; expect_http 200 "the third key works"
cmd -- --now $(( $(date +%s) + 7200 )) call GET /api/v1/ping -H "X-API-Key: $K2"
expect_http 401 "the previous key is refused after its grace period (--now +2h)"
cmd -- action settings/api-key end-grace; expect_rc 0 "end-grace succeeds"
call_key "$K2"; expect_http 401 "end-grace revokes the previous key"
cmd -- action settings/api-key end-grace; expect_rc 1 "a second end-grace is refused (nothing to end: PANEL_E_STATE)"

# Pasted keys: one accepted, one refused for a trailing space, one of ours with a wrong checksum.
K4="imported-$(head -c 30 /dev/urandom | base64 | tr -d '/+=' | head -c 36)"; REVEALED_BY[$K4]=""
cmd "$K4" -- set settings/api-key api_key - --yes; expect_rc 0 "a pasted key is accepted"
call_key "$K4"; expect_http 200 "the pasted key works"
call_key "$K3"; expect_http 401 "pasting a key revokes the current one at once"
K5="imported-$(head -c 30 /dev/urandom | base64 | tr -d '/+=' | head -c 36)"; REVEALED_BY[$K5]=""
cmd "$K5 " -- set settings/api-key api_key - --yes; expect_rc 1 "a pasted key with a trailing space is refused"
grep -q 'trailing space' "$LAST" && pass "the refusal names the trailing space" || fail "trailing space message"
last=${K3: -1}; [ "$last" = A ] && repl=B || repl=A
K6="${K3:0:52}$repl"; REVEALED_BY[$K6]=${REVEALED_BY[$K3]}  # shares all but its last char with K3
cmd "$K6" -- set settings/api-key api_key - --yes; expect_rc 1 "a mistyped key of ours is refused"
grep -q 'checksum' "$LAST" && pass "the refusal names the checksum" || fail "checksum message"
call_key "$K6"; expect_http 401 "a mistyped key is refused by the API"

cmd -- action settings/api-key disable; expect_rc 0 "disable succeeds"
call_key "$K4"; expect_http 403 "a valid key gets 403 while the API is disabled"
cmd -- action settings/api-key enable; expect_rc 0 "enable restores the key"
# A named key: created (revealed once), used, refused (scope, address, truncated), edited, reset with grace (the new
# value revealed once), both values used, revoked; the keys table in both forms.
cmd -- --json action settings/api-key create-key --param "label=Secret test bot" --param scopes=store.read \
  --param allowed_ips=10.0.0.0/8 --param rate_limit=100
N1=$(secret_of "$LAST"); REVEALED_BY[$N1]=$LAST
[ ${#N1} -eq 53 ] && pass "create-key reveals a 53-character named key once" || fail "create-key reveals a key"
NREC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("record",""))' "$LAST")
cmd -- call GET /api/v1/store -H "X-API-Key: $N1" --from 10.1.2.3; expect_http 200 "the named key works"
cmd -- call POST /api/v1/deliveries/pull -H "X-API-Key: $N1" --from 10.1.2.3; expect_http 403 "a route outside its scopes: 403"
cmd -- call GET /api/v1/store -H "X-API-Key: $N1" --from 192.0.2.1; expect_http 403 "an address outside its list: 403"
cmd -- call GET /api/v1/store -H "Authorization: Bearer ${N1:0:40}" --from 10.1.2.3; expect_http 401 "a truncated named key: 401"
cmd -- action settings/api-key edit --record "$NREC" --param "label=Secret test bot 2" --param allowed_ips=any
expect_rc 0 "edit of the named key"
cmd -- --json action settings/api-key reset-key --record "$NREC" --yes --param grace=1h
N2=$(secret_of "$LAST"); REVEALED_BY[$N2]=$LAST
[ ${#N2} -eq 53 ] && [ "$N2" != "$N1" ] && pass "reset-key reveals the named key's new value once" || fail "reset-key"
cmd -- call GET /api/v1/store -H "X-API-Key: $N1"; expect_http 200 "its old value works during the grace period"
cmd -- call GET /api/v1/store -H "X-API-Key: $N2"; expect_http 200 "its new value works"
cmd "$N2" -- set settings/api-key api_key - --yes; expect_rc 1 "the named key cannot be pasted as the site key"
cmd -- table settings/api-key keys
cmd -- --json table settings/api-key keys
grep -q 'Secret test bot 2' "$LAST" && pass "the keys table lists the named key" || fail "keys table"
cmd -- action settings/api-key revoke --record "$NREC" --yes; expect_rc 0 "revoke of the named key"
cmd -- call GET /api/v1/store -H "X-API-Key: $N2"; expect_http 401 "the revoked named key: 401"
cmd -- page settings/api-key
cmd -- --json page settings/api-key
cmd -- table settings/api-key audit --limit 100
cmd -- --json table settings/api-key audit --limit 100
grep -q 'key change' "$OUTS/$(printf %03d $((n - 1)))".txt && pass "the audit trail records the pasted key change" \
  || fail "audit trail lacks the key change"

# The web server: API calls with keys, the admin page; snapshot the data directory while it runs (WAL, shm).
if start_server "$CONF"; then
  pass "the server starts"
  for k in "$K4" "$K1" "$K6" "$N1" "$N2"; do http GET /api/v1/ping -H "X-API-Key: $k"; echo "$CODE $BODY" >>"$TMP/web.txt"; done
  http GET /api/v1/ping -H "Authorization: Bearer $K4"; echo "$CODE $BODY" >>"$TMP/web.txt"
  grep -q '^200 ' "$TMP/web.txt" && pass "the server accepts the current key" || fail "server API call"
  if [ -n "$FIRST_PASSWORD" ]; then
    login admin "$FIRST_PASSWORD" "$TMP/jar"
    http GET /admin/settings/api-key -b "$TMP/jar"; printf '%s\n%s\n' "$HEADERS" "$BODY" >>"$TMP/web.txt"
  fi
  mkdir -p "$TMP/live-copy" && cp -a "$TMP/data/." "$TMP/live-copy/"
  ls "$TMP/live-copy" | grep -q 'apikeys.db-wal' && pass "the WAL exists while the server runs (searched too)" \
    || fail "no WAL to search while the server runs"
  stop_server
else
  fail "the server starts"
fi
sqlite3 "$TMP/data/apikeys.db" .dump >"$TMP/dump.sql" 2>&1
grep -q 'INSERT INTO audit' "$TMP/dump.sql" && pass "the audit rows are dumped for the search" || fail "dump"

# The search: every key, its body and its first 24 characters, everywhere but its one revealing output.
files=$(find "$TMP/data" "$TMP/live-copy" "$OUTS" -type f; echo "$TMP/dump.sql"; echo "$TMP/web.txt";
        ls "$TMP"/*.log "$TMP"/*.out 2>/dev/null)
nfiles=$(printf '%s\n' "$files" | wc -l)
for key in "$K1" "$K2" "$K3" "$K4" "$K5" "$K6" "$N1" "$N2"; do
  allowed=${REVEALED_BY[$key]}
  found=""
  for needle in "$key" "${key:4:43}" "${key:0:24}"; do
    while IFS= read -r f; do
      [ -n "$f" ] && [ "$f" != "$allowed" ] || continue
      grep -aqF -- "$needle" "$f" && found="$found ${f#$TMP/}"
    done <<<"$files"
  done
  hint="${key:0:4}…${key: -4}"
  if [ -z "$found" ]; then pass "key $hint appears in none of $nfiles files except where it was revealed"
  else fail "key $hint found in:$found"; fi
done
