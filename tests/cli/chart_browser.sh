#!/bin/bash
# chart_browser.sh - runs the headless-Chromium test of the time-series chart (tests/browser/chart.test.js) against
# `sample-host serve` with the API Keys plugin and the abi13 fixture (case good), its clock fixed with --now so the
# test knows every number. A missing Chromium, Node.js or playwright-core is a FAIL, not a skip; under the
# valgrind pass (TEST_WRAPPER set) it says SKIP.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: chart_browser.sh under TEST_WRAPPER ($TEST_WRAPPER): the browser test runs on the plain build"
  exit 0
fi
require_browser_test

NOW=1796600000 # 2026-12-06T23:33:20Z
CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN $FIXTURES/abi13.so" '[plugin:abi13]' 'case = good'
SERVER_ARGS="--now $NOW"
if ! start_server "$CONFIG"; then echo "FAIL: the server starts with API Keys and the abi13 fixture"; exit 1; fi

PANEL_URL="$SERVER_URL" ADMIN_PASSWORD="$FIRST_PASSWORD" PANEL_NOW="$NOW" SCREENSHOT_DIR="$PWD/$B/screenshots" \
  node "$BROWSER_DIR/chart.test.js"
stop_server
if [ "$STOP_RC" = 0 ]; then echo "PASS: the server exits 0 on SIGTERM after the chart browser test"
else echo "FAIL: the server exits 0 on SIGTERM after the chart browser test (exit $STOP_RC)"; cat "$SERVER_LOG"; fi
