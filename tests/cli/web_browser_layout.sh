#!/bin/bash
# web_browser_layout.sh - runs the headless-Chromium layout test (tests/browser/layout.test.js: the API Key and
# Extensions pages at 390 px and 1280 px) against `sample-host serve` with the API Keys plugin and, in
# [host] plugin_dir, a file that is not a plugin (a long load error to wrap). A missing Chromium, Node.js or
# playwright-core is a FAIL, not a skip.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

require_browser_test

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN" 'plugin_dir = extra'
mkdir -p "$TMP/extra" && cp "$FIXTURES/no_entry.so" "$TMP/extra/"
$HOST -c "$CONFIG" extension enable no_entry >/dev/null 2>&1   # enabled, so the page shows its load error
if ! start_server "$CONFIG"; then echo "FAIL: the server starts with the API Keys plugin"; exit 1; fi

PANEL_URL="$SERVER_URL" ADMIN_PASSWORD="$FIRST_PASSWORD" SCREENSHOT_DIR="$PWD/$B/screenshots" \
  node "$BROWSER_DIR/layout.test.js"
stop_server
if [ "$STOP_RC" = 0 ]; then echo "PASS: the server exits 0 on SIGTERM after the layout browser test"
else echo "FAIL: the server exits 0 on SIGTERM after the layout browser test (exit $STOP_RC)"; cat "$SERVER_LOG"; fi
