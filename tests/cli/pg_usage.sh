#!/bin/bash
# pg_usage.sh - usage per hour on a PostgreSQL store shared by two nodes (issue 21, section 1): each node's flush
# adds its counts to the same hour's rows (never overwrites them), so the page shows the store's totals; the last
# caller reaches the store from the node that saw it; a row 31 days old is pruned (--now). Needs PostgreSQL 15
# (tests/pg/pg_server.sh).
. "$(dirname "$0")/lib.sh"
if [ "${SKIP_UNDER_VALGRIND:-0}" = 1 ] || [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: pg_usage.sh in the valgrind pass: a private PostgreSQL server; make test runs it on the plain build"
  exit 0
fi
PAGE=settings/api-key
NOW=1796000000                                  # 2026-11-30 00:53:20 UTC
HOUR=2026-11-30T00:00:00Z
pg_private_start
SCOPES='api_scopes = store.read: Read the store; deliveries.pull: Pull deliveries; deliveries.ack: Acknowledge deliveries'
pg_node_config 1 "$(pg_conninfo_socket)" "$SCOPES"; pg_node_config 2 "$(pg_conninfo_socket)" "$SCOPES"
P1=(-c "$TMP/pg1.ini"); P2=(-c "$TMP/pg2.ini")
key_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])'; }
row() { printf '%s' "$OUT" | python3 -c "import json,sys; r=[x for x in json.load(sys.stdin) if x['hour']=='$HOUR' and x['key']=='$1']; print(r[0]['$2'] if r else '')"; }

run "${P1[@]}" --now $NOW --json action $PAGE enable
K1=$(printf '%s' "$OUT" | key_of)
cp "$TMP/pgdata1/apikeys.secret" "$TMP/pgdata2/apikeys.secret"
[ "$(pg_sql "SELECT value::int >= 5 AND to_regclass('apikeys_usage') IS NOT NULL FROM apikeys_meta WHERE name = 'schema_version'")" = t ] \
  && pass "postgresql: the store has the usage table of schema version 5" || fail "pg schema version 5 (apikeys_usage)"
for i in 1 2 3 4; do run "${P1[@]}" --now $((NOW + i)) call GET /api/v1/ping -H "X-API-Key: $K1" --from 203.0.113.7; done
expect_out '^HTTP 200' "node 1 allows the site key"
for i in 1 2 3; do run "${P2[@]}" --now $((NOW + 10 + i)) call GET /api/v1/ping -H "X-API-Key: $K1" --from 198.51.100.9 -H 'User-Agent: NodeTwo/1'; done
expect_out '^HTTP 200' "node 2 allows the site key"
run "${P1[@]}" --now $((NOW + 20)) call GET /api/v1/ping -H "X-API-Key: ${K1%?????}AAAAA"
run "${P2[@]}" --now $((NOW + 20)) call GET /api/v1/ping -H "X-API-Key: ${K1%?????}AAAAA"
run "${P2[@]}" --now $((NOW + 30)) --json table $PAGE usage
check '[ "$(row site allowed) $(row none malformed)" = "7 2" ]' \
  "both nodes' counts add up in the hour's rows (site 4 + 3 allowed, none 1 + 1 malformed)"
check '[ "$(pg_sql "SELECT count FROM apikeys_usage WHERE key = '"'"'site'"'"' AND code = '"'"'allowed'"'"'")" = 7 ]' \
  "one row per hour, key and code in apikeys_usage, holding the sum"
run "${P1[@]}" --now $((NOW + 30)) --json table $PAGE usage
check '[ "$(row site allowed)" = 7 ]' "node 1 shows the same totals"
check '[ "$(pg_sql "SELECT last_addr || '"'"' '"'"'|| last_agent FROM apikeys_keys WHERE role = '"'"'current'"'"'")" = "198.51.100.9 NodeTwo/1" ]' \
  "the last caller (seen by node 2, the later one) is kept, nothing older"
run "${P1[@]}" --now $((NOW + 31 * 86400)) call GET /api/v1/ping -H "X-API-Key: $K1"
check '[ "$(pg_sql "SELECT count(*) FROM apikeys_usage WHERE hour = '$((NOW - NOW % 3600))'")" = 0 ]' \
  "a row 31 days old is pruned at the next flush"

# a named key in its reset grace: the page (node 1) shows the last caller node 2 saw with its previous value
T=$((NOW + 32 * 86400))
run "${P1[@]}" --now $T --json action $PAGE create-key --param label=relay --param scopes=store.read
OLDV=$(printf '%s' "$OUT" | key_of); REC=$(json_get 'j.get("record", "")')
run "${P1[@]}" --now $((T + 10)) --json action $PAGE reset-key --record "$REC" --yes --param grace=1h
run "${P2[@]}" --now $((T + 20)) call GET /api/v1/ping -H "X-API-Key: $OLDV" --from 203.0.113.8 -H 'User-Agent: RelayBot/3'
expect_out '^Sunset: ' "node 2 tells the named key's old value its Sunset"
run "${P1[@]}" --now $((T + 200)) page $PAGE
expect_out "relay \\(key $REC\\): previous value last caller +3 minutes ago from 203\\.0\\.113\\.8 \\(RelayBot/3\\)" \
  "node 1's page shows the named key's previous value's last caller, seen by node 2"
pg_stop
