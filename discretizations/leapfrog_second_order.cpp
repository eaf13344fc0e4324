#include "discretizations/leapfrog_second_order.h"

#include <stdexcept>

#include "discretizations/invertible_recompute.h"

namespace odenet {

LeapfrogSecondOrderStepImpl::LeapfrogSecondOrderStepImpl(std::shared_ptr<FieldImpl> field, double dt, bool recompute)
    : field_(register_module("f", std::move(field))), dt_(dt), recompute_(recompute) {}

StepImpl::StageRunner LeapfrogSecondOrderStepImpl::stage_runner() const {
  return recompute_ ? &run_invertible_recomputing : nullptr;
}

State LeapfrogSecondOrderStepImpl::forward(const State& state) {
  const torch::Tensor f = field_->forward(state.u);
  // v_{n+½} = v_{n−½} + Δt f(u_n); from rest, v_{½} = (Δt/2) f(u_0).
  const torch::Tensor v = state.velocity.defined() ? state.velocity + dt_ * f : (0.5 * dt_) * f;
  State next{state.u + dt_ * v, {state.u}, {f}};
  next.velocity = v;
  return next;
}

State LeapfrogSecondOrderStepImpl::inverse(const State& next) {
  if (!next.velocity.defined()) throw std::invalid_argument("leapfrog inverse: the state carries no velocity");
  const torch::Tensor u = next.u - dt_ * next.velocity;
  State state{u, {}, {}};
  state.velocity = next.velocity - dt_ * field_->forward(u);
  return state;
}

SchemeInfo LeapfrogSecondOrder::metadata() {
  SchemeInfo i;
  i.name = "leapfrog_second_order";
  i.update = "u_{n+1} = 2 u_n − u_{n−1} + Δt² f(u_n)";
  i.description = "leapfrog network (Chang et al. 2018): ü = f(u), Störmer's rule, starting at rest";
  i.order = 2;
  i.evaluations_per_step = 1;
  i.history = 1;
  i.reversible = true;
  i.second_order = true;
  i.modified_equation = "ü + (Δt²/12) u⁗ = f(u) + O(Δt⁴)";
  return i;
}

std::shared_ptr<StepImpl> LeapfrogSecondOrder::make_step(const FieldFactory& make_field, const StepContext& context) const {
  return std::make_shared<LeapfrogSecondOrderStepImpl>(make_field(FieldPart::kWhole), context.dt, recompute_);
}

void register_leapfrog_second_order(SchemeRegistry& registry) {
  registry.add("leapfrog_second_order",
               SchemeEntry{LeapfrogSecondOrder::metadata(),
                           [](const JsonReader& r) { return std::make_shared<LeapfrogSecondOrder>(r.boolean("recompute", false)); },
                           {{{"name", "leapfrog_second_order"}}, {{"name", "leapfrog_second_order"}, {"recompute", true}}}});
}

}  // namespace odenet
