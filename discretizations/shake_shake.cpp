#include "discretizations/shake_shake.h"

#include <cmath>

namespace odenet {

const EnumNames<ShakeBackward>& shake_backward_names() {
  static const EnumNames<ShakeBackward> names{{"even", ShakeBackward::kEven}, {"shake", ShakeBackward::kShake}};
  return names;
}

ShakeShakeStepImpl::ShakeShakeStepImpl(const FieldFactory& make_field, double dt, ShakeBackward backward,
                                       std::shared_ptr<FieldImpl> projection)
    : dt_(dt), backward_(backward) {
  if (projection) projection_ = register_module("projection", std::move(projection));
  f1_ = register_module("f1", make_field(FieldPart::kWhole));
  f2_ = register_module("f2", make_field(FieldPart::kWhole));
}

State ShakeShakeStepImpl::forward(const State& state) {
  const auto& u = state.u;
  auto f1 = f1_->forward(u), f2 = f2_->forward(u);
  auto base = projection_ ? projection_->forward(u) : u;
  if (!is_training()) return State{base + (0.5 * dt_) * (f1 + f2), {base}, {}};
  std::vector<int64_t> shape(u.dim(), 1);
  shape[0] = u.size(0);
  const double sqrt_dt = std::sqrt(dt_);
  auto eta = torch::rand(shape, u.options());  // one η per example
  auto w1 = 0.5 * dt_ + sqrt_dt * (eta - 0.5);
  if (backward_ == ShakeBackward::kShake) {
    // Value w1 f1 + (Δt − w1) f2, gradient through b1 = Δt/2 + √Δt(β − ½): the detached term carries the difference.
    auto b1 = 0.5 * dt_ + sqrt_dt * (torch::rand(shape, u.options()) - 0.5);
    return State{base + b1 * f1 + (dt_ - b1) * f2 + ((w1 - b1) * (f1 - f2)).detach(), {base}, {}};
  }
  return State{base + w1 * f1 + (dt_ - w1) * f2, {base}, {}};
}

SchemeInfo ShakeShake::metadata() {
  SchemeInfo i = euler_maruyama_info("shake_shake", "X_{n+1} = X_n + η f1(X_n) + (1 - η) f2(X_n), η ~ U(0, 1)",
                                     "shake-shake (Gastaldi): an Euler-Maruyama step over two branches");
  i.evaluations_per_step = 2;
  i.not_an_integrator = kMultiplicativeNoise;
  return i;
}

SchemeInfo ShakeShake::info() const {
  SchemeInfo i = metadata();
  if (options_.backward == ShakeBackward::kShake)
    i.update += "; gradients through an independent β ~ U(0, 1)";
  return i;
}

std::shared_ptr<StepImpl> ShakeShake::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<ShakeShakeStepImpl>(make_field, c.dt, options_.backward);
}

std::shared_ptr<StepImpl> ShakeShake::make_integrator_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<ShakeShakeStepImpl>(make_field, c.dt, ShakeBackward::kEven);
}

std::shared_ptr<StepImpl> ShakeShake::make_transition_step(const FieldFactory& make_field,
                                                           const FieldFactory& make_projection,
                                                           const StepContext& c) const {
  return std::make_shared<ShakeShakeStepImpl>(make_field, c.dt, options_.backward, make_projection(FieldPart::kWhole));
}

nlohmann::json ShakeShake::to_json() const {
  return {{"name", "shake_shake"}, {"backward", enum_name(shake_backward_names(), options_.backward)}};
}

void register_shake_shake(SchemeRegistry& registry) {
  registry.add("shake_shake", SchemeEntry{ShakeShake::metadata(),
                                          [](const JsonReader& p) {
                                            ShakeShakeOptions o;
                                            o.backward = enum_value(p, "backward", shake_backward_names(), ShakeBackward::kEven);
                                            return std::make_shared<ShakeShake>(o);
                                          },
                                          {{{"name", "shake_shake"}}, {{"name", "shake_shake"}, {"backward", "shake"}}}});
}

}  // namespace odenet
