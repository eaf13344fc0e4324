#!/usr/bin/env bash
# Sets up and builds odenet (warnings are errors here, and so in CI), then runs the whole test
# suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh -DODENET_WERROR=ON
ctest --test-dir build --output-on-failure -j "$(nproc)"
