#!/bin/bash
# extensions.sh - command-line and curl-level tests of issue 7 (owners enable and disable extensions):
# `extensions` (text and --json, a plugin_dir extra disabled by default, load errors shown), `extension
# disable apikeys` refused without --yes saying what stops, the Done-when commands (disable -> API 503 and the
# menu loses Settings > API Key; enable -> the same key answers 200 again), the state surviving a restart, a
# user without extensions.manage refused both ways, the host audit log (CLI), and the web panel: the
# Extensions page (403 without the permission, CSRF, confirmation on disable), a CLI change applied by the
# running server within about a second, and the disabled plugin's page answering 404.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN" 'plugin_dir = extra' '[role:manager]' 'permissions = extensions.manage' \
  '[user:ops]' 'role = manager'
mkdir -p "$TMP/extra"
cp "$FIXTURES/good.so" "$FIXTURES/no_entry.so" "$TMP/extra/"
C=(-c "$CONFIG")

# ----- listing -----
run "${C[@]}" --json extensions
expect_rc 0 "extensions --json lists the installed extensions"
check '[ "$(json_get "[(e[\"id\"], e[\"enabled\"], e[\"loaded\"], e[\"configured\"]) for e in j]")" = "[('"'"'apikeys'"'"', True, True, True), ('"'"'good'"'"', False, False, False), ('"'"'no_entry'"'"', False, False, False)]" ]' \
  "config plugins start enabled; plugin_dir extras start disabled and are not loaded"
check '[ "$(json_get "j[0][\"name\"] + \" \" + j[0][\"version\"] + \" \" + str(j[0][\"load_error\"])")" = "API Keys 1.0.0 None" ]' \
  "each extension has name, version and a null load_error when it is fine"
check 'json_get "j[2][\"load_error\"]" | grep -q "does not export the symbol"' "a file that is not a plugin shows its load error"
check 'json_get "j[0][\"file\"]" | grep -q "apikeys.so$"' "each extension names its file"
run "${C[@]}" extensions
check '[ "$RC" = 0 ] && printf "%s" "$OUT" | grep -Eq "^apikeys +API Keys +1\.0\.0 +yes +yes" && printf "%s" "$OUT" | grep -q "load error of no_entry"' \
  "extensions prints a table and the load errors"
run "${C[@]}" --as helpdesk extensions
expect_rc 1 "a user without extensions.manage cannot list the extensions"
expect_err "extensions\.manage" "the refusal names the missing permission"

# ----- a key that works -----
run "${C[@]}" --json action settings/api-key enable
KEY=$(json_get 'j["secret"]')
check '[ "$RC" = 0 ] && [ -n "$KEY" ]' "the API Keys plugin creates a key"
run "${C[@]}" call GET /api/v1/ping -H "X-API-Key: $KEY"
expect_rc 0 "the key answers 200 while API Keys is enabled"

# ----- disable without --yes, by the wrong user, then for real -----
run "${C[@]}" extension disable apikeys
expect_rc 1 "disabling without --yes is refused"
expect_err "Settings > API Key" "the refusal names the menu entry that goes away"
expect_err "503" "the refusal says the API will answer 503"
expect_err "--yes" "the refusal says how to confirm"
run "${C[@]}" --json extension disable apikeys
check '[ "$RC" = 1 ] && [ "$(json_get "j[\"error\"]")" = confirmation_required ]' "--json gives {error: confirmation_required}"
run "${C[@]}" --as helpdesk extension disable apikeys --yes
expect_rc 1 "a user without extensions.manage cannot disable"
run "${C[@]}" call GET /api/v1/ping -H "X-API-Key: $KEY"
expect_rc 0 "a refused disable changed nothing"

run "${C[@]}" --json extension disable apikeys --yes
check '[ "$RC" = 0 ] && [ "$(json_get "j[\"ok\"]")" = True ] && json_get "j[\"message\"]" | grep -q Disabled' \
  "extension disable apikeys --yes gives {ok: true, message}"
check '[ "$(stat -c %a "$TMP/data/extensions.state")" = 600 ] && grep -qx "disabled apikeys" "$TMP/data/extensions.state"' \
  "the state is kept in the data directory, mode 0600"
run "${C[@]}" --json call GET /api/v1/ping -H "X-API-Key: $KEY"
check '[ "$RC" = 1 ] && [ "$(json_get "j[\"status\"]")" = 503 ] && json_get "j[\"body\"][\"message\"]" | grep -q "no API authentication is configured"' \
  "with API Keys disabled a valid key gets 503 no API authentication is configured"
