#!/bin/bash
# hostile_web_slow.sh - slow and unreadable request bodies against `sample-host serve` (API Keys plugin), issue 20
# items 2 and 16: 300 connections from five loopback addresses that declare a 1 TB body (Content-Length:
# 1000000000000) and send it a byte a second get 413 at once, before any body is read, and meanwhile /healthz
# and an API request with a key answer within 1 s (before: the connections filled the server); a declared body
# within the limit and over it, to the API (JSON 413 body_too_large) and the panel; a Transfer-Encoding other
# than chunked gets 400 or 501 at once (RFC 9112, 6.1), not silence until the header timeout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

# timed PATH [CURL ARGS...]: one GET; sets CODE and SECONDS_TAKEN (curl's total time; 5 s at most)
timed() {
  local path=$1; shift
  local out; out=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "$@" "${SERVER_URL%/}$path")
  CODE=${out%% *}; SECONDS_TAKEN=${out##* }
}
under() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$1" "$2"; }
# raw HOST_PORT PYTHON_BYTES_LITERAL SECONDS: sends the bytes on one connection, reads until the server closes
# it or SECONDS pass; RAW holds what came back ("[still open]" appended when the server kept it open), and
# RAW_SECONDS how long it took.
raw() {
  local out
  out=$(python3 - "$1" "$2" "$3" <<'PY'
import socket, sys, time, ast
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)))
start = time.monotonic()
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
except ConnectionResetError:
    out += b"\n[reset]"
