#!/bin/bash
# laravel_app.sh - panel/laravel (bindings/laravel) in a real Laravel 8 application: tests/laravel/app built on
# Debian's php-laravel-framework (its autoloader under /usr/share/php) with panel/laravel and panel/host required
# through Composer path repositories (no Packagist), served by php-fpm behind nginx (tests/php/fpm_stack.sh: the
# preload setup, stopped at exit also when a check fails). Checks: composer validate --strict and phpcs PSR-12 on
# the package; Laravel discovers its service provider (extra.laravel.providers) and publishes its config; the
# admin pages in headless Chromium (tests/laravel/laravel_panel.test.js); then the apikey middleware against the
# sample host's own server on the same panel.ini: each denial with the sample host's status, JSON error and
# message, WWW-Authenticate, Retry-After, Deprecation and Sunset, and 200 with the principal for a key with the
# route's scope. A missing tool or package is a FAIL with the apt-get command.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
source "$(dirname "$0")/../php/php_env.sh"
source "$(dirname "$0")/../php/fpm_stack.sh"

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: laravel_app.sh under TEST_WRAPPER ($TEST_WRAPPER): PHP, php-fpm and nginx are not run under" \
       "valgrind; make test runs this test on the plain build"
  exit 0
fi
require_browser_test
require_php fpm
if [ ! -f /usr/share/php/Illuminate/Foundation/Application.php ]; then
  echo "FAIL: Laravel 8 is installed (run: apt-get install -y php-laravel-framework)"; exit 1
fi
for tool in composer:composer phpcs:php-codesniffer; do
  if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
    echo "FAIL: ${tool%%:*} is installed (run: apt-get install -y ${tool#*:})"; exit 1
  fi
done
php_environment
SERVER_PID=""
trap 'stop_php_stack KILL; [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
PACKAGE="$PWD/bindings/laravel"
export COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_HOME="$TMP/composer-home" COMPOSER_DISABLE_NETWORK=1

# ----- the package -----------------------------------------------------------------------------------------------
if out=$(cd "$PACKAGE" && composer validate --strict --no-interaction --no-ansi 2>&1); then
  pass "composer validate --strict accepts bindings/laravel/composer.json"
else
  echo "FAIL: composer validate --strict accepts bindings/laravel/composer.json"; printf '%s\n' "$out" | sed 's/^/  /'
fi
if phpcs --standard=PSR12 --report=emacs --no-colors "$PACKAGE/src" "$PACKAGE/config" >"$TMP/phpcs" 2>&1; then
  pass "phpcs --standard=PSR12 finds nothing in bindings/laravel (src, config)"
else
  grep ': \(error\|warning\) - ' "$TMP/phpcs" | sed "s|^$PWD/||; s/^/FAIL: phpcs PSR-12: /"
  grep -q ': \(error\|warning\) - ' "$TMP/phpcs" || { echo "FAIL: phpcs runs"; sed 's/^/  /' "$TMP/phpcs"; }
fi

# ----- the application -------------------------------------------------------------------------------------------
APP="$TMP/app"
cp -r "$PWD/tests/laravel/app" "$APP"
sed -i "s|@REPO@|$PWD|g" "$APP/composer.json"
mkdir -p "$APP/storage/framework/sessions" "$APP/storage/framework/views" "$APP/storage/framework/cache" \
  "$APP/storage/logs" "$APP/bootstrap/cache"
if (cd "$APP" && composer install --no-interaction --no-ansi --no-progress) >"$TMP/composer.log" 2>&1 &&
   [ -f "$APP/vendor/autoload.php" ]; then
  pass "composer install requires panel/laravel (and panel/host) into the application from path repositories"
else
  echo "FAIL: composer install requires panel/laravel into the application"; sed 's/^/  /' "$TMP/composer.log"; exit 1
fi

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN" \
  'api_scopes = store.read: Read the store; deliveries.pull: Pull deliveries; deliveries.ack: Ack deliveries'
