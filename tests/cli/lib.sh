# lib.sh - helpers for command-line tests of build/sample-host. Source it; each check prints "PASS: what" or
# "FAIL: what" (with the output that failed it), which tests/run-tests.sh counts.
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
