#include "architectures/cifar_resnet.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/mac_count.h"
#include "discretizations/forward_euler.h"

namespace odenet {

int64_t cifar_blocks_per_stage(const ModelOptions& o) {
  if (o.block == "bottleneck") {
    if (o.depth < 11 || (o.depth - 2) % 9 != 0)
      throw ConfigError(fmt::format(
          "model depth {} is not 9n+2 (n >= 1) as the cifar_resnet layout with bottleneck blocks needs", o.depth));
    return (o.depth - 2) / 9;
  }
  if (o.depth < 8 || (o.depth - 2) % 6 != 0)
    throw ConfigError(fmt::format("model depth {} is not 6n+2 (n >= 1) as the cifar_resnet layout with basic blocks needs",
                                  o.depth));
  return (o.depth - 2) / 6;
}

CifarResNetImpl::CifarResNetImpl(const ModelOptions& o, const Scheme& scheme, int64_t in_channels,
                                 int64_t num_classes)
    : preact_(o.activation == "pre") {
  const int64_t n = cifar_blocks_per_stage(o);
  const SchemeInfo info = scheme.info();
  const int64_t starters = std::max(0, info.history - 1);  // forward-Euler steps that build the history
  stem_ = register_module("stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, o.width, 3).padding(1).bias(false)));
  if (!preact_) stem_bn_ = register_module("stem_bn", torch::nn::BatchNorm2d(o.width));

  int64_t channels = o.width;
  int index = 0;
  const int count = static_cast<int>(3 * n);
  if (o.block == "bottleneck" && o.shortcut == "zero_pad")
    throw ConfigError("bottleneck blocks change the width inside a stage's first block: use shortcut \"projection\"");
  for (int64_t s = 0; s < 3; ++s) {
    // Bottleneck stages carry 4× their 3×3 width (He et al.: 64, 128, 256 for w = 16).
    const int64_t expansion = o.block == "bottleneck" ? 4 : 1;
    const int64_t out = expansion * (o.width << s), stride = s == 0 ? 1 : 2;
    auto basic = [&](int64_t in, int64_t field_out, int64_t step_stride) -> std::shared_ptr<FieldImpl> {
      if (expansion > 1) {  // 3×3 width: field_out/4, or bottleneck_width·2^s (ResNeXt: cardinality × d)
        int64_t inner = o.bottleneck_width > 0 ? (o.bottleneck_width << s) * field_out / out : field_out / expansion;
        return std::make_shared<BottleneckFieldImpl>(BottleneckFieldOptions(in, inner, field_out)
                                                         .stride(step_stride)
                                                         .preact(preact_)
                                                         .groups(o.cardinality));
      }
      return std::make_shared<BasicFieldImpl>(BasicFieldOptions(in, field_out).stride(step_stride).preact(preact_));
    };
    // Partitioned schemes (X' = F(Y), Y' = G(X)) ask for fields on half the channels.
    FieldFactory field = [&, out, s](FieldPart part) -> std::shared_ptr<FieldImpl> {
      if (part == FieldPart::kWhole) return basic(out, out, 1);
      if (out % 2 != 0)
        throw ConfigError(fmt::format("scheme '{}' splits the state into two halves, but stage {} has {} channels (odd)",
                                      info.name, s + 1, out));
      return basic(out / 2, out / 2, 1);
    };
    std::vector<std::shared_ptr<StepImpl>> steps;
    if (channels != out || stride != 1) {  // transition: u_{n+1} = P(u_n) + f(u_n), history ← {P(u_n)}
      std::shared_ptr<FieldImpl> projection;
      if (o.shortcut == "zero_pad")
        projection = std::make_shared<ZeroPadProjectionImpl>(channels, out, stride);
      else
        projection = std::make_shared<ConvProjectionImpl>(channels, out, stride, preact_);
      steps.push_back(std::make_shared<ForwardEulerStepImpl>(basic(channels, out, stride), 1.0, projection));
    }
    // Stage 1 starts multistep histories with forward Euler: the stem output becomes u_{n−1}.
    while (static_cast<int64_t>(steps.size()) < std::min(starters, n))
      steps.push_back(std::make_shared<ForwardEulerStepImpl>(basic(out, out, 1), 1.0));
    index += static_cast<int>(steps.size());
    while (static_cast<int64_t>(steps.size()) < n)
      steps.push_back(scheme.make_step(field, StepContext{1.0, index++, count}));
    stages_.push_back(register_module("stage" + std::to_string(s + 1),
                                      std::make_shared<StageImpl>(std::move(steps), /*relu_after_step=*/!preact_)));
    channels = out;
  }
  if (preact_) head_bn_ = register_module("head_bn", torch::nn::BatchNorm2d(channels));
  fc_ = register_module("fc", torch::nn::Linear(channels, num_classes));
  init_he_normal(*this);
}

torch::Tensor CifarResNetImpl::forward(torch::Tensor x) {
  x = counted(stem_, x);
  if (!preact_) x = torch::relu(stem_bn_(x));
  State state{x, {}};
  for (auto& stage : stages_) state = stage->forward(state);
  x = state.u;
  if (preact_) x = torch::relu(head_bn_(x));
  return counted(fc_, x.mean({2, 3}));
}

}  // namespace odenet
