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
  if (o.block == "bottleneck" && o.shortcut == "zero_pad")
    throw ConfigError("bottleneck blocks change the width inside a stage's first block: use shortcut \"projection\"");
  stem_ = register_module("stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, o.width, 3).padding(1).bias(false)));
  if (!preact_) stem_bn_ = register_module("stem_bn", torch::nn::BatchNorm2d(o.width));

  // Bottleneck stages carry 4× their 3×3 width (He et al.: 64, 128, 256 for w = 16).
  const int64_t expansion = o.block == "bottleneck" ? 4 : 1;
  int64_t channels = o.width;
  int index = 0;
  for (int64_t s = 0; s < 3; ++s) {
    StagePlan plan;
    plan.in_channels = channels;
    plan.out_channels = expansion * (o.width << s);
    plan.stride = s == 0 ? 1 : 2;
    plan.steps = n;
    plan.relu_after_step = !preact_;
    plan.number = static_cast<int>(s + 1);
    if (channels != plan.out_channels || plan.stride != 1)
      plan.projection = o.shortcut == "zero_pad"
                            ? std::static_pointer_cast<FieldImpl>(
                                  std::make_shared<ZeroPadProjectionImpl>(channels, plan.out_channels, plan.stride))
                            : std::make_shared<ConvProjectionImpl>(channels, plan.out_channels, plan.stride, preact_);
    StageFieldMaker make = [&, s, out = plan.out_channels](int64_t in, int64_t field_out, int64_t stride) -> std::shared_ptr<FieldImpl> {
      if (expansion == 1)
        return std::make_shared<BasicFieldImpl>(BasicFieldOptions(in, field_out).stride(stride).preact(preact_));
      // 3×3 width: field_out/4, or bottleneck_width·2^s (ResNeXt: cardinality × d), scaled with field_out.
      int64_t inner = o.bottleneck_width > 0 ? (o.bottleneck_width << s) * field_out / out : field_out / expansion;
      return std::make_shared<BottleneckFieldImpl>(
          BottleneckFieldOptions(in, inner, field_out).stride(stride).preact(preact_).groups(o.cardinality));
    };
    stages_.push_back(register_module("stage" + std::to_string(s + 1),
                                      build_stage(plan, scheme, make, index, static_cast<int>(3 * n))));
    channels = plan.out_channels;
  }
  if (preact_) head_bn_ = register_module("head_bn", torch::nn::BatchNorm2d(channels));
  fc_ = register_module("fc", torch::nn::Linear(channels, num_classes));
  init_he_normal(*this, o.zero_init_residual);
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
