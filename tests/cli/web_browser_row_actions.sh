#!/bin/bash
# web_browser_row_actions.sh - runs the headless-Chromium test of ABI 1.1 actions (tests/browser/row_actions.test.js)
# against `sample-host serve` with the API Keys plugin and the abi11 fixture (case good). A missing Chromium,
# Node.js or playwright-core is a FAIL, not a skip.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

require_browser_test

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN $FIXTURES/abi11.so" '[plugin:abi11]' 'case = good'
if ! start_server "$CONFIG"; then echo "FAIL: the server starts with API Keys and the abi11 fixture"; exit 1; fi

PANEL_URL="$SERVER_URL" ADMIN_PASSWORD="$FIRST_PASSWORD" SCREENSHOT_DIR="$PWD/$B/screenshots" \
  node "$BROWSER_DIR/row_actions.test.js"
stop_server
if [ "$STOP_RC" = 0 ]; then echo "PASS: the server exits 0 on SIGTERM after the row-action browser test"
else echo "FAIL: the server exits 0 on SIGTERM after the row-action browser test (exit $STOP_RC)"; cat "$SERVER_LOG"; fi
