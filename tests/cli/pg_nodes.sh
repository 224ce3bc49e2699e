#!/bin/bash
# pg_nodes.sh - many web nodes on one PostgreSQL key store (issue 14, "Proof"): a private PostgreSQL 15
# (tests/pg/pg_server.sh), three `serve` nodes web-1 (unix socket), web-2 (TCP through a proxy the test can cut, behind
# a second one that can delay its traffic by 25 ms each way, so web-2 hears of a change last: an action that returns
# before web-2 acknowledged is caught on web-2's next request) and web-3 (TCP with a passfile), each with its own
# data dir and a copy of the digest secret, plus CLI processes.
# Checks: PostgreSQL down at start (503, page says unreachable, recovers by itself); a password in pg_conninfo and
# a missing or different secret refuse to load; enable on one node, every node accepts the key; reset, pasted key,
# disable, enable, grace reset and end-grace on one node, every node decides by the new state on its very next
# request, with "Confirmed on 3 nodes."; a node cut off (SIGSTOPped proxy, then a killed one) while another resets:
# the reset returns within lease_seconds + 1 s naming the fenced node, the cut-off node answers 503, then serves
# the new key; a PostgreSQL restart under load (tests/pg/load_client.py): no acceptance of a key after the reset
# that revoked it returned, every node serves again; 100 SIGKILLs of a CLI process mid-action: every node agrees
# with the committed state read with psql; two nodes starting at once on an empty database; pg_dump holds no
# piece of any key; every node exits 0 on SIGTERM at the end.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
source "$(dirname "$0")/../pg/pg_server.sh"
LOAD_CLIENT="$PWD/tests/pg/load_client.py"
LEASE=2
KILLS=${PG_NODES_KILLS:-100}
T_START=$(date +%s%3N)
# Under a TEST_WRAPPER (valgrind) the CLI processes are ~50x slower (the nodes run unwrapped): fewer kills, and
# the fenced reset's bound gets the CLI's own start-up time (measured) on top of lease_seconds + 1 s.
[ -n "${TEST_WRAPPER:-}" ] && KILLS=${PG_NODES_KILLS:-10}

if [ ! -f "$PLUGIN" ]; then echo "FAIL: the API Keys plugin is built ($PLUGIN)"; exit 1; fi
pg_require
proxy_require

now_ms() { date +%s%3N; }
info() { echo "INFO: $*"; }
# ----- nodes ---------------------------------------------------------------------------------------------------
declare -A NODE_URL NODE_PID NODE_CONF NODE_DATA NODE_FD
ALL_KEYS=()   # every plaintext key this test saw, for the pg_dump check

# node_config N CONNINFO: the config of node web-N with data dir $TMP/dataN.
node_config() {
  local n=$1 conninfo=$2
  NODE_CONF[$n]="$TMP/node$n.ini"; NODE_DATA[$n]="$TMP/data$n"
  mkdir -p "${NODE_DATA[$n]}"; chmod 700 "${NODE_DATA[$n]}"
  panel_ini "${NODE_CONF[$n]}" "${NODE_DATA[$n]}" "$PLUGIN" "${PANEL_OWNER[@]}" '[plugin:apikeys]' 'store = postgresql' \
    "pg_conninfo = $conninfo" "lease_seconds = $LEASE" "node_id = web-$n"
}
# launch_node N / await_node N: start_server split in two, so several nodes can start at once.
launch_node() {
  local n=$1
  rm -f "$TMP/node$n.fifo"; mkfifo "$TMP/node$n.fifo"
  "$PWD/$B/sample-host" -c "${NODE_CONF[$n]}" serve --listen 127.0.0.1:0 >"$TMP/node$n.fifo" 2>"$TMP/node$n.log" &
  NODE_PID[$n]=$!
  pg_track_pid "${NODE_PID[$n]}"
  local fd; exec {fd}<"$TMP/node$n.fifo"; NODE_FD[$n]=$fd
}
await_node() {
  local n=$1 line="" fd=${NODE_FD[$1]}
  if ! IFS= read -r -t 30 line <&"$fd"; then
    echo "  node web-$n did not start; its log:"; sed 's/^/    /' "$TMP/node$n.log" | tail -20; return 1
  fi
  NODE_URL[$n]=$(printf '%s' "$line" | grep -Eo 'http://127\.0\.0\.1:[0-9]+/' | head -1)
  cat <&"$fd" >"$TMP/node$n.out" &
  [ -n "${NODE_URL[$n]}" ]
}
start_node() { launch_node "$1" && await_node "$1"; }
# stop_node N: SIGTERM and wait (SIGKILL after 10 s); sets STOP_RC.
stop_node() {
  local n=$1 pid=${NODE_PID[$1]:-} i
  [ -n "$pid" ] || { STOP_RC=0; return; }
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null; STOP_RC=$?
  NODE_PID[$n]=""
}
stop_all_nodes() { local n; for n in "${!NODE_PID[@]}"; do stop_node "$n"; done; }
pg_on_exit stop_all_nodes
alive() { kill -0 "${NODE_PID[$1]}" 2>/dev/null; }

