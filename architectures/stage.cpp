#include "architectures/stage.h"

namespace odenet {

StageImpl::StageImpl(std::vector<std::shared_ptr<StepImpl>> steps, bool relu_after_step)
    : relu_after_step_(relu_after_step) {
  for (size_t i = 0; i < steps.size(); ++i)
    steps_.push_back(register_module("block" + std::to_string(i + 1), std::move(steps[i])));
}

State StageImpl::forward(const State& state) {
  State s = state;
  for (auto& step : steps_) {
    s = step->forward(s);
    if (relu_after_step_) s.u = torch::relu(s.u);
  }
  return s;
}

}  // namespace odenet
