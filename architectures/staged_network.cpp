#include "architectures/staged_network.h"

#include <fmt/format.h>

#include "core/error.h"

namespace odenet {

torch::Tensor StagedNetworkImpl::forward(torch::Tensor x) {
  State state{stem(std::move(x)), {}, {}, {}};
  for (auto& stage : stages_) state = stage->forward(state);
  return head(state.u);
}

void StagedNetworkImpl::add_stage(std::shared_ptr<StageImpl> stage) {
  stages_.push_back(register_module("stage" + std::to_string(stages_.size() + 1), std::move(stage)));
}

void StagedNetworkImpl::replace_stage(size_t s, std::shared_ptr<StageImpl> stage) {
  if (s >= stages_.size()) throw Error(fmt::format("stage {}: the network has {} stage(s)", s + 1, stages_.size()));
  stages_[s] = replace_module("stage" + std::to_string(s + 1), std::move(stage));
}

}  // namespace odenet
