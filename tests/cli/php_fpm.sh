#!/bin/bash
# php_fpm.sh - the example PHP panel under nginx + php-fpm (4 static workers, the preload setup, a loopback
# port in a temp dir; started and stopped here, also when a check fails): the API answers with the sample
# host's status codes and bodies; the key works through every worker; after `sample-host action
# settings/api-key reset --yes` on the same config, 60 requests with the old key (spread over all workers) all
# get 401 and 60 with the new key all get 200; a worker killed with SIGKILL in the middle of a request changes
# nothing for the others (nor for a reset after it); a graceful stop lets each worker close its host (the use
# counts reach the store). Missing php-fpm or nginx is a FAIL with the apt-get command.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../php/php_env.sh"
source "$(dirname "$0")/../php/fpm_stack.sh"

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: php_fpm.sh under TEST_WRAPPER ($TEST_WRAPPER): PHP, php-fpm and nginx are not run under valgrind;" \
       "make test runs this test on the plain build"
  exit 0
fi
require_php fpm
php_environment
trap 'stop_php_stack KILL; rm -rf "$TMP"' EXIT

CONFIG="$TMP/panel.ini"
cat >"$CONFIG" <<CONFIG
[host]
data_dir = $TMP/data
plugins = $PLUGIN
store_name = Test <Store>
currency = EUR
[role:owner]
permissions = *
[user:admin]
role = owner
[plugin:apikeys]
flush_interval = 3600
CONFIG
chmod 600 "$CONFIG"
key_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])'; }
run -c "$CONFIG" --json action settings/api-key enable
OLD=$(printf '%s' "$OUT" | key_of 2>/dev/null)
[ -n "$OLD" ] || { fail "the CLI enables the API and prints a key"; exit 1; }

if ! start_php_stack "$CONFIG" 4; then echo "FAIL: nginx + php-fpm with 4 workers start"; exit 1; fi
pass "nginx + php-fpm (4 static workers, ffi.enable=preload + opcache.preload) serve the example panel"
mapfile -t WORKERS < <(fpm_workers)

# codes KEY N PATH: N requests with KEY over 4 keep-alive connections at once (4 curls, so the 4 workers are all
# busy and each serves some, however the machine schedules them); prints the codes.
codes() { local key=$1 n=$2 path=${3:-/api/v1/ping} urls=() i c
  for i in $(seq 1 $(((n + 3) / 4))); do urls+=(-o /dev/null "$STACK_URL$path"); done
  for c in 1 2 3 4; do curl -s -H "X-API-Key: $key" -w '%{http_code}\n' "${urls[@]}" >"$TMP/codes.$c" & done
  wait; cat "$TMP/codes.1" "$TMP/codes.2" "$TMP/codes.3" "$TMP/codes.4"; }
# workers_of N: how many different workers served the last N requests (fpm's access log).
workers_of() { tail -n "$1" "$STACK/fpm-access.log" | awk '{print $1}' | sort -u | wc -l; }
# all_are CODE: every line of $CODES is CODE.
all_are() { [ "$(printf '%s\n' "$CODES" | grep -c .)" -gt 0 ] && [ -z "$(printf '%s\n' "$CODES" | grep -v "^$1\$")" ]; }
# all_refused: every line of $CODES is 401, or 429 (too_many_invalid: past 30 stale keys a minute from one address).
all_refused() { [ "$(printf '%s\n' "$CODES" | grep -c .)" -gt 0 ] && [ -z "$(printf '%s\n' "$CODES" | grep -Ev '^(401|429)$')" ]; }

CODES=$(codes "$OLD" 24)
if all_are 200 && [ "$(workers_of 24)" -eq 4 ]; then pass "the key works through every one of the 4 workers"
else fail "the key works through every one of the 4 workers (codes: $(echo $CODES); workers: $(workers_of 24))"; fi

# the same status and body as the sample host, for each kind of answer
compare() { local what=$1 method=$2 path=$3; shift 3
  local want code body
  want=$($HOST -c "$CONFIG" call "$method" "$path" "${@/#/-H}" 2>/dev/null)
  code=$(curl -s -X "$method" -o "$TMP/body" -w '%{http_code}' "${@/#/-H}" "$STACK_URL$path"); body=$(cat "$TMP/body")
  if [ "HTTP $code"$'\n'"$body" = "$want" ]; then pass "$what: the sample host's status and body ($code)"
  else fail "$what: the sample host's status and body"; echo "  php:    $code $body"; echo "  sample: $want"; fi
}
compare "ping with the key" GET /api/v1/ping "X-API-Key: $OLD"
compare "store with the key as Bearer" GET /api/v1/store "Authorization: Bearer $OLD"
compare "ping without a key" GET /api/v1/ping
compare "ping with a mistyped key" GET /api/v1/ping "X-API-Key: ${OLD%?}x"
compare "ping with an unknown key" GET /api/v1/ping "X-API-Key: sak_0000000000000000000000000000000000000000000A2Lz8T"
# a named key (made with the CLI) holding deliveries.pull only: the store route requires store.read
NAMED=$($HOST -c "$CONFIG" --json action settings/api-key create-key --param label=puller --param scopes=deliveries.pull 2>/dev/null \
  | python3 -c 'import json,sys; print(json.load(sys.stdin).get("secret") or "")')
