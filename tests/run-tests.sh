#!/bin/bash
# run-tests.sh - runs the whole test suite against the build in $B (default build): every cmocka unit test
# binary in $B/tests, then every command-line test script tests/cli/*.sh. Prints each failure, and at the end
# one line "N passed, N failed"; each
# passing test's line gives its checks and seconds, so the slow ones are easy to find. Exit status 0 only when nothing failed and at least one test ran.
# Optional: TEST_WRAPPER (e.g. "valgrind ...") runs each unit binary and the sample host under it.
# TEST_SHARD=I/N (e.g. 0/2) runs only every N-th test starting with the I-th (unit binaries, then scripts), so
# N runs side by side share the work (make check runs the valgrind pass as two shards on two cores).
set -u
B=${B:-build}
export B
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

shard=${TEST_SHARD:-0/1}
shard_i=${shard%/*} shard_n=${shard#*/}
case "$shard_i/$shard_n" in
  [0-9]*/[1-9]*) [ "$shard_i" -lt "$shard_n" ] || { echo "TEST_SHARD=$shard: I must be below N" >&2; exit 2; } ;;
  *) echo "TEST_SHARD=$shard: give it as I/N, e.g. 0/2" >&2; exit 2 ;;
esac
ordinal=-1
# mine: 0 when the next test belongs to this shard.
mine() { ordinal=$((ordinal + 1)); [ $((ordinal % shard_n)) -eq "$shard_i" ]; }

for bin in "$B"/tests/host_* "$B"/tests/plugin_*; do
  [ -x "$bin" ] || continue
  mine || continue
  t0=$SECONDS
  ${TEST_WRAPPER:-} "$bin" >"$log" 2>&1
  rc=$?
  p=$(grep -c '^\[       OK \]' "$log")
  f=$(grep -c '^\[  FAILED  \] [a-z_0-9]' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or failed outside a test
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then echo "== $bin: $f failed (exit $rc)"; cat "$log"; else echo "ok   $bin ($p tests, $((SECONDS - t0)) s)"; fi
done

for script in tests/cli/*.sh; do
  case "$script" in */lib.sh) continue ;; esac
  mine || continue
  t0=$SECONDS
  bash "$script" >"$log" 2>&1
  rc=$?
  p=$(grep -c '^PASS: ' "$log")
  f=$(grep -c '^FAIL: ' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then echo "== $script: $f failed (exit $rc)"; cat "$log"; else echo "ok   $script ($p checks, $((SECONDS - t0)) s)"; fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
