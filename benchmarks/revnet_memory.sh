#!/usr/bin/env bash
# Peak memory of RevNet-110 training with and without activation recomputation (RevNet's
# memory saving), each in its own process, and the ratio. Usage: benchmarks/revnet_memory.sh [--device D]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sed 's/"recompute": true/"recompute": false/; s/"name": "revnet_memory"/"name": "revnet_memory_stored"/' \
  benchmarks/revnet_memory.json >"$out/stored.json"
sed -i 's|"\.\./experiments/|"'"$PWD"'/experiments/|' "$out/stored.json"
build/cli/odenet run benchmarks/revnet_memory.json --results "$out" "$@" >/dev/null
build/cli/odenet run "$out/stored.json" --results "$out" "$@" >/dev/null
python3 - "$out" <<'PY'
import json, sys
recomputed = json.load(open(sys.argv[1] + "/revnet_memory/s0/summary.json"))
stored = json.load(open(sys.argv[1] + "/revnet_memory_stored/s0/summary.json"))
for name, s in (("recompute", recomputed), ("stored activations", stored)):
    print(f"{name:>20}: peak {s['peak_memory_mib']:.0f} MiB, {s['mean_images_per_second']:.0f} img/s, test error {s['final_test_error']:.2f} %")
print(f"peak memory ratio (recompute / stored): {recomputed['peak_memory_mib'] / stored['peak_memory_mib']:.2f}; "
      f"speed ratio: {recomputed['mean_images_per_second'] / stored['mean_images_per_second']:.2f}")
PY
