#include "data/fixed_batch_source.h"

namespace odenet {

FixedBatchSource::FixedBatchSource(BatchSource& source) : size_(source.size()) {
  steps_ = source.begin(1);
  Batch first = source.next();
  batch_ = Batch{first.images.clone(), first.labels.clone()};  // clone keeps the memory format
}

}  // namespace odenet
