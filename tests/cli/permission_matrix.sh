#!/bin/bash
# permission_matrix.sh - every role of a test config x every page, field, table and action registered by the
# API Keys plugin and the good fixture x the command line and the web panel: allowed exactly where the role's
# permission patterns grant the page's permission ("*", "prefix.*" which also grants "prefix" itself, or an
# exact name; nothing else), and a refusal changes nothing: the page as the owner sees it (status lines, field
# values, first audit rows) is byte-identical before and after every refused attempt.
# Then the named keys' table and actions on a real record of each role (create-key, edit, reset-key, revoke):
# refused ones leave the key's row and the key working, allowed ones take effect, on the command line and the web.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

DIRECT="$PWD/$B/sample-host"   # the observer (owner snapshots, setup); $HOST is the subject (maybe under valgrind)
CONFIG="$TMP/panel.ini"
# role -> its permissions line; expected: the page permissions it grants among settings.api_key, fixture.good
ROLES=(owner settings_all apikeys_exact apikeys_sub fixture_only prefix_trap nothing)
declare -A PATTERNS=(
  [owner]='*'
  [settings_all]='settings.*'
  [apikeys_exact]='settings.api_key'
  [apikeys_sub]='settings.api_key.*'
  [fixture_only]='fixture.good, orders.*'
  [prefix_trap]='settings.api, settings.api_key_extra, fixture, fixture.goods'
  [nothing]='orders.*, support.*'
)
declare -A GRANTS=(
  [owner]='settings.api_key fixture.good'
  [settings_all]='settings.api_key'
  [apikeys_exact]='settings.api_key'
  [apikeys_sub]='settings.api_key'
  [fixture_only]='fixture.good'
  [prefix_trap]=''
  [nothing]=''
)
SECTIONS=()
for r in "${ROLES[@]}"; do SECTIONS+=("[role:$r]" "permissions = ${PATTERNS[$r]}" "[user:u_$r]" "role = $r"); done
panel_ini "$CONFIG" "$TMP/data" "$PLUGIN $FIXTURES/good.so" "${SECTIONS[@]}" '[user:admin]' 'role = owner'

snapshot() { "$DIRECT" -c "$CONFIG" --as u_owner --json page "$1" 2>&1; }
grants() { case " ${GRANTS[$1]} " in *" $2 "*) return 0 ;; *) return 1 ;; esac; }
DENIED_MSG="may not open page"
# Page structure from the owner's view: "F id type", "A id param=value...", "T id" lines.
structure() {
  snapshot "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print("P", j["permission"])
for f in j["fields"]: print("F", f["id"], f["type"])
for a in j["actions"]:
    print("A", a["id"], *["%s=%s" % (p["id"], "matrix") for p in a["params"] if p["required"]])
for t in j["tables"]: print("T", t["id"])'
}
value_for() { # value_for TYPE ROLE: a value the field accepts
  case "$1" in
    toggle) echo 1 ;;
    secret) echo "imported-matrix-key-for-$2-0123456789abcdef" ;;
    *) echo "matrix-$2" ;;
  esac
}

run -c "$CONFIG" --as u_owner action settings/api-key enable --yes
expect_rc 0 "setup: the owner enables the API (a key and an audit row exist)"
PAGES=$("$DIRECT" -c "$CONFIG" --as u_owner --json menu | python3 -c 'import json,sys; print(" ".join(e["page"] for e in json.load(sys.stdin)))')
if [ "$PAGES" = "fixture/good settings/api-key" ] || [ "$PAGES" = "settings/api-key fixture/good" ]; then
  pass "the owner's menu lists both pages"; else fail "the owner's menu lists both pages (got '$PAGES')"; fi

