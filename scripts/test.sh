#!/usr/bin/env bash
# Sets up and builds odenet (the same build as the quickstart's: after it, nothing is
# recompiled), then runs the whole test suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
