// PolyNet as an approximation of backward Euler, u_{n+1} = u_n + Δt f(u_{n+1}),
// i.e. u_{n+1} = (I − F)^{-1} u_n with F = Δt f:
//   literal:     u + F(u) + F(F(u)) + … (K terms of the Neumann series; PolyNet's poly-2 for K = 2);
//                equals (I − F)^{-1} truncated only for linear F
//   fixed_point: v_0 = u, v_{j+1} = u + F(v_j), K times — K fixed-point iterations of backward
//                Euler, u + F(u + F(u)) for K = 2; equals the literal form for linear F and stays
//                consistent for nonlinear F
//   mpoly:       u + F(u) + G(F(u))   (PolyNet network variant, two fields)
//   way:         u + F(u) + G(u)      (PolyNet network variant, two fields)
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

struct NeumannOptions {
  std::string form = "fixed_point";  ///< literal, fixed_point, mpoly or way
  int terms = 2;                     ///< K (literal, fixed_point)
};

class NeumannStepImpl : public StepImpl {
 public:
  NeumannStepImpl(const FieldFactory& make_field, double dt, const NeumannOptions& options);
  State forward(const State& state) override;
  FieldImpl& F() { return *f_; }
  FieldImpl& G() { return *g_; }

 private:
  torch::Tensor apply(FieldImpl& field, const torch::Tensor& u) { return dt_ == 1.0 ? field.forward(u) : dt_ * field.forward(u); }
  std::shared_ptr<FieldImpl> f_, g_;
  double dt_;
  NeumannOptions options_;
};

class BackwardEulerNeumann : public Scheme {
 public:
  explicit BackwardEulerNeumann(NeumannOptions options) : options_(std::move(options)) {}
  static SchemeInfo metadata();
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  nlohmann::json to_json() const override;

 private:
  NeumannOptions options_;
};

void register_backward_euler_neumann(SchemeRegistry& registry);

}  // namespace odenet
