#!/bin/bash
# php_panel_hardening.sh - the example PHP panel under nginx + php-fpm (tests/php/fpm_stack.sh) as an attacker
# sees it (issue 20, items 3, 6, 11, 15, 18): logins are throttled with the sample host's rules (the 6th wrong
# password for a user is 429 with Retry-After, the 21st failure from one address too, parallel guesses get no
# extra tries, a browser with the user's device cookie still logs in) and an unknown user name costs the time of
# a known one; anonymous requests write no session file; sessions expire (idle and absolute; the test ages the
# timestamps inside the session file, a hook that is not in the product) and expired files go at the next
# login; no X-Powered-By; a host that cannot open shows no paths; HEAD answers as GET without a body and
# OPTIONS with 204 and Allow. Each client address is a loopback address of its own (curl --interface).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../php/php_env.sh"
source "$(dirname "$0")/../php/fpm_stack.sh"

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: php_panel_hardening.sh under TEST_WRAPPER ($TEST_WRAPPER): PHP, php-fpm and nginx are not run under" \
       "valgrind; make test runs this test on the plain build"
  exit 0
fi
require_php fpm
php_environment
trap 'stop_php_stack KILL; rm -rf "$TMP"' EXIT

CONFIG="$TMP/panel.ini"
USERS="admin k1 k2 k3 k4 k5 k6 k7 par"
{
  printf '[host]\ndata_dir = %s/data\nplugins = %s\nstore_name = Test\ncurrency = EUR\n[role:owner]\npermissions = *\n' "$TMP" "$PLUGIN"
  for u in $USERS; do printf '[user:%s]\nrole = owner\n' "$u"; done
} >"$CONFIG"
chmod 600 "$CONFIG"
for u in $USERS; do
  printf '%s-pw-hardening\n' "$u" | $HOST -c "$CONFIG" passwd "$u" >/dev/null 2>"$TMP/passwd.err" \
    || { echo "FAIL: sample-host passwd $u"; cat "$TMP/passwd.err"; exit 1; }
done
run -c "$CONFIG" --json action settings/api-key enable
KEY=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])' 2>/dev/null)
if ! start_php_stack "$CONFIG" 2; then echo "FAIL: nginx + php-fpm serve the example panel"; exit 1; fi
SESSIONS="$TMP/data/php-sessions"
session_files() { find "$SESSIONS" -name 'sess_*' 2>/dev/null | wc -l; }

