#!/bin/bash
# pg_named_store.sh - runs the PostgreSQL store's named-key unit test ($B/tests/store_pg_named, cmocka) against a
# private PostgreSQL 15 (tests/pg/pg_server.sh): each cmocka test is one check here.
. "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../pg/pg_server.sh"
BIN="$PWD/$B/tests/store_pg_named"
if [ ! -x "$BIN" ]; then echo "FAIL: $BIN is built (make B=$B)"; exit 1; fi
pg_start "$TMP/pg"
mkdir -p "$TMP/data"; chmod 700 "$TMP/data"
APIKEYS_TEST_PG=$(pg_conninfo_socket) APIKEYS_TEST_DIR="$TMP/data" ${TEST_WRAPPER:-} "$BIN" >"$TMP/unit" 2>&1
RC=$?
OUT=$(cat "$TMP/unit"); ERR=""
grep -E '^\[       OK \] ' "$TMP/unit" | sed 's/^\[       OK \] /PASS: postgresql named keys: /'
if grep -q '^\[  FAILED  \] [a-z_0-9]' "$TMP/unit" || [ "$RC" -ne 0 ]; then fail "postgresql named keys (unit test)"; fi
pg_stop
