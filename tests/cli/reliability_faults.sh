#!/bin/bash
# reliability_faults.sh - store faults of the API Keys plugin (issue 5), each checked for a clear error for
# the owner, an API that fails closed (deny, never allow a revoked key), nothing lost afterwards and a host
# that keeps running:
#   1. the data directory (or the database file) not writable, as an unprivileged user (setpriv to 65534,
#      since root ignores permissions);
#   2. the database locked by another process past the 2 s busy timeout: a writer holding BEGIN EXCLUSIVE,
#      and a connection in exclusive locking mode that shuts out readers too;
#   3. a corrupted database file, offline and while `sample-host serve` runs;
#   4. the disk full in the middle of a write (RLIMIT_FSIZE via prlimit; SIGXFSZ ignored, so writes fail
#      with EFBIG as on a full disk).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../browser/server.sh"
chmod 711 "$TMP"   # the unprivileged user must reach its own directory below

# setup_store DIR: a config (plugin from the config, flush every second) and a store with a revoked key
# (OLD) and a current key (KEY); the API is enabled. Sets CONF, KEY, OLD, HINT.
setup_store() {
  local dir=$1
  mkdir -p "$dir"
  CONF="$dir/panel.ini"
  panel_ini "$CONF" data "$PLUGIN" "${PANEL_OWNER[@]}" '[plugin:apikeys]' 'flush_interval = 1'
  chown -R "${2:-0}:${2:-0}" "$dir"
  H="${RUNAS:-} ${SAMPLE_BIN:-$PWD/$B/sample-host} -c $CONF"
  OLD=$($H --json action settings/api-key enable | json1 secret)
  KEY=$($H --json action settings/api-key reset --yes | json1 secret)
  HINT="${KEY:0:4}…${KEY: -4}"
}
json1() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1],""))' "$1"; }
h() { $H "$@" >"$TMP/out" 2>"$TMP/err" </dev/null; RC=$?; OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err"); }
# status_of KEY: an API call with KEY; prints the HTTP status (the output and stderr land in $TMP/out, err).
status_of() { h call GET /api/v1/ping -H "X-API-Key: $1"; printf '%s' "$OUT" | sed -n 's/^HTTP \([0-9]*\).*/\1/p'; }
audit_count() { sqlite3 "$1" 'SELECT count(*) FROM audit'; }
# after_fault WHAT: the fault is gone: the same key works, the old one does not, the audit trail is intact
# (AUDIT_BEFORE rows, plus the failure rows the plugin managed to write), and a reset works again.
after_fault() {
  local what=$1 db=$2
  [ "$(status_of "$KEY")" = 200 ] && [ "$(status_of "$OLD")" = 401 ] && pass "$what: afterwards the same key works, the revoked one does not" \
    || fail "$what: keys after the fault"
  h page settings/api-key
  if printf '%s' "$OUT" | grep -q "present ($HINT)" && [ "$(audit_count "$db")" -ge "$AUDIT_BEFORE" ]; then
    pass "$what: nothing lost (same current key, audit trail kept)"
  else fail "$what: state after the fault"; fi
  h action settings/api-key reset --yes
  expect_rc 0 "$what: a reset works again afterwards"
}

# ----- 1. not writable (unprivileged) ------------------------------------------------------------------------
D="$TMP/perm"; RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups"
# The checkout may sit below a directory user 65534 cannot enter (CI clones into a 0700 temporary folder):
# run copies of the program and the plugin from a folder it can reach (root-owned, as the host requires).
mkdir -p "$TMP/bin" && chmod 755 "$TMP/bin"
install -m 0755 "$PWD/$B/sample-host" "$TMP/bin/sample-host"
install -m 0755 "$PLUGIN" "$TMP/bin/apikeys.so"
SAMPLE_BIN="$TMP/bin/sample-host"; PLUGIN_SAVED=$PLUGIN; PLUGIN="$TMP/bin/apikeys.so"
setup_store "$D" 65534
AUDIT_BEFORE=$(audit_count "$D/data/apikeys.db")
[ "$(status_of "$KEY")" = 200 ] && pass "unprivileged: the store works as user 65534" || fail "unprivileged setup"
chmod 500 "$D/data"
h action settings/api-key reset --yes
if [ "$RC" -ne 0 ] && printf '%s' "$ERR" | grep -q "not writable: check the data directory's owner and permissions"; then
  pass "data directory not writable: a clear error names the file and what to check"
else fail "data directory not writable: error"; fi
[ "$(status_of "$KEY")" = 503 ] && grep -q no_auth_provider "$TMP/out" \
  && pass "data directory not writable: the API fails closed (503), the host still answers" || fail "not writable: API"
[ "$(status_of "$OLD")" = 503 ] && pass "data directory not writable: the revoked key is refused" || fail "not writable: old key"
chmod 700 "$D/data"; chmod 400 "$D/data/apikeys.db"
h action settings/api-key reset --yes
[ "$RC" -ne 0 ] && printf '%s' "$ERR" | grep -q "not writable" && pass "database file read-only: a clear error" \
  || fail "database file read-only: error"
s_old=$(status_of "$OLD")
[ -n "$s_old" ] && [ "$s_old" != 200 ] && pass "database file read-only: the revoked key is refused ($s_old)" \
  || fail "read-only: old key ($s_old)"
chmod 600 "$D/data/apikeys.db"
after_fault "not writable" "$D/data/apikeys.db"
RUNAS=""

unset SAMPLE_BIN; PLUGIN=$PLUGIN_SAVED

# ----- 2. locked past the busy timeout ----------------------------------------------------------------------
D="$TMP/lock"; setup_store "$D"; DB="$D/data/apikeys.db"
AUDIT_BEFORE=$(audit_count "$DB")
# hold SQL...: a sqlite3 process that runs SQL, says "held", and keeps its transaction until released.
hold() {
  rm -f "$TMP/hold.in"; mkfifo "$TMP/hold.in"
  sqlite3 "$DB" <"$TMP/hold.in" >"$TMP/hold.out" 2>&1 &
  HOLD_PID=$!
  exec {HOLD_FD}>"$TMP/hold.in"
  printf '%s\nSELECT '"'"'held'"'"';\n' "$1" >&$HOLD_FD
  for _ in $(seq 1 500); do grep -q held "$TMP/hold.out" && return 0; read -r -t 0.01 <> <(:) || true; done
  return 1
}
release() { printf 'ROLLBACK;\n.quit\n' >&$HOLD_FD; exec {HOLD_FD}>&-; wait "$HOLD_PID"; }
if hold "PRAGMA busy_timeout=100; BEGIN EXCLUSIVE; UPDATE settings SET value = value;"; then
  pass "another process holds BEGIN EXCLUSIVE"
  start=$(date +%s%N)
  h action settings/api-key reset --yes
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ "$RC" -ne 0 ] && printf '%s' "$ERR" | grep -q "locked by another process; try again" && [ "$ms" -ge 1900 ]; then
    pass "locked writer: reset gives up after the busy timeout (${ms} ms) with 'locked by another process; try again'"
  else fail "locked writer: reset ($ms ms)"; fi
  [ "$(status_of "$KEY")" = 200 ] && [ "$(status_of "$OLD")" = 401 ] \
    && pass "locked writer: the API keeps answering from the committed state (readers are not blocked in WAL)" \
    || fail "locked writer: API"
  release
