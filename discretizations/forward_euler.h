// Forward Euler — ResNet, ResNeXt, pre-activation ResNet:
//   u_{n+1} = P(u_n) + Δt f(u_n),   history ← {P(u_n), …}, past_f ← {f(u_n), …}
// with P the identity inside a stage and a projection (stride / width change)
// at a stage transition, where the step also restarts multistep histories.
// As a starting step of an h-step scheme it keeps the h − 2 older entries too.
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

class ForwardEulerStepImpl : public StepImpl {
 public:
  /// `projection` (u ↦ P(u)) may be null: the identity. `keep_past`: how many of the incoming
  /// history's entries (and past f values) the step passes on behind its own (0: it restarts them).
  ForwardEulerStepImpl(std::shared_ptr<FieldImpl> field, double dt, std::shared_ptr<FieldImpl> projection = nullptr,
                       int keep_past = 0);
  State forward(const State& state) override;
  FieldImpl& field() { return *field_; }
  /// P(u) (u without a projection).
  torch::Tensor base(const torch::Tensor& u) { return projection_ ? projection_->forward(u) : u; }
  /// The step from its parts: u_{n+1} = P(u_n) + Δt f with base = P(u_n), f = f(u_n).
  State advance(const torch::Tensor& base, const torch::Tensor& f) const;
  /// Likewise, passing on up to keep_past entries of `state`'s history and past f values.
  State advance(const State& state, const torch::Tensor& base, const torch::Tensor& f) const;
  bool can_lead_run() const override { return dt_ == 1.0; }

 private:
  std::shared_ptr<FieldImpl> field_;
  double dt_;
  std::shared_ptr<FieldImpl> projection_;
  int keep_past_ = 0;
};

class ForwardEuler : public Scheme {
 public:
  static SchemeInfo metadata();
  SchemeInfo info() const override { return metadata(); }
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  nlohmann::json to_json() const override { return {{"name", "forward_euler"}}; }
};

void register_forward_euler(SchemeRegistry& registry);

}  // namespace odenet
