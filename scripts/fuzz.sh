#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang with ASan + UBSan) into build-fuzz/ and runs
# each for SECONDS (default 60) from its seed corpus (tests/fuzz/corpus/<target>). Fails on any
# crash, leak, timeout or out-of-memory; prints executions and coverage per target. Targets run
# ODENET_FUZZ_JOBS at a time (default: one per core).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
packages=(clang libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DODENET_FUZZ=ON -DODENET_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz --target fuzz_targets
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_experiment fuzz_idx fuzz_cifar_binary fuzz_image fuzz_image_cache fuzz_checkpoint fuzz_metrics fuzz_plugin_elf fuzz_slurm_script)
work=build-fuzz/work
mkdir -p "$work"
jobs=${ODENET_FUZZ_JOBS:-$(nproc)}

# Runs one target for $seconds; writes its summary line to $work/$t.result.
run_target() {
  local t=$1 corpus="$work/$1" log="$work/$1.log" result
  mkdir -p "$corpus" "$work/$t-artifacts"
  cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  # ASan's leak check runs at exit of every input; odenet's own allocations are the target.
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      build-fuzz/tests/fuzz/"$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$work/$t-artifacts/" "$corpus" >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log)"
  fi
  local done_line execs cov ft
  done_line=$(grep -E "^#[0-9]+[[:space:]]+DONE" "$log" | tail -1 || true)
  execs=$(grep -E "stat::number_of_executed_units" "$log" | awk '{print $2}' | tail -1)
  cov=$(echo "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  printf '%-20s %12s %8s %8s  %s\n' "$t" "${execs:--}" "${cov:--}" "${ft:--}" "$result" >"$work/$t.result"
}

# $jobs targets at a time (ODENET_FUZZ_JOBS, default: one per core).
for t in "${targets[@]}"; do
  rm -f "$work/$t.result"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_target "$t" &
done
wait
status=0
printf '%-20s %12s %8s %8s  %s\n' target executions cov ft result
for t in "${targets[@]}"; do
  cat "$work/$t.result"
  grep -q " ok$" "$work/$t.result" || status=1
done
exit $status
