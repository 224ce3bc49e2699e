#!/bin/bash
# web_browser_extensions.sh - runs the headless-Chromium test of the Extensions page
# (tests/browser/extensions.test.js) against `sample-host serve` with the API Keys plugin and, in
# [host] plugin_dir, a file that is not a plugin (to show a load error). Same requirements as web_browser.sh:
# a missing Chromium, Node.js or playwright-core is a FAIL, not a skip.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

require_browser_test

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN" 'plugin_dir = extra'
mkdir -p "$TMP/extra" && cp "$FIXTURES/no_entry.so" "$TMP/extra/"
$HOST -c "$CONFIG" extension enable no_entry >/dev/null 2>&1   # enabled, so the page shows why it does not run
printf 'helpdesk-browser-pw\n' | "$PWD/$B/sample-host" -c "$CONFIG" passwd helpdesk >/dev/null 2>"$TMP/passwd.err" \
  || { echo "FAIL: passwd helpdesk"; cat "$TMP/passwd.err"; exit 1; }
if ! start_server "$CONFIG"; then echo "FAIL: the server starts with the API Keys plugin"; exit 1; fi

PANEL_URL="$SERVER_URL" ADMIN_PASSWORD="$FIRST_PASSWORD" HELPDESK_PASSWORD='helpdesk-browser-pw' \
  SCREENSHOT_DIR="$PWD/$B/screenshots" node "$BROWSER_DIR/extensions.test.js"
stop_server
if [ "$STOP_RC" = 0 ]; then echo "PASS: the server exits 0 on SIGTERM after the Extensions browser test"
else echo "FAIL: the server exits 0 on SIGTERM after the Extensions browser test (exit $STOP_RC)"; cat "$SERVER_LOG"; fi
