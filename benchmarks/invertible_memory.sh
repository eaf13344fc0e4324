#!/usr/bin/env bash
# Peak memory of training a depth-110 network (pre-activation ResNet-110's layout) under each
# invertible scheme — RevNet's coupling, the Hamiltonian network's, momentum (γ = 0.9; reversed in
# float and exactly), the leapfrog network — with and without activation recomputation, each run in its own process, and the ratios. Host memory
# from each run's summary; GPU memory, where nvidia-smi exists, sampled every 100 ms.
# Usage: benchmarks/invertible_memory.sh [odenet run options, e.g. --device cuda]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
schemes=('{"name": "reversible"}' '{"name": "hamiltonian"}' '{"name": "momentum", "gamma": 0.9}'
  '{"name": "momentum", "gamma": 0.9, "exact_reversal": true}' '{"name": "leapfrog_second_order"}')
# ODENET_SCHEMES="0 3": only those entries of the list.
indices=(${ODENET_SCHEMES:-${!schemes[@]}})
run() {  # $1: scheme object, $2: recompute, $3: run name
  /usr/bin/python3 - "$1" "$2" "$3" "$PWD" >"$out/$3.json" <<'PY'
import json, sys
scheme, recompute, name, root = json.loads(sys.argv[1]), sys.argv[2] == "true", sys.argv[3], sys.argv[4]
e = json.load(open(f"{root}/benchmarks/invertible_memory.json"))
e["name"], e["extends"] = name, f"{root}/experiments/quickstart.json"
e["model"]["scheme"] = dict(scheme, recompute=recompute)
if not recompute:
    e["model"]["scheme"].pop("exact_reversal", None)  # an option of recomputation; stored: the same network
print(json.dumps(e))
PY
  local smi=""
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 >"$out/$3.smi" &
    smi=$!
  fi
  build/cli/odenet run "$out/$3.json" --results "$out" "${@:4}" >/dev/null
  if [ -n "$smi" ]; then kill "$smi"; wait "$smi" 2>/dev/null || true; sort -n "$out/$3.smi" | tail -1 >"$out/$3.gpu"; fi
}
for i in "${indices[@]}"; do
  run "${schemes[$i]}" true "scheme${i}_recompute" "$@"
  run "${schemes[$i]}" false "scheme${i}_stored" "$@"
done
/usr/bin/python3 - "$out" "${indices[*]}" "${schemes[@]}" <<'PY'
import json, os, sys
d, indices, schemes = sys.argv[1], [int(i) for i in sys.argv[2].split()], sys.argv[3:]
def read(name):
    s = json.load(open(f"{d}/{name}/s0/summary.json"))
    gpu = f"{d}/{name}.gpu"
    return s, float(open(gpu).read()) if os.path.exists(gpu) else None
print("| scheme (depth 110) | host peak, recompute | host peak, stored | ratio | GPU ratio | speed ratio |")
print("|---|---:|---:|---:|---:|---:|")
for i in indices:
    scheme = json.loads(schemes[i])
    (r, rg), (t, tg) = read(f"scheme{i}_recompute"), read(f"scheme{i}_stored")
    gpu = f"{rg / tg:.2f}" if rg and tg else "—"
    label = scheme["name"] + (", exact reversal" if scheme.get("exact_reversal") else "")
    print(f"| {label} | {r['peak_memory_mib']:.0f} MiB | {t['peak_memory_mib']:.0f} MiB | "
          f"{r['peak_memory_mib'] / t['peak_memory_mib']:.2f} | {gpu} | "
          f"{r['mean_images_per_second'] / t['mean_images_per_second']:.2f} |")
PY