print("%.2f" % (time.monotonic() - start))
sys.stdout.write(out.decode("latin-1"))
PY
)
  RAW_SECONDS=${out%%$'\n'*}; RAW=${out#*$'\n'}
}

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN"
run -c "$CONFIG" --json action settings/api-key enable
KEY=$(json_get 'j["secret"]')
CODE=""; HEADERS=""; BODY=""
SERVER_PID=""; ATTACK_PID=""
# A failed check must not leave the server or the attacker behind.
trap 'for p in $SERVER_PID $ATTACK_PID; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
if ! start_server "$CONFIG"; then fail "server starts"; exit 1; fi
PORT=${SERVER_URL#http://}; PORT=${PORT%/}

# ----- 300 connections declaring a 1 TB body, sent a byte a second
# The attacker: opens the connections (60 from each of 127.0.0.2-6, under the 64 per address), sends each one's
# headers and first body byte, prints "ready", then sends a byte a second on each until it reads a line on stdin
# (or 30 s pass), and prints how many got a 413 and how many the server still held open.
coproc ATTACK { python3 -c '
import selectors, socket, sys, time
port = int(sys.argv[1])
paths = [b"/login", b"/api/v1/deliveries/pull"]
socks, answers = [], {}
for i in range(300):
    s = socket.socket()
    s.bind(("127.0.0.%d" % (2 + i // 60), 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"POST " + paths[i % 2] + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: sak_x\r\n"
              b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000000000\r\n\r\na")
    s.setblocking(False)
    socks.append(s)
    answers[s] = b""
print("ready", flush=True)
sel = selectors.DefaultSelector()
for s in socks:
    sel.register(s, selectors.EVENT_READ)
sel.register(sys.stdin, selectors.EVENT_READ)
open_ = set(socks)
deadline = time.monotonic() + 30
next_byte = time.monotonic() + 1
while time.monotonic() < deadline:
    events = sel.select(timeout=max(0.0, next_byte - time.monotonic()))
    if any(key.fileobj is sys.stdin for key, _ in events):
        break
    for key, _ in events:
        s = key.fileobj
        try:
            chunk = s.recv(4096)
        except OSError:
            chunk = b""
        answers[s] += chunk
        if not chunk:
            sel.unregister(s); open_.discard(s)
    if time.monotonic() >= next_byte:
        next_byte += 1
        for s in list(open_):
            try:
                s.send(b"a")
            except OSError:
                pass
got_413 = sum(1 for s in socks if answers[s].startswith(b"HTTP/1.1 413"))
print("413: %d open: %d" % (got_413, len(open_)), flush=True)
for s in socks:
    s.close()
' "${PORT##*:}"; }
READY=""; IFS= read -r -t 60 READY <&"${ATTACK[0]}"
check '[ "$READY" = ready ]' "300 connections declaring a 1 TB body are open and sending"
timed /healthz
check '[ "$CODE" = 200 ] && under "$SECONDS_TAKEN" 1' "meanwhile /healthz answers 200 within 1 s ($SECONDS_TAKEN s)"
timed /api/v1/ping -H "X-API-Key: $KEY"
check '[ "$CODE" = 200 ] && under "$SECONDS_TAKEN" 1' "meanwhile an API request with the key answers 200 within 1 s ($SECONDS_TAKEN s)"
timed /login
check '[ "$CODE" = 200 ] && under "$SECONDS_TAKEN" 1' "meanwhile the login page answers within 1 s ($SECONDS_TAKEN s)"
echo stop >&"${ATTACK[1]}"
SUMMARY=""; IFS= read -r -t 60 SUMMARY <&"${ATTACK[0]}"
wait "$ATTACK_PID" 2>/dev/null; ATTACK_PID=""
CODE=$SUMMARY
check '[ "$SUMMARY" = "413: 300 open: 0" ]' "every one of them got 413 and was closed, none held ($SUMMARY)"

# ----- the declared length decides, before the body is read
raw "$PORT" 'b"POST /api/v1/deliveries/ack HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 16385\r\n\r\n"' 5
CODE=$RAW_SECONDS; HEADERS=$RAW
check 'printf "%s" "$RAW" | grep -q "^HTTP/1.1 413" && printf "%s" "$RAW" | grep -q "\"error\":\"body_too_large\"" && ! printf "%s" "$RAW" | grep -q "still open"' \
  "an API body declared at 16385 bytes gets 413 body_too_large (JSON) without one byte of it sent, and the connection closes"
raw "$PORT" 'b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 65537\r\n\r\n"' 5
CODE=$RAW_SECONDS; HEADERS=$RAW
check 'printf "%s" "$RAW" | grep -q "^HTTP/1.1 413" && printf "%s" "$RAW" | grep -q "at most 65536 bytes" && ! printf "%s" "$RAW" | grep -q "still open"' \
  "a panel body declared at 65537 bytes gets 413 naming the limit at once"
raw "$PORT" 'b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 65536\r\nConnection: close\r\n\r\n"' 1
CODE=$RAW_SECONDS; HEADERS=$RAW
check 'printf "%s" "$RAW" | grep -q "still open" && ! printf "%s" "$RAW" | grep -q "^HTTP/1.1"' \
  "a body declared within the limit is waited for (no early answer)"
head -c 16000 /dev/zero | tr '\0' a >"$TMP/16k"
http POST /api/v1/deliveries/pull -H "X-API-Key: $KEY" --data-binary @"$TMP/16k"
check '[ "$CODE" != 413 ]' "an API body of 16000 bytes is read and answered by the route (status $CODE)"

# ----- transfer codings other than chunked (issue 20, item 16): answered at once, the connection closed
# te_answer STATUS VALUE: a POST with Transfer-Encoding: VALUE gets STATUS within 1 s, and the connection closes
te_answer() {
  local want=$1
  raw "$PORT" "b'POST /login HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nTransfer-Encoding: $2\\r\\n\\r\\n'" 5
  CODE=$RAW_SECONDS; HEADERS=$RAW
  check 'printf "%s" "$RAW" | grep -q "^HTTP/1.1 $want" && printf "%s" "$RAW" | grep -q "Transfer-Encoding" && under "$RAW_SECONDS" 1 && ! printf "%s" "$RAW" | grep -q "still open"' \
    "Transfer-Encoding: $2 gets $1 naming Transfer-Encoding at once ($RAW_SECONDS s; before: no answer) and the connection closes"
}
te_answer 400 xchunked          # the body's end cannot be told: 400
te_answer 400 gzip
te_answer 400 identity
te_answer 400 'chunked, gzip'   # chunked not last
te_answer 501 'gzip, chunked'   # framed, but a coding the server lacks: 501
te_answer 501 'chunked, chunked'
te_answer 400 'chunked;x=1'     # not the chunked libmicrohttpd would read
raw "$PORT" 'b"POST /api/v1/ping HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"' 5
CODE=$RAW_SECONDS; HEADERS=$RAW
check 'printf "%s" "$RAW" | grep -q "^HTTP/1.1 405"' "Transfer-Encoding: Chunked (any case) is read as before (405 from the GET route)"
raw "$PORT" 'b"POST /api/v1/deliveries/pull HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:   chunked\r\nConnection: close\r\n\r\n7\r\nlimit=1\r\n0\r\n\r\n"' 5
CODE=$RAW_SECONDS; HEADERS=$RAW
check 'printf "%s" "$RAW" | grep -q "^HTTP/1.1 401"' "a chunked body with spaces before the coding reaches the route (401 without a key)"

http GET /healthz
check '[ "$CODE" = 200 ]' "the server still answers"
stop_server
check '[ "$STOP_RC" = 0 ]' "the server exits 0 on SIGTERM"
