#!/bin/bash
# store_files.sh - the SQLite store's file name (issue 20 item 10): [plugin:apikeys] database may not name another
# of the files the plugin keeps in the data directory (apikeys.secret, apikeys.epoch, apikeys.ratelimit) nor a file
# SQLite keeps beside a database (-wal, -shm, -journal). With database = apikeys.ratelimit the limiter would zero
# pages of the key store; the host refuses to start the plugin with a message naming the setting, and neither file
# is touched. A valid name still works.
. "$(dirname "$0")/lib.sh"

# conf NAME DATABASE: writes $TMP/NAME.ini with its own data directory and that database setting.
conf() {
  mkdir -p "$TMP/$1"
  cat >"$TMP/$1.ini" <<INI
[host]
data_dir = $TMP/$1
plugins = $PLUGIN

[role:owner]
permissions = *

[user:admin]
role = owner

[plugin:apikeys]
database = $2
INI
  chmod 600 "$TMP/$1.ini"
  export PANEL_CONFIG="$TMP/$1.ini"
}

for name in apikeys.ratelimit apikeys.epoch apikeys.secret apikeys.db-wal apikeys.db-shm apikeys.db-journal; do
  dir="d_${name//[.-]/_}"
  conf "$dir" "$name"
  run --json action settings/api-key enable
  if [ "$RC" -ne 0 ]; then pass "database = $name: the host does not run the plugin"; else
    fail "database = $name: the host does not run the plugin"; fi
  if printf '%s\n%s' "$OUT" "$ERR" | grep -q "database \"$name\" is the name of"; then
    pass "database = $name: the message names the setting and why"; else
    fail "database = $name: the message names the setting and why"; fi
  if [ ! -e "$TMP/$dir/$name" ] || [ ! -s "$TMP/$dir/$name" ] || ! head -c 16 "$TMP/$dir/$name" | grep -q "SQLite format"; then
    pass "database = $name: no key store was written there"; else
    fail "database = $name: no key store was written there"; fi
done

# The limiter's file and the key store side by side, as they should be.
conf ok apikeys-shop2.db
run --json action settings/api-key enable
expect_rc 0 "database = apikeys-shop2.db: enable succeeds"
if [ -s "$TMP/ok/apikeys-shop2.db" ] && head -c 16 "$TMP/ok/apikeys-shop2.db" | grep -q "SQLite format"; then
  pass "the key store is apikeys-shop2.db"; else fail "the key store is apikeys-shop2.db"; fi
