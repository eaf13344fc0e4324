// The leapfrog network (Chang et al., AAAI 2018): a second-order ODE ü = f(u) by Störmer's rule
//   u_{n+1} = 2 u_n − u_{n−1} + Δt² f(u_n),
// kept as a velocity at half steps, v_{n+½} = v_{n−½} + Δt f(u_n), u_{n+1} = u_n + Δt v_{n+½}.
// A stage starts at rest (u̇ = 0: v_{½} = (Δt/2) f(u_0)). Second order, symplectic and
// time-reversible: u_n = u_{n+1} − Δt v_{n+½}, v_{n−½} = v_{n+½} − Δt f(u_n), exactly.
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

class LeapfrogSecondOrderStepImpl : public StepImpl {
 public:
  /// `recompute`: in training, a stage runs this step through run_invertible_recomputing.
  LeapfrogSecondOrderStepImpl(std::shared_ptr<FieldImpl> field, double dt, bool recompute = false);
  State forward(const State& state) override;
  State inverse(const State& next) override;
  StageRunner stage_runner() const override;
  FieldImpl& field() { return *field_; }

 private:
  std::shared_ptr<FieldImpl> field_;
  double dt_;
  bool recompute_;
};

class LeapfrogSecondOrder : public Scheme {
 public:
  explicit LeapfrogSecondOrder(bool recompute) : recompute_(recompute) {}
  static SchemeInfo metadata();
  SchemeInfo info() const override { return metadata(); }
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  nlohmann::json to_json() const override { return {{"name", "leapfrog_second_order"}, {"recompute", recompute_}}; }

 private:
  bool recompute_;
};

void register_leapfrog_second_order(SchemeRegistry& registry);

}  // namespace odenet
