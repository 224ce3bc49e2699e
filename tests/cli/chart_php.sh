#!/bin/bash
# chart_php.sh - the example PHP panel draws a time-series table (ABI 1.3, issue 21 §2) from the same descriptor
# as the sample host: the binding's page() gives the abi13 fixture's usage table its 'series' (time, group and
# series columns, stacked, unit) and none to a plain table or to the abi12 fixture's (a 1.2 plugin); every bar of
# the PHP chart has the number computed here from the fixture's rule, with a height of that number times one
# scale, and the PHP chart's bars are exactly the sample host's web chart's for the same clock. Runs PHP's CLI
# (tests/php/chart_page.php), then the example panel's page itself through nginx + php-fpm: the chart above the
# table, under the panel's Content-Security-Policy, no PHP error. Says SKIP under the valgrind pass.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
source "$(dirname "$0")/../php/php_env.sh"
source "$(dirname "$0")/../php/fpm_stack.sh"

if [ -n "${TEST_WRAPPER:-}" ]; then
  echo "SKIP: chart_php.sh under TEST_WRAPPER ($TEST_WRAPPER): PHP is not run under valgrind"
  exit 0
fi
require_php fpm
php_environment
trap 'stop_php_stack KILL 2>/dev/null; rm -rf "$TMP"' EXIT

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$FIXTURES/abi13.so $FIXTURES/abi12.so" '[plugin:abi13]' 'case = good'
PANEL_CONFIG="$CONFIG" php -d ffi.enable=1 tests/php/chart_page.php abi13/page >"$TMP/php.out" 2>"$TMP/php.err"; RC=$?
OUT=$(cat "$TMP/php.out"); ERR=$(cat "$TMP/php.err")
expect_rc 0 "the PHP panel renders the abi13 page's chart"
NOW=$(head -1 "$TMP/php.out")
check '[ "$(tail -1 "$TMP/php.out")" = "[null,{\"time_index\":0,\"group_index\":1,\"series\":{\"2\":\"Allowed\",\"3\":\"Denied\"},\"stacked\":true,\"unit\":\"requests\"}]" ]' \
  "the binding's page() describes the time series (0-based columns, stacked, unit) and a plain table as null" \
  "last line: $(tail -1 "$TMP/php.out")"

# bars NAME FILE: every rect.bar of FILE as "svg-id bucket series value x y width height" lines, sorted.
bars() {
  python3 - "$1" <<'PY'
import re, sys
html = open(sys.argv[1]).read()
out = []
for svg in re.finditer(r'<svg class="chart" id="([^"]+)".*?</svg>', html, re.S):
    for r in re.finditer(r'<rect class="bar" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="[^"]+" '
                         r'data-series="([^"]+)" data-bucket="([^"]+)" data-value="(\d+)"', svg.group(0)):
        x, y, w, h, series, bucket, value = r.groups()
        out.append(f"{svg.group(1)} {bucket} {series} {value} {x} {y} {w} {h}")
print("\n".join(sorted(out)))
PY
}
bars "$TMP/php.out" >"$TMP/php.bars"

# The numbers from the fixture's rule (tests/fixtures/abi13.c) for that clock, and one scale per drawing.
python3 - "$NOW" "$TMP/php.bars" >"$TMP/check.txt" <<'PY'
import sys
from datetime import datetime, timezone
now = int(sys.argv[1]); D, H = 86400, 3600
first_day = now - now % D - 29 * D; first_hour = now - now % H - 47 * H; current = now - now % H
want = {}
def add(key, series, n):
    if n: want[key + (series,)] = want.get(key + (series,), 0) + n
for o in range(31 * 24):
    if o >= 48 and o % 5: continue
    start = current - o * H
    if start < first_day: continue
    iso = datetime.fromtimestamp(start, timezone.utc)
    for a, d in [(1 + o % 7, o % 3), (o % 4, 2 if o % 5 == 0 else 0)]:
        for which, bucket in [('days', iso.strftime('%Y-%m-%d'))] + ([('hours', iso.strftime('%Y-%m-%dT%H:00Z'))] if start >= first_hour else []):
            add((which, bucket), 'Allowed', a); add((which, bucket), 'Denied', d)
got, bad = {}, []
scales = {}
for line in open(sys.argv[2]).read().split('\n'):
    if not line: continue
    svg, bucket, series, value, x, y, w, h = line.split()
    which = svg.rsplit('-', 1)[1]
    got[(which, bucket, series)] = int(value)
    scales.setdefault(which, []).append(float(h) / int(value))
for which, s in scales.items():
    if max(s) - min(s) > 0.001: bad.append(f"{which}: heights are not one scale times the numbers ({min(s)}..{max(s)})")
