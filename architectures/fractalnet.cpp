#include "architectures/fractalnet.h"

#include <torch/nn/functional/pooling.h>

#include <fmt/format.h>

#include "architectures/field_registry.h"
#include "core/error.h"

namespace odenet {

FractalNetImpl::FractalNetImpl(const ModelOptions& o, const Scheme& scheme, int64_t in_channels, int64_t num_classes) {
  if (o.zero_init_residual)
    throw ConfigError("zero_init_residual zeroes the last BatchNorm of basic and bottleneck fields; the fractalnet layout has conv units");
  const std::vector<long>& widths = o.stage_widths;
  if (widths.empty()) throw ConfigError("the fractalnet layout needs stage_widths, one width per block");
  const Activation activation = o.activation;
  if (!o.dropout.empty() && o.dropout.size() != widths.size())
    throw ConfigError(fmt::format("dropout has {} entries for {} blocks", o.dropout.size(), widths.size()));
  int64_t channels = in_channels;
  int index = 0;
  for (size_t b = 0; b < widths.size(); ++b) {
    const std::string number = std::to_string(b + 1);
    std::shared_ptr<ConvUnitImpl> widen;
    if (channels != widths[b])
      widen = register_module("widen" + number, std::make_shared<ConvUnitImpl>(ConvUnitOptions(channels, widths[b]).kernel(1)));
    widen_.push_back(widen);
    StagePlan plan;
    plan.in_channels = plan.out_channels = widths[b];
    plan.steps = 1;
    plan.number = static_cast<int>(b + 1);
    const double dropout = o.dropout.empty() ? 0.0 : o.dropout[b];
    StageFieldMaker make = [o, activation, dropout](int64_t in, int64_t out, int64_t stride) {  // kept by the stage
      return field_registry().get(o.block).build(FieldShape{in, out, stride, 0, activation, dropout}, o);
    };
    blocks_.push_back(register_module("block" + number, build_stage(plan, scheme, make, index, static_cast<int>(widths.size()))));
    channels = widths[b];
  }
  fc_ = register_module("fc", torch::nn::Linear(channels, num_classes));
  init_he_normal(*this);  // zero_init_residual was refused above
}

torch::Tensor FractalNetImpl::forward(torch::Tensor x) {
  namespace F = torch::nn::functional;
  for (size_t b = 0; b < blocks_.size(); ++b) {
    if (widen_[b]) x = widen_[b]->forward(x);
    x = blocks_[b]->forward(State{x, {}, {}}).u;
    // ceil mode: an odd side keeps its last row (28 → 14 → 7 → 4 → 2 → 1, as 32 → 1).
    x = F::max_pool2d(x, F::MaxPool2dFuncOptions(2).stride(2).ceil_mode(true));
  }
  return fc_(x.mean({2, 3}));
}

}  // namespace odenet
