#!/bin/bash
# hostile_web_methods.sh - HEAD and OPTIONS on `sample-host serve` (API Keys plugin), issue 20 item 15: HEAD is
# answered wherever GET is (RFC 9110, 9.3.2), on the API routes (authenticated as the GET) and the panel's pages,
# with the GET's status and headers and no body; OPTIONS answers 204 with Allow (no key needed), and every 405
# names the methods in Allow.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

header() { printf '%s\n' "$HEADERS" | grep -i "^$1: " | head -1 | cut -d' ' -f2- ; }
# head_raw PATH [HEADER_LINE...]: a HEAD request on its own connection (Connection: close); sets CODE, HEADERS
# and AFTER (the bytes the server sent after the headers: none for HEAD)
head_raw() {
  local out
  out=$(python3 - "${SERVER_URL#http://}" "$@" <<'PY'
import socket, sys
host, port = sys.argv[1].rstrip("/").rsplit(":", 1)
lines = ["HEAD %s HTTP/1.1" % sys.argv[2], "Host: 127.0.0.1", "Connection: close"] + sys.argv[3:]
s = socket.create_connection((host, int(port)))
s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
s.settimeout(5)
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, after = data.partition(b"\r\n\r\n")
print(len(after))
sys.stdout.write(head.decode("latin-1").replace("\r", ""))
PY
)
  AFTER=${out%%$'\n'*}; HEADERS=${out#*$'\n'}; CODE=$(printf '%s' "$HEADERS" | head -1 | cut -d' ' -f2)
}

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN"
run -c "$CONFIG" --json action settings/api-key enable
KEY=$(json_get 'j["secret"]')
if ! start_server "$CONFIG"; then fail "server starts"; exit 1; fi
ADMIN_PASSWORD=$FIRST_PASSWORD

# ----- HEAD on the API's GET routes: the GET's answer without its body
for path in /healthz /api/v1/ping /api/v1/store /api/v1/whoami; do
  http GET "$path" -H "X-API-Key: $KEY"; GET_LEN=${#BODY}
  head_raw "$path" "X-API-Key: $KEY"
  check '[ "$CODE" = 200 ] && [ "$AFTER" = 0 ] && [ "$(header content-length)" = "$GET_LEN" ] && [ "$(header content-type)" = application/json ]' \
    "HEAD $path with the key: 200, the GET's Content-Length ($GET_LEN) and type, no body (before: 405)"
done
head_raw /api/v1/ping
check '[ "$CODE" = 401 ] && [ "$AFTER" = 0 ] && [ "$(header www-authenticate)" = Bearer ]' \
  "HEAD /api/v1/ping without a key: 401 with WWW-Authenticate, as the GET (authenticated like it)"
head_raw /api/v1/deliveries/pull "X-API-Key: $KEY"
check '[ "$CODE" = 405 ] && [ "$(header allow)" = "POST, OPTIONS" ]' "HEAD on a POST route: 405 with Allow: POST, OPTIONS"
http GET /api/v1/deliveries/ack -H "X-API-Key: $KEY"
check '[ "$CODE" = 405 ] && [ "$(header allow)" = "POST, OPTIONS" ]' "GET on a POST route: 405 with Allow: POST, OPTIONS"
http POST /api/v1/ping -H "X-API-Key: $KEY" --data x=1
check '[ "$CODE" = 405 ] && [ "$(header allow)" = "GET, HEAD, OPTIONS" ]' "POST on a GET route: 405 with Allow: GET, HEAD, OPTIONS"

# ----- OPTIONS: 204 with Allow, no key needed
http OPTIONS /api/v1/ping
check '[ "$CODE" = 204 ] && [ "$(header allow)" = "GET, HEAD, OPTIONS" ] && [ -z "$BODY" ]' "OPTIONS /api/v1/ping: 204 with Allow: GET, HEAD, OPTIONS (before: 405)"
http OPTIONS /api/v1/deliveries/ack
check '[ "$CODE" = 204 ] && [ "$(header allow)" = "POST, OPTIONS" ]' "OPTIONS /api/v1/deliveries/ack: 204 with Allow: POST, OPTIONS"
http OPTIONS /api/v1/nothing-here
check '[ "$CODE" = 404 ]' "OPTIONS on a path the API lacks: 404"
http OPTIONS /login
check '[ "$CODE" = 204 ] && [ "$(header allow)" = "GET, HEAD, POST, OPTIONS" ]' "OPTIONS /login: 204 with Allow: GET, HEAD, POST, OPTIONS"
http OPTIONS /logout
check '[ "$CODE" = 204 ] && [ "$(header allow)" = "POST, OPTIONS" ]' "OPTIONS /logout: 204 with Allow: POST, OPTIONS"
http OPTIONS /static/panel.css
check '[ "$CODE" = 204 ] && [ "$(header allow)" = "GET, HEAD, OPTIONS" ]' "OPTIONS on a static file: 204 with Allow: GET, HEAD, OPTIONS"
http OPTIONS / --request-target '*'
check '[ "$CODE" = 204 ] && [ "$(header allow)" = "GET, HEAD, POST, OPTIONS" ]' "OPTIONS *: 204 with the server's methods"

# ----- the panel: HEAD like GET, 405 with Allow
head_raw /login
check '[ "$CODE" = 200 ] && [ "$AFTER" = 0 ] && [ "$(header content-length)" -gt 0 ]' "HEAD /login: 200 with a Content-Length, no body"
head_raw /static/panel.css
check '[ "$CODE" = 200 ] && [ "$AFTER" = 0 ] && [ "$(header content-type)" = "text/css; charset=utf-8" ]' "HEAD on a static file: 200, its type, no body"
JAR="$TMP/admin.jar"
login admin "$ADMIN_PASSWORD" "$JAR"
check '[ "$CODE" = 303 ]' "admin logs in"
SESSION=$(awk '$6 == "panel_session" {print $7}' "$JAR")
head_raw /admin/settings/api-key "Cookie: panel_session=$SESSION"
check '[ "$CODE" = 200 ] && [ "$AFTER" = 0 ] && [ "$(header content-length)" -gt 1000 ]' "HEAD on a panel page, logged in: 200 with the page's length, no body"
head_raw /admin/settings/api-key
check '[ "$CODE" = 303 ] && [ "$(header location)" = /login ]' "HEAD on a panel page without a session: 303 to /login, as the GET"
http PUT /admin/settings/api-key -b "$JAR"
check '[ "$CODE" = 405 ] && [ "$(header allow)" = "GET, HEAD, POST, OPTIONS" ]' "PUT on a panel page: 405 with Allow"
http GET /logout -b "$JAR"
check '[ "$CODE" = 405 ] && [ "$(header allow)" = "POST, OPTIONS" ]' "GET /logout: 405 with Allow: POST, OPTIONS"
http DELETE /
check '[ "$CODE" = 405 ] && [ "$(header allow)" = "GET, HEAD, OPTIONS" ]' "DELETE /: 405 with Allow"

stop_server
check '[ "$STOP_RC" = 0 ]' "the server exits 0 on SIGTERM"
