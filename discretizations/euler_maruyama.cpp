#include "discretizations/euler_maruyama.h"

#include <cmath>

namespace odenet {

double survival_probability(int l, int count, double last) {
  return 1.0 - (static_cast<double>(l) / std::max(1, count)) * (1.0 - last);
}

EulerMaruyamaStepImpl::EulerMaruyamaStepImpl(const FieldFactory& make_field, const StepContext& c,
                                             const EulerMaruyamaOptions& o, bool integrator,
                                             std::shared_ptr<FieldImpl> projection)
    : options_(o), dt_(c.dt), integrator_(integrator) {
  TORCH_CHECK(!projection || o.variant == "shake_shake", "only shake_shake steps take a projection");
  if (projection) projection_ = register_module("projection", std::move(projection));
  f1_ = register_module(o.variant == "shake_shake" ? "f1" : "f", make_field(FieldPart::kWhole));
  if (o.variant == "shake_shake") f2_ = register_module("f2", make_field(FieldPart::kWhole));
  if (o.variant == "gaussian" && integrator) diffusion_ = register_module("g", make_field(FieldPart::kDiffusion));
  if (o.variant == "stochastic_depth" || o.variant == "stochastic_lm")
    p_ = integrator ? o.survival : survival_probability(c.index + 1, c.count, o.survival);
  if (o.variant == "stochastic_lm") k_ = register_parameter("k", torch::empty({1}).uniform_(-0.1, 0.0));
}

State EulerMaruyamaStepImpl::forward(const State& state) {
  const auto& u = state.u;
  const bool noisy = is_training();
  const double sqrt_dt = std::sqrt(dt_);
  if (options_.variant == "gaussian") {
    auto drift = u + dt_ * f1_->forward(u);
    if (!noisy) return State{drift, {u}, {}};
    auto g = diffusion_ ? diffusion_->forward(u) : torch::full_like(u, options_.sigma);
    auto xi = state.noise.empty() ? torch::randn_like(u) : state.noise[0];
    return State{drift + sqrt_dt * g * xi, {u}, {}};
  }
  if (options_.variant == "shake_shake") {
    auto f1 = f1_->forward(u), f2 = f2_->forward(u);
    auto base = projection_ ? projection_->forward(u) : u;
    if (!noisy) return State{base + (0.5 * dt_) * (f1 + f2), {base}, {}};
    std::vector<int64_t> shape(u.dim(), 1);
    shape[0] = u.size(0);
    auto eta = torch::rand(shape, u.options());  // one η per example
    auto w1 = 0.5 * dt_ + sqrt_dt * (eta - 0.5);
    if (options_.backward == "shake" && !integrator_) {
      // Value w1 f1 + (Δt − w1) f2, gradient through b1 = Δt/2 + √Δt(β − ½): the detached term carries the difference.
      auto b1 = 0.5 * dt_ + sqrt_dt * (torch::rand(shape, u.options()) - 0.5);
      return State{base + b1 * f1 + (dt_ - b1) * f2 + ((w1 - b1) * (f1 - f2)).detach(), {base}, {}};
    }
    return State{base + w1 * f1 + (dt_ - w1) * f2, {base}, {}};
  }
  // stochastic_depth / stochastic_lm: one Bernoulli draw per step and mini-batch (Huang et al.).
  auto f = f1_->forward(u);
  torch::Tensor update;
  if (integrator_) {  // X + (p Δt + √Δt (η − p)) f, η per path
    std::vector<int64_t> shape(u.dim(), 1);
    shape[0] = u.size(0);
    auto eta = noisy ? torch::bernoulli(torch::full(shape, p_, u.options())) : torch::full(shape, p_, u.options());
    update = (p_ * dt_ + sqrt_dt * (eta - p_)) * f;
  } else if (noisy) {
    bool keep = torch::rand({1}).item<double>() < p_;
    update = keep ? (options_.scaling == "official" ? f / p_ : f) : torch::zeros_like(f);
  } else {
    update = options_.scaling == "official" ? f : p_ * f;
  }
  if (options_.variant == "stochastic_depth") return State{u + update, {u}, {}};
  TORCH_CHECK(!state.history.empty(), "stochastic_lm step needs u_{n-1}: start the stage with forward Euler");
  auto k = k_.to(u.dtype());
  return State{(1.0 - k) * u + k * state.history[0] + update, {u}, {}};
}

SchemeInfo EulerMaruyama::metadata() {
  SchemeInfo i;
  i.name = "euler_maruyama";
  i.update = "X_{n+1} = X_n + Δt f(X_n) + √Δt g(X_n) ξ_n";
  i.description = "noise injection, stochastic depth, shake-shake, stochastic LM-ResNet as Euler-Maruyama steps";
  i.order = 1;
  i.evaluations_per_step = 1;
  i.history = 1;
  i.stochastic = true;
  i.strong_order = 0.5;
  i.weak_order = 1.0;
  return i;
}

SchemeInfo EulerMaruyama::info() const {
  SchemeInfo i = metadata();
  const auto& v = options_.variant;
  if (v == "stochastic_depth") {
    i.update = "X_{n+1} = X_n + η_n f(X_n), η_n ~ Bernoulli(p_n), p_l = 1 - (l/L)(1 - p_L)";
  } else if (v == "shake_shake") {
    i.update = options_.backward == "shake"
                   ? "X_{n+1} = X_n + η f1(X_n) + (1 - η) f2(X_n), η ~ U(0, 1); gradients through an independent β ~ U(0, 1)"
                   : "X_{n+1} = X_n + η f1(X_n) + (1 - η) f2(X_n), η ~ U(0, 1)";
    i.evaluations_per_step = 2;
  } else if (v == "stochastic_lm") {
    i.update = "X_{n+1} = (1 - k_n) X_n + k_n X_{n-1} + η_n f(X_n), η_n ~ Bernoulli(p_n)";
    i.history = 2;
    i.not_an_integrator = "stochastic_lm has a trainable k per block: a network block, verified through its drift";
  }
  if (v != "gaussian")
    i.not_an_integrator = i.not_an_integrator.empty()
                              ? "its noise is proportional to f (multiplicative); the 'ou' problem has additive noise"
                              : i.not_an_integrator;
  return i;
}

std::shared_ptr<StepImpl> EulerMaruyama::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<EulerMaruyamaStepImpl>(make_field, c, options_, false);
}

