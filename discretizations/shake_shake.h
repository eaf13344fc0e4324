// Shake-shake (Gastaldi 2017) as an Euler–Maruyama step (PAPER.md §4), one η ~ U(0, 1) per example:
//   X_{n+1} = X_n + η f1(X_n) + (1 − η) f2(X_n);  test: X_n + ½ (f1 + f2)
// With a step Δt: X + (Δt/2 + √Δt(η − ½)) f1 + (Δt/2 + √Δt(½ − η)) f2. A stage's opening step is a
// shake-shake step too, on the projected state P(X). Backward "shake" (Shake-Shake-Image) sends the
// gradient through an independent β ~ U(0, 1) (β to f1, 1 − β to f2); "even" through η itself.
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

enum class ShakeBackward { kEven, kShake };
const EnumNames<ShakeBackward>& shake_backward_names();

struct ShakeShakeOptions {
  ShakeBackward backward = ShakeBackward::kEven;
};

class ShakeShakeStepImpl : public StepImpl {
 public:
  /// `projection` (transition steps; null: the identity) maps X to the output's shape.
  ShakeShakeStepImpl(const FieldFactory& make_field, double dt, ShakeBackward backward,
                     std::shared_ptr<FieldImpl> projection = nullptr);
  State forward(const State& state) override;

 private:
  std::shared_ptr<FieldImpl> f1_, f2_, projection_;
  double dt_;
  ShakeBackward backward_;
};

class ShakeShake : public Scheme {
 public:
  explicit ShakeShake(ShakeShakeOptions options) : options_(options) {}
  static SchemeInfo metadata();
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  /// As an integrator both weights carry η: the gradient path is irrelevant.
  std::shared_ptr<StepImpl> make_integrator_step(const FieldFactory& make_field,
                                                 const StepContext& context) const override;
  /// A shake-shake step on the projected state.
  std::shared_ptr<StepImpl> make_transition_step(const FieldFactory& make_field, const FieldFactory& make_projection,
                                                 const StepContext& context) const override;
  nlohmann::json to_json() const override;

 private:
  ShakeShakeOptions options_;
};

void register_shake_shake(SchemeRegistry& registry);

}  // namespace odenet
