#!/bin/bash
# owner_details.sh - the ABI 1.3 owner-page fields in the sample host, with the abi13 fixture's page abi13/owner
# (tests/fixtures/abi13.c): status lines after the page's summary count sit in a "Details" fold; a field the
# plugin says cannot be set now is disabled with its reason; an action available with a note shows the note
# beside its button, an unavailable one its reason. Web (`serve`, curl) and command line (`page`, text and --json).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

NOW=1796600000 # 2026-12-06T23:33:20Z
CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$FIXTURES/abi13.so $FIXTURES/abi12.so" '[plugin:abi13]' 'case = good'
GRACE_NOTE='The previous key was used 3 minutes ago from 203.0.113.7 \(ZonelyPlugin/1.2\); ending the grace period now breaks that tool.'

# ----- command line -----
run -c "$CONFIG" page abi13/owner
expect_rc 0 "page abi13/owner shows the page"
check '[ "$(printf "%s\n" "$OUT" | sed -n "/^Status/,/^Fields/p" | tr -s " ")" = "$(printf "Status\n API On\n Last request 2 minutes ago\n Details:\n Denied requests missing 0, malformed 0\n Store /var/lib/abi13/store.db\n\nFields")" ]' \
  "the summary lines come first, the later ones under a Details: heading"
check 'printf "%s\n" "$OUT" | grep -A1 "^  replace " | tail -1 | grep -qE "^ +not available now: Enable the API first: there is no key to replace\.$"' \
  "a field that cannot be set now says so on the line below it, with the plugin's reason"
check 'printf "%s\n" "$OUT" | grep -A1 "^  note " | tail -1 | grep -q "^  replace "' "an available field has no reason line"
expect_out "end-grace +End grace period +\($GRACE_NOTE\)" "an available action's note is printed beside it"
expect_out 'disable +Disable API +\(not available now: The API is already off\.\)' "an unavailable action's reason, as before"
run -c "$CONFIG" --json page abi13/owner
expect_rc 0 "page --json abi13/owner"
check '[ "$(json_get "j[\"summary_lines\"]")" = 2 ]' "--json gives summary_lines"
check '[ "$(json_get "[(f[\"id\"], f[\"available\"], f[\"reason\"]) for f in j[\"fields\"]]")" = "[('"'note'"', True, None), ('"'replace'"', False, '"'Enable the API first: there is no key to replace.'"')]" ]' \
  "--json gives each field's available and reason"
check 'json_get "[a[\"note\"] for a in j[\"actions\"]]" | grep -qF "['"'The previous key was used 3 minutes ago from 203.0.113.7 (ZonelyPlugin/1.2); ending the grace period now breaks that tool.'"', None]"' \
  "--json gives each action's note (null when it has none)"
run -c "$CONFIG" --json page abi12/page
check '[ "$(json_get "j[\"summary_lines\"]")" = 0 ]' "a 1.2 plugin's page has summary_lines 0"

# ----- web -----
if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: owner_details.sh web part under TEST_WRAPPER ($TEST_WRAPPER): the server test runs on the plain build"
else
  SERVER_ARGS="--now $NOW"
  if ! start_server "$CONFIG"; then echo "FAIL: the server starts with the abi13 fixture"; exit 1; fi
  JAR="$TMP/jar"
  login admin "$FIRST_PASSWORD" "$JAR"
  check '[ "$CODE" = 303 ]' "admin logs in"
  http GET /admin/abi13/owner -b "$JAR"
  check '[ "$CODE" = 200 ] && body_has "<dl class=\"status\"><dt>API</dt><dd>On</dd><dt>Last request</dt><dd>2 minutes ago</dd></dl><details class=\"status-details\"><summary>Details</summary><dl class=\"status\"><dt>Denied requests</dt><dd>missing 0, malformed 0</dd><dt>Store</dt><dd>/var/lib/abi13/store.db</dd></dl></details>"' \
    "the summary lines are shown, the later ones inside a Details fold"
  check 'body_has "<input type=\"text\" name=\"value\" id=\"input-replace\" value=\"\" disabled>" &&
         body_has "<p class=\"unavailable\" id=\"unavailable-field-replace\">Enable the API first: there is no key to replace.</p>" &&
         body_has "<button type=\"submit\" disabled aria-describedby=\"unavailable-field-replace\">Save</button>"' \
    "a field the plugin says cannot be set now is disabled, with its reason"
  check 'body_has "<input type=\"text\" name=\"value\" id=\"input-note\" value=\"\">" && ! body_has "unavailable-field-note"' \
    "an available field is offered as before"
  check 'body_has "<button type=\"submit\" aria-describedby=\"note-end-grace\">End grace period</button> <span class=\"action-note\" id=\"note-end-grace\">$GRACE_NOTE</span>"' \
    "an available action's note is shown beside its button, which stays enabled"
  check 'body_has "<button type=\"submit\" disabled aria-describedby=\"unavailable-disable\">Disable API</button> <span class=\"unavailable\" id=\"unavailable-disable\">The API is already off.</span>"' \
    "an unavailable action is disabled with its reason, as before"
  stop_server
  check '[ "$STOP_RC" = 0 ]' "the server exits 0 on SIGTERM"
fi
