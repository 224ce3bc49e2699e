#!/bin/bash
# core_dump_secrets.sh - secrets stay out of core dumps (issue 20 item 11): a running `sample-host serve` that has
# verified keys and served the login page is dumped with gdb's gcore (which, like the kernel, leaves out memory
# marked MADV_DONTDUMP); the dump holds neither the plugin's digest secret (DATA_DIR/apikeys.secret) nor the web
# panel's device-cookie key (DATA_DIR/admin-device.secret), nor the site key. The plugin keeps them in libsodium's
# guarded memory (sodium_malloc), and wipes every copy it makes on the way.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

if [ -n "${TEST_WRAPPER:-}" ] || ldd "$PWD/$B/sample-host" 2>/dev/null | grep -Eq 'lib(asan|tsan|ubsan)'; then
  echo "SKIP: core_dump_secrets.sh with TEST_WRAPPER or a sanitizer build ($B): a sanitizer's shadow and quarantine" \
       "make the dump huge and keep freed copies on purpose; make test runs it on the plain build"
  exit 0
fi
if ! command -v gcore >/dev/null; then echo "FAIL: gdb's gcore is installed (run: apt-get install -y gdb)"; exit 1; fi

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN"
run -c "$CONFIG" --json action settings/api-key enable
KEY=$(json_get 'j["secret"]')
if ! start_server "$CONFIG"; then fail "the server starts"; exit 1; fi
for i in 1 2 3; do http GET /api/v1/ping -H "X-API-Key: $KEY"; done
check '[ "$CODE" = 200 ]' "the server verified the key"
http GET /login
check '[ "$CODE" = 200 ]' "the server served the login page (its device-cookie key loaded)"
gcore -o "$TMP/core" "$SERVER_PID" >"$TMP/gcore.log" 2>&1
CORE=$(ls "$TMP"/core.* 2>/dev/null | head -1)
check '[ -s "$CORE" ]' "gcore wrote a core dump of the running server" "$(tail -3 "$TMP/gcore.log")"
stop_server

# found FILE_OR_TEXT: how often its bytes stand in the dump
found() { python3 -c 'import sys; core=open(sys.argv[1],"rb").read(); print(core.count(sys.argv[2].encode("latin-1") if sys.argv[3]=="text" else open(sys.argv[2],"rb").read()))' "$CORE" "$1" "$2"; }
check '[ "$(found "$TMP/data/apikeys.secret" file)" = 0 ]' "the digest secret is not in the core dump"
check '[ "$(found "$TMP/data/admin-device.secret" file)" = 0 ]' "the device-cookie key is not in the core dump"
check '[ "$(found "$KEY" text)" = 0 ]' "the site key the server verified is not in the core dump"
rm -f "$CORE"
