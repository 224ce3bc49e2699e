# panel_browser.sh - what the example PHP panel's browser tests (tests/cli/php_panel_*.sh) share, sourced after
# tests/cli/lib.sh: the SKIP under the valgrind pass, the tools they need (Chromium, Node.js, playwright-core,
# PHP, php-fpm, nginx), and the panel under nginx + php-fpm (tests/php/fpm_stack.sh, 2 workers) with the API
# Keys plugin, the scope catalogue (with descriptions), a fresh data directory and the users admin (owner) and
# helpdesk (support), whose passwords are set with the sample host's CLI. Then run_panel_test FILE runs
# tests/browser/FILE against it and prints the stack's logs when it failed.
source "$(dirname "$0")/../browser/server.sh"
source "$(dirname "$0")/../php/php_env.sh"
source "$(dirname "$0")/../php/fpm_stack.sh"

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: $(basename "$0") under TEST_WRAPPER ($TEST_WRAPPER): Chromium, PHP, php-fpm and nginx are not run" \
       "under valgrind; make test runs this test on the plain build"
  exit 0
fi
require_browser_test
require_php fpm
php_environment
trap 'stop_php_stack KILL; rm -rf "$TMP"' EXIT

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN" \
  'api_scopes = store.read: Read the store; deliveries.pull: Pull deliveries; deliveries.ack: Ack deliveries'
for user in admin helpdesk; do
  printf '%s-php-panel-pw\n' "$user" | "$PWD/$B/sample-host" -c "$CONFIG" passwd "$user" >/dev/null 2>"$TMP/passwd.err" \
    || { echo "FAIL: sample-host passwd $user"; cat "$TMP/passwd.err"; exit 1; }
done
if ! start_php_stack "$CONFIG" 2; then echo "FAIL: nginx + php-fpm serve the example panel"; exit 1; fi

# run_panel_test FILE: the browser test tests/browser/FILE against the panel; then no PHP error may be logged.
run_panel_test() {
  local status
  PANEL_URL="$STACK_URL/" ADMIN_PASSWORD='admin-php-panel-pw' HELPDESK_PASSWORD='helpdesk-php-panel-pw' \
    SESSION_DIR="$TMP/data/php-sessions" SCREENSHOT_DIR="$PWD/$B/screenshots" node "$BROWSER_DIR/$1"
  status=$?
  stop_php_stack QUIT
  [ "$status" -eq 0 ] || stack_logs
  if grep -q 'PHP \(Fatal\|Warning\|Notice\|Deprecated\)' "$STACK/php-errors.log" 2>/dev/null; then
    echo "FAIL: the panel logged no PHP error"; cat "$STACK/php-errors.log"
  else
    echo "PASS: the panel logged no PHP error or warning"
  fi
}
