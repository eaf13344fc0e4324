#!/usr/bin/env bash
# Sets up and builds odenet, then trains ResNet-20 against LM-ResNet-20 on
# Fashion-MNIST (experiments/quickstart.json) and prints the comparison table.
# Results go to build/quickstart-results (set ODENET_RESULTS to change);
# a finished quickstart is not retrained, only tabulated again.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
results=${ODENET_RESULTS:-build/quickstart-results}
start=$(date +%s)
build/cli/odenet run experiments/quickstart.json --results "$results"
echo
build/cli/odenet table "$results/quickstart"
echo
echo "quickstart: $(( $(date +%s) - start )) s of training and evaluation"
