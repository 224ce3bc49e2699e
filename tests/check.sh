#!/bin/bash
# check.sh - what `make check` runs (owner: reliability checks). Four passes, each in its own build directory,
# then one summary:
#   asan      the whole suite (unit + tests/cli/*.sh) built with AddressSanitizer + UndefinedBehaviorSanitizer;
#             every sanitizer report goes to a log file, and any such file fails the pass (a report in a
#             background server or a process whose exit status a test ignores still counts).
#   valgrind  the unit tests and the sample host of the plain build under valgrind memcheck (zero errors, zero
#             definitely/indirectly lost bytes); long-running scripts may skip themselves when
#             SKIP_UNDER_VALGRIND=1.
#   tsan      every unit test (among them the plugin's verify-while-reset and the host's auth-during-unload
#             tests), the web server's curl tests and the many-node PostgreSQL test, built with ThreadSanitizer.
#   fuzz      each libFuzzer target for CHECK_FUZZ_SECONDS (default 10) seconds (tests/fuzz/run.sh).
# Environment (set by the Makefile): MAKE, CC, B (plain build), ASAN_B, TSAN_B, FUZZ_B; CHECK_PASSES (default
# "asan valgrind tsan fuzz") selects passes. Exit status 0 only when every selected pass passed.
set -u
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
CC=${CC:-cc}
B=${B:-build}
ASAN_B=${ASAN_B:-build/asan}
TSAN_B=${TSAN_B:-build/tsan}
FUZZ_B=${FUZZ_B:-build/fuzz}
CHECK_FUZZ_SECONDS=${CHECK_FUZZ_SECONDS:-10}
CHECK_PASSES=${CHECK_PASSES:-asan valgrind tsan fuzz}
ASAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
TSAN_FLAGS="-fsanitize=thread"
FUZZ_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
# Only what the issue counts is reported: errors and definitely or indirectly lost bytes ("possibly lost"
# blocks appear when a test kills a process on purpose, before it could close its plugins).
VALGRIND="valgrind -q --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite,indirect --error-exitcode=1"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary=()
all_ok=1

# Sub-makes get exactly the variables given here, not the ones `make check` was called with.
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$MAKE" --no-print-directory -j2 "$@"; }

