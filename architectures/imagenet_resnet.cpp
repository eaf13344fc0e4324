#include "architectures/imagenet_resnet.h"

#include <fmt/format.h>
#include <torch/nn/functional/pooling.h>

#include "architectures/field_registry.h"
#include "core/error.h"

namespace odenet {

std::vector<int64_t> imagenet_blocks_per_stage(const ModelOptions& o) {
  if (o.depth == 50) return {3, 4, 6, 3};
  if (o.depth == 101) return {3, 4, 23, 3};
  if (o.depth == 152) return {3, 8, 36, 3};
  throw ConfigError(fmt::format("model depth {} is not one of 50, 101, 152 (imagenet_resnet layout)", o.depth));
}

ImagenetResNetImpl::ImagenetResNetImpl(const ModelOptions& o, const Scheme& scheme, int64_t in_channels,
                                       int64_t num_classes) {
  const auto blocks = imagenet_blocks_per_stage(o);
  if (!o.stage_widths.empty())
    throw ConfigError("the imagenet_resnet layout takes `width` (stage s has width·2^s), not stage_widths");
  if (o.shortcut != Shortcut::kProjection)
    throw ConfigError("the imagenet_resnet layout's stage transitions use 1x1 projections: shortcut \"projection\", not \"" +
                      enum_name(shortcut_names(), o.shortcut) + "\"");
  const Activation activation = o.activation;
  if (activation == Activation::kReluFirst) throw ConfigError("the imagenet_resnet layout takes post or pre activation");
  stem_ = register_module("stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, o.width, 7).stride(2).padding(3).bias(false)));
  stem_bn_ = register_module("stem_bn", torch::nn::BatchNorm2d(o.width));
  int64_t channels = o.width, count = 0;
  for (auto n : blocks) count += n;
  int index = 0;
  const int64_t first_width = o.bottleneck_width > 0 ? o.bottleneck_width : o.width;
  for (size_t s = 0; s < blocks.size(); ++s) {
    StagePlan plan;
    plan.in_channels = channels;
    plan.out_channels = 4 * (o.width << s);
    plan.stride = s == 0 ? 1 : 2;
    plan.steps = blocks[s];
    plan.relu_after_step = activation == Activation::kPost;
    plan.number = static_cast<int>(s + 1);
    plan.make_projection = [activation](int64_t in, int64_t out, int64_t stride) -> std::shared_ptr<FieldImpl> {
      return std::make_shared<ConvProjectionImpl>(in, out, stride, activation);
    };
    // Kept by the stage (depth refinement makes more fields): captures copies, not this constructor's locals.
    StageFieldMaker make = [o, activation, width = first_width << s, out = plan.out_channels](int64_t in, int64_t field_out,
                                                                                              int64_t stride) {
      return field_registry().get(o.block).build(FieldShape{in, field_out, stride, width * field_out / out, activation}, o);
    };
    add_stage(build_stage(plan, scheme, make, index, static_cast<int>(count)));
    channels = plan.out_channels;
  }
  fc_ = register_module("fc", torch::nn::Linear(channels, num_classes));
  init_he_normal(*this, o.zero_init_residual);
}

torch::Tensor ImagenetResNetImpl::stem(torch::Tensor x) {
  x = torch::relu(batch_norm(stem_bn_, stem_(x)));
  return torch::nn::functional::max_pool2d(x, torch::nn::functional::MaxPool2dFuncOptions(3).stride(2).padding(1));
}

torch::Tensor ImagenetResNetImpl::head(torch::Tensor u) { return fc_(u.mean({2, 3})); }

}  // namespace odenet
