#include "architectures/structured_fields.h"

#include <torch/nn/functional/conv.h>
#include <torch/nn/init.h>

#include <cmath>

namespace odenet {
namespace {

// A 3×3 kernel c → c with He-normal initialisation (n = 9c), and a zero bias.
torch::Tensor he_kernel(int64_t channels) {
  return torch::randn({channels, channels, 3, 3}) * std::sqrt(2.0 / (9.0 * static_cast<double>(channels)));
}

}  // namespace

AntisymmetricFieldImpl::AntisymmetricFieldImpl(int64_t channels, double damping) : damping_(damping) {
  weight_ = register_parameter("weight", he_kernel(channels));
  bias_ = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor AntisymmetricFieldImpl::antisymmetric_kernel() const {
  return weight_ - weight_.transpose(0, 1).flip({2, 3});
}

torch::Tensor AntisymmetricFieldImpl::forward(torch::Tensor u) {
  namespace F = torch::nn::functional;
  const auto k = antisymmetric_kernel().to(u.scalar_type());
  return torch::tanh(F::conv2d(u, k, F::Conv2dFuncOptions().padding(1).bias(bias_.to(u.scalar_type()))) - damping_ * u);
}

HamiltonianFieldImpl::HamiltonianFieldImpl(int64_t channels) {
  weight_ = register_parameter("weight", he_kernel(channels));
  bias_ = register_parameter("bias", torch::zeros({channels}));
  norm_ = register_module("bn", torch::nn::BatchNorm2d(channels));
}

torch::Tensor HamiltonianFieldImpl::forward(torch::Tensor z) {
  namespace F = torch::nn::functional;
  const auto k = weight_.to(z.scalar_type());
  const auto hidden = torch::relu(norm_->forward(F::conv2d(z, k, F::Conv2dFuncOptions().padding(1).bias(bias_.to(z.scalar_type())))));
  // −Kᵀ with the same weights: for stride 1, the transposed convolution is the convolution with the
  // kernel flipped in space and its channels swapped (4× faster on a CPU than conv_transpose2d).
  return -F::conv2d(hidden, k.transpose(0, 1).flip({2, 3}), F::Conv2dFuncOptions().padding(1));
}

}  // namespace odenet
