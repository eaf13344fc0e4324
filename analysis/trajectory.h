// A staged network's forward pass step by step (Python forward hooks never fire on the C++
// steps): the state u_n each step sees, its field's value f_n(u_n) and the step's increment
// ‖u_{n+1} − u_n‖, per example. What the stability analysis samples, and net.trajectory(x).
#pragma once
#include <string>
#include <vector>

#include "architectures/staged_network.h"

namespace odenet {

struct TrajectoryPoint {
  std::string name;        ///< module path, e.g. "stage2.block3"
  int stage = 0, step = 0; ///< 0-based
  bool opening = false;    ///< the stage's projection step (it changes the state's shape)
  torch::Tensor u;         ///< the state entering the step, [N, C, H, W]
  torch::Tensor f;         ///< f_n(u_n) of the step's first field (with `fields`; else undefined)
  torch::Tensor increment; ///< per example ‖u_{n+1} − u_n‖₂ ([N]; undefined for an opening)
};

/// Runs `x` through `network` (in its current mode, without gradients), recording every step;
/// `logits` receives the output when given.
std::vector<TrajectoryPoint> trace_trajectory(StagedNetworkImpl& network, const torch::Tensor& x, bool fields,
                                              torch::Tensor* logits = nullptr);

}  // namespace odenet
