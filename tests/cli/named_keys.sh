#!/bin/bash
# named_keys.sh - named keys on Settings > API Key through build/sample-host: create-key (the record in --json, the
# key shown once, refusals naming what to type, the 101st live key refused), a named key's verification order
# (malformed, unknown, expired, disabled, ip_not_allowed, scope, rate_limited: each denial's status and code, and
# a request refused earlier in the order spends no token), the scope of each route (store.read, deliveries.pull,
# deliveries.ack), whoami, edit (each parameter, keep, never the key), reset-key with and without grace (--now),
# revoke (401 at once; a revoked key cannot be pasted as the site key), the rate limit shared by separate
# processes and a running server (429 with Retry-After), separate from the site key's bucket, the status lines for
# keys expiring within 7 days and unused for 90 days (--now), audit rows with the key's hint, and that no key
# appears in the audit rows, the table, the page or any file of the data directory. Then the core of it on
# PostgreSQL (tests/pg/pg_server.sh).
. "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
PAGE=settings/api-key
DIRECT="$PWD/$B/sample-host"   # unwrapped: for setup and for requests that must fall inside one minute

# conf NAME: a config $TMP/NAME.ini with its own data dir $TMP/NAME (users admin and helpdesk as write_config).
conf() {
  mkdir -p "$TMP/$1"; chmod 700 "$TMP/$1"
  panel_ini "$TMP/$1.ini" "$TMP/$1" "$PLUGIN" 'store_name = Named Keys Test' 'currency = EUR' "${PANEL_OWNER_SUPPORT[@]}"
}
conf nk
C=(-c "$TMP/nk.ini")
T0=$(date +%s)          # every clock-dependent step passes --now relative to this
hint_of() { printf '%s…%s' "${1:0:4}" "${1: -4}"; }
# api METHOD PATH KEY [ARGS...]: a request with the key through `call --json`; sets STATUS and CODE (the error).
api() {
  local m=$1 p=$2 k=$3; shift 3
  run "${C[@]}" --json "$@" call "$m" "$p" -H "X-API-Key: $k"
  STATUS=$(json_get 'j["status"]' 2>/dev/null); CODE=$(json_get 'j["body"].get("error","")' 2>/dev/null)
}
api_direct() { # the same, unwrapped
  local m=$1 p=$2 k=$3; shift 3
  "$DIRECT" "${C[@]}" --json "$@" call "$m" "$p" -H "X-API-Key: $k" >"$TMP/out" 2>"$TMP/err" </dev/null
  RC=$?; OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
  STATUS=$(json_get 'j["status"]' 2>/dev/null); CODE=$(json_get 'j["body"].get("error","")' 2>/dev/null)
}
# expect_api STATUS CODE WHAT
expect_api() {
  if [ "$STATUS" = "$1" ] && [ "$CODE" = "$2" ]; then pass "$3"; else fail "$3 (wanted $1 '$2', got $STATUS '$CODE')"; fi
}
# create ARGS...: create-key with --param ARGS; sets K (the key) and ID (the record).
create() {
  local args=() a
  for a in "$@"; do args+=(--param "$a"); done
  run "${C[@]}" --json action $PAGE create-key "${args[@]}"
  K=$(json_get 'j.get("secret","")' 2>/dev/null); ID=$(json_get 'j.get("record","")' 2>/dev/null)
}
keys_row() { "$DIRECT" "${C[@]}" --json table $PAGE keys --limit 200 | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["ID"] == sys.argv[1]: print("|".join(r.values()))' "$1"; }

run "${C[@]}" --json action $PAGE enable
SITE=$(json_get 'j["secret"]')

# ----- create-key ---------------------------------------------------------------------------------------------
create "label=Minecraft server" scopes=store.read,deliveries.pull rate_limit=3 allowed_ips=127.0.0.1,10.0.0.0/8 \
  expires=30d
expect_rc 0 "create-key succeeds"
[ "$(json_get 'j["ok"]')" = True ] && [[ "$ID" =~ ^[0-9]+$ ]] && pass "--json names the created record ($ID)" \
  || fail "create-key names its record"
[[ "$K" =~ ^sak_[0-9A-Za-z]{49}$ ]] && pass "the key is shown (53 characters, prefix sak_)" || fail "the key is shown"
MC=$K; MC_ID=$ID; MC_HINT=$(hint_of "$MC")
expect_out "Key $MC_ID created: .*Minecraft server.* \\($MC_HINT, scopes store\.read,deliveries\.pull; it expires.*shown only once" \
  "the message names the label, ID, hint, scopes and expiry"
run "${C[@]}" action $PAGE create-key --param label=Human --param scopes=store.read
expect_rc 0 "create-key without --json"
expect_out 'New secret \(shown only this once' "the key is shown once as a secret"
HUMAN=$(printf '%s' "$OUT" | grep -Eo 'sak_[0-9A-Za-z]{49}' | head -1)
[ -n "$HUMAN" ] && [ "$HUMAN" != "$MC" ] && pass "every key is new" || fail "a new key"
run "${C[@]}" table $PAGE keys
expect_out "^$MC_ID +Minecraft server +store\.read,deliveries\.pull +$MC_HINT " "the Keys table lists the key by its hint"
expect_out "127\.0\.0\.1,10\.0\.0\.0/8 +3/min" "... with its allowed IPs and rate limit"
expect_no_out 'sak_[0-9A-Za-z]{10}' "the table shows no key"
run "${C[@]}" page $PAGE
expect_no_out "${MC:4:43}|${HUMAN:4:43}" "the page shows no key"

before=$("$DIRECT" "${C[@]}" --json table $PAGE keys)
refuse() { # refuse WHAT PATTERN PARAMS...: create-key refused (exit 1), the message matching, no key created
  local what=$1 pat=$2; shift 2
  create "$@"
  expect_rc 1 "create-key refuses $what"
  expect_err "$pat" "... saying: $pat"
  [ -z "$K" ] && pass "... and shows no key" || fail "$what: a key was shown"
}
refuse "a missing label" "needs parameter 'label'" scopes=store.read
refuse "a blank label" 'the label must be' "label=   " scopes=store.read
refuse "missing scopes" "needs parameter 'scopes'" label=x
refuse "an empty scope list" 'choose at least one scope.*store\.read,deliveries\.pull,deliveries\.ack' label=x scopes=
refuse "an unknown scope" "'store\.write' is not a valid item for scopes.*choose from: store\.read" label=x \
  scopes=store.read,store.write
refuse "a scope's prefix" "'store' is not a valid item for scopes" label=x scopes=store
refuse "a repeated scope" 'lists an item twice' label=x scopes=store.read,store.read
refuse "a bad CIDR, naming the item" 'allowed IP 2 \("10\.0\.0\.300"\)' label=x scopes=store.read \
  allowed_ips=127.0.0.1,10.0.0.300
refuse "host bits after the prefix" 'did you mean 10\.0\.0\.0/8' label=x scopes=store.read allowed_ips=10.1.2.3/8
refuse "a rate limit that is not a number" 'whole number of requests per minute' label=x scopes=store.read \
  rate_limit=ten
refuse "a negative rate limit" 'whole number' label=x scopes=store.read rate_limit=-1
refuse "a rate limit above 1000000" 'to 1000000' label=x scopes=store.read rate_limit=1000001
refuse "a bad expiry" "'31d' is not a valid value for expires.*never, 30d, 90d, 365d" label=x scopes=store.read \
  expires=31d
[ "$before" = "$("$DIRECT" "${C[@]}" --json table $PAGE keys)" ] && pass "no refusal created a key" \
  || fail "a refusal created a key"
run "${C[@]}" --as helpdesk action $PAGE create-key --param label=x --param scopes=store.read
expect_rc 1 "a user without settings.api_key cannot create a key"
expect_err 'may not' "... with the permission refusal"

# ----- whoami, scope per route ----------------------------------------------------------------------------------
api GET /api/v1/whoami "$MC" --from 10.1.1.1
expect_api 200 "" "whoami with the named key from an allowed address: 200"
[ "$(json_get '(j["body"]["principal"], j["body"]["scopes"])')" = "('apikeys:key:$MC_ID', ['store.read', 'deliveries.pull'])" ] \
  && pass "whoami names the principal apikeys:key:$MC_ID and exactly its scopes" || fail "whoami principal/scopes"
[ "$(json_get 'j["body"].get("label")')" = "Minecraft server" ] && pass "whoami shows the key's label (ABI 1.2)" \
  || fail "whoami label"
api GET /api/v1/whoami "$SITE"
[ "$(json_get '(j["body"]["principal"], "label" in j["body"])')" = "('apikeys:site', False)" ] \
  && pass "the site key is still the principal apikeys:site, without a label" || fail "site principal"
create label=Puller scopes=deliveries.pull
PULL=$K
create label=Acker scopes=deliveries.ack
ACK=$K
ackbody=(-H "Content-Type: application/json" -d '{"ids":[]}')
create label=Both scopes=store.read,deliveries.pull
BOTH=$K
for k in BOTH PULL ACK HUMAN; do
  case $k in BOTH) has="store.read deliveries.pull" ;; PULL) has=deliveries.pull ;; ACK) has=deliveries.ack ;;
             HUMAN) has=store.read ;; esac
  for route in "GET /api/v1/store store.read" "POST /api/v1/deliveries/pull deliveries.pull" \
               "POST /api/v1/deliveries/ack deliveries.ack"; do
    read -r m p scope <<<"$route"
    extra=(); [ "$p" = /api/v1/deliveries/ack ] && extra=("${ackbody[@]}")
    api "$m" "$p" "${!k}" --from 10.1.1.1 "${extra[@]}"
    if [[ " $has " == *" $scope "* ]]; then
      expect_api 200 "" "$k ($has) may $m $p"
    else
      expect_api 403 scope "$k ($has) gets 403 scope on $m $p"
      [ "$(json_get '"does not hold the scope '"$scope"'" in j["body"]["message"]')" = True ] \
        && pass "... and the message names $scope" || fail "scope message names $scope"
    fi
  done
  api GET /api/v1/ping "${!k}" --from 10.1.1.1
  expect_api 200 "" "$k may GET /api/v1/ping (no scope)"
