// PolyNet's blocks and backward Euler, u_{n+1} = u_n + Δt f(u_{n+1}), i.e. u_{n+1} = (I − F)^{-1} u_n
// with F = Δt f. Four update rules, four registry entries:
//   neumann_fixed_point: v_0 = u, v_{j+1} = u + F(v_j), K times — K fixed-point iterations of backward
//                        Euler (u + F(u + F(u)) for K = 2); consistent for nonlinear F
//   polynet_literal:     u + F(u) + F(F(u)) + … (K terms of the Neumann series; PolyNet's poly-2 for
//                        K = 2); equals (I − F)^{-1} truncated only for linear F
//   polynet_mpoly:       u + F(u) + G(F(u))   (two fields)
//   polynet_way:         u + F(u) + G(u)      (two fields)
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

/// The fields F (and G) of a PolyNet step, with F(u) = Δt f(u).
class PolyNetStepImpl : public StepImpl {
 public:
  PolyNetStepImpl(const FieldFactory& make_field, double dt, bool two_fields);

 protected:
  torch::Tensor apply(FieldImpl& field, const torch::Tensor& u) { return dt_ == 1.0 ? field.forward(u) : dt_ * field.forward(u); }
  std::shared_ptr<FieldImpl> f_, g_;
  double dt_;
};

class NeumannFixedPointStepImpl : public PolyNetStepImpl {
 public:
  NeumannFixedPointStepImpl(const FieldFactory& make_field, double dt, int terms)
      : PolyNetStepImpl(make_field, dt, false), terms_(terms) {}
  State forward(const State& state) override;

 private:
  int terms_;
};

class PolyNetLiteralStepImpl : public PolyNetStepImpl {
 public:
  PolyNetLiteralStepImpl(const FieldFactory& make_field, double dt, int terms)
      : PolyNetStepImpl(make_field, dt, false), terms_(terms) {}
  State forward(const State& state) override;

 private:
  int terms_;
};

class PolyNetMpolyStepImpl : public PolyNetStepImpl {
 public:
  PolyNetMpolyStepImpl(const FieldFactory& make_field, double dt) : PolyNetStepImpl(make_field, dt, true) {}
  State forward(const State& state) override;
};

class PolyNetWayStepImpl : public PolyNetStepImpl {
 public:
  PolyNetWayStepImpl(const FieldFactory& make_field, double dt) : PolyNetStepImpl(make_field, dt, true) {}
  State forward(const State& state) override;
};

/// The four update rules; each registry entry fixes one.
enum class PolyNetRule { kNeumannFixedPoint, kLiteral, kMpoly, kWay };

class PolyNet : public Scheme {
 public:
  PolyNet(PolyNetRule rule, int terms) : rule_(rule), terms_(terms) {}
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  nlohmann::json to_json() const override;
  /// The registry name of each rule.
  static const EnumNames<PolyNetRule>& names();

 private:
  PolyNetRule rule_;
  int terms_;  ///< K (neumann_fixed_point, polynet_literal)
};

void register_polynet(SchemeRegistry& registry);

}  // namespace odenet