else fail "another process holds BEGIN EXCLUSIVE"; fi
if hold "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE settings SET value = value;"; then
  pass "another process holds the database in exclusive locking mode"
  s_key=$(status_of "$KEY"); err_key=$(cat "$TMP/err"); s_old=$(status_of "$OLD")
  [ "$s_key" = 503 ] && [ "$s_old" = 503 ] && pass "exclusive lock: the API fails closed (503) for every key" \
    || fail "exclusive lock: API ($s_key/$s_old)"
  printf '%s' "$err_key" | grep -q "locked by another process" && pass "exclusive lock: the owner is told the store is locked" \
    || fail "exclusive lock: message"
  release
else fail "exclusive locking mode holder"; fi
after_fault "locked" "$DB"

# ----- 3. a corrupted database file ------------------------------------------------------------------------
corrupt() { python3 -c 'import os,sys; f=open(sys.argv[1],"r+b"); f.seek(int(sys.argv[2])); f.write(os.urandom(int(sys.argv[3]))); f.close()' "$@"; }
D="$TMP/corrupt"; setup_store "$D"; DB="$D/data/apikeys.db"
AUDIT_BEFORE=$(audit_count "$DB")
cp "$DB" "$TMP/backup.db"
corrupt "$DB" 4096 16384
h page settings/api-key
printf '%s' "$ERR" | grep -q "is damaged; restore it from a backup" && pass "corrupt file: the owner is told it is damaged and to restore a backup" \
  || fail "corrupt file: message"
s_key=$(status_of "$KEY"); s_old=$(status_of "$OLD")
[ "$s_key" = 503 ] && [ "$s_old" = 503 ] && pass "corrupt file: the API fails closed (503) for every key" || fail "corrupt file: API ($s_key/$s_old)"
corrupt "$DB" 0 100
h action settings/api-key reset --yes
[ "$RC" -ne 0 ] && printf '%s' "$ERR" | grep -q "damaged" && pass "corrupt header: actions refused with the same clear error" \
  || fail "corrupt header: action"
cp "$TMP/backup.db" "$DB"
after_fault "corrupt file restored" "$DB"

