#!/usr/bin/env bash
# Training speed of odenet against PyTorch, side by side in one command.
#
#   benchmarks/speed.sh [ROUNDS]        (default 3; env: THREADS, DEVICE=cpu|cuda, PYTHON, BASELINE)
#
# Every figure is a ratio to a baseline measured in the same invocation, in
# interleaved rounds (this machine's speed drifts; a ratio of two runs far
# apart in time would measure the drift):
#   - odenet end to end (loader, augmentation) against the PyTorch script
#     ../shared/baselines/pytorch_cifar.py with its best flags on the same
#     device, batch and threads (fp32 / channels-last / bf16 autocast, and on
#     PyTorch >= 2 torch.compile max-autotune and reduce-overhead);
#   - odenet end to end against odenet compute only (one fixed batch);
#   - LM-ResNet-20's step time against pre-activation ResNet-20's;
#   - odenet bf16 against odenet fp32 (the rule behind train.precision "auto").
# Needs the CIFAR-10 JPEG copy (scripts/prepare_cifar10_jpeg.sh) and python3-torch.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
odenet=${ODENET:-build/cli/odenet}
python=${PYTHON:-/usr/bin/python3}
baseline=${BASELINE:-../shared/baselines/pytorch_cifar.py}
threads=${THREADS:-$(nproc)}
experiment=benchmarks/speed_cifar10.json
[ -x "$odenet" ] || { echo "speed.sh: build odenet first (scripts/setup.sh)" >&2; exit 1; }
[ -f "$baseline" ] || { echo "speed.sh: no PyTorch baseline at $baseline" >&2; exit 1; }
"$python" -c "import torch" 2>/dev/null || { echo "speed.sh: $python cannot import torch (apt-get install python3-torch)" >&2; exit 1; }
scripts/prepare_cifar10_jpeg.sh >/dev/null

if [ -z "${DEVICE:-}" ]; then
  DEVICE=cpu
  "$python" -c "import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null && DEVICE=cuda
fi
torch_major=$("$python" -c "import torch; print(torch.__version__.split('.')[0])")
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# PyTorch variants: name and flags (its default amp is off, its default data is on the device).
variants=("fp32 contiguous|" "fp32 channels-last|--channels-last" "bf16 channels-last|--channels-last --amp bf16")
if [ "$DEVICE" = cuda ]; then variants+=("fp16 channels-last|--channels-last --amp fp16"); fi
if [ "$torch_major" -ge 2 ]; then
  variants+=("bf16 channels-last compile max-autotune|--channels-last --amp bf16 --compile max-autotune"
             "bf16 channels-last compile reduce-overhead|--channels-last --amp bf16 --compile reduce-overhead")
fi
if [ "$DEVICE" = cuda ]; then images=51200; epochs=2; steps=100; else images=2560; epochs=2; steps=20; fi
# Without native bf16 (no AVX512-BF16 / AMX) bf16 runs are ~10x slower on the CPU: measure them in round 1 only.
native_bf16=yes
if [ "$DEVICE" = cpu ] && ! grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo; then native_bf16=no; fi

