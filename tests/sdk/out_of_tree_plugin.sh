#!/usr/bin/env bash
# Installs this build into a scratch prefix, builds examples/plugins/ssprk3 out of tree against it
# (as a user's plugin is built) and checks the installed odenet loads it and measures order 3.
# usage: out_of_tree_plugin.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" > "$scratch/install.log"
cp -r "$source/examples/plugins/ssprk3" "$scratch/plugin"  # no path back into the source tree
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
cmake -S "$scratch/plugin" -B "$scratch/plugin-build" "${generator[@]}" \
  -DCMAKE_PREFIX_PATH="$scratch/prefix${CMAKE_PREFIX_PATH:+;$CMAKE_PREFIX_PATH}" > "$scratch/configure.log" ||
  { cat "$scratch/configure.log"; exit 1; }
cmake --build "$scratch/plugin-build" > "$scratch/build.log" || { cat "$scratch/build.log"; exit 1; }
# No build type given: the SDK builds Release, not unoptimised.
grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$scratch/plugin-build/CMakeCache.txt" ||
  { echo "FAIL: the SDK's default build type is not Release"; grep CMAKE_BUILD_TYPE "$scratch/plugin-build/CMakeCache.txt"; exit 1; }
odenet="$scratch/prefix/bin/odenet"
plugin="$scratch/plugin-build/ssprk3.so"
# Captured first: `grep -q` leaves at the first match, and with pipefail odenet's SIGPIPE on the
# lines still to come would fail the pipeline.
listed=$("$odenet" --plugin "$plugin" schemes)
grep -q "^ssprk3" <<< "$listed" || { echo "FAIL: ssprk3 not listed"; exit 1; }
order=$("$odenet" --plugin "$plugin" verify-scheme --scheme ssprk3 --problem decay --steps 20,40,80 --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["observed_order"])')
echo "installed odenet + out-of-tree ssprk3.so: observed order $order on decay"
python3 -c "import sys; sys.exit(0 if abs($order - 3) < 0.15 else 1)" || { echo "FAIL: order $order is not 3"; exit 1; }
# The registry's battery on the plugin, through the installed odenet.
"$odenet" test-scheme ssprk3 --plugin "$plugin" | tail -1
