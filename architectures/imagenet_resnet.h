// The ImageNet ResNet macro layout (He et al. 2016; torchvision's v1.5 with the
// stride on the 3×3 convolution): 7×7/2 stem + BN + ReLU + 3×3/2 max-pool, four
// stages of bottleneck steps at 3×3 widths w, 2w, 4w, 8w (outputs 4× that),
// a projection step opening each stage, global average pool and a linear head.
// Depth 50/101/152 picks [3,4,6,3] / [3,4,23,3] / [3,8,36,3] steps per stage.
#pragma once
#include <torch/nn/modules/linear.h>

#include "architectures/fields.h"
#include "architectures/model_options.h"
#include "architectures/staged_network.h"

namespace odenet {

class ImagenetResNetImpl : public StagedNetworkImpl {
 public:
  ImagenetResNetImpl(const ModelOptions& options, const Scheme& scheme, int64_t in_channels, int64_t num_classes);
  torch::Tensor stem(torch::Tensor x) override;
  torch::Tensor head(torch::Tensor u) override;

 private:
  torch::nn::Conv2d stem_{nullptr};
  torch::nn::BatchNorm2d stem_bn_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

/// Steps per stage for depth 50, 101 or 152 (a ConfigError otherwise).
std::vector<int64_t> imagenet_blocks_per_stage(const ModelOptions& options);

}  // namespace odenet
