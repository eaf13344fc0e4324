#include "experiments/throughput.h"

#include <algorithm>

#include "data/fixed_batch_source.h"
#include "experiments/run_setup.h"

namespace odenet {

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

ThroughputResult measure_throughput(const RunSpec& run, const DatasetSplits& data, const c10::Device& device,
                                    const ThroughputOptions& o) {
  RunSetup setup = setup_run(run, data, device);
  FixedBatchSource fixed(*setup.train_loader);
  Trainer compute(setup.model, fixed, *setup.test_loader, setup.train);  // same model, its own optimizer
  ThroughputResult result;
  result.precision = precision_name(setup.train.precision);
  result.params = setup.params;
  for (int r = 0; r < o.rounds; ++r) {
    if (o.end_to_end) result.end_to_end.push_back(setup.trainer->measure_throughput(o.steps, o.warmup));
    if (o.compute_only) result.compute_only.push_back(compute.measure_throughput(o.steps, o.warmup));
  }
  return result;
}

}  // namespace odenet
