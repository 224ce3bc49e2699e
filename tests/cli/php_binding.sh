#!/bin/bash
# php_binding.sh - the PHP binding as a package (bindings/php): composer validate --strict, phpcs
# --standard=PSR12 on its code and tests (a FAIL line per finding), and its PHPUnit suite (bindings/php/tests,
# Debian's phpunit 9.6) under the production preload setup (ffi.enable=preload, ffi.preload, opcache.preload),
# against libpanelhost of $B/lib, the API Keys plugin and the fixture plugins. Each PHPUnit test is a PASS:/FAIL:
# line (from phpunit's --testdox-text), then phpunit's own output, whose summary line closes the run. A missing
# PHP, FFI, OPcache, composer, phpunit or phpcs is a FAIL naming the package, never a skip.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../php/php_env.sh"

require_php
for tool in composer:composer phpunit:phpunit phpcs:php-codesniffer; do
  if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
    echo "FAIL: ${tool%%:*} is installed (run: apt-get install -y ${tool#*:})"; exit 1
  fi
done
php_environment
php_preload_options

# composer.json as Packagist would take it
if out=$(cd "$BINDING" && COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_HOME="$TMP/composer-home" \
         composer validate --strict --no-interaction --no-ansi 2>&1); then
  echo "PASS: composer validate --strict accepts bindings/php/composer.json"
else
  echo "FAIL: composer validate --strict accepts bindings/php/composer.json"; printf '%s\n' "$out" | sed 's/^/  /'
fi

# PSR-12: one FAIL line per error or warning phpcs reports (file:line:column: message (sniff))
phpcs --standard=PSR12 --report=emacs --no-colors "$BINDING/src" "$BINDING/tests" "$BINDING/preload.php" \
  "$BINDING/autoload.php" >"$TMP/phpcs" 2>&1
phpcs_rc=$?
if [ "$phpcs_rc" -eq 0 ]; then
  echo "PASS: phpcs --standard=PSR12 finds nothing in bindings/php (src, tests, preload.php, autoload.php)"
elif [ -s "$TMP/phpcs" ] && grep -q ': \(error\|warning\) - ' "$TMP/phpcs"; then
  grep ': \(error\|warning\) - ' "$TMP/phpcs" | sed "s|^$PWD/||; s/^/FAIL: phpcs PSR-12: /"
else
  echo "FAIL: phpcs --standard=PSR12 runs (exit $phpcs_rc)"; sed 's/^/  /' "$TMP/phpcs"
fi

# the PHPUnit suite, each test a PASS:/FAIL: line; phpunit's output (its summary line last) closes the run
PANEL_TEST_DIR="$TMP" PANEL_TEST_PLUGIN="$PLUGIN" PANEL_TEST_FIXTURES="$FIXTURES" \
PANEL_TEST_SAMPLE_HOST="$PWD/$B/sample-host" PANEL_TEST_CHILD_PHP="php -d ffi.enable=preload" \
  php "${PHP_PRELOAD[@]}" "$(command -v phpunit)" --configuration "$BINDING/phpunit.xml.dist" --no-coverage \
  --testdox-text "$TMP/testdox.txt" >"$TMP/phpunit" 2>&1
phpunit_rc=$?
if [ -s "$TMP/testdox.txt" ]; then
  sed -n -e 's/^ \[x\] /PASS: /p' -e 's/^ \[ \] /FAIL: /p' "$TMP/testdox.txt"
fi
if [ "$phpunit_rc" -ne 0 ] && ! grep -q '^ \[ \] ' "$TMP/testdox.txt" 2>/dev/null; then
  echo "FAIL: phpunit runs the binding's suite (exit $phpunit_rc)"
fi
sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$TMP/phpunit"
[ "$phpunit_rc" -eq 0 ] && [ "$phpcs_rc" -eq 0 ]
