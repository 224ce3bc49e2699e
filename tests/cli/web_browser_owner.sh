#!/bin/bash
# web_browser_owner.sh - runs the headless-Chromium test of the API Key page as a store owner meets it (issue 25:
# tests/browser/owner.test.js: 303 after every change and reloads that repeat nothing, Edit that keeps what it
# shows, confirmations that name the key, the Keys table at 1280 and 390 px) against `sample-host serve` with the
# API Keys plugin. Screenshots: $B/screenshots/owner-*.png. A missing Chromium, Node.js or playwright-core is a
# FAIL; under the valgrind pass (TEST_WRAPPER set) it says SKIP: a browser run under valgrind does not fit CI time.
source "$(dirname "$0")/lib.sh"
if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: web_browser_owner.sh under TEST_WRAPPER ($TEST_WRAPPER): the browser test is not run under valgrind"
  exit 0
fi
source "$(dirname "$0")/../browser/server.sh"

require_browser_test

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN"
if ! start_server "$CONFIG"; then echo "FAIL: the server starts with the API Keys plugin"; exit 1; fi

PANEL_URL="$SERVER_URL" ADMIN_PASSWORD="$FIRST_PASSWORD" SCREENSHOT_DIR="$PWD/$B/screenshots" \
  node "$BROWSER_DIR/owner.test.js"
stop_server
if [ "$STOP_RC" = 0 ]; then echo "PASS: the server exits 0 on SIGTERM after the owner browser test"
else echo "FAIL: the server exits 0 on SIGTERM after the owner browser test (exit $STOP_RC)"; cat "$SERVER_LOG"; fi
