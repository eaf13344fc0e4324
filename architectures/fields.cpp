#include "architectures/fields.h"

#include <torch/nn/functional/padding.h>
#include <torch/nn/init.h>

#include <fmt/format.h>

#include "core/error.h"

#include <cmath>

namespace odenet {
namespace {

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups = 1) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).groups(groups).bias(false));
}

void refuse_zero_init(Activation activation) {
  if (activation == Activation::kPre)
    throw ConfigError("zero_init_residual: a pre-activation block ends in a convolution, not a BatchNorm");
}

}  // namespace

BasicFieldImpl::BasicFieldImpl(const BasicFieldOptions& o) : options_(o) {
  const bool pre = o.activation() == Activation::kPre;
  conv1_ = register_module("conv1", conv(o.in_channels(), o.out_channels(), 3, o.stride()));
  conv2_ = register_module("conv2", conv(o.out_channels(), o.out_channels(), 3, 1));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(pre ? o.in_channels() : o.out_channels()));
  bn2_ = register_module("bn2", torch::nn::BatchNorm2d(o.out_channels()));
}

void BasicFieldImpl::zero_init_last_bn() {
  refuse_zero_init(options_.activation());
  torch::NoGradGuard no_grad;
  bn2_->weight.zero_();
}

torch::Tensor BasicFieldImpl::forward(torch::Tensor u) {
  switch (options_.activation()) {
    case Activation::kPre:
      return conv2_(torch::relu(batch_norm(bn2_, conv1_(torch::relu(batch_norm(bn1_, u))))));
    case Activation::kReluFirst:
      u = torch::relu(u);
      break;
    case Activation::kPost:
      break;
  }
  return batch_norm(bn2_, conv2_(torch::relu(batch_norm(bn1_, conv1_(u)))));
}

BottleneckFieldImpl::BottleneckFieldImpl(const BottleneckFieldOptions& o) : options_(o) {
  const bool pre = o.activation() == Activation::kPre;
  conv1_ = register_module("conv1", conv(o.in_channels(), o.width(), 1, 1));
  conv2_ = register_module("conv2", conv(o.width(), o.width(), 3, o.stride(), o.groups()));
  conv3_ = register_module("conv3", conv(o.width(), o.out_channels(), 1, 1));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(pre ? o.in_channels() : o.width()));
  bn2_ = register_module("bn2", torch::nn::BatchNorm2d(o.width()));
  bn3_ = register_module("bn3", torch::nn::BatchNorm2d(pre ? o.width() : o.out_channels()));
}

void BottleneckFieldImpl::zero_init_last_bn() {
  refuse_zero_init(options_.activation());
  torch::NoGradGuard no_grad;
  bn3_->weight.zero_();
}

torch::Tensor BottleneckFieldImpl::forward(torch::Tensor u) {
  if (options_.activation() == Activation::kPre) {
    auto h = conv1_(torch::relu(batch_norm(bn1_, u)));
    h = conv2_(torch::relu(batch_norm(bn2_, h)));
    return conv3_(torch::relu(batch_norm(bn3_, h)));
  }
  if (options_.activation() == Activation::kReluFirst) u = torch::relu(u);
  auto h = torch::relu(batch_norm(bn1_, conv1_(u)));
  h = torch::relu(batch_norm(bn2_, conv2_(h)));
  return batch_norm(bn3_, conv3_(h));
}

ConvUnitImpl::ConvUnitImpl(const ConvUnitOptions& o) : options_(o) {
  conv_ = register_module("conv", conv(o.in_channels(), o.out_channels(), o.kernel(), o.stride()));
  bn_ = register_module("bn", torch::nn::BatchNorm2d(o.activation() == Activation::kPre ? o.in_channels() : o.out_channels()));
}

torch::Tensor ConvUnitImpl::forward(torch::Tensor u) {
  auto convolve = [&](const torch::Tensor& x) {
    auto h = conv_(x);
    return options_.dropout() > 0 ? torch::dropout(h, options_.dropout(), is_training()) : h;
  };
  switch (options_.activation()) {
    case Activation::kPre:
      return convolve(torch::relu(batch_norm(bn_, u)));
    case Activation::kReluFirst:
      return batch_norm(bn_, convolve(torch::relu(u)));
    case Activation::kPost:
      break;
  }
  auto h = batch_norm(bn_, convolve(u));
  return options_.post_relu() ? torch::relu(h) : h;
}

ZeroPadProjectionImpl::ZeroPadProjectionImpl(int64_t in_channels, int64_t out_channels, int64_t stride)
    : extra_channels_(out_channels - in_channels), stride_(stride) {
  TORCH_CHECK(extra_channels_ >= 0, "zero-pad projection cannot reduce channels");
}

torch::Tensor ZeroPadProjectionImpl::forward(torch::Tensor u) {
  using torch::indexing::Slice;
  auto sub = stride_ == 1 ? u : u.index({Slice(), Slice(), Slice(0, torch::indexing::None, stride_),
                                         Slice(0, torch::indexing::None, stride_)});
  if (extra_channels_ == 0) return sub;
  return torch::nn::functional::pad(sub, torch::nn::functional::PadFuncOptions({0, 0, 0, 0, 0, extra_channels_}));
}

ShakeSkipProjectionImpl::ShakeSkipProjectionImpl(int64_t in_channels, int64_t out_channels, int64_t stride)
    : stride_(stride) {
  if (out_channels % 2 != 0)
    throw ConfigError(fmt::format("the shake_skip shortcut splits its {} output channels in two halves (odd)", out_channels));
  conv_a_ = register_module("conv_a", conv(in_channels, out_channels / 2, 1, 1));
  conv_b_ = register_module("conv_b", conv(in_channels, out_channels / 2, 1, 1));
  bn_ = register_module("bn", torch::nn::BatchNorm2d(out_channels));
}

torch::Tensor ShakeSkipProjectionImpl::forward(torch::Tensor u) {
  using torch::indexing::None;
  using torch::indexing::Slice;
  auto v = torch::relu(u);
  // shift(v)[i, j] = v[i − 1, j − 1]: pad one zero row and column at the top and left, drop the last.
  auto shifted = torch::nn::functional::pad(v, torch::nn::functional::PadFuncOptions({1, 0, 1, 0}))
                     .index({Slice(), Slice(), Slice(0, v.size(2)), Slice(0, v.size(3))});
  auto sub = [&](const torch::Tensor& t) {
    return stride_ == 1 ? t : t.index({Slice(), Slice(), Slice(0, None, stride_), Slice(0, None, stride_)});
  };
  return batch_norm(bn_, torch::cat({conv_a_(sub(v)), conv_b_(sub(shifted))}, 1));
}

void init_he_normal(torch::nn::Module& module, bool zero_init_residual) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* c = dynamic_cast<torch::nn::Conv2dImpl*>(m.get())) {
      const auto& k = c->options.kernel_size();
      double n = static_cast<double>((*k)[0] * (*k)[1] * c->options.out_channels());
      c->weight.normal_(0.0, std::sqrt(2.0 / n));
    } else if (auto* b = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
      b->weight.fill_(1.0);
      b->bias.zero_();
    }
  }
  if (!zero_init_residual) return;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* basic = dynamic_cast<BasicFieldImpl*>(m.get())) basic->zero_init_last_bn();
    if (auto* bottleneck = dynamic_cast<BottleneckFieldImpl*>(m.get())) bottleneck->zero_init_last_bn();
  }
}

}  // namespace odenet
