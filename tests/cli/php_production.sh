#!/bin/bash
# php_production.sh - the README's "example panel in production" section followed literally (issue 25 §5): its
# blocks (marked <!-- php-production: NAME -->) are read from README.md and run as written, with only `/` moved
# under a temporary folder and port 80 to a free loopback port: the setup commands (make install, the data
# directory owned by www-data, the config root's and readable by the group www-data, the password set with
# `runuser -u www-data --`), the php.ini lines, the pool file (user www-data, env[PANEL_CONFIG]) under php-fpm
# and the server block under an nginx.conf as Debian's (user www-data; mime.types). Then: the workers of both run
# as www-data, the style sheet is text/css, an owner logs in, enables the API and gets a key the API accepts,
# the data directory's files belong to www-data, the root command line refuses that directory and runs as
# www-data as the section says. Needs root (runuser, www-data); under the valgrind pass it says SKIP.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../php/php_env.sh"

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: php_production.sh under TEST_WRAPPER ($TEST_WRAPPER): PHP, php-fpm and nginx are not run under" \
       "valgrind; make test runs this test on the plain build"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! id www-data >/dev/null 2>&1; then
  echo "SKIP: php_production.sh needs root and the user www-data (it starts php-fpm and nginx as Debian does)"
  exit 0
fi
require_php fpm
php_environment
unset LD_LIBRARY_PATH # the section's setup finds the installed library by itself (panel.h's FFI_LIB)
FPM_PID="" NGINX_PID=""
cleanup() {
  [ -n "$NGINX_PID" ] && kill -TERM "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  [ -n "$FPM_PID" ] && kill -QUIT "$FPM_PID" 2>/dev/null && wait "$FPM_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

chmod 0711 "$TMP" # www-data walks through it to the moved /
ROOT="$TMP/root" STACK="$TMP/stack"
mkdir -p "$ROOT" "$STACK" "$ROOT/run/php" # /run/php: made by the php-fpm package's service
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
URL="http://127.0.0.1:$PORT"

# block NAME: the README block after <!-- php-production: NAME -->, with / moved under $ROOT and port 80 moved.
block() {
  awk -v name="$1" '$0 == "<!-- php-production: " name " -->" {found = 1; next}
    found && /^```/ {if (inside) exit; inside = 1; next} inside {print}' README.md |
  sed -e "s#/usr/local#$ROOT/usr/local#g" -e "s#/var/lib/panel#$ROOT/var/lib/panel#g" \
      -e "s#/etc/panel#$ROOT/etc/panel#g" -e "s#/var/www#$ROOT/var/www#g" -e "s#/run/php#$ROOT/run/php#g" \
      -e "s#listen 80;#listen 127.0.0.1:$PORT;#" -e "s#make install #make -s install B=$B #"
}
for name in setup php.ini pool nginx; do
  block "$name" >"$STACK/$name"
  [ -s "$STACK/$name" ] || { echo "FAIL: README.md has the block <!-- php-production: $name -->"; exit 1; }
done

# the setup, as root, the password typed into runuser's passwd
if printf 'owner-production-pw\n' | bash -e "$STACK/setup" >"$STACK/setup.out" 2>&1; then
  pass "the section's setup commands run as written (make install, data dir, config, runuser ... passwd admin)"
else
  echo "FAIL: the section's setup commands run as written"; cat "$STACK/setup.out"; exit 1
fi
[ "$(stat -c %U:%a "$ROOT/var/lib/panel")" = www-data:700 ] && pass "the data directory is www-data's, mode 0700" \
  || fail "the data directory is www-data's, mode 0700 ($(stat -c %U:%a "$ROOT/var/lib/panel"))"

# php-fpm: the php.ini lines and the pool file as written; nginx: the server block inside Debian's frame
{ cat "$STACK/php.ini"; echo "display_errors = Off"; echo "log_errors = On"; echo "error_log = $STACK/php-errors.log"; } >"$STACK/php-fpm.ini"
mkdir -p "$STACK/pool.d" && cp "$STACK/pool" "$STACK/pool.d/panel.conf"
cat >"$STACK/php-fpm.conf" <<CONF
[global]
error_log = $STACK/fpm.log
pid = $STACK/fpm.pid
daemonize = no
process_control_timeout = 10s
include = $STACK/pool.d/*.conf
CONF
mkdir -p "$STACK/sites-enabled" && cp "$STACK/nginx" "$STACK/sites-enabled/panel"
cp /etc/nginx/fastcgi_params "$STACK/" # the block's `include fastcgi_params` is relative to nginx.conf's folder
cat >"$STACK/nginx.conf" <<CONF
user www-data;
worker_processes 1;
pid $STACK/nginx.pid;
error_log $STACK/nginx-error.log;
events { worker_connections 128; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path $STACK/nginx-body;
  fastcgi_temp_path $STACK/nginx-fastcgi;
  proxy_temp_path $STACK/nginx-proxy;
  uwsgi_temp_path $STACK/nginx-uwsgi;
  scgi_temp_path $STACK/nginx-scgi;
  include $STACK/sites-enabled/*;
}
CONF
"$PHP_FPM" -F -c "$STACK/php-fpm.ini" -y "$STACK/php-fpm.conf" >"$STACK/fpm.out" 2>&1 &
FPM_PID=$!
"$NGINX" -p "$STACK" -c "$STACK/nginx.conf" -g 'daemon off;' >"$STACK/nginx.out" 2>&1 &
NGINX_PID=$!
logs() { local f; for f in fpm.out fpm.log nginx.out nginx-error.log php-errors.log; do
  [ -s "$STACK/$f" ] && { echo "---- $f"; tail -20 "$STACK/$f"; }; done; }
up=""
for i in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/login" 2>/dev/null)" = 200 ] && { up=1; break; }
  kill -0 "$FPM_PID" 2>/dev/null && kill -0 "$NGINX_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -n "$up" ]; then pass "php-fpm (the pool file) and nginx (the server block) serve the panel's login page"
else echo "FAIL: php-fpm and nginx serve the panel's login page"; logs; exit 1; fi

users_of() { ps -o user= --ppid "$1" | sort -u | tr '\n' ' '; }
[ "$(users_of "$FPM_PID")" = "www-data " ] && pass "the pool's workers run as www-data" \
  || fail "the pool's workers run as www-data (got: $(users_of "$FPM_PID"))"
[ "$(users_of "$NGINX_PID")" = "www-data " ] && pass "nginx's workers run as www-data" \
  || fail "nginx's workers run as www-data (got: $(users_of "$NGINX_PID"))"
type=$(curl -s -o /dev/null -w '%{content_type}' "$URL/panel.css")
[[ "$type" == text/css* ]] && pass "nginx sends the style sheet as text/css ($type)" || fail "nginx sends the style sheet as text/css (got '$type')"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/favicon.ico")" = 200 ] && pass "/favicon.ico is served" \
  || fail "/favicon.ico is served"

# an owner logs in with the password set through runuser, enables the API and gets a key the API accepts
JAR="$STACK/jar"
csrf() { sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1; }
token=$(curl -s -b "$JAR" -c "$JAR" "$URL/login" | csrf)
code=$(curl -s -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' --data-urlencode "_csrf=$token" \
  --data-urlencode user=admin --data-urlencode password=owner-production-pw "$URL/login")
[ "$code" = 303 ] && pass "admin logs in with the password set as www-data" || fail "admin logs in with the password set as www-data (got $code)"
curl -s -b "$JAR" -c "$JAR" -o "$STACK/page.html" "$URL/admin/settings/api-key"
token=$(csrf <"$STACK/page.html")
code=$(curl -s -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' --data-urlencode "_csrf=$token" "$URL/admin/settings/api-key/action/enable")
curl -s -b "$JAR" -c "$JAR" -o "$STACK/after.html" "$URL/admin/settings/api-key"
KEY=$(sed -n 's/.*id="one-time-secret" readonly value="\(sak_[A-Za-z0-9_]*\)".*/\1/p' "$STACK/after.html" | head -1)
api=$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $KEY" "$URL/api/v1/ping")
if [ "$code" = 303 ] && [ -n "$KEY" ] && [ "$api" = 200 ]; then pass "Enable API answers 303, the page shows the key once, the API accepts it"
else fail "Enable API answers 303, the page shows the key once, the API accepts it (POST $code, key ${KEY:+shown}, API $api)"; logs; fi
others=$(find "$ROOT/var/lib/panel" ! -user www-data | wc -l)
[ "$others" -eq 0 ] && pass "every file the panel made in the data directory belongs to www-data" \
  || fail "every file in the data directory belongs to www-data ($(find "$ROOT/var/lib/panel" ! -user www-data -printf '%u %p; '))"

# the command line: refused as root on www-data's directory (as the section says), working through runuser
CLI="$ROOT/usr/local/bin/panel-sample-host"
if out=$("$CLI" -c "$ROOT/etc/panel/panel.ini" page settings/api-key 2>&1); then
  fail "the root command line refuses the www-data-owned data directory (it ran: $out)"
elif printf '%s' "$out" | grep -q 'neither root nor you'; then
  pass "the root command line refuses the www-data-owned data directory, saying whose it is"
else fail "the root command line refuses the data directory, saying whose it is (said: $out)"; fi
if out=$(runuser -u www-data -- "$CLI" -c "$ROOT/etc/panel/panel.ini" page settings/api-key 2>&1) \
   && printf '%s' "$out" | grep -q 'enabled'; then
  pass "runuser -u www-data -- panel-sample-host ... reads the page the panel changed (API enabled)"
else fail "runuser -u www-data -- panel-sample-host reads the page (said: $out)"; fi

# the other half of the section's warning: a root-owned data directory cannot be opened by www-data's panel
install -d -m 0700 "$ROOT/var/lib/panel-root"
sed "s#^data_dir = .*#data_dir = $ROOT/var/lib/panel-root#" "$ROOT/etc/panel/panel.ini" >"$ROOT/etc/panel/root-dir.ini"
chown root:www-data "$ROOT/etc/panel/root-dir.ini" && chmod 0640 "$ROOT/etc/panel/root-dir.ini"
touch "$STACK/root-dir.log" && chown www-data "$STACK/root-dir.log"
out=$(cd "$ROOT/var/www/panel/public" && runuser -u www-data -- env REQUEST_URI=/login REQUEST_METHOD=GET \
  PANEL_CONFIG="$ROOT/etc/panel/root-dir.ini" PANEL_LIBRARY="$ROOT/usr/local/lib/libpanelhost.so.2" \
  php -d ffi.enable=1 -d display_errors=0 -d log_errors=1 -d "error_log=$STACK/root-dir.log" \
  -r 'require "'"$ROOT"'/usr/local/share/panel/php/autoload.php"; require "index.php";' 2>&1)
if printf '%s' "$out" | grep -q 'not available' && grep -q 'panel-root' "$STACK/root-dir.log" 2>/dev/null; then
  pass "with a root-owned data directory the www-data panel cannot start (a generic page; the reason in the log)"
else fail "with a root-owned data directory the www-data panel cannot start (page: $(printf '%s' "$out" | head -2))"; fi

kill -TERM "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; NGINX_PID=""
kill -QUIT "$FPM_PID" 2>/dev/null; wait "$FPM_PID" 2>/dev/null; FPM_PID=""
if grep -q 'PHP \(Fatal\|Warning\)' "$STACK/php-errors.log" 2>/dev/null; then
  fail "the panel logged no PHP error"; head -20 "$STACK/php-errors.log"
else pass "the panel logged no PHP error or warning"; fi