[ -n "$NAMED" ] || fail "the CLI creates a named key with scope deliveries.pull"
compare "ping with a named key (no scope needed)" GET /api/v1/ping "X-API-Key: $NAMED"
compare "store with a named key without store.read (403 scope)" GET /api/v1/store "X-API-Key: $NAMED"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-API-Key: $OLD" "$STACK_URL/api/v1/ping")
[ "$code" = 405 ] && pass "POST /api/v1/ping is 405, as in the sample host" || fail "POST /api/v1/ping is 405 (got $code)"
curl -s -D "$TMP/h401" -o /dev/null "$STACK_URL/api/v1/ping"
grep -qi '^WWW-Authenticate: Bearer' "$TMP/h401" && pass "a 401 carries WWW-Authenticate: Bearer" || fail "a 401 carries WWW-Authenticate: Bearer"

# a reset from the CLI on the same config
run -c "$CONFIG" --json action settings/api-key reset --yes
NEW=$(printf '%s' "$OUT" | key_of 2>/dev/null)
[ -n "$NEW" ] && [ "$NEW" != "$OLD" ] && pass "sample-host action settings/api-key reset --yes gives a new key" \
  || fail "sample-host action settings/api-key reset --yes gives a new key"
CODES=$(codes "$OLD" 60)
if all_refused && [ "$(workers_of 60)" -eq 4 ]; then pass "after the CLI reset, 60 requests with the old key over all 4 workers all get 401 (429 past 30 a minute)"
else fail "after the CLI reset, 60 requests with the old key all get 401 (codes: $(printf '%s\n' "$CODES" | sort | uniq -c | tr '\n' ' '); workers: $(workers_of 60))"; fi
CODES=$(codes "$NEW" 60)
if all_are 200 && [ "$(workers_of 60)" -eq 4 ]; then pass "after the CLI reset, 60 requests with the new key over all 4 workers all get 200"
else fail "after the CLI reset, 60 requests with the new key all get 200 (codes: $(printf '%s\n' "$CODES" | sort | uniq -c | tr '\n' ' '); workers: $(workers_of 60))"; fi
same=$(fpm_workers | sort | tr '\n' ' '); before=$(printf '%s\n' "${WORKERS[@]}" | sort | tr '\n' ' ')
[ "$same" = "$before" ] && pass "the workers were not restarted (each kept its host open across requests)" \
  || fail "the workers were not restarted ($before -> $same)"

# a worker killed with SIGKILL in the middle of a request (after it authenticated, while it holds the request)
cat >"$STACK/test-slow.php" <<'PHP'
<?php
$host = Panel\Host::open(getenv('PANEL_CONFIG'));
$verdict = $host->authenticate('GET', '/api/v1/ping', $_SERVER['REMOTE_ADDR'], getallheaders(), Panel\Host::ANY_SCOPE);
file_put_contents(dirname(__FILE__) . '/slow.pid', getmypid() . ' ' . ($verdict['allowed'] ? 'allowed' : 'denied'));
for ($i = 0; $i < 300; $i++) { usleep(100000); }
echo 'not killed';
PHP
rm -f "$STACK/slow.pid"
curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $NEW" "$STACK_URL/test-slow.php" >"$TMP/slow.code" 2>/dev/null &
SLOW=$!
for i in $(seq 1 100); do [ -s "$STACK/slow.pid" ] && break; sleep 0.05; done
VICTIM="" VERDICT=""
[ -s "$STACK/slow.pid" ] && read -r VICTIM VERDICT <"$STACK/slow.pid"
if [ -n "${VICTIM:-}" ] && [ "$VERDICT" = allowed ]; then
  kill -KILL "$VICTIM"
  wait "$SLOW"
  pass "a worker in the middle of a request (key checked) is killed with SIGKILL (its client got $(cat "$TMP/slow.code"))"
else
  fail "the slow request reached a worker and checked its key ($(cat "$STACK/slow.pid" 2>/dev/null))"; stack_logs
  kill "$SLOW" 2>/dev/null
