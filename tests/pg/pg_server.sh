# pg_server.sh - a private, throw-away PostgreSQL 15 for tests (issue 14), and a TCP proxy in front of it
# that a test can cut like a network partition. Source it after tests/cli/lib.sh (it keeps lib.sh's EXIT trap
# and runs it last).
#
#   pg_require            prints "FAIL: ..." and exits 1 unless PostgreSQL 15 (Debian's packages) is installed
#   pg_start DIR          initdb into DIR (as user postgres when root), start it on a unix socket in DIR and on a
#                         free 127.0.0.1 port; create role and database `panel` (password in a 0600 passfile).
#                         Exports PGSOCKDIR, PGPORT, PG_PASSFILE; sets PG_DIR, PG_DATA, PG_LOG, PG_PASSWORD.
#                         Installs traps so the server is stopped and DIR removed at exit, on failure, on
#                         SIGINT/SIGTERM/SIGHUP, and (by a watchdog) even when the test shell is SIGKILLed.
#   pg_stop               stop the server (fast, then immediate), stop the proxy, remove DIR
#   pg_down [MODE]        stop the server (pg_ctl -m MODE, default fast), keep DIR
#   pg_up                 start it again on the same port
#   pg_restart [MODE]     pg_down MODE + pg_up
#   pg_sql SQL...         psql as superuser over the unix socket (trust) on database panel: -At, stops on error
#   pg_sql_db DB SQL...   the same on database DB
#   pg_conninfo_socket    conninfo of role panel over the unix socket (trust)
#   pg_conninfo_tcp [PORT] conninfo of role panel over 127.0.0.1:PORT (default PGPORT) with the passfile (scram)
#   proxy_start [PORT]    socat on 127.0.0.1:PORT (default: a free port; PROXY_PORT) forwarding to PGPORT
#   proxy_cut             SIGSTOP every proxy process: open connections hang, new ones get no answer
#   proxy_restore         SIGCONT them
#   proxy_kill            SIGKILL them (connections close); proxy_start "$PROXY_PORT" brings it back
#   delay_start PORT MS   tests/pg/delay_proxy.py on a free port (DELAY_PORT) forwarding to 127.0.0.1:PORT; it holds
#                         every byte back MS ms while on (delay_on / delay_off; off at start)
#   pg_on_exit CMD        run CMD at exit, before the server is stopped (last registered runs first)
#   pg_track_pid PID      the watchdog kills PID if the test shell dies without running its traps
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=""; PG_DATA=""; PG_LOG=""; PG_PASSWORD=""; PROXY_PORT=""; PROXY_PGID=""
DELAY_PORT=""; DELAY_PID=""
PG__WATCHDOG=""; PG__CLEANUPS=(); PG__PREV_EXIT=""; PG__TRAPPED=0
# Nothing from the caller's environment may steer libpq elsewhere.
unset PGHOST PGHOSTADDR PGUSER PGDATABASE PGPASSWORD PGPASSFILE PGSERVICE PGSERVICEFILE PGOPTIONS PGSSLMODE \
  PGCONNECT_TIMEOUT PGAPPNAME PGTARGETSESSIONATTRS

pg_require() {
  if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ] || [ ! -x "$PG_BIN/psql" ]; then
    echo "FAIL: PostgreSQL 15 is installed (run: apt-get install -y postgresql)"; exit 1
  fi
  if [ "$(id -u)" = 0 ] && ! id -u postgres >/dev/null 2>&1; then
    echo "FAIL: PostgreSQL 15 is installed with its user postgres (run: apt-get install -y postgresql)"; exit 1
  fi
}
proxy_require() {
  if ! command -v socat >/dev/null 2>&1; then
    echo "FAIL: socat is installed (run: apt-get install -y socat)"; exit 1
  fi
}

# pg__as CMD...: runs CMD as the unprivileged owner of the cluster (postgres when we are root).
pg__as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg__free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pg_on_exit() { PG__CLEANUPS+=("$1"); }
pg_track_pid() { [ -n "$PG_DIR" ] && echo "$1" >>"$PG_DIR.pids"; }

