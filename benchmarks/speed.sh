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
#   - LM-ResNet-20's step time against pre-activation ResNet-20's (CIFAR-10's
#     shapes) and against ResNet-20's (the quickstart's, Fashion-MNIST);
#   - odenet bf16 against odenet fp32, both measured whatever "auto" picks (the
#     rule behind train.precision "auto"), and what "auto" picked here and why.
# The table itself is benchmarks/speed_table.py (tested by tests/benchmarks/).
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
# Where bf16 is emulated (a CPU without AVX512-BF16 / AMX, as odenet's "auto" judges it in round 1),
# bf16 runs are ~10x slower: they are measured in round 1 only.
native_bf16=yes
odenet_speed() { "$odenet" speed "$@" --threads "$threads" --device "$DEVICE" --json; }

echo "speed.sh: $rounds round(s) on $DEVICE ($cpu_model, $threads thread(s)), PyTorch $("$python" -c 'import torch; print(torch.__version__)')"
echo "speed.sh: CPU flags: $(grep -m1 -ow -E 'avx512_bf16|amx_bf16|avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
for round in $(seq 1 "$rounds"); do
  for v in "${variants[@]}"; do
    name=${v%%|*}; flags=${v#*|}
    if [ "$native_bf16" = no ] && [[ "$flags" == *bf16* ]]; then continue; fi
    # shellcheck disable=SC2086
    rate=$("$python" "$baseline" --synthetic "$images" --epochs "$epochs" --warmup 10 --threads "$threads" \
             --device "$DEVICE" --model resnet20 $flags | sed -n 's/.*: \([0-9]*\) images\/s.*/\1/p')
    echo "$round|pytorch|$name|$rate" >> "$out/rates"
    echo "  round $round: PyTorch resnet20 $name: ${rate:-(failed)} images/s"
  done
  # odenet's defaults (train.precision "auto"), then each precision explicitly.
  odenet_speed "$experiment" --run 0 --steps $((steps / 2)) --warmup 5 --rounds 2 > "$out/odenet.json"
  odenet_speed "$experiment" --run 0 --steps "$steps" --warmup 5 --rounds 1 --precision fp32 --mode compute > "$out/fp32.json"
  rm -f "$out/bf16.json"
  if [ "$native_bf16" = yes ]; then
    odenet_speed "$experiment" --run 0 --steps "$steps" --warmup 5 --rounds 1 --precision bf16 --mode compute > "$out/bf16.json"
  fi
  "$python" - "$out" "$round" <<'PY'
import json, os, sys
out, rnd = sys.argv[1], sys.argv[2]
d = json.load(open(f"{out}/odenet.json"))[0]
rows = [("auto end to end", d["end_to_end_images_per_second"]), ("auto compute only", d["compute_images_per_second"])]
for p in ("fp32", "bf16"):
    if os.path.exists(f"{out}/{p}.json"):
        rows.append((f"compute only {p}", json.load(open(f"{out}/{p}.json"))[0]["compute_images_per_second"]))
with open(f"{out}/rates", "a") as f:
    for name, rate in rows:
        f.write(f"{rnd}|odenet|{name}|{rate:.1f}\n")
print(f"  round {rnd}: odenet resnet20 (" + d["auto_precision"] + "): " + ", ".join(f"{n} {r:.0f}" for n, r in rows) + " images/s")
PY
  if [ "$round" -eq 1 ] && [ "$DEVICE" = cpu ] && [ "$("$python" -c "import json; print(json.load(open('$out/odenet.json'))[0]['precision'])")" != bf16 ]; then
    native_bf16=no
  fi
done
# LM-ResNet-20 against its base network, on CIFAR-10's and on the quickstart's shapes: many short
# interleaved rounds in one process, under the defaults.
odenet_speed "$experiment" --run 2 1 --steps 10 --warmup 3 --rounds $((rounds * 3)) --mode compute --phases > "$out/lm_cifar10.json"
if [ -d /usr/share/datasets/fashion-mnist ]; then
  odenet_speed experiments/quickstart.json --run 1 0 --steps 10 --warmup 3 --rounds $((rounds * 3)) --mode compute --phases \
    > "$out/lm_quickstart.json"
fi

"$python" benchmarks/speed_table.py "$out" "$DEVICE" "$threads" "$cpu_model"
