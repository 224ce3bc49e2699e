#!/bin/bash
# php_panel_layout.sh - the example PHP panel's look at 1280 and 390 px in headless Chromium
# (tests/browser/php_panel_layout.test.js: the style sheet applied, no sideways scroll, cards, every row action
# reachable, the secret box, screenshots build/screenshots/php-*.png) against nginx + php-fpm
# (tests/php/panel_browser.sh). Missing Chromium, Node.js, PHP, php-fpm or nginx is a FAIL; under the valgrind
# pass it says SKIP.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../php/panel_browser.sh"
run_panel_test php_panel_layout.test.js
