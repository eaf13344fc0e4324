#!/usr/bin/env bash
# Installs every Debian package odenet needs (only those missing, so it is
# idempotent) and builds odenet (Release, ninja, warnings are errors) into
# build/. Arguments go to cmake's configure step. The quickstart and the tests
# both come through here with the same flags, so they share one build.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ ccache
  libtorch-dev libopenblas0-pthread
  nlohmann-json3-dev libfmt-dev libboost-program-options-dev libgtest-dev
  libjpeg-dev libpng-dev zlib1g-dev
  gnuplot-nox
  # data-parallel training (c10d's Gloo headers) and the local Slurm the tests start
  libgloo-dev slurm-wlm munge
  dataset-fashion-mnist
  # the Python module (python/) and its tests: the python3-torch of libtorch-dev's build
  python3-dev pybind11-dev python3-torch python3-numpy python3-torchvision python3-crc32c
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DODENET_WERROR=ON "$@"
cmake --build build
