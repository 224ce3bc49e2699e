#!/bin/bash
# pg_leak_report.sh - a leak report on a PostgreSQL key store with three `serve` nodes (issue 22 §1, "Proof"): a
# private PostgreSQL 15 (tests/pg/pg_server.sh) and nodes web-1..3 on it. The site key and a named key are reported
# to web-1 (POST /api/v1/keys/revoke); the moment its 200 arrives, web-2 and web-3 already refuse each as 401 leaked
# (no waiting: the commit waited for every live node, as a reset does). The status line and the stored digest
# (apikeys_leaked) are checked through web-1's config, and no key is in a dump of the database.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
if [ "${SKIP_UNDER_VALGRIND:-0}" = 1 ]; then
  echo "SKIP: pg_leak_report.sh in the valgrind pass: it runs three servers on PostgreSQL; make test runs it"
  exit 0
fi
if [ ! -f "$PLUGIN" ]; then echo "FAIL: the API Keys plugin is built ($PLUGIN)"; exit 1; fi

PAGE=settings/api-key
SCOPES='api_scopes = store.read: Read the store; deliveries.pull: Pull deliveries; deliveries.ack: Acknowledge deliveries'
pg_private_start
for n in 1 2 3; do
  pg_node_config $n "$(pg_conninfo_socket)" "$SCOPES"
  echo "node_id = web-$n" >>"$TMP/pg$n.ini"
done
P1=(-c "$TMP/pg1.ini")
run "${P1[@]}" --json action $PAGE enable
SK=$(json_get 'j["secret"]')
run "${P1[@]}" --json action $PAGE create-key --param label=bot --param scopes=store.read
NK=$(json_get 'j["secret"]')
check '[ -n "$SK" ] && [ -n "$NK" ]' "the site key and a named key are created"
for n in 2 3; do cp "$TMP/pgdata1/apikeys.secret" "$TMP/pgdata$n/apikeys.secret"; done

declare -A URL PID
for n in 1 2 3; do
  start_server "$TMP/pg$n.ini" "web$n" || { echo "FAIL: node web-$n starts"; exit 1; }
  URL[$n]=$SERVER_URL; PID[$n]=$SERVER_PID
  pg_track_pid "$SERVER_PID"
done
on() { local n=$1; shift; SERVER_URL=${URL[$n]}; http "$@"; }
# every node serves both keys before the reports (a node serves once it holds a lease)
for n in 1 2 3; do
  wait_until 'on '$n' GET /api/v1/ping -H "X-API-Key: $SK"; [ "$CODE" = 200 ]' 20
  check '[ "$CODE" = 200 ]' "web-$n accepts the site key before the report"
  on $n GET /api/v1/whoami -H "X-API-Key: $NK"
  check '[ "$CODE" = 200 ]' "web-$n accepts the named key before the report"
done

# the report on web-1; web-2 and web-3 are asked right after its 200, without waiting
on 1 POST /api/v1/keys/revoke -H 'Content-Type: application/json' \
  --data-binary "{\"token\":\"$SK\",\"url\":\"https://github.com/acme/shop/blob/main/.env\"}"
check '[ "$CODE" = 200 ] && [ "$BODY" = "{}" ]' "web-1 answers the report 200 {}"
for n in 2 3 1; do
  on $n GET /api/v1/ping -H "X-API-Key: $SK"
  check '[ "$CODE" = 401 ] && body_has "\"error\":\"leaked\""' "web-$n refuses the site key as leaked by the time the 200 arrived"
done
on 1 POST /api/v1/keys/revoke --data-urlencode "token=$NK"
check '[ "$CODE" = 200 ] && [ "$BODY" = "{}" ]' "web-1 answers the named key's report 200 {}"
for n in 3 2; do
  on $n GET /api/v1/whoami -H "X-API-Key: $NK"
  check '[ "$CODE" = 401 ] && body_has "\"error\":\"leaked\""' "web-$n refuses the named key as leaked by the time the 200 arrived"
done
on 2 POST /api/v1/keys/revoke --data-urlencode "token=$SK"
check '[ "$CODE" = 200 ] && [ "$BODY" = "{}" ]' "a second report of the same key answers the same 200 {}"

run "${P1[@]}" --json page $PAGE
LINE=$(json_get '[s["value"] for s in j["status"] if s["label"] == "Leak report"][0]' 2>/dev/null)
check 'printf "%s" "$LINE" | grep -Eq "^The API key was reported as leaked on .* from 127\.0\.0\.1 \(found at https://github\.com/acme/shop/blob/main/\.env\) and revoked\. Reset API key to make a new one\.$"' \
  "the owner's status line says what happened and what to do" "line: $LINE"
check '[ "$(pg_sql "SELECT count(*) FROM apikeys_leaked")" = 2 ]' "the store keeps the two reported digests"
DUMP=$("$PG_BIN/pg_dump" "$(pg_conninfo_socket)" 2>&1)
check '! printf "%s" "$DUMP" | grep -qF "$SK" && ! printf "%s" "$DUMP" | grep -qF "$NK"' "no key is in a dump of the database"
for n in 1 2 3; do SERVER_PID=${PID[$n]}; kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID"; done
check '! grep -qF "$SK" "$TMP"/web*.log && ! grep -qF "$NK" "$TMP"/web*.log' "no key is in any node's log"
