#!/bin/bash
# reliability_crash.sh - crash consistency and crash freshness of the API Keys plugin (issue 5): runs
# $B/tests/reliability/crash_kill, which SIGKILLs a host process running enable/disable/reset/end-grace at
# random instants (RELIABILITY_KILLS times, default 250) while a long-running process keeps verifying, and
# checks the committed state after each kill (see tests/reliability/crash_kill.c). Prints its PASS:/FAIL: lines.
. "$(dirname "$0")/lib.sh"
BIN="$PWD/$B/tests/reliability/crash_kill"
if [ ! -x "$BIN" ]; then
  echo "FAIL: $BIN is not built (make B=$B all)"
  exit 1
fi
# Under a TEST_WRAPPER (valgrind) every process is ~50x slower: fewer kills there (the figures come from the
# plain run).
kills=${RELIABILITY_KILLS:-250}
[ -n "${TEST_WRAPPER:-}" ] && kills=${RELIABILITY_KILLS:-20}
${TEST_WRAPPER:-} "$BIN" "$PLUGIN" "$TMP" "$kills" ${RELIABILITY_SEED:-}
