// Stochastic depth (Huang et al. 2016) as an Euler–Maruyama step (PAPER.md §4):
//   X_{n+1} = X_n + η_n f(X_n),  η_n ~ Bernoulli(p_n),  p_l = 1 − (l/L)(1 − p_L)  (l = 1 … L)
// "official" scaling divides a kept f by p_l in training and uses f at test time; "huang" uses
// η f in training and p_l f at test time. With a step Δt (the SDE reading, one η per path):
// X + (p Δt + √Δt (η − p)) f, a weak approximation of dX = p f dt + √(p(1−p)) f dB.
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

enum class DropScaling { kOfficial, kHuang };
const EnumNames<DropScaling>& drop_scaling_names();

struct StochasticDepthOptions {
  double survival = 0.5;                       ///< p_L, the last step's survival probability
  DropScaling scaling = DropScaling::kOfficial;
};
StochasticDepthOptions stochastic_depth_options_from_json(const JsonReader& params);
/// The keys of `options` in a scheme object (added to `j`).
void add_to_json(nlohmann::json& j, const StochasticDepthOptions& options);

/// Linear decay of survival over the network's L steps: p_l = 1 − (l/L)(1 − p_L), l = 1 … L.
double survival_probability(int l, int count, double last);

/// The term that replaces Δt f in a dropped step: η f (scaled) in a network, (p Δt + √Δt (η − p)) f
/// as an integrator. One Bernoulli draw per network step and mini-batch (Huang et al.), per path
/// as an integrator. Shared by stochastic_depth and stochastic_lm.
class DropRule {
 public:
  DropRule(const StochasticDepthOptions& options, const StepContext& context, bool integrator);
  torch::Tensor operator()(const torch::Tensor& f, bool training) const;
  double survival() const { return p_; }

 private:
  double p_, dt_;
  DropScaling scaling_;
  bool integrator_;
};

class StochasticDepthStepImpl : public StepImpl {
 public:
  StochasticDepthStepImpl(std::shared_ptr<FieldImpl> field, const DropRule& rule);
  State forward(const State& state) override;
  double survival() const { return rule_.survival(); }

 private:
  std::shared_ptr<FieldImpl> field_;
  DropRule rule_;
};

class StochasticDepth : public Scheme {
 public:
  explicit StochasticDepth(StochasticDepthOptions options) : options_(options) {}
  static SchemeInfo metadata();
  SchemeInfo info() const override { return metadata(); }
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  std::shared_ptr<StepImpl> make_integrator_step(const FieldFactory& make_field,
                                                 const StepContext& context) const override;
  nlohmann::json to_json() const override;

 private:
  StochasticDepthOptions options_;
};

void register_stochastic_depth(SchemeRegistry& registry);

}  // namespace odenet