pg__exit_trap() {
  local i
  trap - EXIT INT TERM HUP
  for ((i = ${#PG__CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${PG__CLEANUPS[i]}"; done
  PG__CLEANUPS=()
  pg_stop
  [ -n "$PG__PREV_EXIT" ] && eval "$PG__PREV_EXIT"
}
pg__install_traps() {
  [ "$PG__TRAPPED" = 1 ] && return
  local prev; prev=$(trap -p EXIT)
  if [ -n "$prev" ]; then eval "set -- $prev"; PG__PREV_EXIT=$3; fi
  trap pg__exit_trap EXIT
  trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP
  PG__TRAPPED=1
}

# pg__watchdog: a detached process that, once the test shell is gone without cleaning up (SIGKILL), kills the
# tracked processes, stops the server and removes its directory.
pg__watchdog() {
  local shell_pid=$$
  rm -f "$PG_DIR.watchdog"
  # Not a child of the test shell (a bare `wait` there must not wait for it); it writes its own pid.
  ( setsid bash -c 'echo $$ >"$3.watchdog"
    shell=$1 bin=$2 dir=$3 root=$4
    while kill -0 "$shell" 2>/dev/null; do sleep 1; done
    if [ -f "$dir.pids" ]; then while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$dir.pids"; fi
    if [ "$root" = 1 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop
    else "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop; fi
    rm -rf "$dir" "$dir.pids" "$dir.proxy.pid" "$dir.proxy.log" "$dir.watchdog" "$dir".delay.*' pg-watchdog "$shell_pid" "$PG_BIN" "$PG_DIR" "$([ "$(id -u)" = 0 ] && echo 1)" \
    </dev/null >/dev/null 2>&1 & )
  local deadline=$((SECONDS + 10))
  while [ ! -s "$PG_DIR.watchdog" ] && [ $SECONDS -lt $deadline ]; do sleep 0.02; done
  PG__WATCHDOG=$(cat "$PG_DIR.watchdog" 2>/dev/null)
}

# pg__make_reachable DIR: lets user postgres traverse every ancestor of DIR (group search bit for its group,
# on directories we own that it cannot traverse yet; nothing is made readable).
pg__make_reachable() {
  local d=$1
  while [ "$d" != / ]; do
    d=$(dirname "$d")
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
      if [ "$(stat -c %u "$d")" = 0 ]; then chgrp postgres "$d" && chmod g+x "$d"; fi
    fi
  done
}

pg_start() {
  local dir=$1 try
  pg_require
  mkdir -p "$dir" || { echo "FAIL: pg_start creates $dir"; exit 1; }
  dir=$(cd "$dir" && pwd -P)
  PG_DIR=$dir; PG_DATA=$dir/data; PG_LOG=$dir/server.log
  pg__install_traps
  pg__watchdog
  chmod 700 "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    pg__make_reachable "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then echo "FAIL: user postgres can write to $dir"; exit 1; fi
  fi
  if ! pg__as "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
       --no-locale -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
    echo "FAIL: initdb creates a PostgreSQL cluster in $PG_DATA"; cat "$dir/initdb.log"; exit 1
  fi
  # Loopback and the socket only; trust on the socket (its directory is 0700), scram-sha-256 on TCP.
  pg__as tee "$PG_DATA/pg_hba.conf" >/dev/null <<HBA
local all all trust
host  all all 127.0.0.1/32 scram-sha-256
HBA
  for try in 1 2 3 4 5; do
    PGPORT=$(pg__free_port)
    pg__as tee -a "$PG_DATA/postgresql.conf" >/dev/null <<CONF
# tests/pg/pg_server.sh (the last setting of a name wins)
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$dir'
unix_socket_permissions = 0700
password_encryption = scram-sha-256
max_connections = 200
shared_buffers = 32MB
fsync = off
full_page_writes = off
logging_collector = off
log_min_messages = warning
CONF
    if pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >"$dir/pg_ctl.log" 2>&1; then break; fi
    if ! grep -q 'could not bind\|could not create any TCP/IP sockets' "$PG_LOG" 2>/dev/null || [ "$try" = 5 ]; then
      echo "FAIL: PostgreSQL starts"; cat "$dir/pg_ctl.log" "$PG_LOG" 2>/dev/null | tail -30; exit 1
    fi
  done
  PGSOCKDIR=$dir
  export PGSOCKDIR PGPORT
  PG_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(20))')
  if ! pg_sql_db postgres "CREATE ROLE panel LOGIN PASSWORD '$PG_PASSWORD'" "CREATE DATABASE panel OWNER panel" \
       >/dev/null; then
    echo "FAIL: role and database panel are created"; exit 1
  fi
  PG_PASSFILE=$dir/passfile
  ( umask 077; printf '127.0.0.1:*:*:panel:%s\nlocalhost:*:*:panel:%s\n' "$PG_PASSWORD" "$PG_PASSWORD" >"$PG_PASSFILE" )
  chmod 600 "$PG_PASSFILE"
  export PG_PASSFILE
}

pg_sql_db() {
  local db=$1 args=() s; shift
  for s in "$@"; do args+=(-c "$s"); done
  "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$PGSOCKDIR" -p "$PGPORT" -U postgres -d "$db" "${args[@]}"
}
pg_sql() { pg_sql_db panel "$@"; }
pg_conninfo_socket() { printf 'host=%s port=%s dbname=%s user=panel' "$PGSOCKDIR" "$PGPORT" "${1:-panel}"; }
pg_conninfo_tcp() {
  printf 'host=127.0.0.1 port=%s dbname=%s user=panel passfile=%s' "${1:-$PGPORT}" "${2:-panel}" "$PG_PASSFILE"
}

pg_down() {
  pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m "${1:-fast}" -w -t 60 stop >>"$PG_DIR/pg_ctl.log" 2>&1
}
pg_up() {
  pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >>"$PG_DIR/pg_ctl.log" 2>&1
}
pg_restart() { pg_down "${1:-fast}"; pg_up; }
pg_running() { pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

pg_stop() {
  [ -n "$PG_DIR" ] || return 0
  proxy_stop
  delay_stop
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 10 stop >/dev/null 2>&1 \
      || pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 10 stop >/dev/null 2>&1
  fi
  if [ -n "$PG__WATCHDOG" ]; then kill "$PG__WATCHDOG" 2>/dev/null; PG__WATCHDOG=""; fi
  rm -rf "$PG_DIR" "$PG_DIR.pids" "$PG_DIR.proxy.pid" "$PG_DIR.proxy.log" "$PG_DIR.watchdog" "$PG_DIR".delay.*
  PG_DIR=""
}

proxy_start() {
  local port=${1:-} try
  proxy_require
  for try in 1 2 3 4 5; do
    [ -n "${1:-}" ] || port=$(pg__free_port)
    rm -f "$PG_DIR.proxy.pid"
    # Its own session and process group (so cut/restore reach the per-connection children too); the pid is
    # written by the shell that then becomes socat.
    ( setsid sh -c 'echo $$ >"$1"; shift; exec "$@"' proxy "$PG_DIR.proxy.pid" \
      socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,backlog=128" "TCP:127.0.0.1:$PGPORT" \
      </dev/null >/dev/null 2>>"$PG_DIR.proxy.log" & )
    local deadline=$((SECONDS + 10))
    while [ $SECONDS -lt $deadline ]; do
      if [ -s "$PG_DIR.proxy.pid" ] && python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1).close()' "$port" 2>/dev/null; then
        PROXY_PGID=$(cat "$PG_DIR.proxy.pid"); PROXY_PORT=$port
        pg_track_pid "$PROXY_PGID"
        return 0
      fi
      [ -s "$PG_DIR.proxy.pid" ] && ! kill -0 "$(cat "$PG_DIR.proxy.pid")" 2>/dev/null && break
      sleep 0.05
    done
    [ -s "$PG_DIR.proxy.pid" ] && kill -KILL -- "-$(cat "$PG_DIR.proxy.pid")" 2>/dev/null
    [ -n "${1:-}" ] && [ "$try" -ge 3 ] && break
  done
  echo "FAIL: the TCP proxy (socat) listens on 127.0.0.1:$port"; cat "$PG_DIR.proxy.log" 2>/dev/null; return 1
}
proxy_cut() { [ -n "$PROXY_PGID" ] && kill -STOP -- "-$PROXY_PGID"; }
proxy_restore() { [ -n "$PROXY_PGID" ] && kill -CONT -- "-$PROXY_PGID"; }
proxy_kill() {
  [ -n "$PROXY_PGID" ] || return 0
  kill -KILL -- "-$PROXY_PGID" 2>/dev/null
  kill -CONT -- "-$PROXY_PGID" 2>/dev/null
  PROXY_PGID=""
}
proxy_stop() { proxy_kill; }

delay_start() {
  local out="$PG_DIR.delay.port" deadline=$((SECONDS + 10))
  rm -f "$out"
  ( exec python3 "$(dirname "${BASH_SOURCE[0]}")/delay_proxy.py" "$1" "$2" </dev/null >"$out" 2>"$PG_DIR.delay.log" &
    echo $! >"$PG_DIR.delay.pid" )
  DELAY_PID=$(cat "$PG_DIR.delay.pid"); pg_track_pid "$DELAY_PID"
  while [ $SECONDS -lt $deadline ]; do
    DELAY_PORT=$(head -1 "$out" 2>/dev/null)
    [ -n "$DELAY_PORT" ] && return 0
    kill -0 "$DELAY_PID" 2>/dev/null || break
    sleep 0.02
  done
  echo "FAIL: the delaying proxy listens"; cat "$PG_DIR.delay.log" 2>/dev/null; return 1
}
delay_on() { [ -n "$DELAY_PID" ] && kill -USR1 "$DELAY_PID"; }
delay_off() { [ -n "$DELAY_PID" ] && kill -USR2 "$DELAY_PID"; }
delay_stop() { [ -n "$DELAY_PID" ] && kill -KILL "$DELAY_PID" 2>/dev/null; DELAY_PID=""; }
