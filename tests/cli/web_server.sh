#!/bin/bash
# web_server.sh - curl-level tests of `sample-host serve` with the good fixture plugin: health and API
# answers, security headers, login (wrong password and unknown user indistinguishable, throttling), sessions
# (cookie flags, survive a restart, end on logout and on a password change), CSRF refusal, permission-filtered
# menu and 403, the confirmation step, the access log (no query strings, keys, cookies or form values) and
# a clean exit 0 on SIGTERM, and the [host] workers setting (refused when out of range, fewer threads).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$FIXTURES/good.so"
printf 'helpdesk-password-1\n' | $HOST -c "$CONFIG" passwd helpdesk >"$TMP/out" 2>"$TMP/err"; RC=$?
OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
expect_rc 0 "passwd sets a password read from standard input"
run_stdin 'short' -c "$CONFIG" passwd helpdesk
expect_rc 1 "passwd refuses a password shorter than 8 characters"
run_stdin 'whatever-password' -c "$CONFIG" passwd nosuchuser
expect_rc 2 "passwd refuses a user who is not in the config"
if [ "$(stat -c %a "$TMP/data/admin-passwords")" = 600 ] && ! grep -q helpdesk-password-1 "$TMP/data/admin-passwords" \
   && ! grep -q 'admin-passwords\|argon2' "$CONFIG"; then
  pass "password hashes live in the data directory, mode 0600, never in plain text or in the config"
else fail "password file mode/content"; fi

if ! start_server "$CONFIG"; then fail "server starts"; exit 1; fi
wait_until 'grep -q "passwd admin" "$TMP/server.out"' 5
check 'grep -qF -- "sample-host -c $CONFIG passwd admin" "$TMP/server.out"' \
  "the first run's banner names the server's own config in its passwd command (-c), so copying it acts on this data directory"
pass "server starts on a free loopback port and prints its URL"
ADMIN_PASSWORD=$FIRST_PASSWORD
check '[ -n "$ADMIN_PASSWORD" ]' "first run prints a generated password for admin"
check 'grep -q "^admin:\$argon2id" "$TMP/data/admin-passwords"' "admin's generated password is stored as an argon2id hash"

http GET /healthz
check '[ "$CODE" = 200 ] && body_has "\"ok\":true"' "GET /healthz answers 200 without authentication"
http GET '/api/v1/ping?api_key=QUERYSECRET123'
check '[ "$CODE" = 401 ] && body_has "\"error\""' "GET /api/v1/ping without a credential answers 401 with an error body"
http GET /api/v1/ping -H 'X-Fixture: letmein'
check '[ "$CODE" = 200 ] && has_header "^content-type: application/json"' "GET /api/v1/ping with the provider's credential answers 200 JSON"
http GET /api/v1/store -H 'X-Fixture: letmein'
check '[ "$CODE" = 200 ] && body_has "\"store_name\":\"Test <Store>\"" && body_has "\"currency\":\"EUR\""' "GET /api/v1/store gives store_name and currency"

http GET /admin/fixture/good
check '[ "$CODE" = 303 ] && has_header "^location: /login"' "an admin page without a session redirects to /login"

JAR="$TMP/admin.jar"
login admin "$FIRST_PASSWORD" "$JAR"
check '[ "$CODE" = 303 ] && has_header "^location: /admin"' "admin logs in with the generated password"
check 'has_header "^set-cookie: panel_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/"' "the session cookie is a 256-bit id, HttpOnly, SameSite=Strict, Path=/"
SESSION=$(printf '%s\n' "$HEADERS" | grep -i '^set-cookie: panel_session=' | sed 's/.*panel_session=\([0-9a-f]*\).*/\1/')
if [ -n "$SESSION" ] && ! cat "$TMP/data/admin-sessions.db"* | grep -q "$SESSION" && [ "$(stat -c %a "$TMP/data/admin-sessions.db")" = 600 ] \
   && [ "$(sqlite3 "$TMP/data/admin-sessions.db" 'SELECT count(*) FROM sessions WHERE user = "admin"')" = 1 ]; then
  pass "sessions are stored hashed in the shared 0600 database (the id itself is in no file of it)"
else fail "session storage"; fi

http GET /admin/fixture/good -b "$JAR"
check '[ "$CODE" = 200 ] && body_has "<h1>Good Fixture</h1>"' "the fixture page renders for admin"
check 'has_header "^cache-control: no-store" && has_header "^content-security-policy: default-src .none."' "admin pages are sent no-store with a Content-Security-Policy"
check 'body_has "Test &lt;Store&gt;" && ! body_has "Test <Store>"' "text is HTML-escaped"
check 'body_has "href=\"/admin/fixture/good\"[^>]*>Good Fixture</a>"' "the menu shows the page to a user whose role permits it"
check '! body_has "(src|href)=\"(https?:)?//"' "pages load no external assets"
CSRF=$(csrf_of_body)