done
api GET /api/v1/store "$SITE"; expect_api 200 "" "the site key holds every scope"

# ----- verification order of a named key --------------------------------------------------------------------------
# ORD: rate limit 2, allowed 10.0.0.0/8, scope store.read, expires in 30 days.
create label=Order scopes=store.read rate_limit=2 allowed_ips=10.0.0.0/8 expires=30d
ORD=$K; ORD_ID=$ID
EXP_AT=$(( $(date +%s) + 30 * 86400 ))   # at or after its expiry (created before this line ran)
api GET /api/v1/store "${ORD:0:40}" --from 192.0.2.1
expect_api 401 malformed "a truncated named key: 401 malformed"
last=${ORD: -1}; [ "$last" = A ] && repl=B || repl=A
api GET /api/v1/store "${ORD:0:52}$repl" --from 192.0.2.1
expect_api 401 malformed "a named key with a wrong checksum: 401 malformed"
run "${C[@]}" action $PAGE disable
api POST /api/v1/deliveries/pull "$ORD" --from 192.0.2.1 --now $((EXP_AT + 60))
expect_api 401 expired "expired before disabled, the IP and the scope: 401 expired"
[ "$(json_get '"has expired" in j["body"]["message"]')" = True ] && pass "... saying the key has expired" \
  || fail "expired message"
