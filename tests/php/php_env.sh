# php_env.sh - what the PHP tests share (sourced by tests/cli/php_*.sh after tests/cli/lib.sh): a loud FAIL
# with the apt-get command when PHP (with FFI), php-fpm or nginx is missing, and the production preload setup
# (ffi.enable=preload, ffi.preload of the binding's panel.h, opcache.preload of its preload.php) as php -d
# options, with libpanelhost taken from $B/lib.
BINDING="$PWD/bindings/php"
PHP_PANEL="$PWD/examples/php-panel"

# require_php [fpm]: exits 1 with a FAIL line naming the package to install when a tool is missing.
require_php() {
  if ! command -v php >/dev/null 2>&1; then
    echo "FAIL: PHP is installed (run: apt-get install -y php-cli)"; exit 1
  fi
  if ! php -m 2>/dev/null | grep -qx FFI; then
    echo "FAIL: PHP has the FFI extension (Debian's php-cli has it built in; run: apt-get install -y php-cli)"; exit 1
  fi
  if ! php -m 2>/dev/null | grep -qx 'Zend OPcache'; then
    echo "FAIL: PHP has OPcache for the preload setup (run: apt-get install -y php-opcache)"; exit 1
  fi
  if [ "${1:-}" = fpm ]; then
    PHP_FPM=$(command -v php-fpm 2>/dev/null || ls /usr/sbin/php-fpm* 2>/dev/null | head -1)
    if [ -z "$PHP_FPM" ] || [ ! -x "$PHP_FPM" ]; then
      echo "FAIL: php-fpm is installed (run: apt-get install -y php-fpm)"; exit 1
    fi
    NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
    if [ ! -x "$NGINX" ]; then echo "FAIL: nginx is installed (run: apt-get install -y nginx)"; exit 1; fi
  fi
  if [ ! -e "$PWD/$B/lib/libpanelhost.so.2" ]; then
    echo "FAIL: libpanelhost is built ($B/lib/libpanelhost.so.2; run: make B=$B)"; exit 1
  fi
}

# The environment every PHP process of the tests gets: the build's library. A sanitizer build cannot be loaded
# into Debian's PHP (its runtime would have to be preloaded, and PHP dlopens its extensions with RTLD_DEEPBIND,
# which the sanitizer runtime refuses): the test says so and stops, passing; the plain build runs it (make test,
# and the valgrind pass's plain build), and the library's own code runs under ASan in the unit tests.
php_environment() {
  if ldd "$PWD/$B/lib/libpanelhost.so.2" 2>/dev/null | grep -Eq 'lib(asan|tsan|ubsan)'; then
    echo "SKIP: $(basename "$0") with a sanitizer build ($B): Debian's PHP loads its extensions with RTLD_DEEPBIND," \
         "which the sanitizer runtime refuses; make test runs it on the plain build"
    exit 0
  fi
  export LD_LIBRARY_PATH="$PWD/$B/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

# The preload setup as php -d options (the same lines the README shows for php.ini).
php_preload_options() {
  PHP_PRELOAD=(-d ffi.enable=preload -d "ffi.preload=$BINDING/panel.h" -d opcache.enable=1
               -d opcache.enable_cli=1 -d "opcache.preload=$BINDING/preload.php")
  if [ "$(id -u)" = 0 ]; then PHP_PRELOAD+=(-d "opcache.preload_user=$(id -un)"); fi
}
