// Executes an experiment's runs into results/<experiment>/<run>/:
// config.json, metrics.jsonl (one line per epoch), checkpoint.pt (every
// epoch) and summary.json (when finished), each written atomically.
// A finished run is skipped, an unfinished one is continued only with
// --resume, a running one (locked) is refused: never overwritten.
#pragma once
#include <string>

#include "experiments/experiment.h"

namespace odenet {

struct RunnerOptions {
  std::string results_root = "results";
  bool resume = false;
  int threads = 0;  ///< 0: all cores
  std::string device = "auto";  ///< auto, cpu, cuda or cuda:N
};

/// Runs every run of `experiment`; returns the number of runs trained now.
int run_experiment(const Experiment& experiment, const RunnerOptions& options);

}  // namespace odenet
