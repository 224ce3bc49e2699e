#!/bin/bash
# owner_details_php.sh - the example PHP panel (nginx + php-fpm) shows the ABI 1.3 owner-page fields as the sample
# host does (owner_details.sh), with the abi13 fixture's page abi13/owner: the status lines after the summary in a
# "Details" fold, a field the plugin says cannot be set now disabled with its reason, an available action's note
# beside its button and an unavailable action's reason; no PHP error. Says SKIP under the valgrind pass.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
source "$(dirname "$0")/../php/php_env.sh"
source "$(dirname "$0")/../php/fpm_stack.sh"

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: owner_details_php.sh under TEST_WRAPPER ($TEST_WRAPPER): PHP is not run under valgrind"
  exit 0
fi
require_php fpm
php_environment
trap 'stop_php_stack KILL 2>/dev/null; rm -rf "$TMP"' EXIT

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$FIXTURES/abi13.so" '[plugin:abi13]' 'case = good'
printf 'admin-owner-php-pw\n' | "$PWD/$B/sample-host" -c "$CONFIG" passwd admin >/dev/null 2>"$TMP/passwd.err" \
  || { echo "FAIL: sample-host passwd admin"; cat "$TMP/passwd.err"; exit 1; }
if ! start_php_stack "$CONFIG" 2; then echo "FAIL: nginx + php-fpm serve the example panel"; exit 1; fi
JAR="$TMP/php.jar"
csrf=$(curl -s -b "$JAR" -c "$JAR" "$STACK_URL/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode user=admin \
  --data-urlencode password=admin-owner-php-pw "$STACK_URL/login"
CODE=$(curl -s -b "$JAR" -o "$TMP/panel.html" -w '%{http_code}' "$STACK_URL/admin/abi13/owner")
BODY=$(tr '\n' ' ' <"$TMP/panel.html" | tr -s ' ')
check '[ "$CODE" = 200 ] && body_has "<dl class=\"status\"> ?<dt>API</dt><dd>On</dd><dt>Last request</dt><dd>2 minutes ago</dd> ?</dl> ?<details class=\"status-details\"><summary>Details</summary><dl class=\"status\"> ?<dt>Denied requests</dt><dd>missing 0, malformed 0</dd><dt>Store</dt><dd>/var/lib/abi13/store.db</dd> ?</dl></details>"' \
  "the summary lines are shown, the later ones inside a Details fold" "$(sed -n '/id="status"/,/<\/section>/p' "$TMP/panel.html")"
check 'body_has "<input type=\"text\" name=\"value\" id=\"input-replace\" value=\"\" disabled>" &&
       body_has "<p class=\"unavailable\" id=\"unavailable-field-replace\">Enable the API first: there is no key to replace.</p>" &&
       body_has "<button type=\"submit\" disabled aria-describedby=\"unavailable-field-replace\">Save</button>"' \
  "a field the plugin says cannot be set now is disabled, with its reason"
check 'body_has "<input type=\"text\" name=\"value\" id=\"input-note\" value=\"\">" && ! body_has "unavailable-field-note"' \
  "an available field is offered as before"
check 'body_has "<button type=\"submit\" aria-describedby=\"note-end-grace\">End grace period</button> <span class=\"action-note\" id=\"note-end-grace\">The previous key was used 3 minutes ago from 203.0.113.7 \(ZonelyPlugin/1.2\); ending the grace period now breaks that tool.</span>"' \
  "an available action's note is shown beside its button, which stays enabled"
check 'body_has "<button type=\"submit\" disabled aria-describedby=\"unavailable-disable\">Disable API</button> <span class=\"unavailable\" id=\"unavailable-disable\">The API is already off.</span>"' \
  "an unavailable action is disabled with its reason, as before"
stop_php_stack QUIT
if grep -q 'PHP \(Fatal\|Warning\|Notice\|Deprecated\)' "$STACK/php-errors.log" 2>/dev/null; then
  echo "FAIL: the panel logged no PHP error"; cat "$STACK/php-errors.log"
else pass "the panel logged no PHP error or warning"; fi
