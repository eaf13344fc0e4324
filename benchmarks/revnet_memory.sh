#!/usr/bin/env bash
# Peak memory of RevNet-110 training with and without activation recomputation (RevNet's
# memory saving), each in its own process, and the ratios. Host memory from each run's
# summary; GPU memory, where nvidia-smi exists, sampled every 100 ms while each run trains.
# Usage: benchmarks/revnet_memory.sh [odenet run options, e.g. --device cuda]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sed 's/"recompute": true/"recompute": false/; s/"name": "revnet_memory"/"name": "revnet_memory_stored"/' \
  benchmarks/revnet_memory.json | sed 's|"\.\./experiments/|"'"$PWD"'/experiments/|' >"$out/stored.json"
run() {  # $1: experiment file, $2: name; prints the peak GPU memory (MiB) or nothing
  local smi=""
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 >"$out/$2.smi" &
    smi=$!
  fi
  build/cli/odenet run "$1" --results "$out" "${@:3}" >/dev/null
  if [ -n "$smi" ]; then kill "$smi"; wait "$smi" 2>/dev/null || true; sort -n "$out/$2.smi" | tail -1 >"$out/$2.gpu"; fi
}
run benchmarks/revnet_memory.json revnet_memory "$@"
run "$out/stored.json" revnet_memory_stored "$@"
python3 - "$out" <<'PY'
import json, os, sys
d = sys.argv[1]
rows = []
for name, label in (("revnet_memory", "recompute"), ("revnet_memory_stored", "stored activations")):
    s = json.load(open(f"{d}/{name}/s0/summary.json"))
    gpu = open(f"{d}/{name}.gpu").read().strip() if os.path.exists(f"{d}/{name}.gpu") else ""
    rows.append((label, s, float(gpu) if gpu else None))
    print(f"{label:>20}: {s['device']}, host peak {s['peak_memory_mib']:.0f} MiB"
          + (f", GPU peak {float(gpu):.0f} MiB" if gpu else "")
          + f", {s['mean_images_per_second']:.0f} img/s, test error {s['final_test_error']:.2f} %")
(_, r, rg), (_, t, tg) = rows
print(f"recompute / stored: host memory {r['peak_memory_mib'] / t['peak_memory_mib']:.2f}"
      + (f", GPU memory {rg / tg:.2f}" if rg and tg else "")
      + f", speed {r['mean_images_per_second'] / t['mean_images_per_second']:.2f}")
PY