echo "speed.sh: $rounds round(s) on $DEVICE ($cpu_model, $threads thread(s)), PyTorch $("$python" -c 'import torch; print(torch.__version__)')"
for round in $(seq 1 "$rounds"); do
  for v in "${variants[@]}"; do
    name=${v%%|*}; flags=${v#*|}
    if [ "$native_bf16" = no ] && [ "$round" -gt 1 ] && [[ "$flags" == *bf16* ]]; then continue; fi
    # shellcheck disable=SC2086
    rate=$("$python" "$baseline" --synthetic "$images" --epochs "$epochs" --warmup 10 --threads "$threads" \
             --device "$DEVICE" --model resnet20 $flags | sed -n 's/.*: \([0-9]*\) images\/s.*/\1/p')
    echo "$round|pytorch|$name|$rate" >> "$out/rates"
    echo "  round $round: PyTorch resnet20 $name: $rate images/s"
  done
  "$odenet" speed "$experiment" --run 0 --steps $((steps / 2)) --warmup 5 --rounds 2 --threads "$threads" --device "$DEVICE" \
    --json > "$out/odenet.json"
  if [ "$native_bf16" = yes ] || [ "$round" -eq 1 ]; then
    "$odenet" speed "$experiment" --run 0 --steps "$steps" --warmup 5 --rounds 1 --threads "$threads" --device "$DEVICE" \
      --precision bf16 --mode compute --json > "$out/odenet_bf16.json"
  else
    rm -f "$out/odenet_bf16.json"
  fi
  "$python" - "$out" "$round" <<'PY'
import json, sys
out, rnd = sys.argv[1], sys.argv[2]
import os
d = json.load(open(f"{out}/odenet.json"))[0]
b = json.load(open(f"{out}/odenet_bf16.json"))[0] if os.path.exists(f"{out}/odenet_bf16.json") else None
with open(f"{out}/rates", "a") as f:
    f.write(f"{rnd}|odenet|end to end {d['precision']}|{d['end_to_end_images_per_second']:.1f}\n")
    f.write(f"{rnd}|odenet|compute only {d['precision']}|{d['compute_images_per_second']:.1f}\n")
    if b: f.write(f"{rnd}|odenet|compute only bf16|{b['compute_images_per_second']:.1f}\n")
print(f"  round {rnd}: odenet resnet20 {d['precision']}: end to end {d['end_to_end_images_per_second']:.0f}, "
      f"compute only {d['compute_images_per_second']:.0f}" + (f"; bf16 compute only {b['compute_images_per_second']:.0f}" if b else "") + " images/s")
PY
done
# LM-ResNet-20 against pre-activation ResNet-20: many short interleaved rounds in one process.
"$odenet" speed "$experiment" --run 2 1 --steps 10 --warmup 3 --rounds $((rounds * 3)) --mode compute --phases \
  --threads "$threads" --device "$DEVICE" --json > "$out/lm.json"

"$python" - "$out" "$DEVICE" "$threads" "$cpu_model" <<'PY'
import json, statistics, sys
out, device, threads, cpu = sys.argv[1:5]
rates = {}
for line in open(f"{out}/rates"):
    rnd, who, name, rate = line.strip().split("|")
    rates.setdefault((who, name), {})[int(rnd)] = float(rate)
def med(x): return statistics.median(x)
pytorch = {n: r for (w, n), r in rates.items() if w == "pytorch"}
best = max(pytorch, key=lambda n: med(pytorch[n].values()))
def paired(a, b):  # median over the rounds both were measured in of a/b
    return med([a[r] / b[r] for r in a if r in b])
e2e = next(r for (w, n), r in rates.items() if w == "odenet" and n.startswith("end to end"))
e2e_name = next(n for (w, n) in rates if w == "odenet" and n.startswith("end to end"))
comp = next(r for (w, n), r in rates.items() if w == "odenet" and n.startswith("compute only") and not n.endswith("bf16"))
bf16 = rates[("odenet", "compute only bf16")]
lm = json.load(open(f"{out}/lm.json"))
print(f"\n## Training speed, ResNet-20, batch 128, {device}, {threads} thread(s), {cpu}\n")
print("| measurement | images/s (median) | ratio | against |")
print("|---|---:|---:|---|")
for n, r in sorted(pytorch.items(), key=lambda kv: -med(kv[1].values())):
    print(f"| PyTorch {n} | {med(r.values()):.0f} | {paired(r, pytorch[best]):.3f} | PyTorch {best} (best) |")
print(f"| odenet {e2e_name} (defaults) | {med(e2e.values()):.0f} | {paired(e2e, pytorch[best]):.3f} | PyTorch {best} (best) |")
print(f"| odenet {e2e_name} | {med(e2e.values()):.0f} | {paired(e2e, comp):.3f} | odenet compute only |")
print(f"| odenet compute only bf16 | {med(bf16.values()):.0f} | {paired(bf16, comp):.3f} | odenet compute only fp32 |")
pre, lmr = lm[0], lm[1]
lm_rounds = sorted(a / b for a, b in zip(pre["compute_rounds"], lmr["compute_rounds"]))
print(f"| LM-ResNet-20 step time (compute only, {len(lm_rounds)} rounds: {lm_rounds[0]:.3f}–{lm_rounds[-1]:.3f}) "
      f"| {lmr['compute_images_per_second']:.0f} "
      f"| {lmr['step_time_ratio_to_first']:.3f} | pre-activation ResNet-20 step ({pre['compute_images_per_second']:.0f} images/s) |")
print(f"\nWhere LM-ResNet-20's step time goes, median ms per step over {lmr['phase_steps']} compute-only steps:\n")
print("| phase | pre-activation ResNet-20 | LM-ResNet-20 | difference |")
print("|---|---:|---:|---:|")
for phase in ("forward", "backward", "update", "bookkeeping"):
    print(f"| {phase} | {pre['phase_ms'][phase]:.1f} | {lmr['phase_ms'][phase]:.1f} | {lmr['phase_ms_more_than_first'][phase]:+.1f} |")
PY
