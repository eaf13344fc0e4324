// Linear two-step method — LM-ResNet (Lu et al. 2018, PAPER.md §2):
//   u_{n+1} = (1 − k_n) u_n + k_n u_{n−1} + Δt f_n(u_n)
// with one trainable k_n per step (init U(−0.1, 0)), or fixed k. The official
// code's parametrisation s_n = 1 − k_n (init U(1, 1.1)) is the same model:
//   u_{n+1} = s_n u_n + (1 − s_n) u_{n−1} + Δt f_n(u_n).
// k = 0 is forward Euler, k = 1 the explicit midpoint (leapfrog) method.
#pragma once
#include <optional>

#include "discretizations/scheme.h"

namespace odenet {

struct LinearMultistepOptions {
  /// "paper" (learn k) or "official" (learn s = 1 − k).
  std::string parametrization = "paper";
  /// Uniform initialisation range of k (the official code's s range is 1 − this).
  double k_init_low = -0.1, k_init_high = 0.0;
  /// A fixed, non-trainable k (then the init range is unused).
  std::optional<double> fixed_k;
};

class LinearMultistepStepImpl : public StepImpl {
 public:
  LinearMultistepStepImpl(std::shared_ptr<FieldImpl> field, double dt, const LinearMultistepOptions& options);
  /// Requires history[0] = u_{n−1}; the stage starts the recursion with forward Euler.
  State forward(const State& state) override;
  /// The current k_n (a 1-element tensor, in k whatever the parametrisation).
  torch::Tensor k() const;
  FieldImpl& field() { return *field_; }

 private:
  std::shared_ptr<FieldImpl> field_;
  double dt_;
  bool official_;
  torch::Tensor coefficient_;  // k ("paper") or s ("official"); parameter or buffer
};

class LinearMultistep : public Scheme {
 public:
  explicit LinearMultistep(LinearMultistepOptions options);
  static SchemeInfo metadata();
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, double dt) const override;
  nlohmann::json to_json() const override;

 private:
  LinearMultistepOptions options_;
};

LinearMultistepOptions linear_multistep_options_from_json(const JsonReader& params);
void register_linear_multistep(SchemeRegistry& registry);

}  // namespace odenet
