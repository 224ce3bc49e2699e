#!/bin/bash
# pg_commit_store.sh - runs the PostgreSQL store's commit-and-wait unit test ($B/tests/store_pg_commit, cmocka)
# against a private PostgreSQL 15 (tests/pg/pg_server.sh): each cmocka test is one check here. A process that is
# both the writer and a node: its admin connection listens for acknowledgements only once it has changed something,
# and its own node serves its change when the commit returns without reloading or acknowledging it.
. "$(dirname "$0")/lib.sh"
BIN="$PWD/$B/tests/store_pg_commit"
if [ ! -x "$BIN" ]; then echo "FAIL: $BIN is built (make B=$B)"; exit 1; fi
pg_private_start
mkdir -p "$TMP/data"; chmod 700 "$TMP/data"
APIKEYS_TEST_PG=$(pg_conninfo_socket) APIKEYS_TEST_DIR="$TMP/data" ${TEST_WRAPPER:-} "$BIN" >"$TMP/unit" 2>&1
RC=$?
grep -E '^\[       OK \] ' "$TMP/unit" | sed 's/^\[       OK \] /PASS: postgresql commit: /'
if grep -q '^\[  FAILED  \] [a-z_0-9]' "$TMP/unit" || [ "$RC" -ne 0 ]; then
  sed 's/^/  /' "$TMP/unit"; fail "postgresql commit (unit test)"
fi
pg_stop
