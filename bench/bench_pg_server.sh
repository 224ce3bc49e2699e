#!/usr/bin/env bash
# bench_pg_server.sh - the bench's private PostgreSQL 15 for the figures of issue 14 (bench_pg_server.c runs
# it), built on the tests' tests/pg/pg_server.sh: initdb into DIR, a unix socket in DIR and a 127.0.0.1 port
# (nothing else listens), role and database `panel` with a 0600 passfile, and a socat proxy in front of the
# port that the bench can cut. Unlike the tests' server it runs with PostgreSQL's own durability (fsync = on,
# full_page_writes = on, synchronous_commit = on), since the bench compares a reset with a durable commit.
#
#   bench_pg_server.sh DIR        stdin and stdout are pipes to the bench
# stdout, one line each:
#   skip REASON                   PostgreSQL 15 is not installed: nothing was started (exit 0)
#   noproxy REASON                socat is not installed: no proxy (the fenced figure is skipped)
#   ready SOCKDIR PORT PASSFILE PROXY_PORT FS   PROXY_PORT 0 without a proxy; FS: DIR's file system type
#   fail REASON                   the server could not be started (details on stderr)
#   ok cut | ok restore | fail C  answers to the commands
# stdin: "cut" (SIGSTOP every proxy process: a network partition), "restore" (SIGCONT). At end of input,
# however the bench ended, the server is stopped and DIR removed; pg_server.sh's watchdog does it even when
# this script is SIGKILLed.
set -u
trap '' PIPE
dir=${1:?usage: bench_pg_server.sh DIR}
here=$(cd "$(dirname "$0")" && pwd -P)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
install_hint="run: apt-get install -y postgresql"
for tool in initdb pg_ctl psql; do
  if [ ! -x "$PG_BIN/$tool" ]; then
    echo "skip PostgreSQL 15 is not installed (no $PG_BIN/$tool); $install_hint"; exit 0
  fi
done
if [ "$(id -u)" = 0 ] && ! id -u postgres >/dev/null 2>&1; then
  echo "skip PostgreSQL 15 is installed without its user postgres (it runs the server for root); $install_hint"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "skip python3 is not installed (tests/pg/pg_server.sh needs it); run: apt-get install -y python3"; exit 0
fi
log=$dir.log
ready=0
exec 3>&1   # the bench's pipe, also from the EXIT trap while pg_start's output goes to the log
# shellcheck disable=SC2317  # run by the EXIT trap
report_failure() {
  if [ "$ready" = 0 ]; then
    local why; why=$(grep '^FAIL' "$log" 2>/dev/null | tail -1)
    echo "fail ${why:-the server did not start} (log: $log)" >&3
    tail -20 "$log" >&2 2>/dev/null
  fi
}
trap report_failure EXIT   # pg_server.sh keeps it and runs it after stopping the server
# shellcheck source=../tests/pg/pg_server.sh
. "$here/../tests/pg/pg_server.sh"
: >"$log"
pg_start "$dir" >>"$log" 2>&1
for setting in "fsync = on" "full_page_writes = on" "synchronous_commit = on"; do
  echo "$setting" | pg__as tee -a "$PG_DATA/postgresql.conf" >/dev/null
done
pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" reload >>"$log" 2>&1
for _ in $(seq 100); do
  [ "$(pg_sql "SHOW fsync" 2>>"$log")" = on ] && [ "$(pg_sql "SHOW full_page_writes" 2>>"$log")" = on ] && break
  sleep 0.05
done
if [ "$(pg_sql "SHOW fsync" 2>>"$log")" != on ]; then echo "FAIL: fsync = on takes effect" >>"$log"; exit 1; fi
proxy=0
if ! command -v socat >/dev/null 2>&1; then
  echo "noproxy socat is not installed (the partition needs its proxy); run: apt-get install -y socat"
elif proxy_start >>"$log" 2>&1; then
  proxy=$PROXY_PORT
else
  echo "FAIL: the socat proxy starts" >>"$log"; exit 1
fi
ready=1
echo "ready $PGSOCKDIR $PGPORT $PG_PASSFILE $proxy $(stat -f -c %T "$PG_DATA")"
while IFS= read -r command; do
  case $command in
    cut) if proxy_cut; then echo "ok cut"; else echo "fail cut"; fi ;;
    restore) if proxy_restore; then echo "ok restore"; else echo "fail restore"; fi ;;
    *) echo "fail $command" ;;
  esac
done
rm -f "$log"
exit 0