run "${C[@]}" menu
check '[ "$RC" = 0 ] && ! printf "%s" "$OUT" | grep -q "API Key"' "the menu loses Settings > API Key"
run "${C[@]}" page settings/api-key
check '[ "$RC" = 2 ]' "the disabled extension's page does not exist (exit 2)"
run "${C[@]}" --json extensions
check '[ "$(json_get "[(e[\"enabled\"], e[\"loaded\"]) for e in j if e[\"id\"] == \"apikeys\"]")" = "[(False, False)]" ]' \
  "the state survives a restart (a new process sees apikeys disabled and does not load it)"

run "${C[@]}" --as helpdesk extension enable apikeys
expect_rc 1 "a user without extensions.manage cannot enable"
run "${C[@]}" --as ops extension enable nosuch
check '[ "$RC" = 2 ] && printf "%s" "$ERR" | grep -q "installed: apikeys, good, no_entry"' "an unknown id exits 2 naming the installed ones"
run "${C[@]}" --as ops --json extension enable apikeys
check '[ "$RC" = 0 ] && [ "$(json_get "j[\"ok\"]")" = True ]' "a role with only extensions.manage enables API Keys again"
run "${C[@]}" call GET /api/v1/ping -H "X-API-Key: $KEY"
expect_rc 0 "enabling brings back the same key (200)"
run "${C[@]}" menu
expect_out "Settings > API Key" "the menu shows Settings > API Key again"

run "${C[@]}" extension enable good
check '[ "$RC" = 0 ] && grep -qx "enabled good" "$TMP/data/extensions.state"' "a plugin_dir extra can be enabled"
run "${C[@]}" --json menu
check 'json_get "[e[\"path\"] for e in j]" | grep -q "Tools > Good Fixture"' "an enabled plugin_dir extra is loaded"
run "${C[@]}" extension enable no_entry
check '[ "$RC" = 1 ] && printf "%s" "$ERR" | grep -q "failed to load"' "enabling a file that cannot load says why (exit 1)"
run "${C[@]}" extension disable no_entry --yes
expect_rc 0 "a broken extension can be disabled again"
run "${C[@]}" extension disable good
check '[ "$RC" = 1 ] && printf "%s" "$ERR" | grep -q "API requests it would allow are denied"' \
  "with another auth provider left, the refusal says that provider's requests are denied (not 503)"
run "${C[@]}" extension disable good --yes
expect_rc 0 "the plugin_dir extra is disabled again"

# ----- the host audit log -----
run "${C[@]}" --json host-audit
check '[ "$RC" = 0 ] && json_get "[(e[\"user\"], e[\"action\"], e[\"target\"], e[\"outcome\"]) for e in j]" | grep -q "('"'"'helpdesk'"'"', '"'"'extension.disable'"'"', '"'"'apikeys'"'"', '"'"'denied'"'"')"' \
  "the host audit log records a refused attempt: who, action, extension, outcome"
check '[ "$(json_get "(j[-1][\"user\"], j[-1][\"action\"], j[-1][\"outcome\"])")" = "('"'"'helpdesk'"'"', '"'"'extension.list'"'"', '"'"'denied'"'"')" ]' \
  "a refused listing (no extensions.manage) is in the host audit log too"
check 'json_get "[(e[\"user\"], e[\"action\"], e[\"outcome\"]) for e in j]" | grep -q "('"'"'ops'"'"', '"'"'extension.enable'"'"', '"'"'ok'"'"')"' \
  "the host audit log records who enabled"
check 'json_get "j[0][\"when\"]" | grep -Eq "^20[0-9]{2}-[0-9]{2}-[0-9]{2}T" && json_get "j[0][\"origin\"]" | grep -q "^cli uid="' \
  "audit entries carry when and the origin (cli uid)"
check '[ "$(stat -c %a "$TMP/data/host-audit.log")" = 600 ] && ! grep -q "$KEY" "$TMP/data/host-audit.log"' \
  "the audit log is 0600 and holds no key"
run "${C[@]}" --as helpdesk host-audit
expect_rc 1 "a user without extensions.manage cannot read the host audit log"
run "${C[@]}" host-audit --limit 1
check '[ "$RC" = 0 ] && [ "$(printf "%s\n" "$OUT" | wc -l)" = 2 ]' "host-audit --limit 1 shows one entry under the header"

# ----- the web panel -----
printf 'helpdesk-password-1\n' | $HOST "${C[@]}" passwd helpdesk >/dev/null 2>&1
if ! start_server "$CONFIG"; then fail "server starts"; exit 1; fi
JAR="$TMP/admin.jar"; HJAR="$TMP/helpdesk.jar"
login admin "$FIRST_PASSWORD" "$JAR"
http GET /admin -b "$JAR"
check '[ "$CODE" = 200 ] && body_has "href=\"/admin/system/extensions\"[^>]*>Extensions</a>" && body_has "<span>System</span>"' \
  "the menu has System > Extensions for a user with extensions.manage"
