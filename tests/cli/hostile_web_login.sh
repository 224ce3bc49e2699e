#!/bin/bash
# hostile_web_login.sh - parallel login guesses against `sample-host serve` (good fixture plugin), issue 20 item 5:
# the throttle reserves each attempt before the password is hashed, so 20 wrong passwords posted at once for one
# user get no more evaluations (401) than 20 posted one after another (5, then 429); the same for a browser with
# a valid device cookie; a right password takes its reservation back (the address's count is as it was), and so
# does an attempt the address's throttle refuses (nothing counted for the user name). The host's clock is fixed (--now): throttle times are exact.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

# parallel_wrong USER JAR N ADDR: N wrong passwords for USER posted at once with the jar's cookies (its login
# token) from ADDR; writes the statuses to $TMP/codes and sets CODE to their counts
parallel_wrong() {
  local user=$1 jar=$2 n=$3 addr=$4
  http GET /login --interface "$addr" -c "$jar" -b "$jar"
  local token; token=$(csrf_of_body)
  seq 1 "$n" | xargs -P "$n" -I{} curl -s -o /dev/null -w '%{http_code}\n' --interface "$addr" -b "$jar" \
    --data "_csrf=$token&user=$user&password=wrong-password-{}" "${SERVER_URL}login" >"$TMP/codes"
  CODE=$(sort "$TMP/codes" | uniq -c | tr -s ' \n' ' ')
}
count() { grep -c "^$1$" "$TMP/codes"; }

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$FIXTURES/good.so"
sed -i 's|^\[host\]$|[host]\nworkers = 8|' "$CONFIG"    # 8 threads: attempts really run side by side
T0=2000000000
SERVER_ARGS="--now $T0" start_server "$CONFIG" || { fail "server starts"; exit 1; }
ADMIN_PASSWORD=$FIRST_PASSWORD
DB="$TMP/data/admin-sessions.db"
failures() { sqlite3 "$DB" "SELECT coalesce(max(failures), 0) FROM throttle WHERE scope = '$1' AND key = '$2'"; }

# ----- 20 wrong passwords at once for one user: 5 evaluated (the free failures), 15 throttled
parallel_wrong helpdesk "$TMP/a.jar" 20 127.0.0.2
check '[ "$(count 401)" = 5 ] && [ "$(count 429)" = 15 ]' \
  "20 parallel wrong passwords for one user: exactly 5 evaluated (401), 15 get 429 ($CODE; before: more than 5 evaluated)"
check '[ "$(failures user u:helpdesk)" = 5 ] && [ "$(failures addr a:127.0.0.2)" = 5 ]' \
  "the throttle counted 5 failures for the user and the address (throttled attempts count nothing)"

# ----- a browser with a valid device cookie: its own 5, no more
JAR="$TMP/owner.jar"
login admin "$ADMIN_PASSWORD" "$JAR"
check '[ "$CODE" = 303 ]' "admin logs in (the browser gets a device cookie)"
sed -i '/panel_session/d' "$JAR"
parallel_wrong admin "$JAR" 20 127.0.0.3
check '[ "$(count 401)" = 5 ] && [ "$(count 429)" = 15 ]' \
  "20 parallel wrong passwords from the owner's browser: exactly 5 evaluated, 15 get 429 ($CODE)"
check '[ "$(failures user u:admin)" = 0 ]' "the device's failures are its own: none for the user name"

# ----- a success takes its reservation back: the address's count is as it was
for i in 1 2 3; do rm -f "$TMP/b.jar"; login ops "wrong-$i-password" "$TMP/b.jar" >/dev/null; done
BEFORE=$(failures addr a:127.0.0.1)
rm -f "$TMP/c.jar"; login admin "$ADMIN_PASSWORD" "$TMP/c.jar"
check '[ "$CODE" = 303 ] && [ "$BEFORE" = 3 ] && [ "$(failures addr a:127.0.0.1)" = 3 ]' \
  "a right password does not count against the address (3 failures before and after: $BEFORE)"
check '[ "$(failures user u:admin)" = 0 ]' "... and clears the user's failures"

# ----- an attempt the address refuses takes back the user's reservation
parallel_wrong nobody "$TMP/d.jar" 1 127.0.0.4
for i in $(seq 2 20); do
  curl -s -o /dev/null --interface 127.0.0.4 -b "$TMP/d.jar" --data "_csrf=$(awk '$6 == "panel_login" {print $7}' "$TMP/d.jar")&user=junk$i&password=wrong-password" "${SERVER_URL}login"
done
parallel_wrong fresh-user "$TMP/d.jar" 1 127.0.0.4
check '[ "$(count 429)" = 1 ] && [ "$(failures addr a:127.0.0.4)" = 20 ] && [ "$(failures user u:fresh-user)" = 0 ]' \
  "after 20 failures from one address a new user name gets 429, and nothing is counted for that user ($CODE)"

stop_server
check '[ "$STOP_RC" = 0 ]' "the server exits 0 on SIGTERM"
