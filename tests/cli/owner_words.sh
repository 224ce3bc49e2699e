#!/bin/bash
# owner_words.sh - Settings > API Key in an owner's words (issue 25 section 4) through build/sample-host: the status
# starts with the same 5 summary lines in every state (API, Key, Last request with this key, Old key, Refused
# requests), the developer details after them (Store, Denied requests by code, ...); a revoked named key stays in
# the Keys table for 30 days after the live keys, marked revoked, when the toggle field "Show revoked keys" is on
# (off by default: hidden), then is gone (--now); revoke, reset-key and edit are unavailable on its row with the
# reason. The revoked rows and the toggle on SQLite, then on PostgreSQL (tests/pg/pg_server.sh).
. "$(dirname "$0")/lib.sh"
PAGE=settings/api-key
mkdir -p "$TMP/d"; chmod 700 "$TMP/d"
panel_ini "$TMP/c.ini" "$TMP/d" "$PLUGIN" "${PANEL_OWNER[@]}"
C=(-c "$TMP/c.ini")
T0=$(date +%s)

# labels: the status lines' labels in order, one per line
labels() { run "${C[@]}" --json page $PAGE; json_get '"\n".join(s["label"] for s in j["status"])'; }
status_value() { run "${C[@]}" --json page $PAGE; json_get '[s["value"] for s in j["status"] if s["label"] == "'"$1"'"][0]'; }
SUMMARY=$'API\nKey\nLast request with this key\nOld key\nRefused requests'

# ----- the summary first, then the details --------------------------------------------------------------------------
L=$(labels)
check '[ "$(printf "%s\n" "$L" | head -5)" = "$SUMMARY" ] && [ "$(printf "%s\n" "$L" | sed -n 6p)" = Store ]' \
  "before enable: the 5 summary lines come first, then the Store line" "labels: $L"
check '[ "$(status_value "Old key")" = none ] && [ "$(status_value "Refused requests")" = none ]' \
  "the summary says none when there is no old key and no refused request"
run "${C[@]}" --json action $PAGE enable
KEY=$(json_get 'j["secret"]')
run "${C[@]}" call GET /api/v1/store -H "X-API-Key: $KEY"
run "${C[@]}" call GET /api/v1/store -H "X-API-Key: sak_nonsense"
run "${C[@]}" --yes action $PAGE reset --param grace=1h
L=$(labels)
check '[ "$(printf "%s\n" "$L" | head -5)" = "$SUMMARY" ]' "with an old key in grace: the same 5 summary lines first" \
  "labels: $L"
check 'printf "%s\n" "$L" | tail -n +6 | grep -qx "Denied requests"' "the denial counts per code are details"
check 'status_value "Old key" | grep -Eq "^sak_.* works until [0-9-]+ [0-9:]+ UTC; last request [0-9-]+ [0-9:]+ UTC$"' \
  "Old key says until when the old key works and its last request" "Old key: $(status_value "Old key")"
check '[ "$(status_value "Refused requests")" = "1 (by reason in the details below)" ]' \
  "Refused requests counts the refused request in words" "got: $(status_value "Refused requests")"

# ----- revoked keys: 30 days behind the filter, then gone ------------------------------------------------------------
# rows: the Keys table as "ID|Key" lines (with --now N when N is given)
rows() { "$PWD/$B/sample-host" "${C[@]}" ${1:+--now "$1"} --json table $PAGE keys | python3 -c '
import json, sys
for r in json.load(sys.stdin): print(r["ID"] + "|" + r["Key"])'; }
revoked_rows() {
  local where=$1
  run "${C[@]}" --json action $PAGE create-key --param label=old --param scopes=store.read
  local old; old=$(json_get 'j["record"]')
  run "${C[@]}" --json action $PAGE create-key --param label=live --param scopes=store.read
  local live; live=$(json_get 'j["record"]')
  run "${C[@]}" --yes action $PAGE revoke --record "$old"
  check '[ "$(rows | cut -d"|" -f1)" = "$live" ]' "$where: by default the revoked key is hidden" "rows: $(rows)"
  run "${C[@]}" --json page $PAGE
  check '[ "$(json_get "[f[\"value\"] for f in j[\"fields\"] if f[\"id\"] == \"show_revoked\"][0]")" = 0 ]' \
    "$where: the toggle Show revoked keys is off by default"
  run "${C[@]}" set $PAGE show_revoked 1
  expect_rc 0 "$where: the owner turns Show revoked keys on"
  local r; r=$(rows)
  check 'printf "%s\n" "$r" | head -1 | grep -q "^$live|sak_" && printf "%s\n" "$r" | sed -n 2p | grep -Eq "^$old\|revoked [0-9-]+ [0-9:]+ UTC \(was sak_"' \
    "$where: the revoked key is listed after the live one, marked revoked" "rows: $r"
  check 'rows $((T0 + 29 * 86400)) | grep -q "^$old|revoked"' "$where: 29 days later it is still listed"
  check '! rows $((T0 + 31 * 86400)) | grep -q "^$old|"' "$where: 31 days later it is gone"
  run "${C[@]}" page $PAGE
  expect_out "revoke $old: not available now: This key was revoked on [0-9-]+ [0-9:]+ UTC: it cannot be used, reset or edited again" \
    "$where: Revoke is unavailable on the revoked row, with the reason"
  expect_out "edit $old: not available now: This key was revoked" "$where: ... and Edit"
  expect_no_out "revoke $live: not available" "$where: Revoke stays available on the live row"
  run "${C[@]}" set $PAGE show_revoked maybe
  expect_rc 1 "$where: the toggle refuses a value other than 0 or 1"
  expect_err "give 1 \(on\) or 0 \(off\)" "$where: ... saying what to type"
  run "${C[@]}" set $PAGE show_revoked 0
  check '! rows | grep -q "^$old|"' "$where: turned off, the revoked key is hidden again"
}
revoked_rows sqlite

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: owner_words.sh's PostgreSQL part in the valgrind pass (it starts a server)"
  exit 0
fi
pg_private_start
pg_node_config 1 "$(pg_conninfo_socket)"
C=(-c "$TMP/pg1.ini")
run "${C[@]}" action $PAGE enable
revoked_rows postgresql
