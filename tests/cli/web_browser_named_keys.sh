#!/bin/bash
# web_browser_named_keys.sh - runs the headless-Chromium test of named keys (tests/browser/named_keys.test.js)
# against `sample-host serve` with the API Keys plugin. A missing Chromium, Node.js or playwright-core is a FAIL,
# not a skip.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

require_browser_test

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN"
if ! start_server "$CONFIG"; then echo "FAIL: the server starts with the API Keys plugin"; exit 1; fi

PANEL_URL="$SERVER_URL" ADMIN_PASSWORD="$FIRST_PASSWORD" SCREENSHOT_DIR="$PWD/$B/screenshots" \
  node "$BROWSER_DIR/named_keys.test.js"
stop_server
if [ "$STOP_RC" = 0 ]; then echo "PASS: the server exits 0 on SIGTERM after the named-keys browser test"
else echo "FAIL: the server exits 0 on SIGTERM after the named-keys browser test (exit $STOP_RC)"; cat "$SERVER_LOG"; fi
