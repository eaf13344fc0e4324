// Forward Euler — ResNet, ResNeXt, pre-activation ResNet:
//   u_{n+1} = P(u_n) + Δt f(u_n),   history ← {P(u_n)}, past_f ← {f(u_n)}
// with P the identity inside a stage and a projection (stride / width change)
// at a stage transition, where the step also restarts multistep histories.
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

class ForwardEulerStepImpl : public StepImpl {
 public:
  /// `projection` (u ↦ P(u)) may be null: the identity.
  ForwardEulerStepImpl(std::shared_ptr<FieldImpl> field, double dt, std::shared_ptr<FieldImpl> projection = nullptr);
  State forward(const State& state) override;
  FieldImpl& field() { return *field_; }
  /// P(u) (u without a projection).
  torch::Tensor base(const torch::Tensor& u) { return projection_ ? projection_->forward(u) : u; }
  /// The step from its parts: u_{n+1} = P(u_n) + Δt f with base = P(u_n), f = f(u_n).
  State advance(const torch::Tensor& base, const torch::Tensor& f) const;
  bool can_lead_run() const override { return dt_ == 1.0; }

 private:
  std::shared_ptr<FieldImpl> field_;
  double dt_;
  std::shared_ptr<FieldImpl> projection_;
};

class ForwardEuler : public Scheme {
 public:
  static SchemeInfo metadata();
  SchemeInfo info() const override { return metadata(); }
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  nlohmann::json to_json() const override { return {{"name", "forward_euler"}}; }
};

void register_forward_euler(SchemeRegistry& registry);

/// How a run of `steps` steps of a scheme with `history` past states starts, in a network's stage
/// and in an integration alike: min(history − 1, steps) forward Euler steps build the history
/// the scheme's own steps need.
int64_t starting_euler_steps(int history, int64_t steps);

}  // namespace odenet