if got != want: bad.append(f"numbers differ: {len(got)} bars drawn, {len(want)} wanted; e.g. {sorted(set(want.items()) ^ set(got.items()))[:3]}")
print("ok" if not bad else "; ".join(bad))
print(len(got))
PY
check '[ "$(head -1 "$TMP/check.txt")" = ok ] && [ "$(sed -n 2p "$TMP/check.txt")" = 144 ]' \
  "each of the PHP chart's 144 bars has the fixture's number, its height that number times one scale" "$(cat "$TMP/check.txt")"

# The sample host's web chart for the same clock: the same bars, to the thousandth.
SERVER_ARGS="--now $NOW"
if ! start_server "$CONFIG"; then echo "FAIL: the sample host serves the abi13 page"; exit 1; fi
login admin "$FIRST_PASSWORD" "$TMP/jar"
http GET /admin/abi13/page -b "$TMP/jar"
printf '%s' "$BODY" >"$TMP/c.html"
bars "$TMP/c.html" >"$TMP/c.bars"
# same_bars A B: the same bars, each coordinate within 0.002 (C's printf rounds half to even, PHP's half up).
same_bars() {
  python3 - "$1" "$2" <<'PY'
import sys
a, b = (open(f).read().split('\n') for f in sys.argv[1:3])
ok = len(a) == len(b) > 1 and all(x.split()[:4] == y.split()[:4] and
     all(abs(float(p) - float(q)) <= 0.002 for p, q in zip(x.split()[4:], y.split()[4:])) for x, y in zip(a, b) if x or y)
sys.exit(0 if ok else 1)
PY
}
check 'same_bars "$TMP/php.bars" "$TMP/c.bars"' \
  "the PHP panel's bars are the sample host's bars (position, size, series and number)" \
  "$(diff "$TMP/php.bars" "$TMP/c.bars" | head -5)"
check 'grep -q "<h2>Requests in the last 30 days</h2>" "$TMP/php.out" && grep -q "Allowed: [0-9]* requests</li>" "$TMP/php.out"' \
  "the PHP chart has the table's title and a legend with totals"
stop_server

PANEL_CONFIG="$CONFIG" php -d ffi.enable=1 tests/php/chart_page.php abi12/page >"$TMP/php12.out" 2>"$TMP/php12.err"; RC=$?
check '[ "$RC" = 0 ] && [ "$(tail -1 "$TMP/php12.out")" = "[null,null]" ] && ! grep -q "<svg" "$TMP/php12.out"' \
  "a 1.2 plugin's tables have no series in the binding and no chart in the PHP panel" "$(cat "$TMP/php12.out" "$TMP/php12.err")"

# The example panel itself (nginx + php-fpm): the page carries the chart above the table, under its CSP.
printf 'admin-chart-php-pw\n' | "$PWD/$B/sample-host" -c "$CONFIG" passwd admin >/dev/null 2>"$TMP/passwd.err" \
  || { echo "FAIL: sample-host passwd admin"; cat "$TMP/passwd.err"; exit 1; }
if ! start_php_stack "$CONFIG" 2; then echo "FAIL: nginx + php-fpm serve the example panel"; exit 1; fi
JAR="$TMP/php.jar"
csrf=$(curl -s -b "$JAR" -c "$JAR" "$STACK_URL/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode user=admin \
  --data-urlencode password=admin-chart-php-pw "$STACK_URL/login"
CODE=$(curl -s -b "$JAR" -D "$TMP/panel.h" -o "$TMP/panel.html" -w '%{http_code}' "$STACK_URL/admin/abi13/page")
BODY=$(cat "$TMP/panel.html"); HEADERS=$(tr -d '\r' <"$TMP/panel.h")
check '[ "$CODE" = 200 ] && body_has "<section class=\"chart-section\" id=\"chart-usage\">" &&
       body_has "<svg class=\"chart\" id=\"chart-usage-days\"" && body_has "<section class=\"table\" id=\"table-usage\">"' \
  "the example panel's page draws the chart above the time series' table"
bars "$TMP/panel.html" >"$TMP/panel.bars"
check '[ "$(wc -l <"$TMP/panel.bars")" = 144 ]' "the example panel's page has the chart's 144 bars"
check 'has_header "^content-security-policy: default-src .self.; form-action .self.; frame-ancestors .none." &&
       ! body_has " style=\"" && ! body_has "<script>"' "the chart needs no inline style or script under the panel's CSP"
stop_php_stack QUIT
if grep -q 'PHP \(Fatal\|Warning\|Notice\|Deprecated\)' "$STACK/php-errors.log" 2>/dev/null; then
  echo "FAIL: the panel logged no PHP error"; cat "$STACK/php-errors.log"
else pass "the panel logged no PHP error or warning"; fi