# api N KEY: GET /api/v1/ping on node web-N with X-API-Key KEY; sets CODE (HTTP status), ECODE (error code),
# BODY and V (the verdict: "200", or the status and the error code, e.g. "401 unknown").
api() {
  local out
  out=$(curl -s -m 10 -w '\n%{http_code}' -H "X-API-Key: $2" "${NODE_URL[$1]}api/v1/ping" 2>/dev/null)
  CODE=${out##*$'\n'}; BODY=${out%$'\n'*}
  if [[ $BODY =~ \"error\":\ *\"([a-z_]+)\" ]]; then ECODE=${BASH_REMATCH[1]}; else ECODE=""; fi
  if [ "$CODE" = 200 ]; then V=200; else V="$CODE${ECODE:+ $ECODE}"; fi
}
# expect_all WHAT KEY WANT NODE...: one request with KEY to each node; WANT is "200", "401", "401 unknown", ...
expect_all() {
  local what=$1 key=$2 want=$3 n bad=""; shift 3
  for n in "$@"; do
    api "$n" "$key"
    case "$V" in "$want"|"$want "*) ;; *) bad="$bad web-$n: $V;" ;; esac
  done
  if [ -z "$bad" ]; then pass "$what"; else echo "FAIL: $what (wanted $want;$bad)"; fi
}
# cli N ARGS...: the sample host's command line with node web-N's config (sets OUT, ERR, RC, MSG, SECRET).
cli() {
  local n=$1; shift
  run -c "${NODE_CONF[$n]}" "$@"
  MSG=$(printf '%s' "$OUT" | python3 -c 'import json,sys
try: print(json.load(sys.stdin).get("message",""))
except Exception: print("")' 2>/dev/null)
  SECRET=$(printf '%s' "$OUT" | python3 -c 'import json,sys
try: print(json.load(sys.stdin).get("secret") or "")
except Exception: print("")' 2>/dev/null)
  [ -n "$SECRET" ] && ALL_KEYS+=("$SECRET")
  return 0
}
# paste_key N KEY: sets api_key to KEY through node web-N's config, as `printf '%s' KEY | sample-host set ... -`.
paste_key() {
  local n=$1 key=$2
  run_stdin "$key" -c "${NODE_CONF[$n]}" --json set settings/api-key api_key - --yes
  MSG=$(printf '%s' "$OUT" | python3 -c 'import json,sys
try: print(json.load(sys.stdin).get("message",""))
except Exception: print("")' 2>/dev/null)
}
confirmed() { [ "$RC" = 0 ] && [[ "$MSG" == *"Confirmed on $1 node"*"." ]] && [[ "$MSG" =~ Confirmed\ on\ $1\ nodes?\.$ ]]; }
# page_json N: the page as JSON through node web-N's config into $TMP/page.json (RC as run sets it).
page_json() { cli "$1" --json page settings/api-key; printf '%s' "$OUT" >"$TMP/page.json"; }
page_status() { # page_status LABEL: that status line's value from $TMP/page.json
  python3 -c 'import json,sys
try: j=json.load(open(sys.argv[1]))
except Exception: sys.exit(0)
print(next((s["value"] for s in j.get("status",[]) if s["label"]==sys.argv[2]), ""))' "$TMP/page.json" "$1"
}
page_nodes() { # page_nodes: the Node column of the page's nodes table, space separated and sorted
  python3 -c 'import json,sys
try: j=json.load(open(sys.argv[1]))
except Exception: sys.exit(0)
t=next((t for t in j.get("tables",[]) if t["id"]=="nodes"), None)
if t: c=t["columns"].index("Node"); print(" ".join(sorted(r[c] for r in t["rows"])))' "$TMP/page.json"
}
# wait_for N KEY WANT SECONDS: polls node web-N until KEY gets WANT; sets WAITED_MS. Returns 1 at the deadline.
wait_for() {
  local n=$1 key=$2 want=$3 t0; t0=$(now_ms)
  while :; do
    api "$n" "$key"
    case "$V" in "$want"|"$want "*) WAITED_MS=$(($(now_ms) - t0)); return 0 ;; esac
    [ $(($(now_ms) - t0)) -ge $(($4 * 1000)) ] && { WAITED_MS=$(($(now_ms) - t0)); return 1; }
    sleep 0.05
  done
}
show_logs() { local n; for n in "$@"; do echo "  log of web-$n:"; tail -5 "$TMP/node$n.log" | sed 's/^/    /'; done; }

# ----- well-formed keys from elsewhere (a throw-away SQLite installation) -----------------------------------------
# Pasted keys and keys this store never issued must be well formed (prefix, checksum) to reach the store at all.
SQ_CONF="$TMP/sqlite.ini"
mkdir -p "$TMP/sqdata"; chmod 700 "$TMP/sqdata"
panel_ini "$SQ_CONF" "$TMP/sqdata" "$PLUGIN" "${PANEL_OWNER[@]}"
POOL=()
run -c "$SQ_CONF" --json action settings/api-key enable
for ((i = 0; i < 24; i++)); do
  run -c "$SQ_CONF" --json action settings/api-key reset --yes
  k=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("secret") or "")' 2>/dev/null)
  [ -n "$k" ] && POOL+=("$k")
done
if [ "${#POOL[@]}" -ne 24 ]; then echo "FAIL: a SQLite installation issues well-formed keys for the test"; fail "keys"; exit 1; fi
ALL_KEYS+=("${POOL[@]}")
FOREIGN=${POOL[0]}    # well formed, never in the PostgreSQL store
POOL_NEXT=1
next_pool_key() { POOLKEY=${POOL[$POOL_NEXT]}; POOL_NEXT=$((POOL_NEXT + 1)); }

# ----- PostgreSQL -----------------------------------------------------------------------------------------------------
t=$(now_ms)
pg_start "$TMP/pg"
proxy_start || exit 1
delay_start "$PROXY_PORT" 25 || exit 1
info "PostgreSQL 15 on $PGSOCKDIR and 127.0.0.1:$PGPORT, proxy on 127.0.0.1:$PROXY_PORT behind 127.0.0.1:$DELAY_PORT ($(($(now_ms) - t)) ms)"
check '[ "$(pg_sql "SELECT current_database()")" = panel ]' "psql reaches the test's PostgreSQL over its unix socket"
check '[ "$("$PG_BIN/psql" -X -At "$(pg_conninfo_tcp "$DELAY_PORT")" -c "SELECT current_user" 2>&1)" = panel ]' \
  "role panel logs in over TCP (scram-sha-256) with the passfile, through both proxies"

node_config 1 "$(pg_conninfo_socket)"
node_config 2 "$(pg_conninfo_tcp "$DELAY_PORT")"
node_config 3 "$(pg_conninfo_tcp)"

# ----- PostgreSQL down at start -----------------------------------------------------------------------------------------
t=$(now_ms)
pg_down
if ! start_node 1; then fail "web-1 starts while PostgreSQL is down"; exit 1; fi
pass "web-1 starts while PostgreSQL is down"
api 1 "$FOREIGN"
check '[ "$CODE" = 503 ] && [ "$ECODE" = store_unavailable ]' "with PostgreSQL down at start, the API answers 503 store_unavailable" \
  "got: $CODE $BODY"
api 1 ""
check '[ "$CODE" = 503 ] || [ "$CODE" = 401 ]' "with PostgreSQL down, a request without a key is refused ($CODE)" "got: $CODE $BODY"
page_json 1
STORE_LINE=$(page_status Store)
check '[ "$RC" -lt 2 ] && printf "%s" "$STORE_LINE" | grep -qi unreachable' \
  "with PostgreSQL down, the page opens and its Store line says the store is unreachable (exit $RC)" \
  "exit $RC, Store: '$STORE_LINE', stderr: $ERR"
cli 1 --json action settings/api-key enable
check '[ "$RC" != 0 ] && [ "$RC" -lt 128 ] && [ -z "$SECRET" ]' "with PostgreSQL down, enable is refused with a message and shows no key" \
  "exit $RC, out: $OUT, err: $ERR"
check 'alive 1' "web-1 is still running with PostgreSQL down"
pg_up
if wait_for 1 "$FOREIGN" 401 20; then
  pass "web-1 recovers by itself when PostgreSQL starts (answers 401 after $WAITED_MS ms)"
else fail "web-1 recovers by itself when PostgreSQL starts (still $V: $BODY)"; show_logs 1; fi
check '[ -f "${NODE_DATA[1]}/apikeys.secret" ] && [ "$(stat -c %a "${NODE_DATA[1]}/apikeys.secret")" = 600 ]' \
  "the node that created the store generated its secret ${NODE_DATA[1]}/apikeys.secret, mode 0600"
info "PostgreSQL down at start: $(($(now_ms) - t)) ms"

# ----- refusals at load -----------------------------------------------------------------------------------------------
# load_error CONF: the API Keys plugin's load error under CONF ("" when it loaded), from `extensions --json`.
load_error() {
  run -c "$1" --json extensions
  printf '%s' "$OUT" | python3 -c 'import json,sys
try: e=[x for x in json.load(sys.stdin) if x["id"]=="apikeys"]
except Exception: print("(no extension list)"); sys.exit(0)
print("(not listed)" if not e else ("" if e[0]["loaded"] else (e[0].get("load_error") or "(no message)")))'
}
node_config 7 "host=127.0.0.1 port=$PGPORT dbname=panel user=panel password=Hunter2Hunter2"
E=$(load_error "${NODE_CONF[7]}")
check '[ -n "$E" ] && printf "%s" "$E" | grep -q passfile && ! printf "%s" "$E" | grep -q Hunter2' \
  "a password inside pg_conninfo is refused at load, the message points to a passfile and does not repeat it" "load error: $E"
node_config 7 "postgresql://panel:Hunter2Hunter2@127.0.0.1:$PGPORT/panel"
E=$(load_error "${NODE_CONF[7]}")
check '[ -n "$E" ] && printf "%s" "$E" | grep -q passfile && ! printf "%s" "$E" | grep -q Hunter2' \
  "a password inside a postgresql:// URI is refused at load the same way" "load error: $E"
node_config 7 "$(pg_conninfo_tcp)"
E=$(load_error "${NODE_CONF[7]}")
check '[ -n "$E" ] && printf "%s" "$E" | grep -q apikeys.secret' \
  "a node without a copy of the secret refuses to load, naming the secret file to copy" "load error: $E"
cp "$TMP/sqdata/apikeys.secret" "${NODE_DATA[7]}/apikeys.secret"; chmod 600 "${NODE_DATA[7]}/apikeys.secret"
E=$(load_error "${NODE_CONF[7]}")
check '[ -n "$E" ] && printf "%s" "$E" | grep -q apikeys.secret' \
  "a node with a different secret than the store's refuses to load, naming the secret file to copy" "load error: $E"

# ----- three nodes ---------------------------------------------------------------------------------------------------
for n in 2 3; do
  cp "${NODE_DATA[1]}/apikeys.secret" "${NODE_DATA[$n]}/apikeys.secret"; chmod 600 "${NODE_DATA[$n]}/apikeys.secret"
done
check '[ -z "$(load_error "${NODE_CONF[2]}")" ]' "with a copy of the secret, a node's config loads the plugin" "load error: $(load_error "${NODE_CONF[2]}")"
for n in 2 3; do
  if ! start_node "$n"; then fail "web-$n starts"; exit 1; fi
done
for n in 1 2 3; do api "$n" "$FOREIGN"; done   # warm-up: each process becomes a node at its first API request
expect_all "every node answers a key the store never issued with 401 unknown" "$FOREIGN" "401 unknown" 1 2 3
page_json 1
STORE_LINE=$(page_status Store)
check '[ "$RC" = 0 ] && [[ "$STORE_LINE" == PostgreSQL* ]] && ! printf "%s" "$STORE_LINE" | grep -qi unreachable' \
  "the page's Store line says PostgreSQL" "Store: '$STORE_LINE'"
check '[ "$(page_nodes)" = "web-1 web-2 web-3" ]' "the page's nodes table lists web-1, web-2 and web-3" "nodes: '$(page_nodes)'"
LEASED=$(pg_sql "SELECT string_agg(node_id, ' ' ORDER BY node_id) FROM apikeys_nodes WHERE lease_end > now()" 2>&1)
check '[ "$LEASED" = "web-1 web-2 web-3" ]' "apikeys_nodes holds a live lease for each of the three nodes" \
  "live: '$LEASED'; rows: $(pg_sql "SELECT node_id, lease_end FROM apikeys_nodes" 2>&1 | tr '\n' ';')"

# ----- actions on one node, seen by every node at its very next request ---------------------------------------------------
# web-2 hears of every change 25 ms late and needs several round trips of 50 ms to reload and acknowledge it.
delay_on
t=$(now_ms)
cli 1 --json action settings/api-key enable
A_MS=$(($(now_ms) - t))
K1=$SECRET
check 'confirmed 3 && [[ "$K1" =~ ^sak_ ]]' "enable on web-1 returns a key and says Confirmed on 3 nodes." "exit $RC, message: $MSG, err: $ERR"
expect_all "enable on web-1: every node accepts the key at once" "$K1" 200 1 2 3
info "enable took $A_MS ms"

t=$(now_ms)
cli 3 --json action settings/api-key reset --yes
A_MS=$(($(now_ms) - t))
K2=$SECRET
check 'confirmed 3 && [[ "$K2" =~ ^sak_ ]] && [ "$K2" != "$K1" ]' "reset on web-3 returns a new key, Confirmed on 3 nodes." "exit $RC, message: $MSG"
expect_all "reset on web-3: right after it returns, every node refuses the old key" "$K1" "401 unknown" 1 2 3
expect_all "reset on web-3: every node accepts the new key" "$K2" 200 1 2 3
info "reset took $A_MS ms"

next_pool_key; KP=$POOLKEY
paste_key 1 "$KP"
check '[ "$RC" = 0 ] && [[ "$MSG" =~ Confirmed\ on\ 3\ nodes\.$ ]]' "a pasted key on web-1 is saved, Confirmed on 3 nodes." "exit $RC, message: $MSG, err: $ERR"
expect_all "pasted key on web-1: right after it returns, every node refuses the replaced key" "$K2" "401 unknown" 1 2 3
expect_all "pasted key on web-1: every node accepts the pasted key" "$KP" 200 1 2 3

cli 2 --json action settings/api-key disable
check 'confirmed 3' "disable on web-2 (its config goes through the proxy) says Confirmed on 3 nodes." "exit $RC, message: $MSG"
expect_all "disable on web-2: right after it returns, every node answers the key with 403 disabled" "$KP" "403 disabled" 1 2 3
cli 3 --json action settings/api-key enable
check 'confirmed 3 && [ -z "$SECRET" ]' "enable on web-3 restores the same key (none shown), Confirmed on 3 nodes." "exit $RC, message: $MSG"
expect_all "enable on web-3: every node accepts the key again" "$KP" 200 1 2 3

cli 1 --json action settings/api-key reset --yes --param grace=1h
K3=$SECRET
check 'confirmed 3 && [[ "$K3" =~ ^sak_ ]]' "reset with grace 1h on web-1, Confirmed on 3 nodes." "exit $RC, message: $MSG"
expect_all "grace reset: every node accepts the new key" "$K3" 200 1 2 3
expect_all "grace reset: every node still accepts the previous key during its grace period" "$KP" 200 1 2 3
cli 2 --json action settings/api-key end-grace
check 'confirmed 3' "end-grace on web-2, Confirmed on 3 nodes." "exit $RC, message: $MSG"
expect_all "end-grace on web-2: right after it returns, every node refuses the grace key" "$KP" 401 1 2 3
expect_all "end-grace on web-2: every node accepts the current key" "$K3" 200 1 2 3

# Nodes that start while a reset runs never serve the pre-reset state once that reset has returned. Their first
# requests (which make them nodes) go out at three moments of a reset that web-2's delay keeps waiting: web-6's as
# the reset starts (before it commits), web-7's once the reset has committed (the change number moved), web-8's once
# web-7 is a node (its row in apikeys_nodes). Each wait is on that condition, bounded by 10 s.
for n in 6 7 8; do
  node_config "$n" "$(pg_conninfo_socket)"
  cp "${NODE_DATA[1]}/apikeys.secret" "${NODE_DATA[$n]}/apikeys.secret"; chmod 600 "${NODE_DATA[$n]}/apikeys.secret"
  start_node "$n" || fail "web-$n starts"
done
state_change() { pg_sql "SELECT change FROM apikeys_state WHERE id = 1"; }
is_node() { [ "$(pg_sql "SELECT count(*) FROM apikeys_nodes WHERE node_id = '$1'")" != 0 ]; }
CHANGE_BEFORE=$(state_change)
"$PWD/$B/sample-host" -c "${NODE_CONF[1]}" --json action settings/api-key reset --yes >"$TMP/race.out" 2>"$TMP/race.err" &
RESET_PID=$!
DURING=""
for n in 6 7 8; do
  case $n in
    7) wait_until '[ "$(state_change)" != "$CHANGE_BEFORE" ]' 10 || fail "the reset commits within 10 s" ;;
    8) wait_until 'is_node web-7' 10 || fail "web-7 becomes a node within 10 s of its first request" ;;
  esac
  kill -0 "$RESET_PID" 2>/dev/null && DURING="$DURING web-$n"
  curl -s -m 10 -o /dev/null -H "X-API-Key: $K3" "${NODE_URL[$n]}api/v1/ping" &
