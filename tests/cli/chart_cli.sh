#!/bin/bash
# chart_cli.sh - `sample-host page` with a time-series table (ABI 1.3, issue 21 §2): one line per series with a
# sparkline of its last 30 days and its totals, the numbers computed here from the abi13 fixture's rule (not read
# from the output) with the clock fixed by --now; the table's rows still follow; a 1.2 plugin's table of the same
# shape (abi12) gets no sparkline.
source "$(dirname "$0")/lib.sh"

NOW=1796600000 # 2026-12-06T23:33:20Z
CONFIG="$TMP/panel.ini"
panel_ini "$CONFIG" "$TMP/data" "$FIXTURES/abi13.so $FIXTURES/abi12.so" '[plugin:abi13]' 'case = good' \
  '[role:owner]' 'permissions = *' '[user:admin]' 'role = owner'

# The fixture's days (tests/fixtures/abi13.c), as the sample host should draw them: "NAME SPARKLINE TOTAL LAST48".
expected=$(python3 - "$NOW" <<'EOF'
import math, sys
now = int(sys.argv[1]); day, hour = 86400, 3600
first_day = now - now % day - 29 * day; first_hour = now - now % hour - 47 * hour
current = now - now % hour
days = {'Allowed': [0] * 30, 'Denied': [0] * 30}; last48 = {'Allowed': 0, 'Denied': 0}
for o in range(31 * 24):
    if o >= 48 and o % 5: continue
    start = current - o * hour
    rows = [(1 + o % 7, o % 3)]
    if o % 4 + (2 if o % 5 == 0 else 0): rows.append((o % 4, 2 if o % 5 == 0 else 0))
    if start < first_day: continue
    for a, d in rows:
        days['Allowed'][(start - first_day) // day] += a; days['Denied'][(start - first_day) // day] += d
        if start >= first_hour: last48['Allowed'] += a; last48['Denied'] += d
blocks = '▁▂▃▄▅▆▇█'
for name in ('Allowed', 'Denied'):
    m = max(days[name])
    line = ''.join(blocks[math.ceil(n * 7 / m)] for n in days[name])
    print(f"{name:<8} {line}  {sum(days[name])} requests in 30 days, {last48[name]} in the last 48 hours")
EOF
)
allowed_line=$(printf '%s\n' "$expected" | sed -n 1p)
denied_line=$(printf '%s\n' "$expected" | sed -n 2p)

run -c "$CONFIG" --now "$NOW" page abi13/page
expect_rc 0 "page abi13/page shows the page with a time-series table"
check 'printf "%s\n" "$OUT" | grep -qxF "  ${allowed_line}"' \
  "the Allowed series is one line: its 30 days as a sparkline, 30-day and 48-hour totals" "wanted:   $allowed_line"
check 'printf "%s\n" "$OUT" | grep -qxF "  ${denied_line}"' \
  "the Denied series is one line with its sparkline and totals" "wanted:   $denied_line"
expect_out 'Per day from 2026-11-07 to 2026-12-06 \(UTC\):' "the sparklines say which days they cover"
expect_out '2026-12-06T23:00:00Z +site +1 +0 +0 +0' "the table's rows follow, newest first"
check '[ "$(printf "%s\n" "$OUT" | grep -c "▁\|█")" = 2 ]' "only the time series gets sparklines (the Keys table none)"

run -c "$CONFIG" --now "$NOW" page abi12/page
expect_rc 0 "page abi12/page (a plugin built for ABI 1.2) shows its page"
expect_out '2026-12-06T23:00:00Z +site +7 +3' "the 1.2 plugin's usage table shows as a table"
expect_no_out 'Per day from|▁|█' "the 1.2 plugin's table, which cannot say it is a time series, gets no sparkline"
