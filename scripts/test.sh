#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the unit and integration tests, the
# same tests under AddressSanitizer and UndefinedBehaviorSanitizer, the fuzz harnesses for a
# short while each, and every benchmark with --quick so none of them rots.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)

echo "== module layering"
/usr/bin/python3 scripts/check-layers.py
/usr/bin/python3 scripts/check_layers_test.py

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== benchmarks (--quick)"
for b in build/bench/*_bench; do
  [ -x "$b" ] || continue
  echo "-- $b --quick"
  "$b" --quick
done

echo "== sanitizers (ASan + UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCONSENTRIC_SANITIZE=ON -DCONSENTRIC_BENCH=OFF >/dev/null
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== fuzzing (${FUZZ_SECONDS:-30} s per harness)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