printf 'APP_KEY=base64:%s\nPANEL_CONFIG=%s\n' "$(head -c 32 /dev/urandom | base64)" "$CONFIG" >"$APP/.env"
artisan() { (cd "$APP" && php "${PHP_PRELOAD[@]}" artisan "$@") >"$TMP/artisan.out" 2>&1; }
php_preload_options
PHP_PRELOAD=(-d ffi.enable=1) # artisan needs no preload; the binding declares panel.h itself (PANEL_LIBRARY)
export PANEL_LIBRARY="$PWD/$B/lib/libpanelhost.so.2"

artisan package:discover
RC=$?; OUT=$(cat "$TMP/artisan.out"); ERR=""
check '[ $RC -eq 0 ] && grep -q "Panel\\\\\\\\Laravel\\\\\\\\PanelServiceProvider" "$APP/bootstrap/cache/packages.php" &&
       ! grep -q Panel "$APP/config/app.php"' \
  "Laravel discovers PanelServiceProvider from the package's extra.laravel.providers (config/app.php names none)"
artisan vendor:publish --tag=panel-config
RC=$?; OUT=$(cat "$TMP/artisan.out")
check '[ $RC -eq 0 ] && cmp -s "$PACKAGE/config/panel.php" "$APP/config/panel.php"' \
  "php artisan vendor:publish --tag=panel-config copies the package's config into the application"
artisan route:list
RC=$?; OUT=$(cat "$TMP/artisan.out")
check '[ $RC -eq 0 ] && grep -q "AuthenticateApiKey:store.read" "$TMP/artisan.out" && grep -q "panel.page" "$TMP/artisan.out"' \
  "the apikey middleware alias and the panel's named routes are registered"
