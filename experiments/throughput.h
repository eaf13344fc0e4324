// Training throughput of runs, measured with the trainer's own step: end to
// end (the loader assembling augmented batches) and compute only (one fixed
// batch on the device). Several runs are measured in interleaved rounds, so
// that every figure sees the same machine and ratios between them hold even
// on a noisy one.
#pragma once
#include <memory>
#include <vector>

#include "experiments/experiment.h"
#include "experiments/step_profile.h"

namespace odenet {

struct ThroughputOptions {
  int64_t steps = 30;   ///< timed steps per round
  int64_t warmup = 5;   ///< untimed steps before each round
  int rounds = 3;
  bool end_to_end = true, compute_only = true;
  /// Non-empty: after the rounds, profile `steps` compute-only steps of each run and write
  /// <profile_dir>/<run>.trace.json (Chrome trace).
  std::string profile_dir;
  /// Also time the phases (forward, backward, update, bookkeeping) of every timed step: of the
  /// compute-only steps, or end to end when only those are measured.
  bool phases = false;
};

struct ThroughputResult {
  std::vector<double> end_to_end, compute_only;  ///< images/s per round
  std::string precision;
  std::string notice;  ///< a setting the run's setup overrode, and why (RunSetup::notice)
  int64_t params = 0;
  std::vector<OperatorTime> profile;  ///< with ThroughputOptions::profile_dir
  StepPhases phases;                  ///< with ThroughputOptions::phases
};

/// Median of `values` (0 for none).
double median(std::vector<double> values);

/// Measures each of `runs` (on `data[i]`, which must outlive the call): every round times each run
/// in turn, end to end then compute only.
std::vector<ThroughputResult> measure_throughput(const std::vector<RunSpec>& runs,
                                                 const std::vector<const DatasetSplits*>& data,
                                                 const c10::Device& device, const ThroughputOptions& options);

/// One JSON object per run: images/s (medians and rounds), end to end over compute, and for
/// runs after the first the step time relative to the first's (median of per-round ratios); with
/// phases, the median ms of each phase per step over phase_steps steps and, after the first run, its
/// difference from the first's.
nlohmann::json throughput_report(const std::string& experiment, const std::vector<RunSpec>& runs,
                                 const std::vector<ThroughputResult>& results, const std::string& device, int threads,
                                 const ThroughputOptions& options);
/// The report as lines of text, with the profiles' top operators when profiled.
std::string format_throughput_report(const nlohmann::json& report, const std::vector<RunSpec>& runs,
                                     const std::vector<ThroughputResult>& results, const ThroughputOptions& options);

}  // namespace odenet
