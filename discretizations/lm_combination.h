// The two-step combination of an LM-ResNet step in one pass:
//   u_{n+1} = w ⊙ u_n + (1 − w) ⊙ u_{n−1} + g
// with w one weight or one per channel (dimension 1). Written as separate tensor
// ops it reads and writes the state five times forward and about seven times
// backward; this is one fused loop each way on the CPU (float32/float64, NCHW
// or channels-last), and torch::lerp elsewhere. Gradients: ∂/∂u = w, ∂/∂u_{n−1} = 1 − w,
// ∂/∂g = 1, ∂/∂w = Σ grad ⊙ (u_n − u_{n−1}) (over everything but the channel, per channel).
#pragma once
#include <torch/types.h>

namespace odenet {

/// `w` has 1 or `u.size(1)` entries; u, previous and g share one shape.
torch::Tensor lm_combination(const torch::Tensor& u, const torch::Tensor& previous, const torch::Tensor& g,
                             const torch::Tensor& w);

/// The same with separate tensor operations (the reference the fused path is tested against).
torch::Tensor lm_combination_reference(const torch::Tensor& u, const torch::Tensor& previous, const torch::Tensor& g,
                                       const torch::Tensor& w);

}  // namespace odenet
