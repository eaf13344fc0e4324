// A parameter made from two others when a network changes shape between epochs (depth
// refinement): the architecture says how each new parameter was made, the trainer gives its
// optimiser state the same blend.
#pragma once
#include <torch/types.h>

namespace odenet {

/// θ = (1 − weight) first + weight second; its optimiser state is made from theirs the same way.
struct ParameterBlend {
  torch::Tensor parameter, first, second;
  double weight = 0;
};

}  // namespace odenet
