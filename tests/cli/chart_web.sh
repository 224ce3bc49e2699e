#!/bin/bash
# chart_web.sh - curl-level checks of the web panel's time-series chart (ABI 1.3, issue 21 §2) with the abi13 and
# abi12 fixtures: the page carries an inline SVG chart (no script, the same Content-Security-Policy) above the
# table, which is still there; the numbers' table and the legend; the link from a record row to its own chart and
# that chart's page; 404 for a table that is no time series, an unknown table or a group of a table without
# groups; 403 for a role without the page's permission; a 1.2 plugin's table of the same shape has no chart. The
# drawing itself (bar heights, widths) is chart_browser.sh's.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: chart_web.sh under TEST_WRAPPER ($TEST_WRAPPER): the server test runs on the plain build"
  exit 0
fi
NOW=1796600000 # 2026-12-06T23:33:20Z
CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$FIXTURES/abi13.so $FIXTURES/abi12.so" '[plugin:abi13]' 'case = good'
SERVER_ARGS="--now $NOW"
if ! start_server "$CONFIG"; then echo "FAIL: the server starts with the abi13 and abi12 fixtures"; exit 1; fi
printf 'helpdesk-password-1\n' | $HOST -c "$CONFIG" passwd helpdesk >/dev/null 2>&1
JAR="$TMP/jar"
login admin "$FIRST_PASSWORD" "$JAR"
check '[ "$CODE" = 303 ]' "admin logs in"

http GET /admin/abi13/page -b "$JAR"
check '[ "$CODE" = 200 ] && body_has "<section class=\"chart-section\" id=\"chart-usage\"><h2>Requests in the last 30 days</h2>"' \
  "the page has a chart section titled with the table's title"
check 'body_has "<svg class=\"chart\" id=\"chart-usage-days\" role=\"img\" viewBox=\"0 0 360 196\" width=\"100%\"" &&
       body_has "<svg class=\"chart\" id=\"chart-usage-hours\""' "the chart is inline SVG, per day and per hour, scaling with the page"
check 'body_has "<desc id=\"chart-usage-days-desc\">Stacked bars of Allowed and Denied requests from 2026-11-07 to 2026-12-06 \(UTC\)"' \
  "the drawing says what it shows (title and description)"
check 'body_has "Allowed: 998 requests</li>" && body_has "Denied: 471 requests</li>"' "the legend gives each series' total"
check 'body_has "<summary>The numbers</summary>" && body_has "<tr><th scope=\"row\">2026-12-06</th><td>126</td><td>34</td></tr>"' \
  "the numbers are there as a table too (today: 126 allowed, 34 denied)"
check 'body_has "<section class=\"table\" id=\"table-usage\">" && body_has "<td data-label=\"Hour\">2026-12-06T23:00:00Z</td><td data-label=\"Key\">site</td>"' \
  "the time series' table is still shown under its chart"
check '! body_has "<script[^>]*>[^<]" && ! body_has " style=\"" && ! body_has " on[a-z]+=\""' \
  "the chart needs no script, inline script, inline style or event handler"
check 'has_header "^content-security-policy: default-src .none.; script-src .self.; style-src .self.; img-src .self.;"' \
  "the page is served under the same Content-Security-Policy"
check 'body_has "<tbody class=\"record\" data-record=\"3\">.*<a class=\"chart-link\" href=\"/admin/abi13/page\?chart=usage&amp;group=3\">"' \
  "key 3's row links to its own chart"

http GET '/admin/abi13/page?chart=usage&group=3' -b "$JAR"
check '[ "$CODE" = 200 ] && body_has "<h2>Requests in the last 30 days: Key 3</h2>" && body_has "id=\"chart-back\" href=\"/admin/abi13/page\""' \
  "?chart=usage&group=3 shows key 3's chart with a way back"
check 'body_has "<tr><th scope=\"row\">2026-12-06</th><td>36</td><td>10</td></tr>" && ! body_has "<section class=\"table\""' \
  "key 3's chart counts only key 3's rows (today: 36 allowed, 10 denied)"
http GET '/admin/abi13/page?chart=usage' -b "$JAR"
check '[ "$CODE" = 200 ] && body_has "<h2>Requests in the last 30 days</h2>" && body_has "Allowed: 998 requests"' \
  "?chart=usage alone shows the chart of every group"
http GET '/admin/abi13/page?chart=keys' -b "$JAR"
check '[ "$CODE" = 404 ] && body_has "This page has no such chart"' "a table that is no time series has no chart (404)"
http GET '/admin/abi13/page?chart=nope&group=3' -b "$JAR"
check '[ "$CODE" = 404 ]' "an unknown table has no chart (404)"
http GET '/admin/abi12/page?chart=usage' -b "$JAR"
check '[ "$CODE" = 404 ]' "a 1.2 plugin's table has no chart (404)"
http GET /admin/abi12/page -b "$JAR"
check '[ "$CODE" = 200 ] && body_has "<section class=\"table\" id=\"table-usage\">" && ! body_has "chart-section" && ! body_has "chart-link"' \
  "a 1.2 plugin's table of the same shape is a plain table, without a chart or chart links"

HJAR="$TMP/hjar"
login helpdesk helpdesk-password-1 "$HJAR"
http GET '/admin/abi13/page?chart=usage&group=3' -b "$HJAR"
check '[ "$CODE" = 403 ] && ! body_has "<svg"' "a role without the page's permission gets 403 for its chart, and no numbers"
http GET '/admin/nosuch/page?chart=usage' -b "$JAR"
check '[ "$CODE" = 404 ]' "the chart of an unknown page is 404"

stop_server
check '[ "$STOP_RC" = 0 ]' "the server exits 0 on SIGTERM"
