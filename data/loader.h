// The CPU data pipeline: passes over a Dataset (in memory, or streamed from files) as batches,
// assembled by background threads a few steps ahead of the trainer into
// reused buffers (pinned on CUDA, sent with non-blocking copies), so the
// training thread waits only when the next batch is not ready yet.
//
// A training pass (`train`) visits a permutation drawn from (seed, epoch) and
// views each example through a crop and flip drawn from (seed, epoch, step):
// the same seed and epoch give the same batches on any thread count.
#pragma once
#include <c10/core/Device.h>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/batch_source.h"
#include "data/augmentation.h"

namespace odenet {

struct LoaderOptions {
  int64_t batch_size = 128;
  /// Shuffle and augment every pass; false: examples in order, centre view.
  bool train = true;
  uint64_t seed = 0;
  AugmentOptions augment;
  c10::Device device = c10::Device(c10::kCPU);
  /// Batches assembled ahead of the one in use.
  int prefetch = 2;
  /// Background assembly threads (streamed data: each decodes whole batches).
  int workers = 1;
  /// Data-parallel ranks: every global batch (and its augmentation, drawn for the whole batch)
  /// is split into `shards` contiguous parts; this loader delivers part `shard`.
  int shard = 0, shards = 1;
};

/// Number of batches of a pass over `n` examples. A training pass folds a last batch of one
/// example into the previous one (a batch of one breaks BatchNorm).
int64_t batches_per_pass(int64_t n, int64_t batch_size, bool train);

class Loader : public BatchSource {
 public:
  Loader(const Dataset& data, LoaderOptions options);
  ~Loader() override;
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  int64_t size() const override { return data_.size(); }
  int64_t begin(long epoch, int64_t first_step = 0) override;
  /// Waits for the next batch if it is not assembled yet; an error in a worker is rethrown here.
  Batch next() override;
  /// The examples of step `step` of the current pass in this loader's shard (for tests and tools).
  std::vector<int64_t> indices(int64_t step) const;
  /// Corrupt images left out so far (streamed data sets with skip_corrupt).
  int64_t skipped() const { return skipped_; }

 private:
  struct Slot;
  void work();
  void assemble(Slot& slot, int64_t step, long epoch);
  /// Decodes this shard's `n` examples `idx` of the global batch `batch` (batch_size examples).
  void assemble_streamed(Slot& slot, const int64_t* idx, int64_t n, const int64_t* batch, int64_t batch_size,
                         uint64_t view_seed);
  int64_t batch_begin(int64_t step) const { return step * options_.batch_size; }
  int64_t batch_end(int64_t step) const;
  /// This shard's part [first, last) of positions `begin` .. `end` of the order.
  std::pair<int64_t, int64_t> shard_range(int64_t begin, int64_t end) const;
  void drain(std::unique_lock<std::mutex>& lock);

  const Dataset& data_;
  LoaderOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<int64_t> order_;
  long epoch_ = 0;
  int64_t steps_ = 0;
  int64_t next_to_assemble_ = 0;
  int64_t held_ = -1;  ///< the step whose batch the trainer holds
  int in_flight_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::atomic<int64_t> skipped_{0};
  mutable std::mutex mutex_;
  std::condition_variable work_ready_, batch_ready_;
  std::vector<std::thread> workers_;
};

}  // namespace odenet