# ----- command line
for role in "${ROLES[@]}"; do
  user="u_$role"
  run -c "$CONFIG" --as "$user" --json menu
  for page in $PAGES; do
    mapfile -t items < <(structure "$page")
    perm=${items[0]#P }
    if grants "$role" "$perm"; then want=allowed; else want=denied; fi
    BEFORE=$(snapshot "$page")
    run -c "$CONFIG" --as "$user" --json menu
    if printf '%s' "$OUT" | grep -q "\"page\":\"$page\""; then got=allowed; else got=denied; fi
    [ "$got" = "$want" ] && pass "cli $role: menu shows $page: $want" || fail "cli $role: menu shows $page: wanted $want"
    run -c "$CONFIG" --as "$user" page "$page"
    if [ "$want" = allowed ]; then expect_rc 0 "cli $role: page $page is allowed"
    else expect_rc 1 "cli $role: page $page is refused"; expect_err "$DENIED_MSG" "cli $role: the refusal names the permission"; fi
    for item in "${items[@]:1}"; do
      read -r kind id rest <<<"$item"
      case "$kind" in
        F) run -c "$CONFIG" --as "$user" set "$page" "$id" "$(value_for "$rest" "$role")" --yes ;;
        A) args=(); for p in $rest; do args+=(--param "$p"); done
           run -c "$CONFIG" --as "$user" action "$page" "$id" --yes "${args[@]}" ;;
        T) run -c "$CONFIG" --as "$user" table "$page" "$id" ;;
      esac
      what="cli $role: $kind $page/$id"
      if [ "$want" = allowed ]; then
        if printf '%s' "$ERR" | grep -q "$DENIED_MSG" || [ "$RC" -ge 2 ]; then fail "$what is allowed"; else pass "$what is allowed (exit $RC)"; fi
        if [ "$kind $rest" = "F secret" ]; then   # the fixture keeps no state across processes; the plugin does
          snapshot "$page" | grep -q "\"value\":\"…cdef\"" && pass "$what: the allowed set took effect" \
            || fail "$what: the allowed set took effect"
        fi
      else
        if [ "$RC" -eq 1 ] && printf '%s' "$ERR" | grep -q "$DENIED_MSG"; then pass "$what is refused"; else fail "$what is refused"; fi
      fi
    done
    AFTER=$(snapshot "$page")
    if [ "$want" = denied ]; then
      if [ "$BEFORE" = "$AFTER" ]; then pass "cli $role: the refusals changed nothing on $page"
      else fail "cli $role: the refusals changed $page"; diff <(echo "$BEFORE") <(echo "$AFTER") | head -10; fi
    fi
  done
done

