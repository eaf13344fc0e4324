// What generic code (the trainer's weight-decay groups) asks a module about the learned
// coefficients of its numerical scheme — an LM step's k_n — without knowing the scheme.
#pragma once
#include <torch/types.h>

#include <vector>

namespace odenet {

class CoefficientOwner {
 public:
  virtual ~CoefficientOwner() = default;
  /// The module's own trainable scheme coefficients ("k" in train.optimizer.decay_excludes
  /// exempts them from weight decay); empty when it learns none.
  virtual std::vector<torch::Tensor> coefficient_parameters() const = 0;
};

}  // namespace odenet
