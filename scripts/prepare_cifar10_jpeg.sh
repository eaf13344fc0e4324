#!/usr/bin/env bash
# Unpacks the CIFAR-10 JPEG copy (../shared/datasets/cifar10-jpeg.tar.gz) into
# ~/.cache/odenet/data/cifar10-jpeg, where experiments/cifar10_*.json look for it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
archive=${1:-$here/../shared/datasets/cifar10-jpeg.tar.gz}
dest=${ODENET_DATA:-$HOME/.cache/odenet/data}
if [ -d "$dest/cifar10-jpeg/train" ] && [ -d "$dest/cifar10-jpeg/test" ]; then
  echo "$dest/cifar10-jpeg: already unpacked"
  exit 0
fi
[ -f "$archive" ] || { echo "prepare_cifar10_jpeg: no archive at $archive" >&2; exit 1; }
mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.unpack-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$archive" -C "$tmp"
mv "$tmp/cifar10-jpeg" "$dest/cifar10-jpeg"
echo "$dest/cifar10-jpeg: unpacked"
