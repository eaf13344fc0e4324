#!/usr/bin/env bash
# Builds odenet with AddressSanitizer and UBSan (g++) into build-asan/ and runs the whole test
# suite there. LibTorch itself is not instrumented; odenet's code is.
#   scripts/sanitize.sh [ctest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DODENET_SANITIZE=address,undefined >/dev/null
cmake --build build-asan
# LibTorch's own allocations at exit are not ours to fix: leaks are reported only from odenet frames.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_odr_violation=0
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizer/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" "$@"
