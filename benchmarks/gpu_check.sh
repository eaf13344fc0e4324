#!/usr/bin/env bash
# On a CUDA machine with PyTorch's wheel (no package registry): builds odenet
# against the wheel's LibTorch with the .debs of scripts/fetch_gpu_deps.sh,
# runs the test suite, then trains on the GPU: ResNet-20 throughput on 10,000
# CIFAR-10 images (channels-last vs contiguous) with the same command on the
# machine's CPU cores as the baseline, and two full epochs of ResNet-20 and
# LM-ResNet-20. Logs and summaries go to $OUT (default /tmp/gpu-check).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/gpu-check}
mkdir -p "$out"
step() { echo "== $(date +%T) $*"; }
prefix=/tmp/odenet-deps
for f in .deps/debs/*.deb; do dpkg -x "$f" "$prefix"; done
export LD_LIBRARY_PATH="$prefix/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
export CPATH="$prefix/usr/include/x86_64-linux-gnu"  # multiarch headers (jconfig.h) before the system's
torch_prefix=$(python3 -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
nvidia-smi -L
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())'
g++ --version | head -1; cmake --version | head -1; nproc
export TORCH_CUDA_ARCH_LIST=9.0 CUDACXX=${CUDACXX:-$(command -v nvcc)}

build() {  # $1: C++ standard
  rm -rf build-gpu
  cmake -G Ninja -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_STANDARD="$1" \
    -DCMAKE_POLICY_VERSION_MINIMUM=3.5 -DODENET_FMT_HEADER_ONLY=ON -DCMAKE_PREFIX_PATH="$torch_prefix;$prefix/usr" >"$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; return 1; }
  ninja -k 0 -C build-gpu >"$out/build.log" 2>&1
}
step "build (C++17)"
if ! build 17; then
  grep -m5 -E "error|Error" "$out/build.log" "$out/configure.log"
  step "build (C++20)"
  build 20 || { grep -m20 -E "error" "$out/build.log"; exit 1; }
fi
tail -1 "$out/build.log"

step "tests"
# One intra-op thread per test process: ctest runs nproc of them at once.
(cd build-gpu && OMP_NUM_THREADS=1 timeout 240 ctest -j"$(nproc)" --timeout 200 ${CTEST_ARGS:-} >"$out/ctest.log" 2>&1)
grep -E "tests passed|tests failed" "$out/ctest.log"; grep -E "\(Failed\)|\(Timeout\)|Not Run" "$out/ctest.log" | head -20

step "data"
scripts/prepare_cifar10_jpeg.sh .deps/cifar10-jpeg.tar.gz
odenet=build-gpu/cli/odenet
step "throughput, GPU"
$odenet run benchmarks/cifar10_throughput.json --device cuda --results /tmp/gpu >"$out/bench.log" 2>&1
step "throughput, CPU ($(nproc) threads)"
$odenet run benchmarks/cifar10_throughput.json --device cpu --results /tmp/cpu >>"$out/bench.log" 2>&1
step "two epochs, GPU"
$odenet run benchmarks/cifar10_epochs.json --device cuda --results /tmp/gpu >>"$out/bench.log" 2>&1
step "RevNet-110 memory, recompute vs stored activations (GPU)"
benchmarks/invertible_memory.sh --device cuda 2>&1 | tee -a "$out/bench.log"
grep -E "epoch [0-9]+/|params" "$out/bench.log"
for root in /tmp/gpu /tmp/cpu; do
  for e in "$root"/*/; do echo "## $root $(basename "$e")"; $odenet table "$e"; done
done | tee "$out/tables.md"
python3 - "$out" <<'PY'
import json, glob, sys
rows = {p: json.load(open(p)) for p in glob.glob("/tmp/*/*/*/summary.json")}
keep = ("device", "threads", "torch_version", "mean_images_per_second", "mean_epoch_seconds", "final_test_error")
json.dump({p: {k: s.get(k) for k in keep} for p, s in sorted(rows.items())}, open(sys.argv[1] + "/summaries.json", "w"), indent=1)
PY
step done
