// What the trainer reads its examples from: passes over a data set as a
// sequence of batches already on the training device. The data/ library
// implements it (a prefetching loader, a fixed batch for compute-only timing);
// a device-resident pipeline is one more implementation, the trainer unchanged.
#pragma once
#include <torch/types.h>

namespace odenet {

struct Batch {
  torch::Tensor images;  ///< float [n, C, H, W] on the training device
  torch::Tensor labels;  ///< int64 [n] on the training device
  /// Examples in the global batch that data-parallel ranks share (this rank has n of them);
  /// 0: this batch is the whole batch.
  int64_t total = 0;
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  /// Examples in one pass.
  virtual int64_t size() const = 0;
  /// Starts pass `epoch` (1-based; what it draws depends only on the source's seed and `epoch`)
  /// at batch `first_step` (a pass resumed mid-way) and returns the pass's number of batches.
  virtual int64_t begin(long epoch, int64_t first_step = 0) = 0;
  /// The next batch of the pass. It stays valid until the next call of next() or begin().
  virtual Batch next() = 0;
};

}  // namespace odenet