api POST /api/v1/deliveries/pull "$ORD" --from 192.0.2.1
expect_api 403 disabled "disabled before the IP and the scope: 403 disabled"
run "${C[@]}" action $PAGE enable
for i in 1 2 3; do
  api_direct POST /api/v1/deliveries/pull "$ORD" --from 192.0.2.1
  [ "$STATUS $CODE" = "403 ip_not_allowed" ] || break
done
expect_api 403 ip_not_allowed "the IP before the scope: 403 ip_not_allowed (3 times)"
[ "$(json_get '"not allowed from 192.0.2.1" in j["body"]["message"]')" = True ] \
  && pass "... naming the address" || fail "ip message"
for i in 1 2 3; do
  api_direct POST /api/v1/deliveries/pull "$ORD" --from 10.9.9.9
  [ "$STATUS $CODE" = "403 scope" ] || break
done
expect_api 403 scope "the scope before the rate limit: 403 scope (3 times)"
api_direct GET /api/v1/store "$ORD" --from 10.9.9.9
expect_api 200 "" "refused requests spent no token: request 1 of 2 gets in"
api_direct GET /api/v1/store "$ORD" --from 10.9.9.8
expect_api 200 "" "request 2 of 2 gets in (another process, another address)"
api_direct GET /api/v1/store "$ORD" --from 10.9.9.9
expect_api 429 rate_limited "the third request of the minute: 429 rate_limited"
api_direct GET /api/v1/store "$ORD" --from 192.0.2.1
expect_api 403 ip_not_allowed "over the limit, an outside address still gets 403 ip_not_allowed"
api_direct POST /api/v1/deliveries/pull "$ORD" --from 10.9.9.9
expect_api 403 scope "over the limit, a route outside its scopes still gets 403 scope"
api GET /api/v1/store "$ORD" --now $((EXP_AT - 86400 * 2))
expect_api 403 ip_not_allowed "a command-line request (no address) is not from an allowed address"
run "${C[@]}" action $PAGE revoke --record "$ORD_ID" --yes
api GET /api/v1/store "$ORD" --from 10.9.9.9
expect_api 401 unknown "a revoked named key: 401 unknown (not a policy denial)"

# Expiry exactly at its time: one second before 200, at it 401 expired.
create label=Expiring scopes=store.read expires=30d
EXPK=$K; EXP_ID=$ID
row=$(keys_row "$EXP_ID")
exp_text=$(echo "$row" | cut -d'|' -f6)
exp_at=$(date -u -d "${exp_text% UTC}" +%s 2>/dev/null)
[ -n "$exp_at" ] && [ $((exp_at - T0)) -ge $((30 * 86400 - 60)) ] && [ $((exp_at - T0)) -le $((30 * 86400 + 600)) ] \
  && pass "expires=30d: the table shows an expiry 30 days ahead ($exp_text)" || fail "expiry shown: $row"
run "${C[@]}" --json table $PAGE keys
NOWK=$(date +%s)
api GET /api/v1/store "$EXPK" --now $((NOWK + 29 * 86400))
expect_api 200 "" "29 days later the key works"
api GET /api/v1/store "$EXPK" --now $((NOWK + 31 * 86400))
expect_api 401 expired "31 days later: 401 expired"
run "${C[@]}" --now $((NOWK + 31 * 86400)) table $PAGE keys
expect_out "^$EXP_ID +Expiring .* - expired" "the table marks the expired key"

