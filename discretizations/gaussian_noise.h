// Gaussian noise injection as an Euler–Maruyama step (PAPER.md §4), ξ ~ N(0, I):
//   X_{n+1} = X_n + Δt f(X_n) + √Δt g(X_n) ξ
// In a network g = σ (additive noise, training only; the mean step at test time); integrating
// an SDE, g is the problem's diffusion (FieldPart::kDiffusion).
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

struct GaussianNoiseOptions {
  double sigma = 0.1;  ///< networks: the noise's standard deviation
};

class GaussianNoiseStepImpl : public StepImpl {
 public:
  /// `integrator`: g is the SDE's diffusion field instead of σ.
  GaussianNoiseStepImpl(const FieldFactory& make_field, double dt, double sigma, bool integrator);
  State forward(const State& state) override;

 private:
  std::shared_ptr<FieldImpl> field_, diffusion_;
  double dt_, sigma_;
};

class GaussianNoise : public Scheme {
 public:
  explicit GaussianNoise(GaussianNoiseOptions options) : options_(options) {}
  static SchemeInfo metadata();
  SchemeInfo info() const override { return metadata(); }
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  std::shared_ptr<StepImpl> make_integrator_step(const FieldFactory& make_field,
                                                 const StepContext& context) const override;
  nlohmann::json to_json() const override { return {{"name", "gaussian_noise"}, {"sigma", options_.sigma}}; }

 private:
  GaussianNoiseOptions options_;
};

void register_gaussian_noise(SchemeRegistry& registry);

}  // namespace odenet
