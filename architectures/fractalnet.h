// The FractalNet macro layout (Larsson et al. 2017, CIFAR): B blocks at widths
// `stage_widths` (64, 128, 256, 512, 512), each block one step of the scheme whose
// fields are single conv-BN-ReLU units, a 2×2 max-pool after every block (32 → 1),
// and a linear head on the pooled features. Where the width changes, a 1×1
// conv-BN-ReLU widens the input first, so that every 3×3 convolution of a block maps
// width → width: the layout whose count (38.6M at C = 3) Larsson et al. report.
// With the fractal scheme's expansion rule each block is a fractal of C columns;
// any other scheme makes each block a residual step of the same unit.
#pragma once
#include <torch/nn/modules/linear.h>

#include "architectures/fields.h"
#include "architectures/model_options.h"
#include "architectures/stage.h"
#include "core/classifier.h"

namespace odenet {

class FractalNetImpl : public ClassifierImpl {
 public:
  FractalNetImpl(const ModelOptions& options, const Scheme& scheme, int64_t in_channels, int64_t num_classes);
  torch::Tensor forward(torch::Tensor x) override;

 private:
  std::vector<std::shared_ptr<ConvUnitImpl>> widen_;  // null where the width does not change
  std::vector<std::shared_ptr<StageImpl>> blocks_;
  torch::nn::Linear fc_{nullptr};
};

}  // namespace odenet