# ----- edit ---------------------------------------------------------------------------------------------------------
create label=Editable scopes=store.read allowed_ips=10.0.0.0/8 rate_limit=50
ED=$K; ED_ID=$ID; ED_HINT=$(hint_of "$ED")
edit() { local args=() a; for a in "$@"; do args+=(--param "$a"); done
         run "${C[@]}" --json action $PAGE edit --record "$ED_ID" "${args[@]}"; }
edit "label=Discord bot"
expect_rc 0 "edit the label"
[ "$(json_get '"secret" in j and j["secret"] != ""')" = False ] && pass "edit shows no new key" || fail "edit secret"
[ "$(keys_row "$ED_ID" | cut -d'|' -f2,3,4,9,10)" = "Discord bot|store.read|$ED_HINT|10.0.0.0/8|50/min" ] \
  && pass "only the label changed (scopes, key, allowed IPs and rate limit kept)" || fail "edit label: $(keys_row "$ED_ID")"
api GET /api/v1/store "$ED" --from 10.1.1.1
expect_api 200 "" "the same key still works after edit"
edit scopes=store.read,deliveries.ack
[ "$(keys_row "$ED_ID" | cut -d'|' -f2,3,4,9,10)" = "Discord bot|store.read,deliveries.ack|$ED_HINT|10.0.0.0/8|50/min" ] \
  && pass "edit scopes: only the scopes changed" || fail "edit scopes: $(keys_row "$ED_ID")"
api POST /api/v1/deliveries/ack "$ED" --from 10.1.1.1 "${ackbody[@]}"
expect_api 200 "" "the added scope takes effect at once"
edit scopes=deliveries.ack
api GET /api/v1/store "$ED" --from 10.1.1.1
expect_api 403 scope "the removed scope takes effect at once"
edit allowed_ips=192.0.2.0/24
[ "$(keys_row "$ED_ID" | cut -d'|' -f9)" = 192.0.2.0/24 ] && pass "edit allowed_ips sets the list" || fail "edit ips"
api POST /api/v1/deliveries/ack "$ED" --from 10.1.1.1 "${ackbody[@]}"
expect_api 403 ip_not_allowed "the old address is refused at once"
api POST /api/v1/deliveries/ack "$ED" --from 192.0.2.9 "${ackbody[@]}"
expect_api 200 "" "the new address gets in"
edit allowed_ips=keep rate_limit=7
[ "$(keys_row "$ED_ID" | cut -d'|' -f9,10)" = "192.0.2.0/24|7/min" ] && pass "allowed_ips=keep keeps; rate_limit=7 sets" \
  || fail "keep/rate: $(keys_row "$ED_ID")"
edit rate_limit=keep "label=Discord bot 2"
[ "$(keys_row "$ED_ID" | cut -d'|' -f2,10)" = "Discord bot 2|7/min" ] && pass "rate_limit=keep keeps" || fail "rate keep"
edit                                    # no parameter at all: the defaults (keep) keep everything
[ "$(keys_row "$ED_ID" | cut -d'|' -f2,3,4,9,10)" = "Discord bot 2|deliveries.ack|$ED_HINT|192.0.2.0/24|7/min" ] \
  && pass "an edit without parameters keeps everything" || fail "edit nothing: $(keys_row "$ED_ID")"
edit allowed_ips=any rate_limit=0
[ "$(keys_row "$ED_ID" | cut -d'|' -f9,10)" = "any|none" ] && pass "allowed_ips=any and rate_limit=0 clear both" \
  || fail "any/0: $(keys_row "$ED_ID")"
api POST /api/v1/deliveries/ack "$ED" --from 203.0.113.1 "${ackbody[@]}"
expect_api 200 "" "any address gets in after allowed_ips=any"
before=$(keys_row "$ED_ID")
edit allowed_ips=10.0.0.0/8,bogus
expect_rc 1 "edit refuses a bad CIDR"
expect_err 'allowed IP 2 \("bogus"\)' "... naming the item"
edit rate_limit=fast
expect_rc 1 "edit refuses a bad rate limit"
edit scopes=store.write
expect_rc 1 "edit refuses an unknown scope"
expect_err "'store\.write' is not a valid item for scopes" "... naming it"
[ "$before" = "$(keys_row "$ED_ID")" ] && pass "a refused edit changes nothing" || fail "refused edit changed the key"
run "${C[@]}" action $PAGE edit --record 99999 --param label=x
expect_rc 2 "edit of a record that does not exist: not found (exit 2)"
expect_err 'there is no named key 99999' "... saying so"
run "${C[@]}" action $PAGE edit --param label=x
expect_rc 1 "edit without --record is refused"
expect_err "acts on one row of table 'keys': give the record id" "... saying to give a row's record id"