# ----- command line: the named keys' actions on a real record (the loop above runs the row actions without one)
# The owner creates a named key for each role; the role tries the table, create-key, edit, reset-key and revoke on
# it. Refused: the permission refusal, and the key's row and the key itself unchanged. Allowed: each took effect.
named_create() { # named_create LABEL: the owner's new named key; sets NK (the key) and NK_ID
  "$DIRECT" -c "$CONFIG" --as u_owner --json action settings/api-key create-key --param "label=$1" \
    --param scopes=store.read >"$TMP/nk.json" 2>/dev/null
  NK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secret"])' "$TMP/nk.json")
  NK_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["record"])' "$TMP/nk.json")
}
named_row() { "$DIRECT" -c "$CONFIG" --as u_owner --json table settings/api-key keys --limit 200 | python3 -c '
import json, sys
print([{c: v for c, v in r.items() if c not in ("Last used", "Uses")}  # what requests change
       for r in json.load(sys.stdin) if r["ID"] == sys.argv[1]])' "$1"; }
named_works() { "$DIRECT" -c "$CONFIG" call GET /api/v1/store -H "X-API-Key: $1" 2>/dev/null | head -1; }
"$DIRECT" -c "$CONFIG" --as u_owner action settings/api-key enable >/dev/null 2>&1  # the loop above left it disabled
for role in "${ROLES[@]}"; do
  user="u_$role"
  if grants "$role" settings.api_key; then want=allowed; else want=denied; fi
  named_create "matrix $role"
  ROW=$(named_row "$NK_ID")
  refused() { [ "$RC" -eq 1 ] && printf '%s' "$ERR" | grep -q "$DENIED_MSG"; }
  run -c "$CONFIG" --as "$user" table settings/api-key keys
  what="cli $role: the keys table"
  if [ "$want" = allowed ]; then [ "$RC" -eq 0 ] && printf '%s' "$OUT" | grep -q "matrix $role" && pass "$what is shown" || fail "$what is shown"
  else refused && ! printf '%s' "$OUT" | grep -q "matrix" && pass "$what is refused and shows no row" || fail "$what is refused"; fi
  run -c "$CONFIG" --as "$user" --json action settings/api-key create-key --param "label=by $role" --param scopes=store.read
  what="cli $role: create-key"
  if [ "$want" = allowed ]; then [ "$RC" -eq 0 ] && printf '%s' "$OUT" | grep -q '"secret":"sak_' && pass "$what creates a key" || fail "$what creates a key"
  else refused && ! printf '%s' "$OUT" | grep -q sak_ && pass "$what is refused" || fail "$what is refused"; fi
  run -c "$CONFIG" --as "$user" action settings/api-key edit --record "$NK_ID" --param "label=edited by $role"
  what="cli $role: edit --record"
  if [ "$want" = allowed ]; then [ "$RC" -eq 0 ] && named_row "$NK_ID" | grep -q "edited by $role" && pass "$what takes effect" || fail "$what takes effect"
  else refused && [ "$(named_row "$NK_ID")" = "$ROW" ] && pass "$what is refused and changes nothing" || fail "$what is refused"; fi
  run -c "$CONFIG" --as "$user" --json action settings/api-key reset-key --record "$NK_ID" --yes
  what="cli $role: reset-key --record"
  if [ "$want" = allowed ]; then
    old=$NK; NK=$(json_get 'j["secret"]')
    [ "$RC" -eq 0 ] && [ "$(named_works "$old")" = "HTTP 401" ] && [ "$(named_works "$NK")" = "HTTP 200" ] \
      && pass "$what takes effect (the old key gets 401, the new one 200)" || fail "$what takes effect"
  else refused && ! printf '%s' "$OUT" | grep -q sak_ && [ "$(named_works "$NK")" = "HTTP 200" ] \
    && pass "$what is refused, shows no key, and the key still works" || fail "$what is refused"; fi
  run -c "$CONFIG" --as "$user" action settings/api-key revoke --record "$NK_ID" --yes
  what="cli $role: revoke --record"
  if [ "$want" = allowed ]; then [ "$RC" -eq 0 ] && [ "$(named_works "$NK")" = "HTTP 401" ] && pass "$what takes effect" || fail "$what takes effect"
  else refused && [ "$(named_row "$NK_ID")" = "$ROW" ] && [ "$(named_works "$NK")" = "HTTP 200" ] \
    && pass "$what is refused and the key still works" || fail "$what is refused"; fi
done

# ----- web panel
for role in "${ROLES[@]}"; do
  printf 'matrix-password-%s\n' "$role" | "$DIRECT" -c "$CONFIG" passwd "u_$role" >/dev/null 2>&1 \
    || fail "setup: passwd u_$role"
done
if ! start_server "$CONFIG"; then fail "server starts"; exit 1; fi
for role in "${ROLES[@]}"; do
  jar="$TMP/$role.jar"
  login "u_$role" "matrix-password-$role" "$jar"
  [ "$CODE" = 303 ] && pass "web $role: logs in" || fail "web $role: logs in"
  http GET /admin -b "$jar"; MENU_BODY=$BODY; CSRF=$(csrf_of_body)
  for page in $PAGES; do
    mapfile -t items < <(structure "$page")
    perm=${items[0]#P }
    if grants "$role" "$perm"; then want=allowed; else want=denied; fi
    BEFORE=$(snapshot "$page")
    if printf '%s' "$MENU_BODY" | grep -q "href=\"/admin/$page\""; then got=allowed; else got=denied; fi
    [ "$got" = "$want" ] && pass "web $role: menu shows $page: $want" || fail "web $role: menu shows $page: wanted $want"
    http GET "/admin/$page" -b "$jar"
    if [ "$want" = allowed ]; then [ "$CODE" = 200 ] && pass "web $role: GET $page is 200" || fail "web $role: GET $page is 200 (got $CODE)"
    else [ "$CODE" = 403 ] && pass "web $role: GET $page is 403" || fail "web $role: GET $page is 403 (got $CODE)"; fi
    for item in "${items[@]:1}"; do
      read -r kind id rest <<<"$item"
      case "$kind" in
        F) http POST "/admin/$page" -b "$jar" --data "_csrf=$CSRF&_op=field&_field=$id&_confirm=1" \
             --data-urlencode "value=$(value_for "$rest" "$role")" ;;
        A) data="_csrf=$CSRF&_op=action&_action=$id&_confirm=1"; for p in $rest; do data="$data&p.$p"; done
           http POST "/admin/$page" -b "$jar" --data "$data" ;;
        T) continue ;;   # tables are part of the page view above
      esac
      what="web $role: $kind $page/$id"
      if [ "$want" = allowed ]; then [ "$CODE" != 403 ] && [ "${CODE:0:1}" != 5 ] && pass "$what is allowed ($CODE)" || fail "$what is allowed (got $CODE)"
      else [ "$CODE" = 403 ] && pass "$what is refused (403)" || fail "$what is refused (got $CODE)"; fi
    done
    AFTER=$(snapshot "$page")
    if [ "$want" = denied ]; then
      if [ "$BEFORE" = "$AFTER" ]; then pass "web $role: the refusals changed nothing on $page"
      else fail "web $role: the refusals changed $page"; diff <(echo "$BEFORE") <(echo "$AFTER") | head -10; fi
    fi
  done
