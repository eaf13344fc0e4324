// The one interface the trainer needs from a network: images in, logits out.
#pragma once
#include <torch/nn/module.h>
#include <torch/types.h>

namespace odenet {

class ClassifierImpl : public torch::nn::Module {
 public:
  /// x: [N, C, H, W] float → logits [N, classes].
  virtual torch::Tensor forward(torch::Tensor x) = 0;
};

/// Number of trainable scalars.
int64_t count_parameters(const torch::nn::Module& module);

}  // namespace odenet
