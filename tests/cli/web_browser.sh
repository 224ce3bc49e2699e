#!/bin/bash
# web_browser.sh - runs the headless-Chromium test of the admin panel (tests/browser/admin_panel.test.js)
# against `sample-host serve` with the API Keys plugin on a free loopback port and a fresh data directory.
# Prints the test's PASS/FAIL lines; a missing Chromium, Node.js or playwright-core is a FAIL, not a skip.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

require_browser_test

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN"
printf 'helpdesk-browser-pw\n' | "$PWD/$B/sample-host" -c "$CONFIG" passwd helpdesk >/dev/null 2>"$TMP/passwd.err" \
  || { echo "FAIL: passwd helpdesk"; cat "$TMP/passwd.err"; exit 1; }
if ! start_server "$CONFIG"; then echo "FAIL: the server starts with the API Keys plugin"; exit 1; fi

PANEL_URL="$SERVER_URL" ADMIN_PASSWORD="$FIRST_PASSWORD" HELPDESK_PASSWORD='helpdesk-browser-pw' \
  SCREENSHOT_DIR="$PWD/$B/screenshots" node "$BROWSER_DIR/admin_panel.test.js"
stop_server
if [ "$STOP_RC" = 0 ]; then echo "PASS: the server exits 0 on SIGTERM after the browser test"
else echo "FAIL: the server exits 0 on SIGTERM after the browser test (exit $STOP_RC)"; cat "$SERVER_LOG"; fi
