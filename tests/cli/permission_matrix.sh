#!/bin/bash
# permission_matrix.sh - every role of a test config x every page, field, table and action registered by the
# API Keys plugin and the good fixture x the command line and the web panel: allowed exactly where the role's
# permission patterns grant the page's permission ("*", "prefix.*" which also grants "prefix" itself, or an
# exact name; nothing else), and a refusal changes nothing: the page as the owner sees it (status lines, field
# values, first audit rows) is byte-identical before and after every refused attempt.
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
{
  printf '[host]\ndata_dir = %s\nplugins = %s %s\n\n' "$TMP/data" "$PLUGIN" "$FIXTURES/good.so"
  for r in "${ROLES[@]}"; do printf '[role:%s]\npermissions = %s\n\n[user:u_%s]\nrole = %s\n\n' "$r" "${PATTERNS[$r]}" "$r" "$r"; done
  printf '[user:admin]\nrole = owner\n'
} >"$CONFIG"
chmod 600 "$CONFIG"

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
stop_server
