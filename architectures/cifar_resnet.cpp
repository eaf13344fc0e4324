#include "architectures/cifar_resnet.h"

#include <fmt/format.h>

#include "architectures/field_registry.h"
#include "core/error.h"

namespace odenet {

int64_t cifar_blocks_per_stage(const ModelOptions& o, bool partitioned) {
  // Weighted layers per step: 2 (basic) or 3 (bottleneck) per field, two fields in sequence
  // for a partitioned scheme (RevNet-38 = 12·3 + 2).
  const int64_t per_step = field_registry().get(o.block).layers * (partitioned ? 2 : 1);
  if (o.depth < 3 * per_step + 2 || (o.depth - 2) % (3 * per_step) != 0)
    throw ConfigError(fmt::format("model depth {} is not {}n+2 (n >= 1) as the cifar_resnet layout with {} blocks{} needs",
                                  o.depth, 3 * per_step, o.block,
                                  partitioned ? " and a partitioned scheme (two fields per step)" : ""));
  return (o.depth - 2) / (3 * per_step);
}

CifarResNetImpl::CifarResNetImpl(const ModelOptions& o, const Scheme& scheme, int64_t in_channels,
                                 int64_t num_classes)
    : activation_(o.activation) {
  const FieldEntry& field = field_registry().get(o.block);
  const int64_t n = cifar_blocks_per_stage(o, scheme.info().partitioned);
  if (!o.stage_widths.empty() && o.stage_widths.size() != 3)
    throw ConfigError(fmt::format("stage_widths has {} entries; the cifar_resnet layout has 3 stages", o.stage_widths.size()));
  if (o.shortcut == Shortcut::kZeroPad && !o.stage_widths.empty()) {
    long previous = o.width;  // zero padding adds channels; it cannot remove any
    for (long w : o.stage_widths) {
      if (w < previous)
        throw ConfigError(fmt::format("stage_widths narrows {} → {} channels, which the zero_pad shortcut cannot do: "
                                      "use shortcut \"projection\"", previous, w));
      previous = w;
    }
  }
  if (field.expansion != 1 && o.shortcut == Shortcut::kZeroPad)
    throw ConfigError("bottleneck blocks change the width inside a stage's first block: use shortcut \"projection\"");
  stem_ = register_module("stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, o.width, 3).padding(1).bias(false)));
  if (activation_ != Activation::kPre) stem_bn_ = register_module("stem_bn", torch::nn::BatchNorm2d(o.width));

  // Bottleneck stages carry 4× their 3×3 width (He et al.: 64, 128, 256 for w = 16).
  const int64_t expansion = field.expansion;
  int64_t channels = o.width;
  int index = 0;
  for (int64_t s = 0; s < 3; ++s) {
    StagePlan plan;
    plan.in_channels = channels;
    plan.out_channels = expansion * (o.stage_widths.empty() ? o.width << s : o.stage_widths[s]);
    plan.stride = s == 0 ? 1 : 2;
    plan.steps = n;
    plan.relu_after_step = activation_ == Activation::kPost;
    plan.number = static_cast<int>(s + 1);
    if (channels != plan.out_channels || plan.stride != 1)
      plan.make_projection = [&o, activation = activation_](int64_t in, int64_t out, int64_t stride) -> std::shared_ptr<FieldImpl> {
        if (o.shortcut == Shortcut::kZeroPad) return std::make_shared<ZeroPadProjectionImpl>(in, out, stride);
        if (o.shortcut == Shortcut::kShakeSkip) return std::make_shared<ShakeSkipProjectionImpl>(in, out, stride);
        return std::make_shared<ConvProjectionImpl>(in, out, stride, activation);
      };
    // Kept by the stage (depth refinement makes more fields): captures copies, not this constructor's locals.
    StageFieldMaker make = [o, &field, s, out = plan.out_channels, expansion, activation = activation_](
                               int64_t in, int64_t field_out, int64_t stride) {
      // Inner (3×3) width: field_out / expansion, or bottleneck_width·2^s (ResNeXt: cardinality × d), scaled with field_out.
      int64_t inner = o.bottleneck_width > 0 ? (o.bottleneck_width << s) * field_out / out : field_out / expansion;
      return field.build(FieldShape{in, field_out, stride, inner, activation}, o);
    };
    add_stage(build_stage(plan, scheme, make, index, static_cast<int>(3 * n)));
    channels = plan.out_channels;
  }
  if (activation_ == Activation::kPre) head_bn_ = register_module("head_bn", torch::nn::BatchNorm2d(channels));
  fc_ = register_module("fc", torch::nn::Linear(channels, num_classes));
  init_he_normal(*this, o.zero_init_residual);
}

torch::Tensor CifarResNetImpl::stem(torch::Tensor x) {
  x = stem_(x);
  if (activation_ == Activation::kPost) x = torch::relu(batch_norm(stem_bn_, x));
  if (activation_ == Activation::kReluFirst) x = batch_norm(stem_bn_, x);  // each branch (and the head) starts with a ReLU
  return x;
}

torch::Tensor CifarResNetImpl::head(torch::Tensor x) {
  if (activation_ == Activation::kPre) x = torch::relu(batch_norm(head_bn_, x));
  if (activation_ == Activation::kReluFirst) x = torch::relu(x);
  return fc_(x.mean({2, 3}));
}

}  // namespace odenet
