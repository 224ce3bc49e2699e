# server.sh - helpers (sourced by tests/cli/web_*.sh and others after tests/cli/lib.sh) to run `sample-host serve`
# on a free loopback port with a config and data directory under $TMP, and to talk to it with curl.
# Readiness is detected by reading the server's first output line through a FIFO (no sleeps).

# require_browser_test: prints a FAIL line and exits 1 unless Chromium, Node.js, npm, playwright-core (installed
# here with `npm ci` at the version package-lock.json pins, never a browser download) and the plugin are there.
require_browser_test() {
  BROWSER_DIR="$PWD/tests/browser"
  if [ ! -x /usr/bin/chromium ]; then
    echo "FAIL: Chromium is installed (run: apt-get install -y chromium)"; exit 1
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "FAIL: Node.js and npm are installed (run: apt-get install -y nodejs npm)"; exit 1
  fi
  if [ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
    (cd "$BROWSER_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent) >"$TMP/npm.log" 2>&1 \
      || { echo "FAIL: npm ci installs playwright-core for the browser test"; cat "$TMP/npm.log"; exit 1; }
  fi
  if [ ! -f "$PLUGIN" ]; then echo "FAIL: the API Keys plugin is built ($PLUGIN)"; exit 1; fi
}

# write_config FILE PLUGINS [LINE...]: a config (lib.sh's panel_ini) with users admin (role owner: everything) and
# helpdesk (role support: no settings or fixture permission), the given plugins, the data directory $TMP/data and
# each LINE as panel_ini's ("key = value" lines before the first section are more [host] settings).
write_config() {
  panel_ini "$1" "$TMP/data" "$2" 'store_name = Test <Store>' 'currency = EUR' "${@:3}" "${PANEL_OWNER_SUPPORT[@]}"
}

# start_server CONFIG [TAG]: starts the server (with the global options in $SERVER_ARGS, if any); sets SERVER_PID, SERVER_URL (with a trailing /), SERVER_LOG
# (its stderr: the access log) and FIRST_PASSWORD (admin's generated password on a first run, else "").
# Returns 1 when the server did not come up.
start_server() {
  local config=$1 tag=${2:-server} line=""
  SERVER_LOG="$TMP/$tag.log"
  FIRST_PASSWORD=""
  SERVER_URL=""
  rm -f "$TMP/$tag.fifo"
  mkfifo "$TMP/$tag.fifo"
  # shellcheck disable=SC2086 # SERVER_ARGS: extra global options, e.g. "--now EPOCH"
  "$PWD/$B/sample-host" -c "$config" ${SERVER_ARGS:-} serve --listen 127.0.0.1:0 >"$TMP/$tag.fifo" \
    2>"$SERVER_LOG" &
  SERVER_PID=$!
  exec {SERVER_FD}<"$TMP/$tag.fifo"
  if ! IFS= read -r -t 30 line <&"$SERVER_FD"; then
    echo "server did not start; its log:"; cat "$SERVER_LOG"
    return 1
  fi
  SERVER_URL=$(printf '%s' "$line" | grep -Eo 'http://127\.0\.0\.1:[0-9]+/' | head -1)
  if IFS= read -r -t 5 line <&"$SERVER_FD"; then
    case "$line" in
      "First run: created the password of user admin: "*) FIRST_PASSWORD=${line##*: } ;;
    esac
  fi
  cat <&"$SERVER_FD" >"$TMP/$tag.out" &   # drain the rest of stdout
  [ -n "$SERVER_URL" ]
}

# stop_server: SIGTERM, then waits; sets STOP_RC to the server's exit status.
stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID"; STOP_RC=$?
  exec {SERVER_FD}<&-
}

# http METHOD PATH [CURL ARGS...]: one request; sets CODE, BODY, HEADERS.
http() {
  local method=$1 path=$2; shift 2
  curl -s -o "$TMP/http.body" -D "$TMP/http.headers" -X "$method" -w '%{http_code}' "$@" \
    "${SERVER_URL%/}$path" >"$TMP/http.code" 2>/dev/null
  CODE=$(cat "$TMP/http.code"); BODY=$(cat "$TMP/http.body"); HEADERS=$(tr -d '\r' <"$TMP/http.headers")
}

# has_header REGEX: a header of the last response matches (case-insensitive); body_has REGEX: its body matches.
has_header() { printf '%s\n' "$HEADERS" | grep -Eiq -- "$1"; }
body_has() { printf '%s' "$BODY" | grep -Eq -- "$1"; }

# csrf_of_body: the first _csrf value in the last BODY.
csrf_of_body() { printf '%s' "$BODY" | grep -Eo 'name="_csrf" value="[0-9a-f]+"' | head -1 | sed 's/.*value="//; s/"$//'; }

# follow JAR: after a form POST, GETs the page a 303 names (cookie jar JAR), as a browser does; POSTED keeps the
# POST's status and CODE/BODY/HEADERS become the GET's. A POST not answered 303 is left as it was.
follow() {
  POSTED=$CODE
  local location; location=$(printf '%s\n' "$HEADERS" | sed -n 's/^location: //Ip' | head -1)
  if [ "$CODE" = 303 ] && [ -n "$location" ]; then http GET "$location" -b "$1"; fi
}

# login USER PASSWORD JAR: logs in with a fresh cookie jar; leaves the POST's CODE/HEADERS/BODY.
login() {
  local user=$1 password=$2 jar=$3
  rm -f "$jar"
  http GET /login -c "$jar" -b "$jar"
  local token; token=$(csrf_of_body)
  http POST /login -c "$jar" -b "$jar" --data-urlencode "_csrf=$token" --data-urlencode "user=$user" \
    --data-urlencode "password=$password"
}
