// Training throughput of a run, measured with the trainer's own step: end to
// end (the loader assembling augmented batches) and compute only (one fixed
// batch on the device), in alternating rounds so both see the same machine.
#pragma once
#include <vector>

#include "experiments/experiment.h"

namespace odenet {

struct ThroughputOptions {
  int64_t steps = 30;   ///< timed steps per round
  int64_t warmup = 5;   ///< untimed steps before each round
  int rounds = 3;
  bool end_to_end = true, compute_only = true;
};

struct ThroughputResult {
  std::vector<double> end_to_end, compute_only;  ///< images/s per round
  std::string precision;
  int64_t params = 0;
};

/// Median of `values` (0 for none).
double median(std::vector<double> values);

ThroughputResult measure_throughput(const RunSpec& run, const DatasetSplits& data, const c10::Device& device,
                                    const ThroughputOptions& options);

}  // namespace odenet
