#include "experiments/throughput.h"

#include <algorithm>
#include <filesystem>

#include "data/fixed_batch_source.h"
#include "experiments/run_setup.h"

namespace odenet {
namespace {

// A run ready to be timed both ways: its trainer on the loader, and one on a fixed batch.
struct Bench {
  RunSetup setup;
  std::unique_ptr<FixedBatchSource> fixed;
  std::unique_ptr<Trainer> compute;
};

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::vector<ThroughputResult> measure_throughput(const std::vector<RunSpec>& runs,
                                                 const std::vector<const DatasetSplits*>& data,
                                                 const c10::Device& device, const ThroughputOptions& o) {
  std::vector<Bench> benches;
  std::vector<ThroughputResult> results(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    Bench b{setup_run(runs[i], *data[i], device), nullptr, nullptr};
    b.fixed = std::make_unique<FixedBatchSource>(*b.setup.train_loader);
    // The same model with its own optimizer state: steps on the fixed batch.
    b.compute = std::make_unique<Trainer>(b.setup.model, *b.fixed, *b.setup.test_loader, b.setup.train);
    results[i].precision = precision_name(b.setup.train.precision);
    results[i].params = b.setup.params;
    benches.push_back(std::move(b));
  }
  for (int r = 0; r < o.rounds; ++r)
    for (size_t i = 0; i < benches.size(); ++i) {
      if (o.end_to_end) results[i].end_to_end.push_back(benches[i].setup.trainer->measure_throughput(o.steps, o.warmup));
      if (o.compute_only) results[i].compute_only.push_back(benches[i].compute->measure_throughput(o.steps, o.warmup));
    }
  if (!o.profile_dir.empty()) {
    std::filesystem::create_directories(o.profile_dir);
    for (size_t i = 0; i < benches.size(); ++i)
      results[i].profile = profile_steps(*benches[i].compute, o.steps, o.warmup,
                                         o.profile_dir + "/" + runs[i].run_id + ".trace.json");
  }
  return results;
}

}  // namespace odenet
