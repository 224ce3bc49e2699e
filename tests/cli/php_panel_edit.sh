#!/bin/bash
# php_panel_edit.sh - Edit keeps what it shows in the example PHP panel (issue 25 §1, 24 §3): first the page
# template rendered for a made-up page (tests/php/panel_render_edit.php: a row action's form filled from the row
# where a parameter has edits_index, the binding's form of ABI 1.3's edits_column; nothing filled without it),
# then in headless Chromium against nginx + php-fpm (tests/browser/php_panel_edit.test.js) a named key's Edit:
# one scope added, every earlier one kept. What the plugin declares (whether its Edit parameters name their
# columns, its scope labels) is read through the binding first and handed to the browser test, which then
# expects the form filled from the row. Missing Chromium, Node.js, PHP, php-fpm or nginx is a FAIL; under the
# valgrind pass it says SKIP.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../php/panel_browser.sh"

php "$PWD/tests/php/panel_render_edit.php" "$PHP_PANEL" || echo "FAIL: tests/php/panel_render_edit.php renders the page template and all its checks pass (exit $?)"
php_preload_options
PAGE_FACTS=$(PANEL_CONFIG="$CONFIG" php "${PHP_PRELOAD[@]}" -r '
  $host = Panel\Host::open(getenv("PANEL_CONFIG"));
  $page = $host->page("admin", "settings/api-key");
  $facts = ["prefill" => false, "scope_labels" => null];
  foreach ($page["actions"] as $a) {
    foreach ($a["params"] as $p) {
      if ($a["id"] === "edit" && $p["id"] === "scopes") { $facts["prefill"] = $p["edits_index"] !== null; }
      if ($a["id"] === "create-key" && $p["id"] === "scopes" && $p["choice_labels"] !== null
          && $p["choice_labels"] !== $p["choices"]) { $facts["scope_labels"] = $p["choice_labels"]; }
    }
  }
  echo json_encode($facts);' 2>"$TMP/facts.err")
if [ -z "$PAGE_FACTS" ]; then echo "FAIL: the binding reads the API Key page's Edit parameters"; cat "$TMP/facts.err"; exit 1; fi
echo "PASS: what the plugin declares, read through the binding: $PAGE_FACTS"
PAGE_FACTS="$PAGE_FACTS" run_panel_test php_panel_edit.test.js
