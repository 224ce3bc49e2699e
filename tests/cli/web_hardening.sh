#!/bin/bash
# web_hardening.sh - issue 11's hardening of `sample-host serve` (good fixture plugin): device cookies keep the
# owner's own browser out of a lockout others cause (1); the throttle cannot be flushed by junk failures (2);
# sessions and lockouts are shared by two servers on one data directory (3); [host] public_url = https makes
# every cookie Secure (4); admin requests with a Host outside [host] allowed_hosts get 421 (5); ambiguous
# framing (two Content-Lengths, Content-Length with Transfer-Encoding, a NUL or control byte in a header)
# gets 400 + Connection: close and no second answer (6); trickling clients are cut off by [host]
# header_timeout, body_min_rate and body_timeout (7: a body sent fast enough but for too long, issue 20 item 2).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

has_header() { printf '%s\n' "$HEADERS" | grep -Eiq -- "$1"; }
body_has() { printf '%s' "$BODY" | grep -Eq -- "$1"; }
# login_from ADDR USER PASSWORD JAR: logs in from a source address, keeping the jar's other cookies.
login_from() {
  local addr=$1 user=$2 password=$3 jar=$4
  http GET /login --interface "$addr" -c "$jar" -b "$jar"
  local token; token=$(csrf_of_body)
  http POST /login --interface "$addr" -c "$jar" -b "$jar" --data-urlencode "_csrf=$token" \
    --data-urlencode "user=$user" --data-urlencode "password=$password"
}
# raw HOST_PORT PYTHON_BYTES_LITERAL [SECONDS]: sends the bytes on one connection, reads until the server
# closes it (or SECONDS pass); RAW holds everything received.
raw() {
  RAW=$(python3 - "$1" "$2" "${3:-5}" <<'PY'
import socket, sys, time, ast
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)))
s.sendall(ast.literal_eval(sys.argv[2]))
s.settimeout(float(sys.argv[3]))
out = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
except socket.timeout:
    out += b"\n[still open]"
sys.stdout.write(out.decode("latin-1"))
PY
)
}
# trickle HOST_PORT HEAD BYTE_EVERY SECONDS_MAX [BYTES]: sends HEAD, then one byte (or BYTES bytes) every
# BYTE_EVERY seconds; prints how long the server kept the connection open, or "open" when it was still open after
# SECONDS_MAX.
trickle() {
  python3 - "$@" <<'PY'
import socket, sys, time, ast
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)))
s.sendall(ast.literal_eval(sys.argv[2]))
every, limit, start = float(sys.argv[3]), float(sys.argv[4]), time.monotonic()
piece = b"X" * (int(sys.argv[5]) if len(sys.argv) > 5 else 1)
s.settimeout(every)
while time.monotonic() - start < limit:
    try:
        if s.recv(4096) == b"":
            print("%.1f" % (time.monotonic() - start)); sys.exit(0)
    except socket.timeout:
        pass
    except OSError:
        print("%.1f" % (time.monotonic() - start)); sys.exit(0)
    try:
        s.sendall(piece)
    except OSError:
        print("%.1f" % (time.monotonic() - start)); sys.exit(0)
print("open")
PY
}

# A failed check must not leave a server behind: every server this script started is stopped at exit.
STARTED_PIDS=()
start_tracked() { start_server "$@"; local rc=$?; STARTED_PIDS+=("$SERVER_PID"); return $rc; }
trap 'for p in "${STARTED_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$FIXTURES/good.so"
T0=2000000000   # a fixed host clock: throttle and session times are exact, nothing waits

