// Momentum ResNets (Sander, Ablin, Blondel, Peyré, ICML 2021): a velocity v carried beside u,
//   v_{n+1} = γ v_n + (1 − γ) f(u_n),   u_{n+1} = u_n + Δt v_{n+1},
// a discretised second-order ODE (ε ü + u̇ = f(u), ε ∝ γ Δt / (1 − γ)). It inverts in closed
// form, u_n = u_{n+1} − Δt v_{n+1}, v_n = (v_{n+1} − (1 − γ) f(u_n)) / γ (γ > 0), so training
// needs no stored activations. γ = 0 is forward Euler (ResNet): the drop-in replacement. As
// Δt → 0 with γ fixed it integrates u̇ = f(u) at order 1 (v lags f by O(Δt γ/(1 − γ))). A stage
// starts at rest (v = 0), as the anchor's converted layers do. On post-activation layouts
// (torchvision's ResNets) f(u) = ReLU(u + g(u)) − u with g the block's residual branch, the
// anchor's transform_to_momentumnet form: γ = 0 is the ResNet, and no ReLU sits between steps.
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

class ExactMomentum;

class MomentumStepImpl : public StepImpl {
 public:
  /// `learned`: γ is a trainable parameter of this step, initialised at `gamma`. `recompute`: in
  /// training, a stage runs this step through run_invertible_recomputing (no stored activations);
  /// with `exact_reversal` through run_momentum_exactly_recomputing instead, and γ is rounded to
  /// ExactMomentum's grid (n / 2²⁴) in every evaluation.
  MomentumStepImpl(std::shared_ptr<FieldImpl> field, double dt, double gamma, bool learned, bool recompute = false,
                   bool exact_reversal = false, bool relu_in_field = false);
  State forward(const State& state) override;
  State inverse(const State& next) override;
  std::vector<torch::Tensor> coefficient_parameters() const override;
  StageRunner stage_runner() const override;
  FieldImpl& field() { return *field_; }
  /// This step, and its inverse, on `exact`'s fixed-point state (u, v).
  void forward_exactly(ExactMomentum& exact, torch::Tensor& u, torch::Tensor& v);
  void inverse_exactly(ExactMomentum& exact, torch::Tensor& u, torch::Tensor& v);

 private:
  torch::Tensor learned_gamma() const;
  /// The step's f: the field's g, or ReLU(u + g(u)) − u on a post-activation layout.
  torch::Tensor f(const torch::Tensor& u);
  double gamma_value() const;
  std::shared_ptr<FieldImpl> field_;
  double dt_, gamma_value_;
  torch::Tensor gamma_;  ///< defined when learned
  bool recompute_, exact_, relu_in_field_;
};

class Momentum : public Scheme {
 public:
  Momentum(double gamma, bool learned, bool recompute, bool exact_reversal)
      : gamma_(gamma), learned_(learned), recompute_(recompute), exact_(exact_reversal) {}
  static SchemeInfo metadata();
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  nlohmann::json to_json() const override;

 private:
  double gamma_;
  bool learned_, recompute_, exact_;
};

void register_momentum(SchemeRegistry& registry);

}  // namespace odenet
