# lib.sh - the one library of the command-line tests of build/sample-host (tests/browser/server.sh adds the web
# server's helpers on top). Source it; each check prints "PASS: what" or "FAIL: what" (with the output that failed
# it), which tests/run-tests.sh counts. It has: running the sample host (run, run_stdin), the checks (expect_*,
# check), writing a panel.ini (panel_ini) and a private PostgreSQL with node configs (pg_start_two_nodes).
set -u
B=${B:-build}
HOST="${TEST_WRAPPER:-} $PWD/$B/sample-host"
PLUGIN="$PWD/$B/plugins/apikeys.so"
FIXTURES="$PWD/$B/tests/fixtures"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=""; ERR=""; RC=0

# run ARGS...: runs the sample host, capturing stdout in $OUT, stderr in $ERR and the exit status in $RC.
run() {
  $HOST "$@" >"$TMP/out" 2>"$TMP/err" </dev/null; RC=$?
  OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
}
# run_stdin INPUT ARGS...: like run, with INPUT on standard input.
run_stdin() {
  local input=$1; shift
  printf '%s' "$input" | $HOST "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?
  OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
}
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; echo "  exit: $RC"; echo "  stdout: $OUT"; echo "  stderr: $ERR"; }
# expect_rc N WHAT: the last run exited N.
expect_rc() { if [ "$RC" -eq "$1" ]; then pass "$2"; else fail "$2 (wanted exit $1)"; fi; }
# expect_out PATTERN WHAT: stdout of the last run matches the extended regex.
expect_out() { if printf '%s' "$OUT" | grep -Eq -- "$1"; then pass "$2"; else fail "$2 (stdout lacks /$1/)"; fi; }
expect_no_out() { if printf '%s' "$OUT" | grep -Eq -- "$1"; then fail "$2 (stdout has /$1/)"; else pass "$2"; fi; }
# expect_err PATTERN WHAT: stderr of the last run matches the extended regex.
expect_err() { if printf '%s' "$ERR" | grep -Eq -- "$1"; then pass "$2"; else fail "$2 (stderr lacks /$1/)"; fi; }
# json_get EXPR: evaluates a python expression on the last stdout parsed as JSON (bound to j).
json_get() { printf '%s' "$OUT" | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# check 'SHELL CONDITION' WHAT [DETAIL]: PASS: WHAT when the condition (eval'd) holds, else FAIL: WHAT with DETAIL
# and what the last run or request left (exit status, HTTP status, headers, stdout, stderr, body; each when set).
check() {
  if eval "$1"; then echo "PASS: $2"; return 0; fi
  echo "FAIL: $2"
  [ -n "${3:-}" ] && printf '  %s\n' "$3"
  echo "  exit: $RC${CODE:+  status: $CODE}"
  [ -n "${HEADERS:-}" ] && printf '  headers: %s\n' "$HEADERS" | head -12
  [ -n "$OUT" ] && echo "  stdout: ${OUT:0:600}"
  [ -n "$ERR" ] && echo "  stderr: ${ERR:0:600}"
  [ -n "${BODY:-}" ] && echo "  body: ${BODY:0:800}"
  return 0
}

# wait_until 'SHELL CONDITION' SECONDS: polls the condition (eval'd) every 20 ms until it holds (0) or SECONDS (whole)
# passed (1). For waiting on a condition instead of sleeping for a time.
wait_until() {
  local deadline=$((${EPOCHREALTIME/./} + $2 * 1000000))
  until eval "$1"; do
    [ "${EPOCHREALTIME/./}" -ge "$deadline" ] && return 1
    sleep 0.02
  done
}

# panel_ini FILE DATA_DIR PLUGINS [LINE...]: writes the config FILE (mode 0600): [host] with data_dir = DATA_DIR and
# plugins = PLUGINS (no plugins line when PLUGINS is empty), then each LINE on a line of its own: "key = value"
# lines before the first section are more [host] settings; a "[name]" LINE starts a section. The usual roles and
# users are PANEL_OWNER (role owner: everything, user admin) and PANEL_OWNER_SUPPORT (also role support: orders.*
# and support.*, user helpdesk).
PANEL_OWNER=('[role:owner]' 'permissions = *' '[user:admin]' 'role = owner')
PANEL_OWNER_SUPPORT=('[role:owner]' 'permissions = *' '[role:support]' 'permissions = orders.*, support.*'
  '[user:admin]' 'role = owner' '[user:helpdesk]' 'role = support')
panel_ini() {
  local file=$1 data_dir=$2 plugins=$3 line; shift 3
  {
    echo '[host]'
    echo "data_dir = $data_dir"
    [ -n "$plugins" ] && echo "plugins = $plugins"
    for line in "$@"; do
      case "$line" in \[*\]) printf '\n%s\n' "$line" ;; *) printf '%s\n' "$line" ;; esac
    done
  } >"$file"
  chmod 600 "$file"
}

# ----- PostgreSQL (tests/pg/pg_server.sh) ------------------------------------------------------------------------
# pg_private_start: sources tests/pg/pg_server.sh (once), prints FAIL and exits 1 unless PostgreSQL 15 is installed,
# and starts a private server in $TMP/pg (stopped and removed at exit).
pg_private_start() {
  declare -F pg_start >/dev/null || source "$(dirname "${BASH_SOURCE[0]}")/../pg/pg_server.sh"
  pg_require
  pg_start "$TMP/pg"
}
# pg_node_config N CONNINFO [LINE...]: the config $TMP/pgN.ini of node N on the PostgreSQL store CONNINFO: its own
# data dir $TMP/pgdataN (0700; copy the digest secret between the nodes), user admin (role owner), [plugin:apikeys]
# with lease_seconds = 2; LINEs as panel_ini's, before the roles (so "key = value" lines are [host] settings).
pg_node_config() {
  mkdir -p "$TMP/pgdata$1"; chmod 700 "$TMP/pgdata$1"
  panel_ini "$TMP/pg$1.ini" "$TMP/pgdata$1" "$PLUGIN" "${@:3}" "${PANEL_OWNER[@]}" \
    '[plugin:apikeys]' 'store = postgresql' "pg_conninfo = $2" 'lease_seconds = 2'
}
# pg_start_two_nodes: pg_private_start, then the configs of nodes 1 and 2 on its database panel over the unix
# socket; sets P1 and P2 to their -c options.
pg_start_two_nodes() {
  pg_private_start
  pg_node_config 1 "$(pg_conninfo_socket)"; pg_node_config 2 "$(pg_conninfo_socket)"
  P1=(-c "$TMP/pg1.ini"); P2=(-c "$TMP/pg2.ini")
}
