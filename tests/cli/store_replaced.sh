#!/bin/bash
# store_replaced.sh - the store's files replaced under a running server (issue 20 item 8): restoring the key store
# or its change signal (apikeys.epoch) from a backup, or deleting it, while `serve` runs would split the processes
# (a revoke through the command line would never reach the server, which keeps the old files open). The usage
# flusher notices within one flush interval: from then on the server denies every API request (503) and refuses
# every change, and its log says why and what to do, until it restarts; restarted, it serves again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN" '[plugin:apikeys]' 'flush_interval = 1'
C=(-c "$CONFIG")
run "${C[@]}" --json action settings/api-key enable
KEY=$(json_get 'j["secret"]')

# ping_is STATUS: GET /api/v1/ping with the key answers STATUS.
ping_is() { http GET /api/v1/ping -H "X-API-Key: $KEY"; [ "$CODE" = "$1" ]; }

# replaced FILE WHAT: replaces $TMP/data/FILE by a copy of itself (a new inode, the same bytes, as a restore does)
# while the server runs, then checks the server's answers and log.
replaced() {
  local file=$1 what=$2
  if ! start_server "$CONFIG" "$what"; then fail "$what: the server starts"; return; fi
  http GET /api/v1/ping -H "X-API-Key: $KEY"
  check '[ "$CODE" = 200 ]' "$what: before, the key is allowed"
  cp -p "$TMP/data/$file" "$TMP/data/$file.restored" && mv -f "$TMP/data/$file.restored" "$TMP/data/$file"
  if wait_until "ping_is 503" 10; then pass "$what: the server denies API requests (503) within the flush interval"; else
    fail "$what: the server denies API requests (503) within the flush interval (last $CODE)"; fi
  check 'grep -q "replaced or removed while this process used it" "$SERVER_LOG" && grep -q "until this server restarts" "$SERVER_LOG"' \
    "$what: the log says which file was replaced and that a restart is needed"
  http GET /api/v1/ping -H "X-API-Key: $KEY"
  check '[ "$CODE" = 503 ] && ! printf "%s" "$BODY" | grep -q "$KEY"' "$what: it stays denied, without echoing the key"
  stop_server
  if start_server "$CONFIG" "$what-restarted"; then
    http GET /api/v1/ping -H "X-API-Key: $KEY"
    check '[ "$CODE" = 200 ]' "$what: restarted, the server serves the key again"
    stop_server
  else
    fail "$what: the server restarts"
  fi
}

replaced apikeys.epoch "change signal replaced"
replaced apikeys.db "key store replaced"

# A removed change signal: denied as well (a new one is created by the next process that opens the store).
if start_server "$CONFIG" removed; then
  rm -f "$TMP/data/apikeys.epoch"
  if wait_until "ping_is 503" 10; then pass "change signal removed: the server denies API requests (503)"; else
    fail "change signal removed: the server denies API requests (503) (last $CODE)"; fi
  stop_server
fi