# While `sample-host serve` runs: it keeps answering; once it notices (at the latest at its next usage flush,
# every second here) it denies every key with 503 until the store can be read again; a revoked key is never
# accepted; the log says what is wrong; SIGTERM still stops it cleanly.
D="$TMP/corrupt-live"; setup_store "$D"; DB="$D/data/apikeys.db"
cp "$DB" "$TMP/backup-live.db"
if start_server "$CONF" live; then
  http GET /api/v1/ping -H "X-API-Key: $KEY"
  [ "$CODE" = 200 ] && pass "live corruption: the server accepts the key before" || fail "live: before ($CODE)"
  corrupt "$DB" 4096 16384
  corrupt "$DB" 0 100
  seen503=0 old_accepted=0 tries=0
  while [ $tries -lt 100 ]; do  # up to ~10 s; usually ends after the next flush
    tries=$((tries + 1))
    http GET /api/v1/ping -H "X-API-Key: $OLD"; [ "$CODE" = 200 ] && old_accepted=1
    http GET /api/v1/ping -H "X-API-Key: $KEY"; [ "$CODE" = 503 ] && { seen503=1; break; }
    read -r -t 0.1 <> <(:) || true
  done
  [ $old_accepted = 0 ] && pass "live corruption: the revoked key was never accepted" || fail "live: revoked key accepted"
  [ $seen503 = 1 ] && pass "live corruption: the server fails closed (503) after $tries polls" || fail "live: still 200 after 10 s"
  grep -q "damaged; restore it from a backup" "$SERVER_LOG" && pass "live corruption: the server log says the store is damaged" \
    || { fail "live: log"; cat "$SERVER_LOG"; }
  http GET /healthz
  [ "$CODE" = 200 ] && pass "live corruption: the server is still running" || fail "live: healthz ($CODE)"
  denied=0
  for _ in 1 2 3 4 5; do http GET /api/v1/ping -H "X-API-Key: $KEY"; [ "$CODE" = 503 ] && denied=$((denied + 1)); done
  [ $denied = 5 ] && pass "live corruption: it keeps denying while the file is damaged" || fail "live: flapping ($denied/5 denied)"
  cp "$TMP/backup-live.db" "$DB"   # the WAL's frames were written on top of this same base
  back=0
  for _ in $(seq 1 100); do
    http GET /api/v1/ping -H "X-API-Key: $KEY"; [ "$CODE" = 200 ] && { back=1; break; }
    read -r -t 0.1 <> <(:) || true
  done
  [ $back = 1 ] && pass "live corruption: once the file is restored the server accepts the key again, no restart" \
    || fail "live: no recovery after the restore"
  stop_server
  [ "$STOP_RC" = 0 ] && pass "live corruption: SIGTERM still stops the server cleanly" || fail "live: stop ($STOP_RC)"
else fail "live corruption: the server starts"; fi

# ----- 4. the disk full in the middle of a write --------------------------------------------------------------
# Another connection stays open so the WAL is kept between commands; the reset may then grow the WAL by only
# 2000 bytes: its first frame is written partly, then write() fails with EFBIG (SIGXFSZ ignored).
D="$TMP/full"; setup_store "$D"; DB="$D/data/apikeys.db"
AUDIT_BEFORE=$(audit_count "$DB")
if hold "SELECT count(*) FROM keys;"; then
  h action settings/api-key disable; h action settings/api-key enable   # some WAL content to grow from
  AUDIT_BEFORE=$(audit_count "$DB")
  wal=$(stat -c %s "$DB-wal")
  (trap '' XFSZ; prlimit --fsize=$((wal + 2000)) $H action settings/api-key reset --yes) >"$TMP/out" 2>"$TMP/err" </dev/null
  RC=$?; OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
  [ "$(stat -c %s "$DB-wal")" -gt "$wal" ] && pass "disk full: the write was cut off in the middle (WAL grew partly)" \
    || fail "disk full: no partial write happened"
  if [ "$RC" -ne 0 ] && printf '%s' "$ERR" | grep -Eq "disk is full|the disk may be full or failing; nothing was changed"; then
    pass "disk full: the reset fails with 'the disk may be full ...; nothing was changed'"
  else fail "disk full: error"; fi
  printf '%s' "$OUT$ERR" | grep -q 'sak_[0-9A-Za-z]\{49\}' && fail "disk full: a key was revealed for a failed reset" \
    || pass "disk full: no key is revealed for the failed reset"
  s_key=$(status_of "$KEY"); s_old=$(status_of "$OLD")
  [ "$s_key" = 200 ] && [ "$s_old" = 401 ] && pass "disk full: the committed keys still answer as before (nothing half-written)" \
    || fail "disk full: API ($s_key/$s_old)"
  [ "$(audit_count "$DB")" = "$AUDIT_BEFORE" ] && [ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] \
    && pass "disk full: integrity_check ok, no partial audit row" || fail "disk full: integrity/audit"
  release
else fail "disk full: a second connection holds the WAL open"; fi
after_fault "disk full" "$DB"
