// Executes an experiment's runs into results/<experiment>/<run>/:
// config.json, metrics.jsonl (one line per epoch), checkpoint.pt (every
// epoch), summary.json (when finished) or status.json (when paused by a time
// limit, or failed), each written atomically. A finished run is skipped, an
// unfinished one is continued only with --resume, a running one (locked) is
// refused: never overwritten. With `jobs` > 1 the runs go to child processes,
// `jobs` at a time, each with its share of the cores and its device.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data_parallel.h"
#include "experiments/experiment.h"

namespace odenet {

struct RunnerOptions {
  std::string results_root = "results";
  bool resume = false;
  int threads = 0;  ///< per run; 0: all cores, or the cores divided among the jobs
  std::string device = "auto";  ///< auto, cpu, cuda or cuda:N
  /// Runs trained at once, each in its own process.
  int jobs = 1;
  /// CUDA device indices handed out to the jobs in turn (empty: `device` for all).
  std::vector<int> devices;
  /// Only these runs (indices in the experiment's expansion order, as `validate` lists them).
  std::vector<size_t> only;
  /// Stop every run at the last epoch boundary that fits in this many seconds from now (paused).
  std::optional<double> time_limit_seconds;
  /// The memory a run may take (parameters, gradients, momentum, activations at its batch,
  /// estimated before it starts); nullopt: what the machine has available then (CPU runs; a GPU
  /// run is checked only against a limit given here).
  std::optional<int64_t> memory_limit;
  /// How to start this program again for the jobs (its own path and the arguments before "run").
  std::vector<std::string> relaunch_prefix;
  /// Data-parallel: this process is one rank of every run; rank 0 alone decides what to train and
  /// writes the run directories, the others train their shards and write nothing.
  std::shared_ptr<DataParallelGroup> group;
};

struct RunnerSummary {
  int trained = 0;   ///< runs that trained to their last epoch now
  int paused = 0;    ///< runs stopped by the time limit
  int skipped = 0;   ///< finished earlier
  int stopped = 0;   ///< left unstarted or unfinished because a signal asked to stop
};

/// Runs the selected runs of `experiment`.
RunnerSummary run_experiment(const Experiment& experiment, const RunnerOptions& options);

/// True when `saved` (a config.json) describes the same run as `current`: equal, once keys
/// added to odenet's resolved configs since `saved` was written take their current values and
/// its model is resolved again by today's code (older scheme spellings resolve to today's).
bool same_run_config(nlohmann::json saved, const nlohmann::json& current);

/// Whether a run directory's `saved` config can be extended to `current` by more epochs: nullopt
/// when more than train.epochs differs (or the epochs do not grow); "" when it can; otherwise why
/// not (a cosine schedule's rates depend on the total).
std::optional<std::string> extension_refusal(const nlohmann::json& saved, const nlohmann::json& current);

/// What differs between a run directory's saved config and the experiment's, for a message:
/// "/train/epochs: 3 here, 5 in the experiment; ..." (at most six paths).
std::string config_differences(const nlohmann::json& saved, const nlohmann::json& current);

}  // namespace odenet
