#include "discretizations/gaussian_noise.h"

#include <cmath>

namespace odenet {

GaussianNoiseStepImpl::GaussianNoiseStepImpl(const FieldFactory& make_field, double dt, double sigma, bool integrator)
    : dt_(dt), sigma_(sigma) {
  field_ = register_module("f", make_field(FieldPart::kWhole));
  if (integrator) diffusion_ = register_module("g", make_field(FieldPart::kDiffusion));
}

State GaussianNoiseStepImpl::forward(const State& state) {
  const auto& u = state.u;
  auto drift = u + dt_ * field_->forward(u);
  if (!is_training()) return State{drift, {u}, {}};
  auto g = diffusion_ ? diffusion_->forward(u) : torch::full_like(u, sigma_);
  auto xi = state.noise.empty() ? torch::randn_like(u) : state.noise[0];
  return State{drift + std::sqrt(dt_) * g * xi, {u}, {}};
}

SchemeInfo GaussianNoise::metadata() {
  return euler_maruyama_info("gaussian_noise", "X_{n+1} = X_n + Δt f(X_n) + √Δt g(X_n) ξ_n, ξ_n ~ N(0, I)",
                             "Gaussian noise injection: the Euler-Maruyama step of dX = f dt + g dW");
}

std::shared_ptr<StepImpl> GaussianNoise::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<GaussianNoiseStepImpl>(make_field, c.dt, options_.sigma, false);
}

std::shared_ptr<StepImpl> GaussianNoise::make_integrator_step(const FieldFactory& make_field,
                                                              const StepContext& c) const {
  return std::make_shared<GaussianNoiseStepImpl>(make_field, c.dt, options_.sigma, true);
}

void register_gaussian_noise(SchemeRegistry& registry) {
  registry.add("gaussian_noise", SchemeEntry{GaussianNoise::metadata(),
                                             [](const JsonReader& p) {
                                               GaussianNoiseOptions o;
                                               o.sigma = p.number("sigma", 0, 100, 0.1);
                                               return std::make_shared<GaussianNoise>(o);
                                             },
                                             {{{"name", "gaussian_noise"}}, {{"name", "gaussian_noise"}, {"sigma", 0.05}}}});
}

}  // namespace odenet