# ----- 1. device cookies: an attacker elsewhere cannot lock the owner's own browser out ---------------------
SERVER_ARGS="--now $T0" start_tracked "$CONFIG" one || { fail "server starts"; exit 1; }
PORT_ONE=${SERVER_URL#http://}; PORT_ONE=${PORT_ONE%/}
ADMIN_PASSWORD=$FIRST_PASSWORD
OWNER="$TMP/owner.jar"
login_from 127.0.0.3 admin "$ADMIN_PASSWORD" "$OWNER"
check '[ "$CODE" = 303 ] && has_header "^set-cookie: panel_device=[0-9a-f]{96}; HttpOnly; SameSite=Strict; Path=/login; Max-Age=15552000$"' \
  "a successful login gives the browser a signed device cookie (HttpOnly, SameSite=Strict, 180 days, sent to /login only)"
http GET /admin -b "$OWNER" --interface 127.0.0.3; CSRF=$(csrf_of_body)
http POST /logout -b "$OWNER" -c "$OWNER" --interface 127.0.0.3 --data "_csrf=$CSRF"
check '[ "$CODE" = 303 ]' "the owner logs out (the device cookie stays)"
ATTACKER="$TMP/attacker.jar"
for i in $(seq 1 10); do rm -f "$ATTACKER"; login_from 127.0.0.2 admin "guess-$i-password" "$ATTACKER"; done
check '[ "$CODE" = 429 ]' "10 wrong passwords for admin from 127.0.0.2 lock the user name (429)"
rm -f "$TMP/fresh.jar"; login_from 127.0.0.4 admin "$ADMIN_PASSWORD" "$TMP/fresh.jar"
check '[ "$CODE" = 429 ]' "a browser that never logged in is locked out with the user name, even with the right password"
login_from 127.0.0.3 admin "$ADMIN_PASSWORD" "$OWNER"
check '[ "$CODE" = 303 ] && has_header "^location: /admin"' "the owner's browser (valid device cookie) logs in again from 127.0.0.3: 303 to /admin"
sed -i -e '/panel_session/d' -e 's/\(panel_device\t\)[0-9a-f]\{8\}/\100000000/' "$OWNER"   # logged out, forged
login_from 127.0.0.3 admin "$ADMIN_PASSWORD" "$OWNER"
check '[ "$CODE" = 429 ]' "a forged device cookie counts as none (the lockout applies)"

# ----- 2. the throttle table cannot be flushed ---------------------------------------------------------------
DB="$TMP/data/admin-sessions.db"
# fill the user-name scope to its 4096 keys with junk (one failure each), the locked owner among them
sqlite3 "$DB" "PRAGMA busy_timeout=5000; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4095)
  INSERT INTO throttle SELECT 'user', 'u:junk' || i, 1, $T0 FROM n;"
rm -f "$TMP/junk.jar"; login_from 127.0.0.5 one-more-junk-user "junk-password-1" "$TMP/junk.jar"
ROWS=$(sqlite3 "$DB" "SELECT count(*) FROM throttle WHERE scope = 'user'")
ADMIN_ROW=$(sqlite3 "$DB" "SELECT failures FROM throttle WHERE scope = 'user' AND key = 'u:admin'")
NEW_ROW=$(sqlite3 "$DB" "SELECT failures FROM throttle WHERE scope = 'user' AND key = 'u:one-more-junk-user'")
CODE="$ROWS rows, admin failures $ADMIN_ROW, new key $NEW_ROW"
check '[ "$ROWS" = 4096 ] && [ "$ADMIN_ROW" -ge 5 ] && [ "$NEW_ROW" = 1 ]' \
  "a junk failure in a full table evicts an unlocked, least-failed entry: the owner's lockout stays ($CODE)"
# over-full (as after a flood of junk keys), with more-failed junk: still only unlocked entries go
sqlite3 "$DB" "PRAGMA busy_timeout=5000; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
  INSERT INTO throttle SELECT 'user', 'u:more' || i, 3, $T0 FROM n;"
rm -f "$TMP/junk.jar"; login_from 127.0.0.6 another-junk-user "junk-password-2" "$TMP/junk.jar"
ROWS=$(sqlite3 "$DB" "SELECT count(*) FROM throttle WHERE scope = 'user'")
KEPT=$(sqlite3 "$DB" "SELECT count(*) FROM throttle WHERE scope = 'user' AND (key = 'u:admin' OR key LIKE 'u:more%')")
CODE="$ROWS rows, $KEPT of the owner and the 3-failure keys kept"
check '[ "$ROWS" = 4096 ] && [ "$KEPT" = 301 ]' "memory stays bounded (4096 keys per scope), least-failed evicted first ($CODE)"
rm -f "$TMP/fresh.jar"; login_from 127.0.0.4 admin "$ADMIN_PASSWORD" "$TMP/fresh.jar"
check '[ "$CODE" = 429 ]' "after the flood the user name is still locked for browsers without a device cookie"
sqlite3 "$DB" "PRAGMA busy_timeout=5000; DELETE FROM throttle"

# ----- 3. two servers on one data directory share sessions and lockouts --------------------------------------
URL_ONE=$SERVER_URL; PID_ONE=$SERVER_PID; FD_ONE=$SERVER_FD
SERVER_ARGS="--now $T0" start_tracked "$CONFIG" two || fail "a second server starts on the same data directory"
URL_TWO=$SERVER_URL; PID_TWO=$SERVER_PID; FD_TWO=$SERVER_FD
SHARED="$TMP/shared.jar"
SERVER_URL=$URL_ONE; login_from 127.0.0.1 admin "$ADMIN_PASSWORD" "$SHARED"
check '[ "$CODE" = 303 ]' "admin logs in on server one"
SERVER_URL=$URL_TWO; http GET /admin -b "$SHARED"; CSRF=$(csrf_of_body)
check '[ "$CODE" = 200 ]' "the session works on server two at once"
SERVER_URL=$URL_ONE; http POST /logout -b "$SHARED" --data "_csrf=$CSRF"
check '[ "$CODE" = 303 ]' "logout on server one"
SERVER_URL=$URL_TWO; http GET /admin -b "$SHARED"
check '[ "$CODE" = 303 ] && has_header "^location: /login"' "after a logout on server one the cookie no longer works on server two"
SERVER_URL=$URL_ONE; login_from 127.0.0.1 admin "$ADMIN_PASSWORD" "$SHARED"
printf 'admin-password-2\n' | $HOST -c "$CONFIG" passwd admin >/dev/null 2>&1
SERVER_URL=$URL_TWO; http GET /admin -b "$SHARED"
check '[ "$CODE" = 303 ]' "passwd ends the user's sessions in every server"
for i in 1 2 3 4 5; do SERVER_URL=$URL_ONE; rm -f "$TMP/t.jar"; login_from 127.0.0.7 helpdesk "wrong-$i-password" "$TMP/t.jar"; done
SERVER_URL=$URL_TWO; rm -f "$TMP/t.jar"; login_from 127.0.0.8 helpdesk "wrong-6-password" "$TMP/t.jar"
check '[ "$CODE" = 429 ]' "a lockout caused on server one holds on server two"
SERVER_PID=$PID_TWO; SERVER_FD=$FD_TWO; stop_server
SERVER_PID=$PID_ONE; SERVER_FD=$FD_ONE; SERVER_URL=$URL_ONE

# ----- 5. Host header of admin requests ---------------------------------------------------------------------
http GET /login -H 'Host: rebound.example'
check '[ "$CODE" = 421 ] && body_has "allowed_hosts" && body_has "127.0.0.1"' \
  "an admin request naming another host (DNS rebinding) gets 421 naming [host] allowed_hosts"
http GET /admin -H 'Host: localhost:8080'
check '[ "$CODE" = 303 ]' "localhost (with a port) is allowed by default"
http GET /healthz -H 'Host: rebound.example'
check '[ "$CODE" = 200 ]' "the API and /healthz are not bound to a host name"

# ----- 6. framing: one request, one answer ---------------------------------------------------------------------
raw "$PORT_ONE" 'b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 45\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"'
CODE="$(printf '%s' "$RAW" | grep -c '^HTTP/1.1 ') answers"; HEADERS=$RAW
check '[ "$(printf "%s" "$RAW" | grep -c "^HTTP/1.1 ")" = 1 ] && printf "%s" "$RAW" | grep -q "^HTTP/1.1 400" && printf "%s" "$RAW" | tr -d "\r" | grep -qi "^connection: close$" && ! printf "%s" "$RAW" | grep -q "still open"' \
  "two differing Content-Length headers: 400, Connection: close, and the smuggled request gets no answer"
raw "$PORT_ONE" 'b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"'
CODE=""; HEADERS=$RAW
check '[ "$(printf "%s" "$RAW" | grep -c "^HTTP/1.1 ")" = 1 ] && printf "%s" "$RAW" | grep -q "^HTTP/1.1 400"' \
  "Content-Length with Transfer-Encoding: chunked: 400 and nothing else"
raw "$PORT_ONE" 'b"GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nX-Fixture: letmein\x00junk\r\nConnection: close\r\n\r\n"'
CODE=""; HEADERS=$RAW
check 'printf "%s" "$RAW" | grep -q "^HTTP/1.1 400" && ! printf "%s" "$RAW" | grep -q "\"ok\":true"' \
  "a credential with a NUL byte inside (KEY\\0junk) is refused with 400, not cut at the NUL and accepted"
raw "$PORT_ONE" 'b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\x01b\r\n\r\n"'
CODE=""; HEADERS=$RAW
check 'printf "%s" "$RAW" | grep -q "^HTTP/1.1 400" && printf "%s" "$RAW" | tr -d "\r" | grep -qi "^connection: close$"' \
  "a control byte in a header value: 400 with Connection: close"
raw "$PORT_ONE" 'b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: tab\there\r\nConnection: close\r\n\r\n"'
CODE=""; HEADERS=$RAW
check 'printf "%s" "$RAW" | grep -q "^HTTP/1.1 200"' "a tab in a header value is fine"
stop_server

# ----- 4. public_url https: Secure cookies; 5. allowed_hosts; 7. deadlines ---------------------------------
sed 's|^currency = EUR$|currency = EUR\npublic_url = https://panel.example.com\nheader_timeout = 1\nbody_min_rate = 1000\nbody_timeout = 2|' \
  "$CONFIG" >"$TMP/https.ini"; chmod 600 "$TMP/https.ini"
start_tracked "$TMP/https.ini" https || fail "server starts with public_url"
PORT=${SERVER_URL#http://}; PORT=${PORT%/}
http GET /login -H 'Host: panel.example.com'
check '[ "$CODE" = 200 ] && has_header "^set-cookie: panel_login=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/login; Secure$"' \
  "with public_url https every cookie is Secure, and the host of public_url is allowed"
login_from 127.0.0.1 admin admin-password-2 "$TMP/https.jar"
check '[ "$CODE" = 303 ] && [ "$(printf "%s\n" "$HEADERS" | grep -ic "^set-cookie: .*; Secure")" = 3 ]' \
  "the session, login and device cookies all carry Secure"
T_HEAD=$(trickle "$PORT" 'b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "' 0.2 6)
CODE=$T_HEAD
check '[ "$T_HEAD" != open ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 4 else 1)" "$T_HEAD"' \
  "headers trickled a byte at a time are cut after header_timeout = 1 ($T_HEAD s; before: held open)"
T_BODY=$(trickle "$PORT" 'b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n"' 0.05 6)
CODE=$T_BODY
check '[ "$T_BODY" != open ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 4 else 1)" "$T_BODY"' \
  "a body slower than body_min_rate = 1000 B/s is cut ($T_BODY s)"
T_LONG=$(trickle "$PORT" 'b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n"' 0.1 8 500)
CODE=$T_LONG
check '[ "$T_LONG" != open ] && python3 -c "import sys; sys.exit(0 if 1.9 < float(sys.argv[1]) < 4 else 1)" "$T_LONG"' \
  "a body sent at 5000 B/s (above body_min_rate) but for longer than body_timeout = 2 is cut after 2 s ($T_LONG s; before: held 12 s)"
check 'grep -q "closed a connection from 127.0.0.1: its request line and headers took longer than \[host\] header_timeout" "$SERVER_LOG" && grep -q "slower than \[host\] body_min_rate" "$SERVER_LOG" && grep -q "its request body took longer than \[host\] body_timeout" "$SERVER_LOG"' \
  "each cut is logged with the setting that caused it"
http GET /healthz
check '[ "$CODE" = 200 ]' "a normal request is served as before"
stop_server

sed 's|^currency = EUR$|currency = EUR\nallowed_hosts = panel.test|' "$CONFIG" >"$TMP/hosts.ini"; chmod 600 "$TMP/hosts.ini"
start_tracked "$TMP/hosts.ini" hosts || fail "server starts with allowed_hosts"
http GET /login -H 'Host: panel.test'
check '[ "$CODE" = 200 ]' "a host of [host] allowed_hosts reaches the panel"
http GET /login
check '[ "$CODE" = 421 ] && body_has "now: panel.test"' "with allowed_hosts set, only those names do (421 for 127.0.0.1)"
stop_server

for bad in "public_url = ftp://x" "allowed_hosts = bad/name" "header_timeout = 0" "body_min_rate = fast" "body_timeout = 0" \
           "leak_reports_per_minute = abc" "leak_reports_per_minute = 0"; do
  sed "s|^currency = EUR\$|currency = EUR\n$bad|" "$CONFIG" >"$TMP/bad.ini"; chmod 600 "$TMP/bad.ini"
  run -c "$TMP/bad.ini" serve --listen 127.0.0.1:0
  key=${bad%% *}
  if [ "$RC" = 2 ] && printf '%s' "$ERR" | grep -q "\[host\] $key"; then pass "serve refuses '$bad', naming [host] $key"
  else fail "serve refuses '$bad', naming [host] $key"; fi
done
