// The CIFAR ResNet macro layout (He et al. 2016): a 3×3 stem, three stages of
// n = (depth − 2)/6 steps at widths w, 2w, 4w (or `stage_widths`; stride 2 between
// stages), and a global-average-pool + linear head. The activation ordering sets the
// stem and head: post (stem conv-BN-ReLU), pre (bare stem conv, head BN-ReLU; RevNet and
// LM-ResNet), relu_first (stem conv-BN, head ReLU; shake-shake). Each stage is a loop of scheme steps;
// a multistep scheme's history is started by forward-Euler steps: the
// projection step at each stage transition (whose projected input becomes
// u_{n−1}), and in the first stage as many plain steps as the scheme needs
// (one for a two-step method: the stem output becomes u_{n−1}), as the paper
// prescribes.
#pragma once
#include <torch/nn/modules/linear.h>

#include "architectures/fields.h"
#include "architectures/model_options.h"
#include "architectures/staged_network.h"

namespace odenet {

class CifarResNetImpl : public StagedNetworkImpl {
 public:
  CifarResNetImpl(const ModelOptions& options, const Scheme& scheme, int64_t in_channels, int64_t num_classes);
  torch::Tensor stem(torch::Tensor x) override;
  torch::Tensor head(torch::Tensor u) override;

 private:
  Activation activation_;
  torch::nn::Conv2d stem_{nullptr};
  torch::nn::BatchNorm2d stem_bn_{nullptr}, head_bn_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

/// Steps per stage: n from depth = 3·L·n + 2, with L weighted layers per step (2 basic, 3
/// bottleneck, doubled for a partitioned scheme); a ConfigError naming the depth otherwise.
int64_t cifar_blocks_per_stage(const ModelOptions& options, bool partitioned);

}  // namespace odenet
