#!/usr/bin/env bash
# Data-parallel scaling of `odenet run --nproc N` (c10d/Gloo; NCCL is not wired yet): ResNet-56,
# one epoch over 2,560 CIFAR-10 images at global batch 128, trained by 1 process and by 2..MAX
# processes, in interleaved rounds; prints training images/s (the epoch's, loader included) and
#   efficiency(N) = rate(N processes, T threads each) / (N × rate(1 process, T threads)),
# plus the rate of 1 process using all the threads the N processes share.
#
#   benchmarks/data_parallel.sh [ROUNDS] [MAX_PROCESSES]   (defaults 2 and the core count, at least 2)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
cores=$(nproc)
max=${2:-$(( cores < 2 ? 2 : cores ))}
odenet=${ODENET:-build/cli/odenet}
experiment=benchmarks/data_parallel_resnet56.json
threads=${THREADS:-1}
[ -x "$odenet" ] || { echo "data_parallel.sh: build odenet first (scripts/setup.sh)" >&2; exit 1; }
scripts/prepare_cifar10_jpeg.sh >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

rate() {  # images/s of the last run in results dir $1
  /usr/bin/python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['images_per_second'])" \
    "$1/data_parallel_resnet56/s0/metrics.jsonl"
}
declare -A sum
configs=("1x$threads")
for ((n = 2; n <= max; n *= 2)); do configs+=("${n}x$threads" "1x$((n * threads))"); done
for ((r = 1; r <= rounds; r++)); do
  for c in "${configs[@]}"; do
    procs=${c%x*} t=${c#*x}
    dir="$out/$c-$r"
    if [ "$procs" -eq 1 ]; then
      "$odenet" run "$experiment" --threads "$t" --device cpu --results "$dir" >"$dir.log" 2>&1
    else
      "$odenet" run "$experiment" --nproc "$procs" --oversubscribe --threads "$t" --device cpu --results "$dir" >"$dir.log" 2>&1
    fi
    v=$(rate "$dir")
    sum[$c]=$(/usr/bin/python3 -c "print(${sum[$c]:-0} + $v)")
    echo "round $r: $procs process(es) x $t thread(s): $v images/s" >&2
  done
done
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "ResNet-56, CIFAR-10 (2,560 images, 1 epoch, global batch 128), $cpu, $cores cores, mean of $rounds round(s)"
echo
echo "| processes x threads | images/s | scaling efficiency | vs 1 process with the same threads |"
echo "|---|---:|---:|---:|"
base=$(/usr/bin/python3 -c "print(${sum[1x$threads]} / $rounds)")
printf '| 1 x %s | %.0f | 1.00 | 1.00 |\n' "$threads" "$base"
for ((n = 2; n <= max; n *= 2)); do
  dp=$(/usr/bin/python3 -c "print(${sum[${n}x$threads]} / $rounds)")
  one=$(/usr/bin/python3 -c "print(${sum[1x$((n * threads))]} / $rounds)")
  /usr/bin/python3 -c "print('| %d x %d | %.0f | %.2f | %.2f |' % ($n, $threads, $dp, $dp / ($n * $base), $dp / $one))"
  /usr/bin/python3 -c "print('| 1 x %d | %.0f | | 1.00 |' % ($((n * threads)), $one))"
done
