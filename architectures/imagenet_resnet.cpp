#include "architectures/imagenet_resnet.h"

#include <fmt/format.h>
#include <torch/nn/functional/pooling.h>

#include "core/error.h"
#include "core/mac_count.h"
#include "discretizations/forward_euler.h"

namespace odenet {

std::vector<int64_t> imagenet_blocks_per_stage(const ModelOptions& o) {
  if (o.block != "bottleneck") throw ConfigError("the imagenet_resnet layout takes bottleneck blocks");
  if (o.depth == 50) return {3, 4, 6, 3};
  if (o.depth == 101) return {3, 4, 23, 3};
  if (o.depth == 152) return {3, 8, 36, 3};
  throw ConfigError(fmt::format("model depth {} is not one of 50, 101, 152 (imagenet_resnet layout)", o.depth));
}

ImagenetResNetImpl::ImagenetResNetImpl(const ModelOptions& o, const Scheme& scheme, int64_t in_channels,
                                       int64_t num_classes) {
  const auto blocks = imagenet_blocks_per_stage(o);
  const SchemeInfo info = scheme.info();
  const int64_t starters = std::max(0, info.history - 1);
  const bool preact = o.activation == "pre";
  stem_ = register_module("stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, o.width, 7).stride(2).padding(3).bias(false)));
  stem_bn_ = register_module("stem_bn", torch::nn::BatchNorm2d(o.width));
  int64_t channels = o.width, count = 0, index = 0;
  for (auto n : blocks) count += n;
  const int64_t first_width = o.bottleneck_width > 0 ? o.bottleneck_width : o.width;
  for (size_t s = 0; s < blocks.size(); ++s) {
    const int64_t width = first_width << s, out = 4 * (o.width << s), stride = s == 0 ? 1 : 2;
    auto bottleneck = [&](int64_t in, int64_t field_out, int64_t step_stride, int64_t w) -> std::shared_ptr<FieldImpl> {
      return std::make_shared<BottleneckFieldImpl>(
          BottleneckFieldOptions(in, w, field_out).stride(step_stride).preact(preact).groups(o.cardinality));
    };
    FieldFactory field = [&, out, width](FieldPart part) -> std::shared_ptr<FieldImpl> {
      if (part == FieldPart::kWhole) return bottleneck(out, out, 1, width);
      return bottleneck(out / 2, out / 2, 1, width / 2);
    };
    std::vector<std::shared_ptr<StepImpl>> steps;
    steps.push_back(std::make_shared<ForwardEulerStepImpl>(bottleneck(channels, out, stride, width), 1.0,
                                                           std::make_shared<ConvProjectionImpl>(channels, out, stride, preact)));
    index += 1;
    while (static_cast<int64_t>(steps.size()) < std::min<int64_t>(starters, blocks[s]))
      steps.push_back(std::make_shared<ForwardEulerStepImpl>(bottleneck(out, out, 1, width), 1.0)), ++index;
    while (static_cast<int64_t>(steps.size()) < blocks[s])
      steps.push_back(scheme.make_step(field, StepContext{1.0, static_cast<int>(index++), static_cast<int>(count)}));
    stages_.push_back(register_module("stage" + std::to_string(s + 1),
                                      std::make_shared<StageImpl>(std::move(steps), /*relu_after_step=*/!preact)));
    channels = out;
  }
  fc_ = register_module("fc", torch::nn::Linear(channels, num_classes));
  init_he_normal(*this);
}

torch::Tensor ImagenetResNetImpl::forward(torch::Tensor x) {
  x = torch::relu(stem_bn_(counted(stem_, x)));
  x = torch::nn::functional::max_pool2d(x, torch::nn::functional::MaxPool2dFuncOptions(3).stride(2).padding(1));
  State state{x, {}, {}};
  for (auto& stage : stages_) state = stage->forward(state);
  return counted(fc_, state.u.mean({2, 3}));
}

}  // namespace odenet