http POST /admin/fixture/good -b "$JAR" --data '_op=action&_action=echo&p.text=no-token-here'
check '[ "$CODE" = 403 ] && ! body_has "echo: no-token-here"' "a form posted without the CSRF token is refused and not run"
http POST /admin/fixture/good -b "$JAR" --data "_csrf=0000${CSRF:4}&_op=action&_action=echo&p.text=bad-token"
check '[ "$CODE" = 403 ] && ! body_has "echo: bad-token"' "a form posted with a wrong CSRF token is refused"
http POST /admin/fixture/good -b "$JAR" --data "_csrf=$CSRF&_op=action&_action=echo" --data-urlencode 'p.text=<b>hi</b>'
check '[ "$CODE" = 303 ] && has_header "^location: /admin/fixture/good$" && ! body_has "echo:" && ! has_header "^set-cookie" \
  && ! printf "%s" "$HEADERS" | grep -q "hi"' \
  "an action that ran is answered 303 to its page, its result neither in the redirect's URL nor in a cookie"
http HEAD /admin/fixture/good -b "$JAR" -I
check '[ "$CODE" = 200 ]' "a HEAD of the page before the GET answers 200 (and leaves the result for the GET)"
http GET /admin/fixture/good -b "$JAR"
check '[ "$CODE" = 200 ] && body_has "echo: &lt;b&gt;hi&lt;/b&gt;"' "an action with its CSRF token runs and its message is escaped"
http GET /admin/fixture/good -b "$JAR"
check '[ "$CODE" = 200 ] && ! body_has "echo: "' "the result is shown once: the next GET of the page no longer shows it"
http POST /admin/fixture/good -b "$JAR" --data "_csrf=$CSRF&_op=action&_action=wipe&p.mode=1h"; follow "$JAR"
check '[ "$POSTED" = 303 ] && [ "$CODE" = 200 ] && body_has "Wiping cannot be undone." && body_has "id=\"confirm-yes\"" && body_has "name=\"p.mode\" value=\"1h\"" && ! body_has "wiped with"' \
  "a dangerous action without confirmation is answered 303; the page shows the confirmation step with its parameters and nothing ran"
http GET /admin/fixture/good -b "$JAR"
check '! body_has "id=\"confirm-yes\""' "a reload shows the page, not the confirmation step again"
http POST /admin/fixture/good -b "$JAR" --data "_csrf=$CSRF&_op=action&_action=wipe&p.mode=1h&_confirm=1"
follow "$JAR"
check '[ "$POSTED" = 303 ] && [ "$CODE" = 200 ] && body_has "wiped with mode 1h"' "the confirmed dangerous action runs with its parameters"
http POST /admin/fixture/good -b "$JAR" --data "_csrf=$CSRF&_op=field&_field=text&value=FORMVALUE77"
check '[ "$CODE" = 303 ]' "a saved field is answered 303 to the page"
http POST /admin/fixture/good -b "$JAR" --data "_csrf=$CSRF&_op=field&_field=text&value=ab%00cd"
check '[ "$CODE" = 303 ] && has_header "^location: /admin/fixture/good#field-text$"' \
  "a refused field is answered 303 too, to the field the refusal belongs to"
follow "$JAR"
check '[ "$CODE" = 200 ] && printf "%s" "$BODY" | grep -Eq "id=\"field-text\">.*Not saved: [^<]*NUL" && body_has "Nothing was changed"' \
  "the page shows the refusal next to the field"
http GET /admin/fixture/good -b "$JAR"
check '! body_has "Not saved"' "a reload no longer shows the refusal"

# wrong password and unknown user: same status, same body
JAR2="$TMP/other.jar"
without_token() { printf '%s' "$BODY" | sed -E 's/value="[0-9a-f]{64}"/value="TOKEN"/g'; }
login admin 'wrong-password-1' "$JAR2"; WRONG_CODE=$CODE; WRONG_BODY=$(without_token)
WRONG_TIME=$(curl -s -o /dev/null -w '%{time_total}' -b "$JAR2" -c "$JAR2" --data "_csrf=$(grep panel_login "$JAR2" | awk '{print $7}')&user=admin&password=wrong-password-2" "${SERVER_URL}login")
login nosuchuser 'wrong-password-1' "$JAR2"; UNKNOWN_CODE=$CODE; UNKNOWN_BODY=$(without_token)
UNKNOWN_TIME=$(curl -s -o /dev/null -w '%{time_total}' -b "$JAR2" -c "$JAR2" --data "_csrf=$(grep panel_login "$JAR2" | awk '{print $7}')&user=nosuchuser2&password=wrong-password-2" "${SERVER_URL}login")
check '[ "$WRONG_CODE" = 401 ] && [ "$UNKNOWN_CODE" = 401 ] && [ "$WRONG_BODY" = "$UNKNOWN_BODY" ]' "a wrong password and an unknown user get the same status and body"
check 'python3 -c "import sys; w,u=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if u > w/3 and w > u/3 else 1)" "$WRONG_TIME" "$UNKNOWN_TIME"' "a wrong password and an unknown user take about the same time (both hash a password) ($WRONG_TIME s vs $UNKNOWN_TIME s)"

