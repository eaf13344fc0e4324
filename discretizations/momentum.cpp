#include "discretizations/momentum.h"

#include <fmt/format.h>

#include "discretizations/exact_momentum.h"
#include "discretizations/exact_momentum_run.h"
#include "discretizations/invertible_recompute.h"

namespace odenet {

MomentumStepImpl::MomentumStepImpl(std::shared_ptr<FieldImpl> field, double dt, double gamma, bool learned, bool recompute,
                                   bool exact_reversal, bool relu_in_field)
    : field_(register_module("f", std::move(field))),
      dt_(dt),
      gamma_value_(exact_reversal && !learned ? ExactMomentum::representable_gamma(gamma) : gamma),
      recompute_(recompute || exact_reversal),
      exact_(exact_reversal),
      relu_in_field_(relu_in_field) {
  if (learned) gamma_ = register_parameter("gamma", torch::full({1}, gamma, torch::kFloat32));
}

// The learned γ; with exact reversal rounded to n / 2²⁴ as ExactMomentum multiplies (the
// rounding passed straight through in the backward pass).
torch::Tensor MomentumStepImpl::learned_gamma() const {
  if (!exact_) return gamma_;
  return gamma_ + (ExactMomentum::representable_gamma(gamma_) - gamma_).detach();
}

torch::Tensor MomentumStepImpl::f(const torch::Tensor& u) {
  const torch::Tensor g = field_->forward(u);
  return relu_in_field_ ? torch::relu(u + g) - u : g;
}

double MomentumStepImpl::gamma_value() const { return gamma_.defined() ? gamma_.item<double>() : gamma_value_; }

void MomentumStepImpl::forward_exactly(ExactMomentum& exact, torch::Tensor& u, torch::Tensor& v) {
  exact.forward(u, v, [this](const torch::Tensor& x) { return f(x); }, gamma_value(), dt_);
}

void MomentumStepImpl::inverse_exactly(ExactMomentum& exact, torch::Tensor& u, torch::Tensor& v) {
  exact.inverse(u, v, [this](const torch::Tensor& x) { return f(x); }, gamma_value(), dt_);
}

std::vector<torch::Tensor> MomentumStepImpl::coefficient_parameters() const {
  return gamma_.defined() ? std::vector<torch::Tensor>{gamma_} : std::vector<torch::Tensor>{};
}

StepImpl::StageRunner MomentumStepImpl::stage_runner() const {
  if (exact_) return &run_momentum_exactly_recomputing;
  return recompute_ ? &run_invertible_recomputing : nullptr;
}

State MomentumStepImpl::forward(const State& state) {
  const torch::Tensor f = this->f(state.u);
  // v = γ v + (1 − γ) f with γ the learned parameter (a tensor) or the fixed number; from rest, (1 − γ) f.
  const auto velocity = [&](const auto& g) { return state.velocity.defined() ? g * state.velocity + (1 - g) * f : (1 - g) * f; };
  const torch::Tensor v = gamma_.defined() ? velocity(learned_gamma().to(f.scalar_type())) : gamma_value_ == 0.0 ? f : velocity(gamma_value_);
  State next{dt_ == 1.0 ? state.u + v : state.u + dt_ * v, {state.u}, {f}};
  next.velocity = v;
  return next;
}

State MomentumStepImpl::inverse(const State& next) {
  if (!next.velocity.defined()) throw std::invalid_argument("momentum inverse: the state carries no velocity");
  const torch::Tensor u = dt_ == 1.0 ? next.u - next.velocity : next.u - dt_ * next.velocity;
  const torch::Tensor f = this->f(u);
  const torch::Tensor g = gamma_.defined() ? learned_gamma().to(f.scalar_type()) : torch::full({1}, gamma_value_, f.options());
  State state{u, {}, {}};
  state.velocity = (next.velocity - (1 - g) * f) / g;  // γ = 0: not invertible (inf/nan), as for ResNet
  return state;
}

SchemeInfo Momentum::metadata() {
  SchemeInfo i;
  i.name = "momentum";
  i.update = "v_{n+1} = γ v_n + (1 − γ) f(u_n),  u_{n+1} = u_n + Δt v_{n+1}";
  i.description = "Momentum ResNet (Sander et al. 2021): invertible for γ > 0, ResNet at γ = 0";
  i.order = 1;
  i.evaluations_per_step = 1;
  i.history = 1;
  i.reversible = true;
  i.modified_equation = "ε ü + u̇ = f(u), ε = γ Δt / (1 − γ)";
  i.absorbs_post_activation = true;
  return i;
}

SchemeInfo Momentum::info() const {
  SchemeInfo i = metadata();
  i.reversible = learned_ || gamma_ > 0;
  return i;
}

std::shared_ptr<StepImpl> Momentum::make_step(const FieldFactory& make_field, const StepContext& context) const {
  return std::make_shared<MomentumStepImpl>(make_field(FieldPart::kWhole), context.dt, gamma_, learned_, recompute_, exact_,
                                            context.relu_in_field);
}

nlohmann::json Momentum::to_json() const {
  return {{"name", "momentum"}, {"gamma", gamma_}, {"learn_gamma", learned_}, {"recompute", recompute_}, {"exact_reversal", exact_}};
}

void register_momentum(SchemeRegistry& registry) {
  registry.add("momentum",
               SchemeEntry{Momentum::metadata(),
                           [](const JsonReader& r) {
                             const double gamma = r.number("gamma", 0.0, 0.999999, 0.9);
                             const bool learned = r.boolean("learn_gamma", false), recompute = r.boolean("recompute", false);
                             const bool exact = r.boolean("exact_reversal", false);
                             if (recompute && gamma == 0.0 && !learned)
                               r.fail("recompute", "γ = 0 (ResNet) is not invertible: no memory-free training");
                             if (exact && !recompute)
                               r.fail("exact_reversal", "reverses memory-free training: it needs \"recompute\": true");
                             return std::make_shared<Momentum>(gamma, learned, recompute, exact);
                           },
                           // γ = 0.9 (the default) lags f by 9 Δt: first order only past ~2,000 steps
                           // on 'rotation' (MomentumOrder.FirstOrderOnceTheLagIsSmall), so the
                           // registry's 200–3,200-step order test is given γ = 0.5.
                           {{{"name", "momentum"}, {"gamma", 0.5}},
                            {{"name", "momentum"}, {"gamma", 0.0}},
                            {{"name", "momentum"}, {"gamma", 0.5}, {"learn_gamma", true}},
                            {{"name", "momentum"}, {"gamma", 0.5}, {"recompute", true}},
                            {{"name", "momentum"}, {"gamma", 0.5}, {"recompute", true}, {"exact_reversal", true}}}});
}

}  // namespace odenet