http GET /admin/system/extensions -b "$JAR"
CSRF=$(csrf_of_body)
check '[ "$CODE" = 200 ] && body_has "id=\"ext-apikeys\"" && body_has "id=\"disable-apikeys\"" && body_has "Load error: .*does not export"' \
  "the Extensions page lists the extensions with buttons and load errors"
check 'body_has "id=\"host-audit\""' "the Extensions page shows the recent host audit entries"

login helpdesk helpdesk-password-1 "$HJAR"
http GET /admin -b "$HJAR"
check '! body_has "system/extensions"' "the menu hides Extensions from a user without extensions.manage"
http GET /admin/system/extensions -b "$HJAR"
check '[ "$CODE" = 403 ]' "the Extensions page answers 403 to a user without extensions.manage"
HCSRF=$(csrf_of_body)
http POST /admin/system/extensions -b "$HJAR" --data "_csrf=$HCSRF&_op=disable&id=apikeys&_confirm=1"
check '[ "$CODE" = 403 ]' "posting a disable without extensions.manage answers 403"

http POST /admin/system/extensions -b "$JAR" --data "_op=disable&id=apikeys&_confirm=1"
check '[ "$CODE" = 403 ]' "a disable posted without the CSRF token is refused"
http GET /api/v1/ping -H "X-API-Key: $KEY"
check '[ "$CODE" = 200 ]' "refused posts changed nothing (the key still answers 200)"
http POST /admin/system/extensions -b "$JAR" --data "_csrf=$CSRF&_op=disable&id=apikeys"
check '[ "$CODE" = 200 ] && body_has "id=\"confirm-yes\"" && body_has "503"' "disabling on the page asks for confirmation, saying what stops"
http GET /api/v1/ping -H "X-API-Key: $KEY"
check '[ "$CODE" = 200 ]' "the unconfirmed disable changed nothing"
http POST /admin/system/extensions -b "$JAR" --data "_csrf=$CSRF&_op=disable&id=apikeys&_confirm=1"
check '[ "$CODE" = 200 ] && body_has "id=\"notice\"" && body_has "id=\"enable-apikeys\"" && ! body_has "API Key</a>"' \
  "the confirmed disable answers with the page: API Keys disabled, its menu entry gone"
http GET /api/v1/ping -H "X-API-Key: $KEY"
check '[ "$CODE" = 503 ] && body_has "no API authentication is configured"' "after a disable in the panel the API answers 503 at once"
http GET /admin/settings/api-key -b "$JAR"
check '[ "$CODE" = 404 ]' "the disabled extension's page answers 404"
http POST /admin/system/extensions -b "$JAR" --data "_csrf=$CSRF&_op=enable&id=apikeys"
check '[ "$CODE" = 200 ] && body_has "id=\"disable-apikeys\""' "enabling in the panel works"
http GET /api/v1/ping -H "X-API-Key: $KEY"
check '[ "$CODE" = 200 ]' "after enabling in the panel the same key answers 200"

# a change made by the command line reaches the running server within about a second (polled, no sleep)
wait_for_code() { # wait_for_code WANT KEY: polls /api/v1/ping for up to 5 s
  local deadline=$((SECONDS + 5))
  while :; do
    http GET /api/v1/ping -H "X-API-Key: $2"
    [ "$CODE" = "$1" ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && return 1
  done
}
run "${C[@]}" extension disable apikeys --yes
T0=$(date +%s%N)
wait_for_code 503 "$KEY"; GOT=$?
T1=$(date +%s%N)
check '[ "$GOT" = 0 ] && [ $(( (T1 - T0) / 1000000 )) -le 2000 ]' "the server applies a CLI disable without restart (503 after $(( (T1 - T0) / 1000000 )) ms)"
http GET /admin/settings/api-key -b "$JAR"
check '[ "$CODE" = 404 ]' "after the CLI disable the server's page for API Keys answers 404"
run "${C[@]}" extension enable apikeys
wait_for_code 200 "$KEY"
check '[ "$CODE" = 200 ]' "the server applies a CLI enable without restart: the same key answers 200"
http GET /admin/settings/api-key -b "$JAR"
check '[ "$CODE" = 200 ]' "the API Key page is back in the server"
stop_server
check '[ "$STOP_RC" = 0 ]' "the server exits 0 on SIGTERM"
check 'grep -q "web 127.0.0.1" "$TMP/data/host-audit.log"' "panel changes are audited with their web origin"