# throttling per user name: after 5 failures the next attempt is refused without checking the password
for i in 1 2 3 4 5; do login victim "guess-$i-password" "$JAR2"; done
login victim "guess-6-password" "$JAR2"
check '[ "$CODE" = 429 ] && has_header "^retry-after: [0-9]+"' "failed logins are throttled per user name (429 with Retry-After)"

# a user without the permission
HJAR="$TMP/helpdesk.jar"
login helpdesk 'helpdesk-password-1' "$HJAR"
check '[ "$CODE" = 303 ]' "helpdesk logs in"
http GET /admin -b "$HJAR"
check '[ "$CODE" = 200 ] && ! body_has "Good Fixture"' "the menu hides entries the user's role does not permit"
http GET /admin/fixture/good -b "$HJAR"
check '[ "$CODE" = 403 ] && ! body_has "Wiping"' "a page the user may not see answers 403"
HCSRF=$(csrf_of_body)
http POST /admin/fixture/good -b "$HJAR" --data "_csrf=$HCSRF&_op=action&_action=echo&p.text=sneaky"
check '[ "$CODE" = 403 ] && ! body_has "echo: sneaky"' "posting to a page the user may not see answers 403"
run -c "$CONFIG" --json host-audit
check '[ "$(json_get "len([e for e in j if (e[\"user\"], e[\"origin\"], e[\"action\"], e[\"target\"], e[\"outcome\"]) == (\"helpdesk\", \"web 127.0.0.1\", \"page.open\", \"fixture/good\", \"denied\")])")" = 2 ]' \
  "the web panel's refusals for lack of permission are in the host audit log (user, web origin, page)"

# password change ends the user's sessions, also in the running server
printf 'helpdesk-password-2\n' | $HOST -c "$CONFIG" passwd helpdesk >/dev/null 2>&1
http GET /admin -b "$HJAR"
check '[ "$CODE" = 303 ] && has_header "^location: /login"' "a password change ends every session of that user"

# logout
http GET /admin -b "$JAR"; CSRF=$(csrf_of_body)
OLD_SESSION_OK=$CODE
http POST /admin/fixture/good -b "$JAR" --data "_csrf=$CSRF&_op=action&_action=echo&p.text=across-processes-77"
ACROSS_POST=$CODE
stop_server
check '[ "$STOP_RC" = 0 ]' "SIGTERM stops the server with exit status 0"
check 'grep -q "SIGTERM received" "$SERVER_LOG"' "the server says it is finishing on SIGTERM"
LOG1=$(cat "$SERVER_LOG")

start_server "$CONFIG" restarted || fail "server restarts"
check '[ -z "$FIRST_PASSWORD" ]' "a restart does not create another password"
http GET /admin -b "$JAR"
check '[ "$OLD_SESSION_OK" = 200 ] && [ "$CODE" = 200 ]' "a session survives a server restart"
check '[ -f "$TMP/data/admin-sessions.db" ] && ! grep -aq "across-processes-77" "$TMP"/data/admin-sessions.db*' \
  "a post's result waiting for its page is not readable in the database files (encrypted with the session id)"
http GET /admin/fixture/good -b "$JAR"
check '[ "$ACROSS_POST" = 303 ] && [ "$CODE" = 200 ] && body_has "echo: across-processes-77"' \
  "a post's result is shown by another process answering the GET (here the restarted server)"
http GET /admin/fixture/good -b "$JAR"
check '! body_has "across-processes-77"' "... and only once"
http POST /logout -b "$JAR" --data "_csrf=$CSRF"
check '[ "$CODE" = 303 ] && has_header "^set-cookie: panel_session=;.*Max-Age=0"' "logout ends the session and clears the cookie"
http GET /admin -b "$JAR"
check '[ "$CODE" = 303 ]' "after logout the old cookie no longer opens the panel"
stop_server
LOG="$LOG1
$(cat "$SERVER_LOG")"

