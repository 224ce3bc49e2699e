#!/bin/bash
# php_binding.sh - the PHP binding's tests (tests/php/binding_test.php) under the production preload setup
# (ffi.enable=preload, ffi.preload, opcache.preload), against libpanelhost of $B/lib, the API Keys plugin and
# the fixture plugins. A missing PHP, FFI or OPcache is a FAIL naming the package, never a skip.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../php/php_env.sh"

require_php
php_environment
php_preload_options
PANEL_TEST_DIR="$TMP" PANEL_TEST_PLUGIN="$PLUGIN" PANEL_TEST_FIXTURES="$FIXTURES" \
PANEL_TEST_SAMPLE_HOST="$PWD/$B/sample-host" PANEL_TEST_CHILD_PHP="php -d ffi.enable=preload" \
  php "${PHP_PRELOAD[@]}" tests/php/binding_test.php
