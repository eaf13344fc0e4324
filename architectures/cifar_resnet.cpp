#include "architectures/cifar_resnet.h"

#include <fmt/format.h>

#include "core/error.h"
#include "discretizations/forward_euler.h"

namespace odenet {

int64_t cifar_blocks_per_stage(const ModelOptions& o) {
  if (o.depth < 8 || (o.depth - 2) % 6 != 0)
    throw ConfigError(fmt::format("model depth {} is not 6n+2 (n >= 1) as the cifar_resnet layout with basic blocks needs",
                                  o.depth));
  return (o.depth - 2) / 6;
}

CifarResNetImpl::CifarResNetImpl(const ModelOptions& o, const Scheme& scheme, int64_t in_channels,
                                 int64_t num_classes)
    : preact_(o.activation == "pre") {
  const int64_t n = cifar_blocks_per_stage(o);
  const bool multistep = scheme.info().history > 1;
  stem_ = register_module("stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, o.width, 3).padding(1).bias(false)));
  if (!preact_) stem_bn_ = register_module("stem_bn", torch::nn::BatchNorm2d(o.width));

  int64_t channels = o.width;
  for (int64_t s = 0; s < 3; ++s) {
    const int64_t out = o.width << s, stride = s == 0 ? 1 : 2;
    auto field = [&, out](int64_t in, int64_t step_stride) {
      return [=]() -> std::shared_ptr<FieldImpl> {
        return std::make_shared<BasicFieldImpl>(BasicFieldOptions(in, out).stride(step_stride).preact(preact_));
      };
    };
    std::vector<std::shared_ptr<StepImpl>> steps;
    if (channels != out || stride != 1) {  // transition: u_{n+1} = P(u_n) + f(u_n), history ← {P(u_n)}
      std::shared_ptr<FieldImpl> projection;
      if (o.shortcut == "zero_pad")
        projection = std::make_shared<ZeroPadProjectionImpl>(channels, out, stride);
      else
        projection = std::make_shared<ConvProjectionImpl>(channels, out, stride, preact_);
      steps.push_back(std::make_shared<ForwardEulerStepImpl>(field(channels, stride)(), 1.0, projection));
    } else if (multistep) {  // the network's first step: u_{n−1} for the next is the stem output
      steps.push_back(std::make_shared<ForwardEulerStepImpl>(field(channels, 1)(), 1.0));
    }
    while (static_cast<int64_t>(steps.size()) < n) steps.push_back(scheme.make_step(field(out, 1), 1.0));
    stages_.push_back(register_module("stage" + std::to_string(s + 1),
                                      std::make_shared<StageImpl>(std::move(steps), /*relu_after_step=*/!preact_)));
    channels = out;
  }
  if (preact_) head_bn_ = register_module("head_bn", torch::nn::BatchNorm2d(channels));
  fc_ = register_module("fc", torch::nn::Linear(channels, num_classes));
  init_he_normal(*this);
}

torch::Tensor CifarResNetImpl::forward(torch::Tensor x) {
  x = stem_(x);
  if (!preact_) x = torch::relu(stem_bn_(x));
  State state{x, {}};
  for (auto& stage : stages_) state = stage->forward(state);
  x = state.u;
  if (preact_) x = torch::relu(head_bn_(x));
  return fc_(x.mean({2, 3}));
}

}  // namespace odenet