done
# The named keys' row actions over the web on a real record: refused with 403 and nothing changed, or done.
"$DIRECT" -c "$CONFIG" --as u_owner action settings/api-key enable >/dev/null 2>&1
for role in "${ROLES[@]}"; do
  jar="$TMP/$role.jar"
  if grants "$role" settings.api_key; then want=allowed; else want=denied; fi
  named_create "web matrix $role"
  ROW=$(named_row "$NK_ID")
  http GET /admin -b "$jar"; CSRF=$(csrf_of_body)
  http GET /admin/settings/api-key -b "$jar"
  what="web $role: the keys table on the page"
  if [ "$want" = allowed ]; then [ "$CODE" = 200 ] && [[ "$BODY" == *"web matrix $role"* ]] && pass "$what is shown" || fail "$what is shown ($CODE)"
  else [ "$CODE" = 403 ] && [[ "$BODY" != *"web matrix"* ]] && pass "$what is not shown (403)" || fail "$what is not shown ($CODE)"; fi
  http POST /admin/settings/api-key -b "$jar" --data "_csrf=$CSRF&_op=action&_action=edit&_record=$NK_ID" \
    --data-urlencode "p.label=web edit $role"; follow "$jar"
  what="web $role: edit of record $NK_ID"
  if [ "$want" = allowed ]; then [ "$POSTED" = 303 ] && [ "$CODE" = 200 ] && named_row "$NK_ID" | grep -q "web edit $role" && pass "$what takes effect (303, then the page)" || fail "$what takes effect ($POSTED)"
  else [ "$CODE" = 403 ] && [ "$(named_row "$NK_ID")" = "$ROW" ] && pass "$what is refused (403), nothing changed" || fail "$what is refused ($CODE)"; fi
  for a in reset-key revoke; do
    http POST /admin/settings/api-key -b "$jar" --data "_csrf=$CSRF&_op=action&_action=$a&_record=$NK_ID&_confirm=1"; follow "$jar"
    what="web $role: $a of record $NK_ID"
    if [ "$want" = allowed ]; then
      old=$NK
      [ "$a" = reset-key ] && NK=$(printf '%s' "$BODY" | grep -Eo 'sak_[0-9A-Za-z]{49}' | head -1)
      [ "$POSTED" = 303 ] && [ "$CODE" = 200 ] && [ -n "$NK" ] && [ "$(named_works "$old")" = "HTTP 401" ] \
        && { [ "$a" = revoke ] || [ "$(named_works "$NK")" = "HTTP 200" ]; } \
        && pass "$what takes effect (303, then the page)" || fail "$what takes effect ($POSTED)"
    else [ "$CODE" = 403 ] && [[ "$BODY" != *sak_[0-9A-Za-z]* ]] && [ "$(named_works "$NK")" = "HTTP 200" ] \
      && pass "$what is refused (403), the key still works" || fail "$what is refused ($CODE)"; fi
  done
done
stop_server
