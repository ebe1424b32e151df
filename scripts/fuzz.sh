#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang-14 into build-fuzz and runs each for a while.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     SECONDS defaults to 30; TARGETs default to all
#
# Each target runs with -max_total_time=SECONDS on a throw-away copy of its seed corpus
# (fuzz/corpus/<target without _fuzz>/), so the committed corpus never grows. Prints one line
# per target; a crash, timeout, leak, sanitizer report or out-of-memory fails the run (exit 1)
# and leaves the reproducer in build-fuzz/fuzz-artifacts/<target>/ and the log in
# build-fuzz/fuzz-logs/<target>.log. Replay a reproducer with: build-fuzz/fuzz/<target> <file>
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
seconds=${1:-30}
if [ $# -gt 0 ]; then shift; fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi
all_targets=(csv_reader_fuzz ndjson_reader_fuzz timestamp_fuzz config_fuzz tcf_decode_fuzz consent_proof_fuzz segment_rule_fuzz erasure_receipt_fuzz)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

mkdir -p "$build/fuzz-logs"
if [ ! -f "$build/build.ninja" ]; then
  if ! cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCONSENTRIC_FUZZ=ON \
      -DCONSENTRIC_TESTS=OFF -DCONSENTRIC_BENCH=OFF >"$build/fuzz-logs/configure.log" 2>&1; then
    echo "fuzz: configuring build-fuzz failed; see $build/fuzz-logs/configure.log" >&2
    tail -n 20 "$build/fuzz-logs/configure.log" >&2
    exit 2
  fi
fi
if ! ninja -C "$build" "${targets[@]}" >"$build/fuzz-logs/build.log" 2>&1; then
  echo "fuzz: building the harnesses failed; see $build/fuzz-logs/build.log" >&2
  tail -n 30 "$build/fuzz-logs/build.log" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/consentric-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

rss_limit_mb=2048
# ASan's own RSS watchdog, set just under libFuzzer's: libFuzzer's out-of-memory handler first
# prints a heap profile, which on a 2 GB heap of small blocks can take many minutes before the
# reproducer is written; ASan's dies at once and still lets libFuzzer save the input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:hard_rss_limit_mb=$((rss_limit_mb - 48))}
# UBSan is compiled in recoverable mode; halting makes a report a finding for libFuzzer.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
for target in "${targets[@]}"; do
  name=${target%_fuzz}
  corpus="$work/$target"
  artifacts="$build/fuzz-artifacts/$target"
  log="$build/fuzz-logs/$target.log"
  mkdir -p "$corpus" "$artifacts"
  if [ -d "$root/fuzz/corpus/$name" ]; then cp -R "$root/fuzz/corpus/$name/." "$corpus/"; fi
  seeds=$(find "$corpus" -type f | wc -l)
  flags=(-max_total_time="$seconds" -rss_limit_mb="$rss_limit_mb" -timeout=30 -print_final_stats=1
         -artifact_prefix="$artifacts/")
  if [ -f "$root/fuzz/$name.dict" ]; then flags+=(-dict="$root/fuzz/$name.dict"); fi

  # A wall-clock bound on top of -max_total_time, in case the fuzzer itself never returns.
  status=0
  timeout -s KILL $((seconds + 120)) "$build/fuzz/$target" "${flags[@]}" "$corpus" >"$log" 2>&1 ||
    status=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -n 1)
  inputs=$(find "$corpus" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    echo "$target: ok, ${runs:-? runs}, corpus $seeds -> $inputs inputs"
  else
    failed=1
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    why="exit $status"
    if [ "$status" -eq 137 ]; then why="killed after $((seconds + 120)) s"; fi
    echo "$target: FAILED ($why), reproducer ${artifact:-none}, log $log"
    grep -m 3 -E '==ERROR|runtime error|deadly signal|timeout after|out-of-memory|rss limit' \
      "$log" >&2 || true
  fi
done
exit "$failed"
