#include "discretizations/forward_euler.h"

#include <algorithm>
#include <cmath>

namespace odenet {

ForwardEulerStepImpl::ForwardEulerStepImpl(std::shared_ptr<FieldImpl> field, double dt,
                                           std::shared_ptr<FieldImpl> projection, int keep_past)
    : field_(register_module("f", std::move(field))), dt_(dt), keep_past_(keep_past) {
  if (projection) projection_ = register_module("projection", std::move(projection));
}

State ForwardEulerStepImpl::forward(const State& state) {
  return keep_past_ > 0 ? advance(state, base(state.u), field_->forward(state.u))
                        : advance(base(state.u), field_->forward(state.u));
}

State ForwardEulerStepImpl::advance(const torch::Tensor& base, const torch::Tensor& f) const {
  return State{dt_ == 1.0 ? base + f : base + dt_ * f, {base}, {f}};
}

State ForwardEulerStepImpl::advance(const State& state, const torch::Tensor& base, const torch::Tensor& f) const {
  State out = advance(base, f);
  for (size_t j = 0; j < state.history.size() && j < static_cast<size_t>(keep_past_); ++j) out.history.push_back(state.history[j]);
  for (size_t j = 0; j < state.past_f.size() && j < static_cast<size_t>(keep_past_); ++j) out.past_f.push_back(state.past_f[j]);
  return out;
}

SchemeInfo ForwardEuler::metadata() {
  SchemeInfo i;
  i.name = "forward_euler";
  i.update = "u_{n+1} = u_n + Δt f_n(u_n)";
  i.description = "ResNet / ResNeXt / pre-activation ResNet";
  i.order = 1;
  i.evaluations_per_step = 1;
  i.history = 1;
  i.modified_equation = "u̇ + (Δt/2) ü = f(u) + O(Δt²)";
  i.decay_error_constant = std::exp(-1.0) / 2;  // e(t) = t e^{−t} Δt / 2 + O(Δt²)
  return i;
}

std::shared_ptr<StepImpl> ForwardEuler::make_step(const FieldFactory& make_field, const StepContext& context) const {
  return std::make_shared<ForwardEulerStepImpl>(make_field(FieldPart::kWhole), context.dt);
}

void register_forward_euler(SchemeRegistry& registry) {
  registry.add("forward_euler", SchemeEntry{ForwardEuler::metadata(),
                                            [](const JsonReader&) { return std::make_shared<ForwardEuler>(); },
                                            {{{"name", "forward_euler"}}}});
}

int64_t starting_euler_steps(int history, int64_t steps) { return std::min<int64_t>(std::max(0, history - 1), steps); }

std::shared_ptr<StepImpl> make_starting_step(std::shared_ptr<FieldImpl> field, double dt, int history) {
  return std::make_shared<ForwardEulerStepImpl>(std::move(field), dt, nullptr, std::max(0, history - 2));
}

const Scheme& starting_scheme() {
  static const ForwardEuler scheme;
  return scheme;
}

}  // namespace odenet