# login_status JAR USER PASSWORD [ADDRESS]: GET /login for the form's CSRF token, POST it; prints the status and
# leaves the answer's headers in $TMP/login.h.
login_status() { local jar=$1 user=$2 pw=$3 addr=${4:-127.0.0.1} csrf
  csrf=$(curl -s --interface "$addr" -b "$jar" -c "$jar" "$STACK_URL/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
  curl -s --interface "$addr" -b "$jar" -c "$jar" -D "$TMP/login.h" -o /dev/null -w '%{http_code}' \
    --data-urlencode "_csrf=$csrf" --data-urlencode "user=$user" --data-urlencode "password=$pw" "$STACK_URL/login"; }

# --- item 6: anonymous requests write no session file
for i in $(seq 1 10); do
  curl -s -o /dev/null "$STACK_URL/login"; curl -s -o /dev/null "$STACK_URL/admin"; curl -s -o /dev/null "$STACK_URL/"
  curl -s -o /dev/null -b 'panel_session=abcdefghijklmnopqrstuvwxyz0123456789' "$STACK_URL/admin/settings/api-key"
done
n=$(session_files)
[ "$n" -eq 0 ] && pass "40 anonymous GETs (10 with a made-up session cookie) write no session file" \
  || fail "40 anonymous GETs write no session file ($n in $SESSIONS)"

# --- item 18: no X-Powered-By
curl -s -D "$TMP/h.login" -o /dev/null "$STACK_URL/login"
curl -s -D "$TMP/h.api" -o /dev/null -H "X-API-Key: $KEY" "$STACK_URL/api/v1/ping"
if grep -qi '^X-Powered-By' "$TMP/h.login" "$TMP/h.api"; then fail "no X-Powered-By header ($(grep -hi '^X-Powered-By' "$TMP/h.login" | tr -d '\r'))"
else pass "no X-Powered-By header on the login page nor on the API"; fi

# --- item 3: an unknown user name costs the time of a known one (wrong passwords, 7 of each, interleaved; each
# known name is a different user so no per-user throttle applies; 14 failures from 127.0.0.1 are under its 20)
: >"$TMP/t.known"; : >"$TMP/t.unknown"
for i in 1 2 3 4 5 6 7; do
  for kind in known unknown; do
    [ $kind = known ] && u=k$i || u=nobody$i
    csrf=$(curl -s -b "$TMP/jt" -c "$TMP/jt" "$STACK_URL/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
    curl -s -b "$TMP/jt" -c "$TMP/jt" -o /dev/null -w '%{http_code} %{time_total}\n' --data-urlencode "_csrf=$csrf" \
      --data-urlencode "user=$u" --data-urlencode "password=wrong-$i" "$STACK_URL/login" >>"$TMP/t.$kind"
  done
done
median() { awk '{print $2}' "$1" | sort -n | sed -n 4p; }
MK=$(median "$TMP/t.known") MU=$(median "$TMP/t.unknown")
codes=$(awk '{print $1}' "$TMP/t.known" "$TMP/t.unknown" | sort -u | tr '\n' ' ')
if [ "$codes" = "401 " ] && python3 -c "import sys; k,u=$MK,$MU; sys.exit(0 if abs(k-u) <= 0.2*max(k,u) else 1)"; then
  pass "a wrong password for an unknown user takes the time of a known one (medians of 7: known ${MK}s, unknown ${MU}s)"
else fail "an unknown user takes the time of a known one within 20 % (medians: known ${MK}s, unknown ${MU}s; codes $codes)"; fi

# --- item 3: the per-user throttle, and the device cookie that lets a known browser past it
[ "$(login_status "$TMP/jdev" admin admin-pw-hardening 127.0.0.2)" = 303 ] && grep -qi '^Set-Cookie: panel_device=' "$TMP/login.h" \
  && pass "a successful login gives the browser a device cookie" || fail "a successful login gives the browser a device cookie"
got=""
for i in 1 2 3 4 5 6; do got+="$(login_status "$TMP/jatt" admin "guess-$i" 127.0.0.2) "; done
retry=$(grep -i '^Retry-After:' "$TMP/login.h" | tr -dc 0-9)
if [ "$got" = "401 401 401 401 401 429 " ] && [ "${retry:-0}" -gt 0 ]; then
  pass "the 6th wrong password in a row for a user is 429 with Retry-After ($retry s)"
else fail "the 6th wrong password in a row for a user is 429 with Retry-After (codes: $got; Retry-After: '${retry:-}')"; fi
code=$(login_status "$TMP/jother" admin admin-pw-hardening 127.0.0.5)
[ "$code" = 429 ] && pass "the locked user is locked for a browser without its device cookie, even with the right password" \
  || fail "the locked user is locked for a browser without its device cookie (got $code)"
code=$(login_status "$TMP/jdev" admin admin-pw-hardening 127.0.0.2)
[ "$code" = 303 ] && pass "the browser with the user's device cookie still logs in while the user name is locked" \
  || fail "the browser with the user's device cookie still logs in while the user name is locked (got $code)"

# --- item 3 (and 5): the attempt is reserved before the hash: 10 parallel wrong passwords get 5 tries, not 10
pids=()
for i in $(seq 1 10); do login_status "$TMP/jpar$i" par "guess-$i" 127.0.0.3 >"$TMP/par.$i" & pids+=($!); done
wait "${pids[@]}" # (not a bare wait: php-fpm and nginx are children too)
got=$(for f in "$TMP"/par.*; do cat "$f"; echo; done | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
[ "$got" = "401x5 429x5 " ] && pass "10 parallel wrong passwords for one user: 5 are checked (401), 5 get 429" \
  || fail "10 parallel wrong passwords for one user: 5 checked, 5 refused (got $got)"

# --- item 3: the per-address throttle (20 failures, any user names)
got=""
for i in $(seq 1 21); do got="$(login_status "$TMP/jaddr" "addr$i" wrong 127.0.0.4)"; [ $i -eq 20 ] && at20=$got; done
[ "$at20" = 401 ] && [ "$got" = 429 ] && pass "the 21st failure from one address (20 different user names) is 429" \
  || fail "the 21st failure from one address is 429 (20th: $at20, 21st: $got)"

# --- item 18: sessions expire (idle 30 min, absolute 12 h), expired files go at the next login
age_session() { local jar=$1 field=$2 seconds=$3 id file
  id=$(awk '$6 == "panel_session" {print $7}' "$jar" | tail -1); file="$SESSIONS/sess_$id"
  [ -f "$file" ] || return 1
  python3 - "$file" "$field" "$seconds" <<'PY'
import re, sys, time
path, field, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path).read()
text = re.sub(field + r'\|i:\d+;', '%s|i:%d;' % (field, int(time.time()) - seconds), text)
open(path, 'w').write(text)
PY
}
admin_status() { curl -s -o /dev/null -w '%{http_code}' -b "$1" -c "$1" "$STACK_URL/admin/settings/api-key"; }
for what in "last_seen 1801 idle for 31 minutes" "created 43201 older than 12 hours"; do
  set -- $what; field=$1 secs=$2; shift 2
  rm -f "$TMP/js"
  code=$(login_status "$TMP/js" k1 k1-pw-hardening 127.0.0.6)
  before=$(admin_status "$TMP/js")
  if [ "$code" = 303 ] && [ "$before" = 200 ] && age_session "$TMP/js" "$field" "$secs"; then
    after=$(admin_status "$TMP/js")
    [ "$after" = 303 ] && pass "a session $* is refused (a redirect to /login)" \
      || fail "a session $* is refused (got $after)"
  else fail "a session to age ($code, $before)"; fi
done
touch -d '2 hours ago' "$SESSIONS/sess_expiredexpiredexpired01"
login_status "$TMP/jgc" k2 k2-pw-hardening 127.0.0.6 >/dev/null
[ ! -e "$SESSIONS/sess_expiredexpiredexpired01" ] && pass "a login removes session files idle for more than 30 minutes" \
  || fail "a login removes session files idle for more than 30 minutes"

# --- item 15: HEAD as GET without a body, OPTIONS with 204 and Allow
raw() { python3 - "$STACK_URL" "$1" "$2" "${3:-}" <<'PY'
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); method, path, key = sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.create_connection((u.hostname, u.port), timeout=5)
extra = 'X-API-Key: %s\r\n' % key if key else ''
s.sendall(('%s %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n' % (method, path, extra)).encode())
data = b''
while True:
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
head, _, body = data.partition(b'\r\n\r\n')
print(head.decode().split('\r\n')[0].split(' ')[1], len(body))
for line in head.decode().split('\r\n')[1:]:
    print(line)
PY
}
for path in /api/v1/ping /login /healthz; do
  out=$(raw HEAD "$path" "$KEY"); first=$(printf '%s' "$out" | head -1)
  [ "$first" = "200 0" ] && pass "HEAD $path answers 200 without a body" || fail "HEAD $path answers 200 without a body (got: $first)"
done
len_get=$(curl -s -H "X-API-Key: $KEY" -o /dev/null -w '%{size_download}' "$STACK_URL/api/v1/ping")
len_head=$(raw HEAD /api/v1/ping "$KEY" | grep -i '^Content-Length:' | tr -dc 0-9)
[ "$len_head" = "$len_get" ] && pass "HEAD /api/v1/ping has the GET's Content-Length ($len_get)" \
  || fail "HEAD /api/v1/ping has the GET's Content-Length (HEAD: '$len_head', GET body: $len_get)"
for spec in "/api/v1/store|GET, HEAD, OPTIONS" "/login|GET, HEAD, POST, OPTIONS" "/admin/settings/api-key|GET, HEAD, OPTIONS" \
            "/admin/settings/api-key/action/reset|POST, OPTIONS"; do
  path=${spec%%|*} want=${spec#*|}
  out=$(raw OPTIONS "$path"); first=$(printf '%s' "$out" | head -1); allow=$(printf '%s' "$out" | sed -n 's/^Allow: //Ip')
  [ "$first" = "204 0" ] && [ "$allow" = "$want" ] && pass "OPTIONS $path: 204 with Allow: $want" \
    || fail "OPTIONS $path: 204 with Allow: $want (got: $first, Allow: '$allow')"
done
[ "$(raw OPTIONS /nowhere | head -1 | cut -d' ' -f1)" = 404 ] && pass "OPTIONS on no route is 404" || fail "OPTIONS on no route is 404"

stop_php_stack QUIT
if grep -q 'PHP \(Fatal\|Warning\)' "$STACK/php-errors.log" 2>/dev/null; then
  fail "the panel logged no PHP error"; head -20 "$STACK/php-errors.log"; else pass "the panel logged no PHP error or warning"; fi

# --- item 11: a host that cannot open: a generic message for people, the reason in the error log only
php_preload_options
MISSING="$TMP/no-such-dir/panel.ini"
OUT=$(cd "$TMP" && REQUEST_URI=/login REQUEST_METHOD=GET PANEL_CONFIG="$MISSING" \
  php "${PHP_PRELOAD[@]}" -d display_errors=0 -d log_errors=1 -d "error_log=$TMP/cli-errors.log" "$PHP_PANEL/public/index.php" 2>&1)
if printf '%s' "$OUT" | grep -q 'not available' && ! printf '%s' "$OUT" | grep -q "$TMP" && grep -q "$MISSING" "$TMP/cli-errors.log" 2>/dev/null; then
  pass "a host that cannot open shows a generic message (no path) and logs the reason"
else fail "a host that cannot open shows a generic message and logs the reason (page: $(printf '%s' "$OUT" | head -3))"; fi
