#include "discretizations/stochastic_depth.h"

#include <cmath>

namespace odenet {

const EnumNames<DropScaling>& drop_scaling_names() {
  static const EnumNames<DropScaling> names{{"official", DropScaling::kOfficial}, {"huang", DropScaling::kHuang}};
  return names;
}

StochasticDepthOptions stochastic_depth_options_from_json(const JsonReader& p) {
  StochasticDepthOptions o;
  o.survival = p.number("survival", 0.01, 1, 0.5);
  o.scaling = enum_value(p, "scaling", drop_scaling_names(), DropScaling::kOfficial);
  return o;
}

void add_to_json(nlohmann::json& j, const StochasticDepthOptions& o) {
  j["survival"] = o.survival;
  j["scaling"] = enum_name(drop_scaling_names(), o.scaling);
}

double survival_probability(int l, int count, double last) {
  return 1.0 - (static_cast<double>(l) / std::max(1, count)) * (1.0 - last);
}

DropRule::DropRule(const StochasticDepthOptions& o, const StepContext& c, bool integrator)
    : p_(integrator ? o.survival : survival_probability(c.index + 1, c.count, o.survival)),
      dt_(c.dt),
      scaling_(o.scaling),
      integrator_(integrator) {}

torch::Tensor DropRule::operator()(const torch::Tensor& f, bool training) const {
  if (integrator_) {  // (p Δt + √Δt (η − p)) f, η per path
    std::vector<int64_t> shape(f.dim(), 1);
    shape[0] = f.size(0);
    auto eta = training ? torch::bernoulli(torch::full(shape, p_, f.options())) : torch::full(shape, p_, f.options());
    return (p_ * dt_ + std::sqrt(dt_) * (eta - p_)) * f;
  }
  const bool official = scaling_ == DropScaling::kOfficial;
  if (!training) return official ? f : p_ * f;
  const bool keep = torch::rand({1}).item<double>() < p_;
  return keep ? (official ? f / p_ : f) : torch::zeros_like(f);
}

StochasticDepthStepImpl::StochasticDepthStepImpl(std::shared_ptr<FieldImpl> field, const DropRule& rule)
    : field_(register_module("f", std::move(field))), rule_(rule) {}

State StochasticDepthStepImpl::forward(const State& state) {
  const auto& u = state.u;
  return State{u + rule_(field_->forward(u), is_training()), {u}, {}};
}

SchemeInfo StochasticDepth::metadata() {
  SchemeInfo i = euler_maruyama_info("stochastic_depth",
                                     "X_{n+1} = X_n + η_n f(X_n), η_n ~ Bernoulli(p_n), p_l = 1 - (l/L)(1 - p_L)",
                                     "stochastic depth (Huang et al.): an Euler-Maruyama step with noise proportional to f");
  i.not_an_integrator = kMultiplicativeNoise;
  return i;
}

std::shared_ptr<StepImpl> StochasticDepth::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<StochasticDepthStepImpl>(make_field(FieldPart::kWhole), DropRule(options_, c, false));
}

std::shared_ptr<StepImpl> StochasticDepth::make_integrator_step(const FieldFactory& make_field,
                                                                const StepContext& c) const {
  return std::make_shared<StochasticDepthStepImpl>(make_field(FieldPart::kWhole), DropRule(options_, c, true));
}

nlohmann::json StochasticDepth::to_json() const {
  nlohmann::json j{{"name", "stochastic_depth"}};
  add_to_json(j, options_);
  return j;
}

void register_stochastic_depth(SchemeRegistry& registry) {
  registry.add("stochastic_depth",
               SchemeEntry{StochasticDepth::metadata(),
                           [](const JsonReader& p) {
                             return std::make_shared<StochasticDepth>(stochastic_depth_options_from_json(p));
                           },
                           {{{"name", "stochastic_depth"}},
                            {{"name", "stochastic_depth"}, {"survival", 0.8}, {"scaling", "huang"}}}});
}

}  // namespace odenet
