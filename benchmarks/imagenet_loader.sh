#!/usr/bin/env bash
# ImageNet loading speed per core and on all cores: odenet's image_stream loader (an image folder
# and its pack) against torchvision's DataLoader with PIL, on 2,000 ImageNet-sized JPEGs made from
# the CIFAR-10 copy (benchmarks/make_imagenet_like.py: about 500 x 415, quality 90). The folder
# and the pack are kept in ~/.cache/odenet/data/imagenet-like (made on the first run, ~1 minute).
#
#   benchmarks/imagenet_loader.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
odenet=${ODENET:-build/cli/odenet}
[ -x "$odenet" ] || { echo "imagenet_loader.sh: build odenet first (scripts/setup.sh)" >&2; exit 1; }
data=${ODENET_DATA:-$HOME/.cache/odenet/data}
folder=$data/imagenet-like packed=$data/imagenet-like-packed
if [ ! -d "$folder/val" ]; then
  scripts/prepare_cifar10_jpeg.sh >/dev/null
  tmp=$(mktemp -d "$data/.imagenet-like-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  benchmarks/make_imagenet_like.py "$data/cifar10-jpeg" "$tmp" --train 2000 --val 200
  mv "$tmp" "$folder"
fi
[ -f "$packed/val.odenet-pack" ] || "$odenet" pack "$folder" "$packed" --max-side 512 --quality 90
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
benchmarks/imagenet_loader.py "$folder" "$packed" --rounds "${1:-3}" --odenet "$odenet"