done
info "first requests sent while the reset ran:${DURING:- none}"
wait "$RESET_PID"; RC=$?; OUT=$(cat "$TMP/race.out"); ERR=$(cat "$TMP/race.err")
K3B=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("secret") or "")' 2>/dev/null)
ALL_KEYS+=("$K3B")
check '[ "$RC" = 0 ] && [ -n "$K3B" ]' "a reset runs while three new nodes start" "exit $RC, $OUT $ERR"
expect_all "nodes that started during the reset refuse the pre-reset key once it returned" "$K3" "401 unknown" 6 7 8 1 2 3
expect_all "nodes that started during the reset accept the new key" "$K3B" 200 6 7 8
for n in 6 7 8; do stop_node "$n"; done
# Their leases end within lease_seconds (a stopped node need not remove its row); the checks below count nodes.
deadline=$(($(now_ms) + (LEASE + 3) * 1000))
while [ "$(pg_sql "SELECT count(*) FROM apikeys_nodes WHERE lease_end > now() AND node_id IN ('web-6','web-7','web-8')")" != 0 ] \
      && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.05; done
K3=$K3B
delay_off

# ----- a node cut off from PostgreSQL while another node resets ----------------------------------------------------------
# fenced_reset CUT_HOW ON_NODE OLD: cuts web-2's proxy (stop|kill), resets on ON_NODE; sets NEWKEY.
fenced_reset() {
  local how=$1 on=$2 old=$3 t0 el hm
  local cut="proxy SIGSTOPped (a partition)"; [ "$how" = kill ] && cut="proxy killed (connections closed)"
  if [ "$how" = stop ]; then proxy_cut; else proxy_kill; fi
  t0=$(now_ms)
  cli "$on" --json action settings/api-key reset --yes
  el=$(($(now_ms) - t0)); NEWKEY=$SECRET
  local ret_s; ret_s=$(date -u +%s)
  check '[ "$RC" = 0 ] && [ -n "$NEWKEY" ] && [ "$el" -le $(( (LEASE + 1) * 1000 + CLI_START_MS )) ]' \
    "$cut: reset on web-$on returns within lease_seconds + 1 s (${el} ms, of which up to $CLI_START_MS ms for the CLI to start and stop)" \
    "exit $RC, message: $MSG, err: $ERR"
  # (A wrapped CLI may take longer to start than web-2's lease had left: then web-2 was fenced before the commit
  # and the message need not name it.)
  check '[[ "$MSG" =~ node\ web-2\ did\ not\ answer\;\ its\ lease\ ended\ at\ [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\ UTC,\ so\ it\ refuses\ every\ key\ until\ it\ reconnects\. ]] || { [ -n "${TEST_WRAPPER:-}" ] && [[ "$MSG" == *"Confirmed on 2 nodes." ]]; }' \
    "$cut: the reset's message names the fenced node web-2 and when its lease ended" "message: $MSG"
  check '[[ "$MSG" == *"Confirmed on 2 nodes"* ]]' "$cut: the reset was confirmed on the other 2 nodes" "message: $MSG"
  hm=$(printf '%s' "$MSG" | grep -Eo 'lease ended at [0-9:]+' | grep -Eo '[0-9:]+$')
  if [ -n "$hm" ]; then
    local ended now_sod d; ended=$((10#${hm:0:2} * 3600 + 10#${hm:3:2} * 60 + 10#${hm:6:2}))
    now_sod=$(( ret_s % 86400 )); d=$(( (now_sod - ended + 86400) % 86400 ))
    check '[ "$d" -le $((LEASE + 2)) ]' "$cut: the lease end it names is no later than the reset's return, within the lease" \
      "lease ended $hm, returned $(date -u -d "@$ret_s" +%H:%M:%S)"
  fi
  api 2 "$NEWKEY"; local c_new="$V"; api 2 "$old"; local c_old="$V"
  check '[ "$c_new" = "503 store_unavailable" ] && [ "$c_old" = "503 store_unavailable" ]' \
    "$cut: by the time the reset returned, the cut-off node answers 503 store_unavailable" "new key: $c_new, old key: $c_old"
  expect_all "$cut: the connected nodes refuse the old key" "$old" "401 unknown" 1 3
  expect_all "$cut: the connected nodes accept the new key" "$NEWKEY" 200 1 3
  if [ "$how" = stop ]; then proxy_restore; else proxy_start "$PROXY_PORT" || return; fi
  t0=$(now_ms); local accepted_old=0 ok=0
  while [ $(($(now_ms) - t0)) -lt 20000 ]; do
    api 2 "$old"; [ "$CODE" = 200 ] && accepted_old=$((accepted_old + 1))
    api 2 "$NEWKEY"; if [ "$CODE" = 200 ]; then ok=1; break; fi
    sleep 0.05
  done
  check '[ "$ok" = 1 ]' "$cut, then back: web-2 serves the new key by itself ($(($(now_ms) - t0)) ms after the proxy returned)" \
    "last answer: $V $BODY"
  check '[ "$accepted_old" = 0 ]' "$cut, then back: web-2 never accepted the old key" "accepted $accepted_old times"
  expect_all "$cut, then back: web-2 refuses the old key" "$old" "401 unknown" 2
}
# The bound is on the reset, not on starting a process: what a CLI run costs without any action (loading the plugin,
# connecting, closing; slowest of three) is measured here and allowed on top (it grows under sanitizers, valgrind
# and a loaded machine).
CLI_START_MS=0
for _ in 1 2 3; do
  t=$(now_ms); cli 1 --json menu; d=$(($(now_ms) - t))
  [ "$d" -gt "$CLI_START_MS" ] && CLI_START_MS=$d
done
t=$(now_ms)
fenced_reset stop 1 "$K3"; K4=$NEWKEY
fenced_reset kill 3 "$K4"; K5=$NEWKEY
info "fenced resets: $(($(now_ms) - t)) ms"

# ----- PostgreSQL restart under load ----------------------------------------------------------------------------------------
t=$(now_ms)
KEYFILE="$TMP/load.keys"; EVENTS="$TMP/load.events"; LOADLOG="$TMP/load.log"; STOPFILE="$TMP/load.stop"
: >"$EVENTS"; : >"$LOADLOG"; rm -f "$STOPFILE"
echo "k5 $K5" >"$KEYFILE"
delay_on
python3 "$LOAD_CLIENT" "$KEYFILE" "$STOPFILE" "$LOADLOG" "web-1=${NODE_URL[1]}" "web-2=${NODE_URL[2]}" "web-3=${NODE_URL[3]}" &
LOAD_PID=$!
pg_on_exit 'touch "$STOPFILE"; kill "$LOAD_PID" 2>/dev/null'
deadline=$(($(now_ms) + 5000))
while [ "$(wc -l <"$LOADLOG")" -lt 30 ] && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.02; done
# A reset that returns, then at once the restart: no node may bring the old key back while it reconnects. Under
# valgrind (TEST_WRAPPER) the CLI can take longer than connect_timeout (lease_seconds) to connect while the load runs:
# such a refusal (the store unreachable, nothing written) is tried again, at most twice; anything else fails at once.
for tries in 1 2 3; do
  cli 3 --json action settings/api-key reset --yes
  [ "$RC" = 1 ] && [[ "$MSG" == *"key store is unreachable"* ]] || break
  info "under load: reset on web-3 refused on try $tries: $MSG"
done
K6=$SECRET
check 'confirmed 3 && [ -n "$K6" ]' "under load: reset on web-3 before the restart, Confirmed on 3 nodes." \
  "exit $RC after $tries tries, message: $MSG"
# the old key counts as revoked from the moment a reset that revoked it returned, and only then
[ -n "$K6" ] && echo "revoked k5 $(date +%s.%N)" >>"$EVENTS" && echo "k6 $K6" >>"$KEYFILE"
pg_restart fast &
RESTART_PID=$!
# A reset around the restart: tried until one succeeds (while PostgreSQL stops and starts it is refused).
tries=0; K7=""; deadline=$(($(now_ms) + 30000))
while [ "$(now_ms)" -lt "$deadline" ]; do
  tries=$((tries + 1))
  cli 1 --json action settings/api-key reset --yes
  if [ "$RC" = 0 ] && [ -n "$SECRET" ]; then K7=$SECRET; break; fi
  [ "$RC" -ge 128 ] && break
  sleep 0.1
done
REVOKED7=$(date +%s.%N)
check '[ -n "$K7" ]' "under load: a reset around the PostgreSQL restart succeeds (after $tries tries; the failed ones were refused, not crashed)" \
  "last: exit $RC, $OUT $ERR"
echo "revoked k6 $REVOKED7" >>"$EVENTS"; echo "k7 $K7" >>"$KEYFILE"
wait "$RESTART_PID"; RESTART_RC=$?
check '[ "$RESTART_RC" = 0 ] && pg_running' "PostgreSQL restarted under load"
served=""
for n in 1 2 3; do wait_for "$n" "$K7" 200 20 && served="$served $n"; done
check '[ "$served" = " 1 2 3" ]' "after the restart every node serves the newest key by itself" "serving:$served"
# A few more rounds of the load after every node serves again: 3 more answers 200 of each node to the newest key.
k7_served() { grep -c " web-$1 k7 200" "$LOADLOG"; }
declare -A K7_BEFORE; for n in 1 2 3; do K7_BEFORE[$n]=$(k7_served "$n"); done
more_rounds() { local n; for n in 1 2 3; do [ "$(k7_served "$n")" -ge $((K7_BEFORE[$n] + 3)) ] || return 1; done; }
wait_until more_rounds 10 || info "the load did not get 3 more answers 200 from every node within 10 s"
touch "$STOPFILE"; wait "$LOAD_PID"
delay_off
SUMMARY=$(python3 "$LOAD_CLIENT" --analyze "$LOADLOG" "$EVENTS")
LOAD_N=$(printf '%s' "$SUMMARY" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
VIOL=$(printf '%s' "$SUMMARY" | python3 -c 'import json,sys; print(json.load(sys.stdin)["violations"])')
check '[ "$VIOL" = 0 ] && [ "$LOAD_N" -gt 100 ]' \
  "under load ($LOAD_N requests): zero acceptances of a key after the reset that revoked it returned" "$SUMMARY"
LASTS=$(printf '%s' "$SUMMARY" | python3 -c 'import json,sys; l=json.load(sys.stdin)["last"]; print(" ".join(l.get("web-%d/k7"%n,"none") for n in (1,2,3)))')
check '[ "$LASTS" = "200 200 200" ]' "under load: the last answer of every node to the newest key is 200" "last answers: $LASTS; $SUMMARY"
info "statuses seen under load: $(printf '%s' "$SUMMARY" | python3 -c 'import json,sys; print(json.load(sys.stdin)["statuses"])')"
info "restart under load: $(($(now_ms) - t)) ms"

# ----- 100 SIGKILLs of a CLI process mid-action ---------------------------------------------------------------------------------
t=$(now_ms)
declare -A KNOWN   # last 4 characters of a key's hint -> the key, for every key the test knows
for k in "$K1" "$K2" "$K3" "$K4" "$K5" "$K6" "$K7" "$KP"; do [ -n "$k" ] && KNOWN[${k: -4}]=$k; done
RECENT=("$K6" "$K7")
# Measure one action (of the unwrapped binary the kills use) to spread the kills over its whole run.
t0=$(now_ms)
"$PWD/$B/sample-host" -c "${NODE_CONF[2]}" --json action settings/api-key reset --yes >"$TMP/kill.out" 2>"$TMP/kill.err" </dev/null
D=$(($(now_ms) - t0))
SECRET=$(python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1])).get("secret") or "")
except Exception: print("")' "$TMP/kill.out" 2>/dev/null)
[ -n "$SECRET" ] && { ALL_KEYS+=("$SECRET"); KNOWN[${SECRET: -4}]=$SECRET; RECENT+=("$SECRET"); }
[ "$D" -lt 20 ] && D=20
DCUR=$D
# read_state: the committed state: STATE_EN (t/f) and STATE_LIVE (the last 4 characters of the hint of every key
# with a role: current, grace (a grace of 1h does not end during the test) or extra).
read_state() {
  STATE_EN=$(pg_sql "SELECT api_enabled FROM apikeys_state" 2>/dev/null)
  STATE_LIVE=" $(pg_sql "SELECT string_agg(right(hint, 4), ' ') FROM apikeys_keys WHERE role IS NOT NULL" 2>/dev/null) "
}
# expected_for KEY: sets WANT, what a node must answer for KEY under that state.
expected_for() {
  if [[ "$STATE_LIVE" == *" ${1: -4} "* ]]; then
    if [ "$STATE_EN" = t ]; then WANT=200; else WANT="403 disabled"; fi
  else WANT=401; fi
}
killed_mid=0 finished=0 disagreements=0 max_conv=0 worst=""
for ((i = 1; i <= KILLS; i++)); do
  r=$((RANDOM % 7)); on=$((RANDOM % 3 + 1)); pasted=""
  case $r in
    0|1) args=(action settings/api-key reset --yes) ;;
    2) args=(action settings/api-key reset --yes --param grace=1h) ;;
    3) args=(action settings/api-key disable) ;;
    4) args=(action settings/api-key enable) ;;
    5) args=(action settings/api-key end-grace) ;;
    6) if [ "$POOL_NEXT" -lt "${#POOL[@]}" ]; then next_pool_key; pasted=$POOLKEY; else args=(action settings/api-key enable); fi ;;
  esac
  # A victim killed at a random instant may be killed inside LeakSanitizer's exit-time check (ASan builds), which
  # then logs "Unable to get registers": its leak check is off; every process that ends by itself keeps it.
  if [ -n "$pasted" ]; then
    KNOWN[${pasted: -4}]=$pasted; RECENT+=("$pasted")
    printf '%s' "$pasted" | ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$PWD/$B/sample-host" -c "${NODE_CONF[$on]}" \
      --json set settings/api-key api_key - --yes >"$TMP/kill.out" 2>"$TMP/kill.err" &
  else
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$PWD/$B/sample-host" -c "${NODE_CONF[$on]}" --json "${args[@]}" \
      >"$TMP/kill.out" 2>"$TMP/kill.err" </dev/null &
  fi
  victim=$!
  delay=$((RANDOM % (DCUR + 1)))
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -KILL "$victim" 2>/dev/null
  wait "$victim" 2>/dev/null; vrc=$?
  # The delays follow the actions' length: a run that finished first shortens the range, a kill widens it, so
  # about half the kills land inside an action, spread over all of it (start, connect, commit, waiting).
  if [ "$vrc" = 137 ]; then killed_mid=$((killed_mid + 1)); DCUR=$((DCUR * 12 / 10 + 1))
  else finished=$((finished + 1)); DCUR=$((DCUR * 8 / 10)); fi
  [ "$DCUR" -lt 5 ] && DCUR=5; [ "$DCUR" -gt 2000 ] && DCUR=2000
  k=$(python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1])).get("secret") or "")
