#!/bin/bash
# pg_named_store.sh - runs the PostgreSQL store's named-key unit test ($B/tests/store_pg_named, cmocka) against a
# private PostgreSQL 15 (tests/pg/pg_server.sh): each cmocka test is one check here. Then named keys through the
# sample host on that store: create-key (its row invisible to the snapshot statement of the plugin before named
# keys), a running node (serve) verifying with the named key and its scope at once, reset-key (the old key dies
# when the action returns), revoke.
. "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
BIN="$PWD/$B/tests/store_pg_named"
if [ ! -x "$BIN" ]; then echo "FAIL: $BIN is built (make B=$B)"; exit 1; fi
pg_private_start
mkdir -p "$TMP/data"; chmod 700 "$TMP/data"
APIKEYS_TEST_PG=$(pg_conninfo_socket) APIKEYS_TEST_DIR="$TMP/data" ${TEST_WRAPPER:-} "$BIN" >"$TMP/unit" 2>&1
RC=$?
OUT=$(cat "$TMP/unit"); ERR=""
grep -E '^\[       OK \] ' "$TMP/unit" | sed 's/^\[       OK \] /PASS: postgresql named keys: /'
if grep -q '^\[  FAILED  \] [a-z_0-9]' "$TMP/unit" || [ "$RC" -ne 0 ]; then fail "postgresql named keys (unit test)"; fi

# ----- through the sample host (a fresh database) ----------------------------------------------------------------
pg_sql_db postgres "CREATE DATABASE cli OWNER panel" >/dev/null
PAGE=settings/api-key
SCOPES='api_scopes = store.read: Read the store; deliveries.pull: Pull deliveries; deliveries.ack: Acknowledge deliveries'
pg_node_config 1 "$(pg_conninfo_socket cli)" "$SCOPES"; pg_node_config 2 "$(pg_conninfo_socket cli)" "$SCOPES"
P1=(-c "$TMP/pg1.ini"); P2=(-c "$TMP/pg2.ini")
run "${P1[@]}" --json action $PAGE enable
expect_rc 0 "postgresql: enable creates the site key"
cp "$TMP/pgdata1/apikeys.secret" "$TMP/pgdata2/apikeys.secret"
if start_server "$TMP/pg2.ini" pgnode; then
  http GET /api/v1/ping -H "X-API-Key: $(json_get 'j["secret"]')"
  [ "$CODE" = 200 ] && pass "postgresql: the node accepts the site key" || fail "pg node site key: $CODE $BODY"
  run "${P1[@]}" --json action $PAGE create-key --param label=bot --param scopes=store.read
  expect_rc 0 "postgresql: create-key"
  NK=$(json_get 'j["secret"]'); REC=$(json_get 'j.get("record", "")')
  [ "$(pg_sql_db cli "SELECT count(*) FROM apikeys_named WHERE label = 'bot' AND revoked_at IS NULL")" = 1 ] \
    && pass "postgresql: the named key is stored in apikeys_named" || fail "pg named row"
  # Its key row has role NULL and named_role 'current', so the snapshot statement of the plugin before named keys
  # (9426ccb, word for word), which a node not yet upgraded runs, still returns the site key's row alone.
  [ "$(pg_sql_db cli "SELECT COALESCE(role, '-') || '/' || named_role FROM apikeys_keys WHERE named_key IS NOT NULL")" = "-/current" ] \
    && pass "postgresql: the named key's row has role NULL and named_role current" || fail "pg named role"
  OLD_SNAPSHOT="SELECT s.change, s.api_enabled, k.id, k.digest, COALESCE(k.expires_at, 0), s.allowed_ips, s.rate_limit FROM apikeys_state s LEFT JOIN apikeys_keys k ON k.role IS NOT NULL WHERE s.id = 1"
  [ "$(pg_sql_db cli "SELECT string_agg(COALESCE(k.named_key::text, k.name), ',') FROM ($OLD_SNAPSHOT) o JOIN apikeys_keys k ON k.id = o.id")" = site ] \
    && pass "postgresql: the old plugin's snapshot statement returns only the site key's row" || fail "pg old snapshot"
  http GET /api/v1/store -H "X-API-Key: $NK"
  [ "$CODE" = 200 ] && pass "postgresql: at once the node accepts the named key on a route of its scope" \
    || fail "pg named 200: $CODE $BODY"
  http POST /api/v1/deliveries/pull -H "X-API-Key: $NK"
  [ "$CODE" = 403 ] && pass "postgresql: the node refuses it on a route outside its scope (403)" \
    || fail "pg named scope: $CODE $BODY"
  run "${P1[@]}" --json action $PAGE reset-key --record "$REC" --param grace=0 --yes
  expect_rc 0 "postgresql: reset-key"
  NK2=$(json_get 'j["secret"]')
  http GET /api/v1/store -H "X-API-Key: $NK"
  [ "$CODE" = 401 ] && pass "postgresql: when reset-key returned, the node refuses the old named key" \
    || fail "pg named old key: $CODE $BODY"
  http GET /api/v1/store -H "X-API-Key: $NK2"
  [ "$CODE" = 200 ] && pass "postgresql: the node accepts the new named key" || fail "pg named new key: $CODE $BODY"
  run "${P1[@]}" --json action $PAGE revoke --record "$REC" --yes
  expect_rc 0 "postgresql: revoke"
  http GET /api/v1/store -H "X-API-Key: $NK2"
  [ "$CODE" = 401 ] && pass "postgresql: when revoke returned, the node refuses the named key" \
    || fail "pg named revoked: $CODE $BODY"
  stop_server
else
  fail "postgresql: the node starts"
fi
pg_stop
