// One batch, repeated: the first batch of another source's first pass, kept on
// the device and handed out for every step. Timing the trainer on it measures
// compute alone (no data assembly, no copies), the yardstick for the loader.
#pragma once
#include "core/batch_source.h"

namespace odenet {

class FixedBatchSource : public BatchSource {
 public:
  /// Takes (a copy of) `source`'s first batch; passes have as many batches as `source`'s.
  explicit FixedBatchSource(BatchSource& source);
  int64_t size() const override { return size_; }
  int64_t begin(long, int64_t = 0) override { return steps_; }
  Batch next() override { return batch_; }

 private:
  Batch batch_;
  int64_t size_, steps_;
};

}  // namespace odenet