except Exception: print("")' "$TMP/kill.out" 2>/dev/null)
  if [ -n "$k" ]; then ALL_KEYS+=("$k"); KNOWN[${k: -4}]=$k; RECENT+=("$k"); fi
  # Probe: every known key the committed state holds, and the two most recent known keys.
  read_state
  probes=("${RECENT[@]: -2}")
  for h in $STATE_LIVE; do [ -n "${KNOWN[$h]:-}" ] && probes+=("${KNOWN[$h]}"); done
  t0=$(now_ms); agreed=0
  while :; do
    bad=""
    for n in 1 2 3; do
      for k in "${probes[@]}"; do
        expected_for "$k"; api "$n" "$k"
        # A stale key is refused with 401, or with 429 too_many_invalid past 30 a minute from the test's address.
        case "$V" in "$WANT"|"$WANT "*) ;; "429 too_many_invalid"*) [[ "$WANT" == 401* ]] || bad="$bad web-$n ${k: -4}: $V (wanted $WANT);" ;;
          *) bad="$bad web-$n ${k: -4}: $V (wanted $WANT);" ;; esac
      done
    done
    [ -z "$bad" ] && { agreed=1; break; }
    [ $(($(now_ms) - t0)) -ge $(( (LEASE + 1) * 1000 )) ] && break
    sleep 0.05
    read_state   # a commit sent just before the kill may land after the first read
  done
  conv=$(($(now_ms) - t0)); [ "$conv" -gt "$max_conv" ] && max_conv=$conv
  if [ "$agreed" = 0 ]; then
    disagreements=$((disagreements + 1))
    [ -z "$worst" ] && worst="kill $i (${args[*]:-paste} on web-$on after ${delay} ms): enabled=$STATE_EN live=[$STATE_LIVE];$bad"
  fi
