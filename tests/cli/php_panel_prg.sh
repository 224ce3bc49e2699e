#!/bin/bash
# php_panel_prg.sh - no double submits in the example PHP panel (issue 25 §3): every POST answered with 303, the
# outcome and the one-time secret carried to the next GET in the session and taken once, a reload after Enable,
# Create key and Reset changing nothing, and the confirmation's choice labels; in headless Chromium
# (tests/browser/php_panel_prg.test.js) against nginx + php-fpm (tests/php/panel_browser.sh). Missing Chromium,
# Node.js, PHP, php-fpm or nginx is a FAIL; under the valgrind pass it says SKIP.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../php/panel_browser.sh"
run_panel_test php_panel_prg.test.js
