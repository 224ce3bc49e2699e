#!/bin/bash
# php_browser.sh - the seed flow through the example PHP panel in headless Chromium
# (tests/browser/php_panel.test.js) against nginx + php-fpm (tests/php/fpm_stack.sh: 4 static workers, the
# preload setup) with the API Keys plugin and a fresh data directory; the passwords are set with the sample
# host's CLI, whose password file the panel reads. Missing Chromium, Node.js, PHP, php-fpm or nginx is a FAIL.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
source "$(dirname "$0")/../php/php_env.sh"
source "$(dirname "$0")/../php/fpm_stack.sh"

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: php_browser.sh under TEST_WRAPPER ($TEST_WRAPPER): PHP, php-fpm and nginx are not run under" \
       "valgrind; make test runs this test on the plain build"
  exit 0
fi
require_browser_test
require_php fpm
php_environment
trap 'stop_php_stack KILL; rm -rf "$TMP"' EXIT

CONFIG="$TMP/panel.ini"
# the scope catalogue named keys choose from (the sample host has these three by default; a PHP host has none
# unless its config names one)
write_config "$CONFIG" "$PLUGIN" \
  'api_scopes = store.read: Read the store; deliveries.pull: Pull deliveries; deliveries.ack: Ack deliveries'
for user in admin helpdesk; do
  printf '%s-php-browser-pw\n' "$user" | "$PWD/$B/sample-host" -c "$CONFIG" passwd "$user" >/dev/null 2>"$TMP/passwd.err" \
    || { echo "FAIL: sample-host passwd $user"; cat "$TMP/passwd.err"; exit 1; }
done
if ! start_php_stack "$CONFIG" 4; then echo "FAIL: nginx + php-fpm serve the example panel"; exit 1; fi

PANEL_URL="$STACK_URL/" ADMIN_PASSWORD='admin-php-browser-pw' HELPDESK_PASSWORD='helpdesk-php-browser-pw' \
  SCREENSHOT_DIR="$PWD/$B/screenshots" node "$BROWSER_DIR/php_panel.test.js"
status=$?
stop_php_stack QUIT
[ "$status" -eq 0 ] || stack_logs
if grep -q 'PHP \(Fatal\|Warning\)' "$STACK/php-errors.log" 2>/dev/null; then
  echo "FAIL: the panel logged no PHP error"; cat "$STACK/php-errors.log"
else
  echo "PASS: the panel logged no PHP error or warning"
fi