# the access log: one line per request, with paths only
check 'printf "%s" "$LOG" | grep -Eq "^access: .* 127\.0\.0\.1 GET /api/v1/ping 401 "' "the access log has a line per request with method, path and status"
SECRETS="QUERYSECRET123|letmein|$ADMIN_PASSWORD|helpdesk-password|wrong-password|FORMVALUE77|no-token-here|$SESSION|$CSRF|\\?"
check '! printf "%s" "$LOG" | grep -Eq -- "$SECRETS"' "the log holds no query string, key, cookie, CSRF token, password or form value"

# idle expiry, with the host clock fixed by --now (no sleeping): 29 idle minutes keep a session, 31 end it
T0=2000000000
IJAR="$TMP/idle.jar"
SERVER_ARGS="--now $T0" start_server "$CONFIG" clock0 || fail "server starts with --now"
login helpdesk 'helpdesk-password-2' "$IJAR"
check '[ "$CODE" = 303 ]' "helpdesk logs in with the changed password"
stop_server
SERVER_ARGS="--now $((T0 + 29 * 60))" start_server "$CONFIG" clock29 || fail "server starts with --now"
http GET /admin -b "$IJAR"
check '[ "$CODE" = 200 ]' "a session idle for 29 minutes still works"
stop_server
SERVER_ARGS="--now $((T0 + 29 * 60 + 31 * 60))" start_server "$CONFIG" clock60 || fail "server starts with --now"
http GET /admin -b "$IJAR"
check '[ "$CODE" = 303 ] && has_header "^location: /login"' "a session idle for 31 minutes has expired"
stop_server

# throttling per client address: 20 failures under different user names delay every login from that address
start_server "$CONFIG" address || fail "server starts"
for i in $(seq 1 20); do login "spray$i" "spray-password-$i" "$TMP/spray.jar"; done
login admin "$ADMIN_PASSWORD" "$TMP/spray.jar"
check '[ "$CODE" = 429 ]' "failed logins are throttled per client address, across user names"
DEFAULT_THREADS=$(ls /proc/"$SERVER_PID"/task | wc -l)
stop_server

# [host] workers: the number of threads serving requests; a bad value is refused before anything listens
sed 's/^currency = EUR$/currency = EUR\nworkers = 0/' "$CONFIG" >"$TMP/workers0.ini"; chmod 600 "$TMP/workers0.ini"
run -c "$TMP/workers0.ini" serve --listen 127.0.0.1:0
expect_rc 2 "serve refuses workers = 0 with the configuration-error status"
expect_err "workers = '0' is not valid: give the number of threads that serve requests, a whole number from 1 to 64" \
  "the refusal of workers = 0 names the setting and the range"
sed 's/^currency = EUR$/currency = EUR\nworkers = 1/' "$CONFIG" >"$TMP/workers1.ini"; chmod 600 "$TMP/workers1.ini"
start_server "$TMP/workers1.ini" workers1 || fail "server starts with workers = 1"
http GET /healthz
THREADS=$(ls /proc/"$SERVER_PID"/task | wc -l)
check '[ "$CODE" = 200 ] && [ $((DEFAULT_THREADS - THREADS)) = 3 ]' \
  "a server with workers = 1 answers, on 3 threads fewer than with the default 4 ($THREADS, $DEFAULT_THREADS)"
stop_server

# The first run's passwd command pastes as printed even when the config's path holds a space, a quote and a $: each
# path is one shell word (quoted). Run through bash as a user would paste it, it sets admin's password in the data
# directory of the server's own config.
WEIRD="$TMP/my dir/it's \$HOME.ini"
mkdir -p "$TMP/my dir"
panel_ini "$WEIRD" "$TMP/data-weird" "$FIXTURES/good.so" 'store_name = Weird' 'currency = EUR' "${PANEL_OWNER_SUPPORT[@]}"
start_server "$WEIRD" weird || fail "server starts with a config whose path holds a space, a quote and a \$"
wait_until 'grep -q "passwd admin" "$TMP/weird.out"' 5
PASTE=$(sed -n 's/.*change it with: \(.*\)$/\1/p' "$TMP/weird.out")
printf 'admin-password-pasted\n' | bash -c "$PASTE" >"$TMP/paste.out" 2>&1; RC=$?
login admin admin-password-pasted "$TMP/weird.jar"
check '[ -n "$PASTE" ] && [ "$RC" = 0 ] && [ "$CODE" = 303 ]' \
  "the first run's passwd command, pasted into a shell, sets admin's password through the server's own config" \
  "command: $PASTE; rc $RC: $(cat "$TMP/paste.out"); login $CODE"
stop_server