done
check '[ "$disagreements" = 0 ]' \
  "after each of $KILLS SIGKILLs of a CLI process mid-action ($killed_mid killed, $finished finished first), every node agrees with the committed state within lease_seconds + 1 s (slowest: $max_conv ms)" \
  "$disagreements disagreements; first: $worst"
check '[ "$killed_mid" -ge $((KILLS / 5)) ]' "at least a fifth of the SIGKILLs landed inside an action ($killed_mid of $KILLS)"
check 'alive 1 && alive 2 && alive 3' "every node survived the kills"
cli 1 --json action settings/api-key enable
check 'confirmed 3' "after the kills, enable completes and is Confirmed on 3 nodes." "exit $RC, message: $MSG"
cli 3 --json action settings/api-key reset --yes
K8=$SECRET
check 'confirmed 3' "after the kills, a reset completes and is Confirmed on 3 nodes." "exit $RC, message: $MSG"
expect_all "after the kills, every node accepts the newest key" "$K8" 200 1 2 3
info "$KILLS kills: $(($(now_ms) - t)) ms (one action: $D ms; kill delays ended in 0..$DCUR ms)"

# ----- two nodes starting at once on an empty database --------------------------------------------------------------------------
t=$(now_ms)
pg_sql_db postgres "CREATE DATABASE panel_race OWNER panel" >/dev/null
node_config 4 "$(pg_conninfo_socket panel_race)"
node_config 5 "$(pg_conninfo_tcp "$PGPORT" panel_race)"
for n in 4 5; do cp "$TMP/sqdata/apikeys.secret" "${NODE_DATA[$n]}/apikeys.secret"; chmod 600 "${NODE_DATA[$n]}/apikeys.secret"; done
launch_node 4; launch_node 5
up=""; for n in 4 5; do await_node "$n" && up="$up $n"; done
check '[ "$up" = " 4 5" ]' "two nodes starting at once on an empty database both start"
curl -s -m 10 -o "$TMP/race4" -w '%{http_code}' -H "X-API-Key: $FOREIGN" "${NODE_URL[4]}api/v1/ping" >"$TMP/race4.code" &
c4=$!
curl -s -m 10 -o "$TMP/race5" -w '%{http_code}' -H "X-API-Key: $FOREIGN" "${NODE_URL[5]}api/v1/ping" >"$TMP/race5.code" &
c5=$!
wait "$c4" "$c5"
expect_all "two nodes starting at once on an empty database both come up and serve (401 unknown for an unknown key)" "$FOREIGN" "401 unknown" 4 5
cli 4 --json action settings/api-key enable
KR=$SECRET
check 'confirmed 2' "on the raced database, enable says Confirmed on 2 nodes." "exit $RC, message: $MSG, err: $ERR"
expect_all "on the raced database, both nodes accept the key" "$KR" 200 4 5
check '[ "$(pg_sql_db panel_race "SELECT count(*) FROM apikeys_state")" = 1 ]' "the raced database holds one state row"
for n in 4 5; do stop_node "$n"; done
info "two nodes at once: $(($(now_ms) - t)) ms"

