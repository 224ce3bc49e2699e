#!/bin/bash
# run.sh SECONDS - runs every libFuzzer target built in $FUZZ_B/fuzz (see the Makefile's `fuzzers`) for SECONDS
# each, starting from a copy of its seed corpus tests/fuzz/corpus/<target>/ (the seeds in git stay as they
# are). Prints one line per target: "fuzz_NAME: executions N, findings N" and keeps every crashing, leaking or
# hanging input under $FUZZ_B/fuzz/artifacts/ to reproduce with `$FUZZ_B/fuzz/fuzz_NAME FILE`.
# Exit status 0 only when every target ran and found nothing.
set -u
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-10}
FUZZ_B=${FUZZ_B:-build/fuzz}
artifacts="$FUZZ_B/fuzz/artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
ok=1 ran=0
for bin in "$FUZZ_B"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  ran=$((ran + 1))
  mkdir -p "$work/$name"
  [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/$name/"
  rm -f "$artifacts/$name"-*
  "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$name-" "$work/$name" >"$work/$name.log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$' | tail -1)
  findings=$(find "$artifacts" -name "$name-*" | wc -l)
  if [ "$rc" -ne 0 ] && [ "$findings" -eq 0 ]; then findings=1; fi   # died without writing an artifact
  echo "$name: executions ${execs:-0}, findings $findings, corpus $(find "$work/$name" -type f | wc -l) inputs"
  if [ "$findings" -ne 0 ]; then
    ok=0
    grep -E 'FINDING|ERROR: |SUMMARY: |runtime error|Test unit written' "$work/$name.log" | head -20
  fi
done
[ "$ran" -gt 0 ] || { echo "no fuzz targets in $FUZZ_B/fuzz (build them with make fuzzers, see the Makefile)"; exit 1; }
[ "$ok" -eq 1 ]