std::shared_ptr<StepImpl> EulerMaruyama::make_integrator_step(const FieldFactory& make_field,
                                                              const StepContext& c) const {
  return std::make_shared<EulerMaruyamaStepImpl>(make_field, c, options_, true);
}

std::shared_ptr<StepImpl> EulerMaruyama::make_transition_step(const FieldFactory& make_field,
                                                              const FieldFactory& make_projection,
                                                              const StepContext& c) const {
  if (options_.variant != "shake_shake") return Scheme::make_transition_step(make_field, make_projection, c);
  return std::make_shared<EulerMaruyamaStepImpl>(make_field, c, options_, false, make_projection(FieldPart::kWhole));
}

nlohmann::json EulerMaruyama::to_json() const {
  nlohmann::json j{{"name", "euler_maruyama"}, {"variant", options_.variant}};
  if (options_.variant == "gaussian") j["sigma"] = options_.sigma;
  if (options_.variant == "shake_shake") j["backward"] = options_.backward;
  if (options_.variant == "stochastic_depth" || options_.variant == "stochastic_lm") {
    j["survival"] = options_.survival;
    j["scaling"] = options_.scaling;
  }
  return j;
}

void register_euler_maruyama(SchemeRegistry& registry) {
  registry.add("euler_maruyama", SchemeEntry{EulerMaruyama::metadata(), [](const JsonReader& p) {
                 EulerMaruyamaOptions o;
                 o.variant = p.one_of("variant", {"gaussian", "stochastic_depth", "shake_shake", "stochastic_lm"},
                                      "gaussian");
                 if (o.variant == "gaussian") o.sigma = p.number("sigma", 0, 100, 0.1);
                 if (o.variant == "shake_shake") o.backward = p.one_of("backward", {"even", "shake"}, "even");
                 if (o.variant == "stochastic_depth" || o.variant == "stochastic_lm") {
                   o.survival = p.number("survival", 0.01, 1, 0.5);
                   o.scaling = p.one_of("scaling", {"official", "huang"}, "official");
                 }
                 return std::make_shared<EulerMaruyama>(o);
               }});
}

}  // namespace odenet
