#!/bin/bash
# reliability_race.sh - two processes on one data directory (issue 5): one resets the API key repeatedly
# while another verifies on 3 threads; every verification sees the old or the new state, never a torn one
# (see tests/reliability/two_process_race.c). Prints its PASS:/FAIL: lines.
. "$(dirname "$0")/lib.sh"
BIN="$PWD/$B/tests/reliability/two_process_race"
if [ ! -x "$BIN" ]; then
  echo "FAIL: $BIN is not built (make B=$B all)"
  exit 1
fi
${TEST_WRAPPER:-} "$BIN" "$PLUGIN" "$TMP" "${RELIABILITY_RESETS:-60}"
