// Stochastic LM-ResNet (PAPER.md §4): the LM-ResNet step whose field stochastic depth drops,
//   X_{n+1} = (1 − k_n) X_n + k_n X_{n−1} + η_n f(X_n),  η_n ~ Bernoulli(p_n)
// built from the LM step (every lm_resnet option: parametrization, k_init, fixed k, per_channel)
// with the stochastic-depth drop rule in place of Δt f.
#pragma once
#include "discretizations/linear_multistep.h"
#include "discretizations/stochastic_depth.h"

namespace odenet {

struct StochasticLmOptions {
  LinearMultistepOptions lm;         ///< method lm_resnet
  StochasticDepthOptions drop;
};

class StochasticLm : public Scheme {
 public:
  explicit StochasticLm(StochasticLmOptions options) : options_(std::move(options)) {}
  static SchemeInfo metadata();
  SchemeInfo info() const override { return metadata(); }
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  std::shared_ptr<StepImpl> make_integrator_step(const FieldFactory& make_field,
                                                 const StepContext& context) const override;
  nlohmann::json to_json() const override;
  std::optional<LearnedCoefficientMeaning> learned_coefficient(double k) const override {
    return lm_resnet_coefficient_meaning(k);
  }

 private:
  StochasticLmOptions options_;
};

void register_stochastic_lm(SchemeRegistry& registry);

}  // namespace odenet