unset PANEL_LIBRARY
OUT=""
# the headers of a key that is going away, as the binding's result names its times (Unix times; none when 0)
OUT=$(cd "$APP" && php -r 'require "vendor/autoload.php"; require "Illuminate/autoload.php";
  echo json_encode([Panel\Laravel\Http\Middleware\AuthenticateApiKey::announcements(
    ["deprecation" => 1796601600, "sunset" => 1796605200]),
    Panel\Laravel\Http\Middleware\AuthenticateApiKey::announcements(["deprecation" => 0, "sunset" => 0]),
    Panel\Laravel\Http\Middleware\AuthenticateApiKey::announcements([])]);' 2>&1)
check '[ "$OUT" = "[{\"Deprecation\":\"@1796601600\",\"Sunset\":\"Mon, 07 Dec 2026 01:00:00 GMT\"},[],[]]" ]' \
  "a result's deprecation and sunset become Deprecation: @time and Sunset: HTTP-date (none when 0 or absent)"
OUT=""

# the application's users: owner acts as panel user admin (role owner), support as helpdesk (role support: no
# settings permission), nobody has no panel user, suspended acts as admin but the application's own gate
# (App\Providers\AppServiceProvider: Gate::before) refuses it every panel permission
php -r '
  $users = [];
  foreach ([[1, "owner", "admin"], [2, "support", "helpdesk"], [3, "nobody", null], [4, "suspended", "admin"]]
           as [$id, $name, $panel]) {
    $users[] = ["id" => $id, "name" => $name, "password" => password_hash("$name-laravel-pw", PASSWORD_BCRYPT),
      "panel_user" => $panel, "suspended" => $name === "suspended"];
  }
  file_put_contents($argv[1], json_encode($users));' "$APP/storage/users.json"

PHP_PANEL="$APP" # fpm_stack.sh serves $PHP_PANEL/public
if ! start_php_stack "$CONFIG" 2; then echo "FAIL: nginx + php-fpm serve the Laravel application"; exit 1; fi
pass "nginx + php-fpm (the preload setup) serve the Laravel application"

PANEL_URL="$STACK_URL/" OWNER_PASSWORD='owner-laravel-pw' SUPPORT_PASSWORD='support-laravel-pw' \
  NOBODY_PASSWORD='nobody-laravel-pw' SUSPENDED_PASSWORD='suspended-laravel-pw' SCREENSHOT_DIR="$PWD/$B/screenshots" \
  node "$PWD/tests/laravel/laravel_panel.test.js"
[ $? -eq 0 ] || stack_logs

# ----- the apikey middleware against the sample host ------------------------------------------------------------
if ! start_server "$CONFIG" sample; then echo "FAIL: the sample host serves the same panel.ini"; exit 1; fi
# answer URL NAME [CURL ARGS...]: one request; writes NAME.code, NAME.body and NAME.headers in $TMP
answer() { local url=$1 name=$2; shift 2
  curl -s -o "$TMP/$name.body" -D "$TMP/$name.headers" -w '%{http_code}' "$@" "$url" >"$TMP/$name.code"; }
# same WHAT PATH [CURL ARGS...]: the Laravel application and the sample host answer alike: status, the JSON body,
# WWW-Authenticate, Retry-After (within a second: two requests), Deprecation and Sunset. Sets CODE to Laravel's status.
same() { local what=$1 path=$2; shift 2
  answer "$STACK_URL$path" laravel "$@"
  answer "${SERVER_URL%/}$path" sample "$@"
  CODE=$(cat "$TMP/laravel.code")
  if python3 - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
def read(name):
    headers = {}
    for line in open(f"{d}/{name}.headers", encoding="latin-1").read().splitlines()[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return open(f"{d}/{name}.code").read(), json.load(open(f"{d}/{name}.body")), headers
lc, lb, lh = read("laravel"); sc, sb, sh = read("sample")
ok = lc == sc and lb == sb
for h in ("www-authenticate", "deprecation", "sunset"):
    ok = ok and lh.get(h) == sh.get(h)
ra, rs = lh.get("retry-after"), sh.get("retry-after")
ok = ok and (ra is None) == (rs is None) and (ra is None or abs(int(ra) - int(rs)) <= 1)
if not ok:
    print(f"  laravel: {lc} {json.dumps(lb)} {dict((k, lh.get(k)) for k in ('www-authenticate', 'retry-after', 'deprecation', 'sunset'))}")
    print(f"  sample:  {sc} {json.dumps(sb)} {dict((k, sh.get(k)) for k in ('www-authenticate', 'retry-after', 'deprecation', 'sunset'))}")
sys.exit(0 if ok else 1)
PY
  then pass "$what: the sample host's answer ($CODE $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("error") or "")' "$TMP/laravel.body"))"
  else echo "FAIL: $what: the sample host's answer"; fi
}
secret_of() { python3 -c 'import json,sys; print(json.load(sys.stdin).get("secret") or "")'; }
C=(-c "$CONFIG" --json)
$HOST "${C[@]}" action settings/api-key enable >/dev/null 2>&1 # (already on when the browser test enabled it)
GONE=$($HOST "${C[@]}" action settings/api-key reset --param grace=0 --yes 2>/dev/null | secret_of)
SITE=$($HOST "${C[@]}" action settings/api-key reset --param grace=0 --yes 2>/dev/null | secret_of)
[ -n "$GONE" ] && [ -n "$SITE" ] || echo "FAIL: the CLI enables the API and resets the site key"
STORE=$($HOST "${C[@]}" action settings/api-key create-key --param label=reader --param scopes=store.read 2>/dev/null | secret_of)
PULLER=$($HOST "${C[@]}" action settings/api-key create-key --param label=puller --param scopes=deliveries.pull 2>/dev/null | secret_of)
FENCED=$($HOST "${C[@]}" action settings/api-key create-key --param label=fenced --param scopes=store.read \
  --param allowed_ips=203.0.113.7 2>/dev/null | secret_of)
LIMITED=$($HOST "${C[@]}" action settings/api-key create-key --param label=limited --param scopes=store.read \
  --param rate_limit=1 2>/dev/null | secret_of)
[ -n "$STORE" ] && [ -n "$PULLER" ] && [ -n "$FENCED" ] && [ -n "$LIMITED" ] || echo "FAIL: the CLI creates the named keys"

same "no key" /api/v1/ping
check '[ "$CODE" = 401 ]' "... which is 401"
same "a malformed key" /api/v1/ping -H "X-API-Key: sak_not-a-key"
same "an unknown key (replaced without a grace period)" /api/v1/ping -H "X-API-Key: $GONE"
check '[ "$CODE" = 401 ] && grep -q "\"error\":\"unknown\"" "$TMP/laravel.body"' "... which is 401 unknown"
same "two different keys" /api/v1/ping -H "X-API-Key: $SITE" -H "Authorization: Bearer $STORE"
check '[ "$CODE" = 400 ]' "... which is 400"
same "a named key without the route's scope (apikey:store.read)" /api/v1/store -H "X-API-Key: $PULLER"
check '[ "$CODE" = 403 ] && grep -q "\"error\":\"scope\"" "$TMP/laravel.body"' "... which is 403 scope"
same "a named key from an address it does not allow" /api/v1/ping -H "X-API-Key: $FENCED"
check '[ "$CODE" = 403 ]' "... which is 403"
answer "${SERVER_URL%/}/api/v1/ping" first -H "X-API-Key: $LIMITED"   # the one request of its minute
same "a named key over its rate limit" /api/v1/ping -H "X-API-Key: $LIMITED"
check '[ "$CODE" = 429 ] && grep -qi "^retry-after: [0-9]" "$TMP/laravel.headers"' "... which is 429 with Retry-After"
same "whoami with a named key holding the route's scope" /api/v1/whoami -H "X-API-Key: $STORE"
check '[ "$CODE" = 200 ] && grep -q "\"label\":\"reader\"" "$TMP/laravel.body"' "... which is 200 with the principal"
answer "$STACK_URL/api/v1/store" store -H "Authorization: Bearer $STORE"
BODY=$(cat "$TMP/store.body"); CODE=$(cat "$TMP/store.code")
check '[ "$CODE" = 200 ] && [[ "$BODY" == *"\"principal\":\"apikeys:"* ]]' \
  "apikey:store.read lets a key with store.read in, and the controller reads its principal"
OLD=$SITE
SITE=$($HOST "${C[@]}" action settings/api-key reset --param grace=1h --yes 2>/dev/null | secret_of)
same "the old site key in its grace period" /api/v1/whoami -H "X-API-Key: $OLD"
check '[ "$CODE" = 200 ]' "... which is 200"
answer "$STACK_URL/api/v1/unscoped" unscoped -H "X-API-Key: $SITE"
CODE=$(cat "$TMP/unscoped.code"); BODY=$(cat "$TMP/unscoped.body")
check '[ "$CODE" = 500 ] && [[ "$BODY" != *"ok"* ]]' "a route with a bare apikey (no scope named) is refused, never served"
$HOST -c "$CONFIG" action settings/api-key disable --yes >/dev/null 2>&1
same "a key while the API is disabled" /api/v1/ping -H "X-API-Key: $SITE"
check '[ "$CODE" = 403 ]' "... which is 403"
stop_server

# (the bare apikey route's exception is the one error expected)
if grep -v 'the apikey middleware needs the scope' "$STACK/php-errors.log" 2>/dev/null |
   grep -q 'PHP \(Fatal\|Warning\)\|production.ERROR'; then
  echo "FAIL: the application logged no PHP error"; tail -20 "$STACK/php-errors.log"
else
  pass "the application logged no PHP error or warning"
fi
stop_php_stack QUIT
# no key in what the application and servers wrote: their logs, the sessions, the compiled views, the cache
if grep -rEl 'sak_[0-9A-Za-z]{30,}' "$STACK" "$APP/storage" >"$TMP/leaks" 2>/dev/null; then
  echo "FAIL: no API key in the logs, sessions or caches of the application"; sed 's/^/  /' "$TMP/leaks"
else
  pass "no API key in the logs, sessions or caches of the application"
fi
