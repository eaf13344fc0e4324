// A residual stage as a time-stepping loop: its steps are applied in order to
// a State, and post-activation networks apply ReLU to u after every step.
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

class StageImpl : public torch::nn::Module {
 public:
  /// Steps are registered as "block1", "block2", ...
  StageImpl(std::vector<std::shared_ptr<StepImpl>> steps, bool relu_after_step);
  State forward(const State& state);
  const std::vector<std::shared_ptr<StepImpl>>& steps() const { return steps_; }

 private:
  std::vector<std::shared_ptr<StepImpl>> steps_;
  bool relu_after_step_;
};

}  // namespace odenet
