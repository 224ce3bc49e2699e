#!/bin/bash
# pg_commit_store.sh - runs the PostgreSQL store's commit-and-wait unit test ($B/tests/store_pg_commit, cmocka)
# against a private PostgreSQL 15 (tests/pg/pg_server.sh): each cmocka test is one check here. A process that is
# both the writer and a node: its admin connection listens for acknowledgements only once it has changed something,
# and its own node serves its change when the commit returns without reloading or acknowledging it; its next change
# reads the site from what that commit left (no round trip) and runs again when another process changed the keys.
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

# The same through the plugin: a long-running process (the web panel on node 1) resets twice; between the two a
# CLI process on node 2 resets. Node 1's second reset is given the site it left itself, out of date now: it fails at
# its guard, runs again (apikeys_write), and its message names node 2's key as the previous one.
source "$(dirname "$0")/../browser/server.sh"
pg_node_config 1 "$(pg_conninfo_socket)"; pg_node_config 2 "$(pg_conninfo_socket)"
# the store's digest secret, made by the unit test's first store: every node has a copy
install -m 0600 "$TMP/data/apikeys.secret" "$TMP/pgdata1/apikeys.secret"
install -m 0600 "$TMP/data/apikeys.secret" "$TMP/pgdata2/apikeys.secret"
if start_server "$TMP/pg1.ini" web1 && [ -n "$FIRST_PASSWORD" ]; then
  JAR="$TMP/jar"
  login admin "$FIRST_PASSWORD" "$JAR"
  # web_reset: POSTs Reset API key (grace 0) on node 1's panel; HINT1 = the new key's hint, PREV1 = the previous one's
  web_reset() {
    http GET /admin/settings/api-key -b "$JAR"
    local token; token=$(csrf_of_body)
    http POST /admin/settings/api-key -b "$JAR" --data "_csrf=$token&_op=action&_action=reset&p.grace=0&_confirm=1"
    follow "$JAR"
    HINT1=$(printf '%s' "$BODY" | grep -Eo 'New API key created \(sak_[^)]*\)' | head -1 | sed 's/.*(//; s/)$//')
    PREV1=$(printf '%s' "$BODY" | grep -Eo 'The previous key \(sak_[^)]*\)' | head -1 | sed 's/.*(//; s/)$//')
  }
  web_reset
  check '[ -n "$HINT1" ]' "web reset on node 1 creates a key" "status $POSTED, page: $(printf '%s' "$BODY" | grep -Eo 'class="flash[^<]*<[^<]*' | head -2)"
  FIRST=$HINT1
  OUT=$("$PWD/$B/sample-host" -c "$TMP/pg2.ini" --json action settings/api-key reset --yes 2>&1)
  HINT2=$(printf '%s' "$OUT" | grep -Eo 'New API key created \(sak_[^)]*\)' | head -1 | sed 's/.*(//; s/)$//')
  check '[ -n "$HINT2" ] && printf "%s" "$OUT" | grep -q "previous key ($FIRST)"' \
    "CLI reset on node 2 replaces node 1's key" "output: $OUT"
  web_reset
  check '[ -n "$HINT1" ] && [ "$PREV1" = "$HINT2" ]' \
    "node 1's next reset, given its own out-of-date view of the keys, runs again and names node 2's key as the previous one" \
    "new $HINT1, previous $PREV1 (node 2's: $HINT2); page: $(printf '%s' "$BODY" | grep -Eo 'class="flash[^<]*<[^<]*' | head -2)"
  CUR=$(pg_sql "SELECT hint FROM apikeys_keys WHERE role = 'current'" 2>/dev/null)
  check '[ -n "$CUR" ] && [ "$CUR" = "$HINT1" ]' "the database's current key is node 1's last" "current $CUR, node 1's $HINT1"
  # A run again starts without the key an earlier run made: node 1 last left the site with no current key (a leak
  # report it took revoked it), node 2 then enabled (a new key), and node 1's Enable, first deciding from memory to
  # make a key, runs again, finds node 2's key and shows no one-time secret (that key was never saved).
  LEAKED=$(printf '%s' "$BODY" | grep -Eo 'sak_[A-Za-z0-9]{40,}' | head -1)
  http POST /api/v1/keys/revoke --data-urlencode "token=$LEAKED"
  check '[ -n "$LEAKED" ] && [ "$(pg_sql "SELECT count(*) FROM apikeys_keys WHERE role = '"'"'current'"'"'")" = 0 ]' \
    "a leak report to node 1 revokes its key" "status $CODE: $BODY"
  OUT=$("$PWD/$B/sample-host" -c "$TMP/pg2.ini" --json action settings/api-key enable 2>&1)
  HINT2=$(printf '%s' "$OUT" | grep -Eo 'A new key was created \(sak_[^)]*\)' | head -1 | sed 's/.*(//; s/)$//')
  check '[ -n "$HINT2" ]' "enable on node 2 makes a new key" "output: $OUT"
  http GET /admin/settings/api-key -b "$JAR"
  TOKEN=$(csrf_of_body)
  http POST /admin/settings/api-key -b "$JAR" --data "_csrf=$TOKEN&_op=action&_action=enable"
  follow "$JAR"
  check 'body_has "already enabled \(key $HINT2\)" && ! body_has "one-time-secret-box" && ! body_has "sak_[A-Za-z0-9]{40,}"' \
    "node 1's Enable, run again, names node 2's key and shows no one-time secret" \
    "page: $(printf '%s' "$BODY" | grep -Eo 'already enabled[^<]*|one-time-secret-box' | head -2)$(body_has \
      'sak_[A-Za-z0-9]{40,}' && echo '; a whole key is on the page')"
  stop_server
else
  fail "the web panel on node 1 starts and prints admin's first password (log: $(tail -3 "$SERVER_LOG" 2>/dev/null))"
fi
pg_stop
