#!/usr/bin/env bash
# Gathers what benchmarks/gpu_check.sh needs on a machine without a package
# registry (the lent GPU machine): Debian 12 .debs of odenet's non-LibTorch
# dependencies into .deps/debs (~13 MB) and the CIFAR-10 JPEG archive into .deps.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .deps/debs
(cd .deps/debs && apt-get download nlohmann-json3-dev libfmt-dev libfmt9 libboost-program-options-dev \
  libboost-program-options1.74-dev libboost-program-options1.74.0 libboost1.74-dev libgtest-dev \
  libjpeg62-turbo-dev libjpeg62-turbo libjpeg-dev libpng-dev libpng16-16 zlib1g-dev)
cp -n ../shared/datasets/cifar10-jpeg.tar.gz .deps/ 2>/dev/null || true
du -sh .deps