# ----- reset-key ----------------------------------------------------------------------------------------------------
create label=Rolling scopes=store.read rate_limit=3
R1=$K; R_ID=$ID
run "${C[@]}" action $PAGE reset-key --record "$R_ID" --param grace=1h
expect_rc 1 "reset-key without --yes is refused"
expect_err 'needs confirmation' "... asking for confirmation"
api_direct GET /api/v1/store "$R1"   # unwrapped, like every request of this bucket below: they fall in one minute
expect_api 200 "" "the unconfirmed reset changed nothing"
run "${C[@]}" --json action $PAGE reset-key --record "$R_ID" --yes --param grace=1h
expect_rc 0 "reset-key with grace 1h"
R2=$(json_get 'j["secret"]')
[[ "$R2" =~ ^sak_ ]] && [ "$R2" != "$R1" ] && pass "reset-key shows a new key" || fail "reset-key new key"
expect_out "$(hint_of "$R1").*stays valid until.*grace 1h" "the message says the previous key stays valid until when"
[ "$(keys_row "$R_ID" | cut -d'|' -f4 | grep -c "$(hint_of "$R2") (previous $(hint_of "$R1") until")" = 1 ] \
  && pass "the table shows the new hint and the previous one until its end" || fail "reset row: $(keys_row "$R_ID")"
api_direct GET /api/v1/store "$R1"; s1="$STATUS"
api_direct GET /api/v1/store "$R2"; s2="$STATUS"
[ "$s1 $s2" = "200 200" ] && pass "during the grace period both the old and the new key work" || fail "grace: $s1 $s2"
api_direct GET /api/v1/store "$R1"
expect_api 429 rate_limited "the old and the new key share one bucket of 3 (the fourth request: 429)"
NOWR=$(date +%s)
api GET /api/v1/store "$R1" --now $((NOWR + 3700))
expect_api 401 expired "after the grace period the old key gets 401 expired"
api GET /api/v1/store "$R2" --now $((NOWR + 3700)) --from 127.0.0.1
[ "$STATUS" = 200 ] || [ "$CODE" = rate_limited ] && pass "after the grace period the new key still works" \
  || fail "new key after grace: $STATUS $CODE"
run "${C[@]}" --json action $PAGE reset-key --record "$R_ID" --yes
R3=$(json_get 'j["secret"]')
expect_out 'stopped working now' "reset-key without grace: the previous key stops now"
api GET /api/v1/store "$R2"
expect_api 401 unknown "without grace the previous key gets 401 at once"
edit_rate0() { run "${C[@]}" action $PAGE edit --record "$R_ID" --param rate_limit=0; }
edit_rate0
api GET /api/v1/store "$R3"
expect_api 200 "" "the newest key works"
api GET /api/v1/store "$R1"
expect_api 401 unknown "the first key is gone too"
run "${C[@]}" action $PAGE reset-key --record "$R_ID" --yes --param grace=2h
expect_rc 1 "reset-key refuses a grace that is not a choice"
expect_err "'2h' is not a valid value for grace.*0, 1h, 24h, 7d" "... listing the choices"

# ----- revoke -------------------------------------------------------------------------------------------------------
run "${C[@]}" --json action $PAGE reset-key --record "$R_ID" --yes --param grace=24h
R4=$(json_get 'j["secret"]')
run "${C[@]}" action $PAGE revoke --record "$R_ID"
expect_rc 1 "revoke without --yes is refused"
api GET /api/v1/store "$R4"
expect_api 200 "" "the unconfirmed revoke changed nothing"
run "${C[@]}" --json action $PAGE revoke --record "$R_ID" --yes
expect_rc 0 "revoke succeeds"
expect_out "Rolling.*ID $R_ID.*revoked: requests with it get 401 now" "the message says it is revoked"
api GET /api/v1/store "$R4"
expect_api 401 unknown "the revoked key gets 401 at once"
api GET /api/v1/store "$R3"
expect_api 401 unknown "its previous key in a grace period gets 401 at once too"
[ -z "$(keys_row "$R_ID")" ] && pass "the revoked key is no longer in the Keys table" || fail "revoked row"
run "${C[@]}" action $PAGE revoke --record "$R_ID" --yes
expect_rc 2 "revoking it again: not found (exit 2)"
expect_err "there is no named key $R_ID" "... saying there is no such named key"
for k in "$R4" "$MC"; do
  run "${C[@]}" set $PAGE api_key "$k" --yes
  expect_rc 1 "a named key's value ($( [ "$k" = "$MC" ] && echo live || echo revoked)) cannot be pasted as the site key"
  expect_err 'belongs to a named key' "... saying it belongs to a named key"
done
api GET /api/v1/store "$SITE"
expect_api 200 "" "the site key is unchanged by the refused pastes"

# ----- rate limit: shared by processes and a server, separate from the site key ------------------------------------
create label=Shared scopes=store.read rate_limit=3
SH=$K
run "${C[@]}" set $PAGE rate_limit 1
api_direct GET /api/v1/ping "$SITE"
expect_api 200 "" "the site key's first request of the minute (site limit 1)"
api_direct GET /api/v1/ping "$SITE"
expect_api 429 rate_limited "the site key's second: 429"
api_direct GET /api/v1/ping "$SH"
expect_api 200 "" "the named key has its own bucket: request 1 of 3 (process 1)"
api_direct GET /api/v1/ping "$SH"
expect_api 200 "" "request 2 of 3 (process 2)"
if start_server "$TMP/nk.ini"; then
  http GET /api/v1/ping -H "X-API-Key: $SH"
  [ "$CODE" = 200 ] && pass "request 3 of 3 on a running server" || fail "serve 200: $CODE $BODY"
  http GET /api/v1/ping -H "X-API-Key: $SH"
  [ "$CODE" = 429 ] && printf '%s' "$BODY" | grep -q '"error":"rate_limited"' \
    && printf '%s\n' "$HEADERS" | grep -Eqi '^retry-after: (1[0-9]|20)$' \
    && pass "the 4th on the server: 429 rate_limited with Retry-After (one token per 20 s)" \
    || fail "serve 429: $CODE $BODY $HEADERS"
  http GET /api/v1/whoami -H "X-API-Key: $MC"
  [ "$CODE" = 403 ] && printf '%s' "$BODY" | grep -q ip_not_allowed || [ "$CODE" = 200 ] \
    && pass "the server verifies other named keys (whoami from 127.0.0.1: $CODE)" || fail "serve MC $CODE $BODY"
  stop_server
else
  fail "the server starts"
fi
api_direct GET /api/v1/ping "$SH"
expect_api 429 rate_limited "after the server's requests a new process gets 429 too: one bucket"
create label=Unlimited scopes=store.read
UN=$K
for i in 1 2 3 4; do api_direct GET /api/v1/ping "$UN"; [ "$STATUS" = 200 ] || break; done
expect_api 200 "" "a named key without a rate limit is not limited by the site key's rate_limit"
run "${C[@]}" set $PAGE rate_limit 0

# ----- status lines: expiring within 7 days, unused for 90 days (own data dir, --now) -----------------------------
conf st
C=(-c "$TMP/st.ini")
TS=1900000000
run "${C[@]}" --now $TS action $PAGE enable
run "${C[@]}" --now $TS --json action $PAGE create-key --param label=Soon --param scopes=store.read --param expires=30d
SOON=$(json_get 'j["secret"]'); SOON_ID=$(json_get 'j["record"]')
run "${C[@]}" --now $TS --json action $PAGE create-key --param label=Idle --param scopes=store.read
IDLE_ID=$(json_get 'j["record"]')
run "${C[@]}" --now $TS --json action $PAGE create-key --param label=Busy --param scopes=store.read
BUSY=$(json_get 'j["secret"]'); BUSY_ID=$(json_get 'j["record"]')
status_line() { "$DIRECT" "${C[@]}" --now "$1" --json page $PAGE | python3 -c '
import json, sys
for s in json.load(sys.stdin)["status"]:
    if s["label"] == sys.argv[1]: print(s["value"])' "$2"; }
run "${C[@]}" --now $TS --json page $PAGE
[ "$(json_get '[s["label"] for s in j["status"] if s["label"].startswith("Keys ")]')" = "[]" ] \
  && pass "fresh keys: neither status line is shown" || fail "status lines on fresh keys: $OUT"
[ -z "$(status_line $((TS + 23 * 86400 - 1)) "Keys expiring within 7 days")" ] \
  && pass "7 days and a second before the expiry: no warning" || fail "early warning"
v=$(status_line $((TS + 23 * 86400)) "Keys expiring within 7 days")
[ "$v" = "\"Soon\" (ID $SOON_ID) expires $(date -u -d @$((TS + 30 * 86400)) '+%Y-%m-%d %H:%M') UTC" ] \
  && pass "7 days before: 'Keys expiring within 7 days' names the key and when" || fail "warning: '$v'"
run "${C[@]}" --now $((TS + 23 * 86400)) page $PAGE
expect_out 'Keys expiring within 7 days +"Soon"' "the text page shows the warning too"
v=$(status_line $((TS + 31 * 86400)) "Keys expiring within 7 days")
[[ "$v" == "\"Soon\" (ID $SOON_ID) expired "* ]] && pass "after the expiry the line says expired" || fail "expired: '$v'"
run "${C[@]}" --now $((TS + 10 * 86400)) call GET /api/v1/ping -H "X-API-Key: $BUSY"
expect_out '^HTTP 200' "Busy is used on day 10"
[ -z "$(status_line $((TS + 90 * 86400 - 1)) "Keys unused for 90 days")" ] \
  && pass "a second before 90 days: no key is listed as unused" || fail "early unused"
v=$(status_line $((TS + 90 * 86400)) "Keys unused for 90 days")
[[ "$v" == *"\"Idle\" (ID $IDLE_ID) never used"* ]] && [[ "$v" != *Busy* ]] \
  && pass "after 90 days the never-used key is listed, the used one is not" || fail "unused at 90d: '$v'"
[[ "$v" == *"\"Soon\" (ID $SOON_ID) never used"* ]] && pass "... (the expired never-used key too)" || fail "soon unused"
v=$(status_line $((TS + 100 * 86400)) "Keys unused for 90 days")
[[ "$v" == *"\"Busy\" (ID $BUSY_ID) last used $(date -u -d @$((TS + 10 * 86400)) '+%Y-%m-%d %H:%M') UTC"* ]] \
  && pass "90 days after its last use the used key is listed with that time" || fail "busy unused: '$v'"
run "${C[@]}" --now $TS action $PAGE revoke --record "$IDLE_ID" --yes
v=$(status_line $((TS + 100 * 86400)) "Keys unused for 90 days")
[[ "$v" != *Idle* ]] && pass "a revoked key is not listed" || fail "revoked unused: '$v'"

# ----- audit rows with hints; no key anywhere -----------------------------------------------------------------------
C=(-c "$TMP/nk.ini")
run "${C[@]}" --json table $PAGE audit --limit 200
audit_has() { # audit_has ACTION OUTCOME_REGEX HINT WHAT
  if printf '%s' "$OUT" | python3 -c '
import json, re, sys
rows = json.load(sys.stdin)
sys.exit(0 if any(r["Action"] == sys.argv[1] and re.search(sys.argv[2], r["Outcome"]) and r["Key"] == sys.argv[3]
                  for r in rows) else 1)' \
    "$1" "$2" "$3"; then pass "$4"; else fail "$4"; fi
}
audit_has "create key" "^ok: key $MC_ID \"Minecraft server\" created, scopes store.read,deliveries.pull" "$MC_HINT" \
  "the audit row of create key names the key and its hint"
audit_has "create key" '^refused: allowed IP 2 \("10.0.0.300"\)' "" "a refused create key is audited"
audit_has "edit key" "^ok: key $ED_ID \"Discord bot\": scopes store.read, allowed IPs 10.0.0.0/8, rate limit 50/min" \
  "$ED_HINT" "the audit row of edit key has the settings and the hint"
audit_has "reset key" "^ok: key $R_ID \"Rolling\" reset; previous key $(hint_of "$R1") valid until" "$(hint_of "$R2")" \
  "the audit row of reset key (grace) has the new hint and the previous one"
audit_has "reset key" "^ok: key $R_ID \"Rolling\" reset; previous key $(hint_of "$R2") revoked" "$(hint_of "$R3")" \
  "the audit row of reset key (no grace)"
audit_has "revoke key" "^ok: key $R_ID \"Rolling\" revoked with its previous key" "$(hint_of "$R4")" \
  "the audit row of revoke key has the hint"
run "${C[@]}" page $PAGE; P1=$OUT
run "${C[@]}" table $PAGE audit --limit 200; P2=$OUT
run "${C[@]}" --json table $PAGE keys; P3=$OUT
sqlite3 "$TMP/nk/apikeys.db" .dump >"$TMP/nk.dump" 2>&1
grep -q 'INSERT INTO' "$TMP/nk.dump" && pass "the store is dumped for the search" || fail "sqlite3 dump"
leaks=""
for k in MC HUMAN BOTH PULL ACK ORD EXPK ED R1 R2 R3 R4 SH UN; do
  v=${!k}; [ -n "$v" ] || { leaks="$leaks $k(empty)"; continue; }
  body=${v:4:43}
  printf '%s\n%s\n%s\n' "$P1" "$P2" "$P3" | grep -qF -- "$body" && leaks="$leaks $k(output)"
  grep -qF -- "$body" "$TMP/nk.dump" && leaks="$leaks $k(dump)"
  grep -rlaF -- "$body" "$TMP/nk" >/dev/null && leaks="$leaks $k(data dir)"
  grep -qaF -- "$body" "$TMP"/server.log "$TMP"/server.out 2>/dev/null && leaks="$leaks $k(server)"
done
[ -z "$leaks" ] && pass "no named key's secret part is in the page, audit, table, database, data dir or server log" \
  || { RC=0; OUT=""; ERR=""; fail "secrets found:$leaks"; }

# ----- at most 100 live named keys (own data dir) --------------------------------------------------------------------
conf cap
C=(-c "$TMP/cap.ini")
"$DIRECT" "${C[@]}" action $PAGE enable >/dev/null 2>&1
made=0
for i in $(seq 100); do
  "$DIRECT" "${C[@]}" action $PAGE create-key --param "label=tool $i" --param scopes=store.read >/dev/null 2>&1 \
    && made=$((made + 1))
done
[ "$made" = 100 ] && pass "100 named keys are created" || fail "100 keys: $made"
run "${C[@]}" --json action $PAGE create-key --param "label=tool 101" --param scopes=store.read
expect_rc 1 "the 101st create-key is refused (exit 1)"
[ "$(json_get 'j["error"]')" = state ] && pass "... with the error state (PANEL_E_STATE)" || fail "101st error code"
expect_out 'there are 100 named keys already.*revoke one' "... saying to revoke one first"
[ "$(json_get 'j.get("secret","")')" = "" ] && pass "... showing no key" || fail "101st shows a key"
[ "$("$DIRECT" "${C[@]}" --json table $PAGE keys --limit 200 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 100 ] \
  && pass "the table holds 100 keys" || fail "100 rows"
run "${C[@]}" action $PAGE revoke --record 1 --yes
run "${C[@]}" --json action $PAGE create-key --param "label=tool 101" --param scopes=store.read
expect_rc 0 "after a revoke one more can be created"

# ----- PostgreSQL: the core of it -----------------------------------------------------------------------------------
pg_start_two_nodes
run "${P1[@]}" action $PAGE enable
expect_rc 0 "postgresql: enable"
cp "$TMP/pgdata1/apikeys.secret" "$TMP/pgdata2/apikeys.secret"
C=("${P1[@]}")
create "label=PG bot" scopes=store.read,deliveries.pull rate_limit=2 allowed_ips=10.0.0.0/8
expect_rc 0 "postgresql: create-key"
PGK=$K; PG_ID=$ID
[[ "$PGK" =~ ^sak_ ]] && [[ "$PG_ID" =~ ^[0-9]+$ ]] && pass "postgresql: the key and its record are shown" \
  || fail "postgresql: create-key result"
C=("${P2[@]}")
api POST /api/v1/deliveries/ack "$PGK" --from 10.1.1.1 "${ackbody[@]}"
expect_api 403 scope "postgresql: another node: a route outside its scopes: 403 scope"
api GET /api/v1/store "$PGK" --from 192.0.2.1
expect_api 403 ip_not_allowed "postgresql: an address outside its list: 403 ip_not_allowed"
api GET /api/v1/whoami "$PGK" --from 10.1.1.1
expect_api 200 "" "postgresql: another node accepts the named key (request 1 of 2 a minute)"
[ "$(json_get 'j["body"]["principal"]')" = "apikeys:key:$PG_ID" ] && pass "postgresql: whoami names apikeys:key:$PG_ID" \
  || fail "postgresql: principal"
api_direct GET /api/v1/store "$PGK" --from 10.1.1.1
expect_api 200 "" "postgresql: request 2 of 2 (the refusals spent no token)"
api_direct GET /api/v1/store "$PGK" --from 10.1.1.1
expect_api 429 rate_limited "postgresql: request 3 of the minute: 429"
C=("${P1[@]}")
run "${C[@]}" --json action $PAGE edit --record "$PG_ID" --param scopes=deliveries.ack --param rate_limit=0
expect_rc 0 "postgresql: edit"
C=("${P2[@]}")
api POST /api/v1/deliveries/ack "$PGK" --from 10.1.1.1 "${ackbody[@]}"
expect_api 200 "" "postgresql: the other node sees the edited scopes at once"
C=("${P1[@]}")
run "${C[@]}" --json action $PAGE reset-key --record "$PG_ID" --yes --param grace=1h
PGK2=$(json_get 'j.get("secret","")')
[[ "$PGK2" =~ ^sak_ ]] && pass "postgresql: reset-key with grace shows a new key" || fail "postgresql: reset-key"
C=("${P2[@]}")
api GET /api/v1/ping "$PGK" --from 10.1.1.1; s1=$STATUS
api GET /api/v1/ping "$PGK2" --from 10.1.1.1; s2=$STATUS
[ "$s1 $s2" = "200 200" ] && pass "postgresql: both keys work during the grace period" || fail "postgresql grace: $s1 $s2"
api GET /api/v1/ping "$PGK" --from 10.1.1.1 --now $(( $(date +%s) + 3700 ))
expect_api 401 expired "postgresql: after the grace period the old key gets 401 expired"
C=("${P1[@]}")
run "${C[@]}" --json action $PAGE revoke --record "$PG_ID" --yes
expect_rc 0 "postgresql: revoke"
C=("${P2[@]}")
api GET /api/v1/ping "$PGK2" --from 10.1.1.1
expect_api 401 unknown "postgresql: the revoked key gets 401 on the other node at once"
C=("${P1[@]}")
run "${C[@]}" --json table $PAGE audit --limit 50
audit_has "revoke key" "^ok: key $PG_ID \"PG bot\" revoked" "$(hint_of "$PGK2")" "postgresql: the revoke is audited with the hint"
n=$(pg_sql "SELECT count(*) FROM apikeys_audit WHERE outcome LIKE '%${PGK:4:43}%' OR outcome LIKE '%${PGK2:4:43}%' OR key_hint LIKE '%${PGK:4:20}%'" 2>/dev/null)
[ "$n" = 0 ] && pass "postgresql: no key in the audit rows" || fail "postgresql: audit search ($n)"
pg_stop
