// Stochastic training as Euler–Maruyama steps of an SDE (PAPER.md §4). In
// training mode the step draws its noise; in eval mode it takes the mean step.
//   gaussian:         X_{n+1} = X_n + Δt f(X_n) + √Δt g(X_n) ξ,  ξ ~ N(0, I)
//                     (networks: g = σ, additive noise injection; SDEs: g is the problem's diffusion)
//   stochastic_depth: X_{n+1} = X_n + η_n f(X_n),  η_n ~ Bernoulli(p_n),
//                     p_l = 1 − (l/L)(1 − p_L); "official" scaling divides a kept f by p_l in
//                     training and uses f at test time, "huang" uses η f in training and p_l f at test
//                     time. With a step Δt: X + (p Δt + √Δt (η − p)) f — a weak approximation of
//                     dX = p f dt + √(p(1−p)) f dB.
//   shake_shake:      X_{n+1} = X_n + η f1(X_n) + (1 − η) f2(X_n),  η ~ U(0, 1) per example;
//                     test: X + ½(f1 + f2). With Δt: (Δt/2 + √Δt(η − ½)) f1 + (Δt/2 + √Δt(½ − η)) f2.
//                     A stage transition is a shake-shake step too, on a projected state: P(X) + η f1 + (1 − η) f2.
//                     backward "shake" (Gastaldi's Shake-Shake-Image) sends the gradient through an
//                     independent β ~ U(0, 1): β to f1, 1 − β to f2; "even" through η itself.
//   stochastic_lm:    X_{n+1} = (1 − k_n) X_n + k_n X_{n−1} + η_n f(X_n): the LM combination
//                     always applied, only f dropped (k_n trainable, init U(−0.1, 0)).
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

struct EulerMaruyamaOptions {
  std::string variant = "gaussian";  ///< gaussian, stochastic_depth, shake_shake or stochastic_lm
  double sigma = 0.1;                ///< gaussian (networks): noise standard deviation
  double survival = 0.5;             ///< stochastic_depth / stochastic_lm: p_L of the last block
  std::string scaling = "official";  ///< stochastic_depth / stochastic_lm: official or huang
  std::string backward = "even";     ///< shake_shake networks: even (η) or shake (an independent β)
};

class EulerMaruyamaStepImpl : public StepImpl {
 public:
  /// `projection` (shake_shake transitions only; null: the identity) maps X to the output's shape.
  EulerMaruyamaStepImpl(const FieldFactory& make_field, const StepContext& context, const EulerMaruyamaOptions& options,
                        bool integrator, std::shared_ptr<FieldImpl> projection = nullptr);
  State forward(const State& state) override;
  double survival() const { return p_; }
  FieldImpl& f1() { return *f1_; }
  FieldImpl& f2() { return *f2_; }
  torch::Tensor k() const { return k_; }
  torch::Tensor learned_k() const override { return k_; }
  std::vector<torch::Tensor> coefficient_parameters() const override {
    return k_.defined() ? std::vector<torch::Tensor>{k_} : std::vector<torch::Tensor>{};
  }

 private:
  EulerMaruyamaOptions options_;
  std::shared_ptr<FieldImpl> f1_, f2_, diffusion_, projection_;
  torch::Tensor k_;
  double dt_, p_ = 1.0;
  bool integrator_;
};

class EulerMaruyama : public Scheme {
 public:
  explicit EulerMaruyama(EulerMaruyamaOptions options) : options_(std::move(options)) {}
  static SchemeInfo metadata();
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  std::shared_ptr<StepImpl> make_integrator_step(const FieldFactory& make_field,
                                                 const StepContext& context) const override;
  /// shake_shake: a shake-shake step on the projected state; other variants: forward Euler.
  std::shared_ptr<StepImpl> make_transition_step(const FieldFactory& make_field, const FieldFactory& make_projection,
                                                 const StepContext& context) const override;
  nlohmann::json to_json() const override;

 private:
  EulerMaruyamaOptions options_;
};

/// Linear decay of survival over the network's L steps: p_l = 1 − (l/L)(1 − p_L), l = 1 … L.
double survival_probability(int l, int count, double last);
void register_euler_maruyama(SchemeRegistry& registry);

}  // namespace odenet