# ----- secret hygiene --------------------------------------------------------------------------------------------------------------
"$PG_BIN/pg_dump" -h "$PGSOCKDIR" -p "$PGPORT" -U postgres panel >"$TMP/panel.dump" 2>"$TMP/dump.err"; DRC=$?
"$PG_BIN/pg_dump" -h "$PGSOCKDIR" -p "$PGPORT" -U postgres panel_race >>"$TMP/panel.dump" 2>>"$TMP/dump.err"
check '[ "$DRC" = 0 ] && grep -q "apikeys_keys" "$TMP/panel.dump"' "pg_dump dumps the store's database" "$(cat "$TMP/dump.err")"
printf '%s\n' "${ALL_KEYS[@]}" "$KR" | sort -u >"$TMP/all.keys"
LEAK=$(python3 - "$TMP/all.keys" "$TMP/panel.dump" "$PG_LOG" <<'PY'
import sys
keys = [k.strip() for k in open(sys.argv[1]) if k.strip()]
for path in sys.argv[2:]:
    data = open(path, errors="replace").read()
    for k in keys:
        for i in range(len(k) - 11):
            if k[i:i + 12] in data:
                print("%s holds %s... (a piece of a key)" % (path.rsplit("/", 1)[-1], k[i:i + 12][:4])); sys.exit(0)
PY
)
check '[ -z "$LEAK" ] && [ "$(wc -l <"$TMP/all.keys")" -gt 20 ]' \
  "pg_dump of the whole database and the server log hold no key and no 12-character piece of any of the $(wc -l <"$TMP/all.keys") keys seen" "$LEAK"

# ----- the end: nothing crashed ------------------------------------------------------------------------------------------------------
codes=""
for n in 1 2 3; do
  if alive "$n"; then stop_node "$n"; codes="$codes $STOP_RC"; else codes="$codes dead"; fi
done
check '[ "$codes" = " 0 0 0" ]' "every node ran to the end and exits 0 on SIGTERM" "exit codes:$codes"
if grep -l 'AddressSanitizer\|runtime error\|Segmentation' "$TMP"/node*.log >/dev/null 2>&1; then
  fail "no node log reports a crash or sanitizer error"; show_logs 1 2 3
else pass "no node log reports a crash or sanitizer error"; fi
info "pg_nodes.sh took $(($(now_ms) - T_START)) ms"