fi
CODES=$(codes "$NEW" 30)
all_are 200 && pass "after the kill, 30 requests with the current key all get 200" \
  || fail "after the kill, 30 requests with the current key all get 200 ($(echo $CODES))"
CODES=$(codes "$OLD" 30)
all_refused && pass "after the kill, 30 requests with the old key all get 401 (429 past 30 a minute)" || fail "after the kill, the old key still gets 401 ($(echo $CODES))"
for i in $(seq 1 100); do [ "$(fpm_workers | wc -l)" -eq 4 ] && ! fpm_workers | grep -qx "$VICTIM" && break; sleep 0.05; done
[ "$(fpm_workers | wc -l)" -eq 4 ] && pass "php-fpm replaced the killed worker" || fail "php-fpm replaced the killed worker"
run -c "$CONFIG" --json action settings/api-key reset --yes
THIRD=$(printf '%s' "$OUT" | key_of 2>/dev/null)
CODES=$(codes "$NEW" 40)
codes_old=$CODES
CODES=$(codes "$THIRD" 40)
if [ -n "$THIRD" ] && [ -z "$(printf '%s\n' "$codes_old" | grep -Ev '^(401|429)$')" ] && all_are 200 && [ "$(workers_of 40)" -eq 4 ]; then
  pass "a reset after the kill works: the previous key gets 401 and the new one 200 on all 4 workers (the replacement too)"
else
  fail "a reset after the kill works (old: $(echo $codes_old | tr ' ' '\n' | sort | uniq -c | tr '\n' ' '); new: $(echo $CODES | tr ' ' '\n' | sort | uniq -c | tr '\n' ' '))"
fi

# a reset with a grace period: the value in its grace gets Deprecation and Sunset, as from the sample host; the
# current value neither (issue 21, section 4)
run -c "$CONFIG" --json action settings/api-key reset --yes --param grace=1h
FOURTH=$(printf '%s' "$OUT" | key_of 2>/dev/null)
WANT=$($HOST -c "$CONFIG" --json call GET /api/v1/ping -H "X-API-Key: $THIRD" 2>/dev/null \
  | python3 -c 'import json,sys; h=json.load(sys.stdin).get("headers", {}); print(h.get("Deprecation", ""), "|", h.get("Sunset", ""))')
curl -s -D "$TMP/hgrace" -o /dev/null -H "X-API-Key: $THIRD" "$STACK_URL/api/v1/ping"
GOT="$(sed -n 's/^Deprecation: \(.*\)\r$/\1/Ip' "$TMP/hgrace") | $(sed -n 's/^Sunset: \(.*\)\r$/\1/Ip' "$TMP/hgrace")"
check '[ -n "$FOURTH" ] && [[ "$GOT" =~ ^@[0-9]+\ \|\ [A-Z][a-z][a-z],\ [0-9]{2}\ [A-Z][a-z][a-z]\ [0-9]{4}\ [0-9:]{8}\ GMT$ ]] && [ "$GOT" = "$WANT" ]' \
  "a value in its grace period gets the sample host's Deprecation and Sunset headers ($GOT)" "php: $GOT; sample: $WANT"
curl -s -D "$TMP/hcurrent" -o /dev/null -H "X-API-Key: $FOURTH" "$STACK_URL/api/v1/ping"
check '! grep -qiE "^(Deprecation|Sunset):" "$TMP/hcurrent" && grep -q " 200" "$TMP/hcurrent"' \
  "the current value gets neither header" "$(cat "$TMP/hcurrent")"

# a graceful stop: every worker exits normally and closes its host, so the plugin writes its use counts
stop_php_stack QUIT
run -c "$CONFIG" --json page settings/api-key
# (the key of those requests, THIRD, is the previous key since the reset with a grace period above)
USES=$(printf '%s' "$OUT" | python3 -c 'import json,re,sys; print(next((re.search(r"\((\d+) requests\)", s["value"]).group(1) for s in json.load(sys.stdin)["status"] if s["label"] == "Previous key last used"), "none"))' 2>/dev/null)
if [ "${USES:-0}" -ge 40 ] 2>/dev/null; then pass "after a graceful stop the workers' use counts are in the store ($USES requests with the key)"
else fail "after a graceful stop the workers' use counts are in the store (got '$USES'; flush_interval is an hour, so only closing the host writes them)"; stack_logs; fi
if grep -qiE 'segfault|SIGSEGV|exited on signal 11|core dumped' "$STACK/fpm.log" 2>/dev/null; then
  fail "no worker crashed"; stack_logs; else pass "no worker crashed (fpm's log)"; fi