# reports DIR: prints every non-empty sanitizer/valgrind log in DIR; returns 1 when there was one.
reports() {
  local found=0 f
  for f in "$1"/*; do
    [ -s "$f" ] || continue
    found=1
    echo "---- report $f"; head -60 "$f"
  done
  [ "$found" -eq 0 ]
}

# record NAME STATUS SECONDS DETAIL
record() {
  summary+=("$(printf '%-9s %-6s %5ss  %s' "$1" "$2" "$3" "$4")")
  [ "$2" = ok ] || all_ok=0
}

# slowest LOG: the eight slowest tests of a run-tests.sh log, so the time a pass takes can be traced.
slowest() {
  echo "-- slowest in $(basename "$1" .log):"
  sed -n 's/^ok   \(.*\), \([0-9]*\) s)$/\2 s  \1)/p' "$1" | sort -rn | head -8
}

# suite_counts LOG: the "N passed, N failed" line of tests/run-tests.sh.
suite_counts() { grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1; }

pass_asan() {
  local t0=$SECONDS logs="$work/asan-logs" log="$work/asan.log"
  mkdir -p "$logs"
  echo "== check: asan+ubsan build in $ASAN_B"
  if ! submake B="$ASAN_B" CC="$CC" SANFLAGS="$ASAN_FLAGS" all >"$work/asan-build.log" 2>&1; then
    tail -40 "$work/asan-build.log"; record asan FAILED $((SECONDS - t0)) "build failed"; return
  fi
  echo "== check: whole suite under asan+ubsan"
  ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:abort_on_error=0:strict_string_checks=1" \
  UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1" \
    B="$ASAN_B" tests/run-tests.sh >"$log" 2>&1
  local rc=$? counts
  counts=$(suite_counts "$log")
  if [ "$rc" -ne 0 ]; then grep -v '^ok ' "$log" | tail -80; fi
  slowest "$log"
  if ! reports "$logs"; then rc=1; counts="$counts; sanitizer reports above"; fi
  record asan "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)" $((SECONDS - t0)) "${counts:-no summary}"
}

pass_valgrind() {
  local t0=$SECONDS logs="$work/vg-logs" log="$work/valgrind.log"
  mkdir -p "$logs"
  echo "== check: plain build in $B"
  if ! submake B="$B" CC="$CC" all >"$work/plain-build.log" 2>&1; then
    tail -40 "$work/plain-build.log"; record valgrind FAILED $((SECONDS - t0)) "build failed"; return
  fi
  echo "== check: unit tests and sample host under valgrind memcheck (two shards side by side)"
  local shard pids=() rc=0 counts passed=0 failed=0 p f
  for shard in 0 1; do
    SKIP_UNDER_VALGRIND=1 TEST_WRAPPER="$VALGRIND --log-file=$logs/vg.%p" TEST_SHARD=$shard/2 B="$B" \
      tests/run-tests.sh >"$work/valgrind.$shard.log" 2>&1 &
    pids+=($!)
  done
  for shard in 0 1; do
    wait "${pids[$shard]}" || rc=1
    read -r p f < <(suite_counts "$work/valgrind.$shard.log" | sed 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1}))
  done
  cat "$work/valgrind.0.log" "$work/valgrind.1.log" | grep -v -E '^[0-9]+ passed, [0-9]+ failed' >"$log"
  echo "$passed passed, $failed failed" >>"$log"
  counts=$(suite_counts "$log")
  if [ "$rc" -ne 0 ]; then grep -v '^ok ' "$log" | tail -80; fi
  slowest "$log"
  if ! reports "$logs"; then rc=1; counts="$counts; valgrind reports above"; fi
  record valgrind "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)" $((SECONDS - t0)) "${counts:-no summary}"
}

pass_tsan() {
  local t0=$SECONDS logs="$work/tsan-logs" rc=0 n=0 bin
  mkdir -p "$logs"
  echo "== check: tsan build in $TSAN_B"
  if ! submake B="$TSAN_B" CC="$CC" SANFLAGS="$TSAN_FLAGS" all >"$work/tsan-build.log" 2>&1; then
    tail -40 "$work/tsan-build.log"; record tsan FAILED $((SECONDS - t0)) "build failed"; return
  fi
  echo "== check: unit tests and web server tests under tsan"
  export TSAN_OPTIONS="log_path=$logs/tsan:halt_on_error=1:second_deadlock_stack=1"
  for bin in "$TSAN_B"/tests/host_* "$TSAN_B"/tests/plugin_*; do
    [ -x "$bin" ] || continue
    n=$((n + 1))
    if ! "$bin" >"$work/tsan-unit.log" 2>&1; then
      rc=1; echo "== tsan: $bin failed"; tail -40 "$work/tsan-unit.log"
    fi
  done
  if [ -f tests/cli/web_server.sh ]; then
    n=$((n + 1))
    if ! B="$TSAN_B" bash tests/cli/web_server.sh >"$work/tsan-web.log" 2>&1 || grep -q '^FAIL: ' "$work/tsan-web.log"
    then rc=1; echo "== tsan: tests/cli/web_server.sh failed"; grep -A4 '^FAIL: ' "$work/tsan-web.log" | head -40; fi
  fi
  # The PostgreSQL store's lease thread, fence watchdog and verifying threads in real serve nodes (fewer kills:
  # the kill test is about the database, not about threads).
  if [ -f tests/cli/pg_nodes.sh ]; then
    n=$((n + 1))
    if ! PG_NODES_KILLS=20 B="$TSAN_B" bash tests/cli/pg_nodes.sh >"$work/tsan-pg.log" 2>&1 || grep -q '^FAIL: ' "$work/tsan-pg.log"
    then rc=1; echo "== tsan: tests/cli/pg_nodes.sh failed"; grep -A4 '^FAIL: ' "$work/tsan-pg.log" | head -40; fi
  fi
  unset TSAN_OPTIONS
  local detail="$n programs"
  if ! reports "$logs"; then rc=1; detail="$detail; tsan reports above"; fi
  record tsan "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)" $((SECONDS - t0)) "$detail"
}

pass_fuzz() {
  local t0=$SECONDS log="$work/fuzz.log"
  echo "== check: fuzz targets in $FUZZ_B, $CHECK_FUZZ_SECONDS s each"
  if ! command -v clang >/dev/null; then
    record fuzz FAILED 0 "clang not installed (apt-get install clang libclang-rt-14-dev)"; return
  fi
  if ! submake B="$FUZZ_B" CC=clang SANFLAGS="$FUZZ_FLAGS" fuzzers >"$work/fuzz-build.log" 2>&1; then
    tail -40 "$work/fuzz-build.log"; record fuzz FAILED $((SECONDS - t0)) "build failed"; return
  fi
  FUZZ_B="$FUZZ_B" tests/fuzz/run.sh "$CHECK_FUZZ_SECONDS" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  record fuzz "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)" $((SECONDS - t0)) \
    "$(grep -c '^fuzz_.*findings 0' "$log") targets clean of $(grep -c '^fuzz_' "$log")"
}

for p in $CHECK_PASSES; do
  case "$p" in
    asan) pass_asan ;;
    valgrind) pass_valgrind ;;
    tsan) pass_tsan ;;
    fuzz) pass_fuzz ;;
    *) echo "check.sh: unknown pass '$p' (asan, valgrind, tsan, fuzz)"; all_ok=0 ;;
  esac
done

echo "== make check summary"
printf '%s\n' "${summary[@]}"
if [ "$all_ok" -eq 1 ]; then echo "make check: all passes ok"; exit 0; fi
echo "make check: FAILED"
exit 1
