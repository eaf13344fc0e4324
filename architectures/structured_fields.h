// Vector fields with structure that makes the ODE well behaved at any depth:
//   antisymmetric (Haber & Ruthotto 2017; AntisymmetricRNN): f(u) = tanh((K − K* − γI) u + b),
//     K a 3×3 convolution and K* its adjoint (the transposed convolution: the kernel flipped in
//     space, input and output channels swapped); the linear part's spectrum lies on Re = −γ, so
//     forward propagation neither explodes nor (for small γ) vanishes;
//   hamiltonian (Chang et al., AAAI 2018; Haber & Ruthotto 2017): f(z) = −Kᵀ σ(BN(K z + b)), the
//     transposed convolution sharing K's weights — a force −∇V(z), V = Σ ρ(K z + b) with ρ' = σ,
//     whose Jacobian −Kᵀ σ' K is negative semi-definite (ü = f(u) oscillates rather than grows).
// Both map a state to its own shape; a stage transition (stride or width change) uses a plain
// conv-BN-ReLU unit instead (ConvUnit).
#pragma once
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include "discretizations/scheme.h"

namespace odenet {

class AntisymmetricFieldImpl : public FieldImpl {
 public:
  AntisymmetricFieldImpl(int64_t channels, double damping);
  torch::Tensor forward(torch::Tensor u) override;
  /// (K − K*) as a convolution kernel: W − flip(Wᵀ).
  torch::Tensor antisymmetric_kernel() const;
  double damping() const { return damping_; }

 private:
  torch::Tensor weight_, bias_;
  double damping_;
};

class HamiltonianFieldImpl : public FieldImpl {
 public:
  explicit HamiltonianFieldImpl(int64_t channels);
  torch::Tensor forward(torch::Tensor z) override;
  const torch::Tensor& kernel() const { return weight_; }

 private:
  torch::Tensor weight_, bias_;
  torch::nn::BatchNorm2d norm_{nullptr};
};

}  // namespace odenet
