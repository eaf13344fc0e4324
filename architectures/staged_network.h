// A classifier whose body is a sequence of time-stepping stages (the CIFAR and ImageNet ResNet
// layouts): what the analysis of a trained network as an ODE reads, and what depth refinement
// replaces stage by stage.
#pragma once
#include <memory>
#include <vector>

#include "architectures/stage.h"
#include "core/classifier.h"

namespace odenet {

class StagedNetworkImpl : public ClassifierImpl {
 public:
  /// head(stages(stem(x))).
  torch::Tensor forward(torch::Tensor x) override;
  /// The state entering the first stage.
  virtual torch::Tensor stem(torch::Tensor x) = 0;
  /// The logits from the last stage's state.
  virtual torch::Tensor head(torch::Tensor u) = 0;
  const std::vector<std::shared_ptr<StageImpl>>& stages() const { return stages_; }
  /// Replaces stage `s` (the module "stage<s+1>") by `stage`.
  void replace_stage(size_t s, std::shared_ptr<StageImpl> stage);

 protected:
  /// Registers `stage` as "stage<k>", k = 1, 2, ... in order.
  void add_stage(std::shared_ptr<StageImpl> stage);
  std::vector<std::shared_ptr<StageImpl>> stages_;
};

}  // namespace odenet
