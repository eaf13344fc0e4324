// Reversible couplings on a state split in two halves along dim 1, u = (X, Y),
// integrating X' = F(Y), Y' = G(X) — RevNet and Hamiltonian networks:
//   revnet (symplectic Euler):  X' = X + Δt F(Y),  Y' = Y + Δt G(X')
//   verlet (Störmer–Verlet):    Y½ = Y + Δt/2 G(X),  X' = X + Δt F(Y½),  Y' = Y½ + Δt/2 G(X')
//   hamiltonian (Chang et al. 2018): Y' = Y − Δt F(Z), Z' = Z + Δt G(Y') — symplectic Euler with the
//     network's first field negated, so that with the force fields −Kᵀσ(K·) (block "hamiltonian")
//     the step is the paper's Y' = Y + Δt K₁ᵀσ(K₁Z), Z' = Z − Δt K₂ᵀσ(K₂Y'); as an integrator of
//     X' = F(Y), Y' = G(X) it is symplectic Euler.
// All are symplectic and exactly invertible (inverse() runs the updates backwards).
// A stage transition (RevNet's downsampling unit) projects each half:
//   X' = P_X(X) + Δt F(Y),  Y' = P_Y(Y) + Δt G(X')   (not invertible: P subsamples)
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

class ReversibleStepImpl : public StepImpl {
 public:
  /// `recompute`: in training, a stage may run this step through run_invertible_recomputing.
  /// `f_sign`: −1 for the Hamiltonian network's Y' = Y − Δt F(Z).
  ReversibleStepImpl(const FieldFactory& make_field, double dt, bool verlet, bool recompute = false, double f_sign = 1.0);
  /// The transition form, with a projection per half (symplectic Euler for both methods).
  ReversibleStepImpl(const FieldFactory& make_field, const FieldFactory& make_projection, double dt);
  State forward(const State& state) override;
  State inverse(const State& next) override;
  FieldImpl& F() { return *f_; }
  FieldImpl& G() { return *g_; }
  /// True for an invertible step (no projection) whose scheme asked for recomputation.
  bool recomputes() const { return recompute_ && !project_x_; }
  /// run_invertible_recomputing when recomputes().
  StageRunner stage_runner() const override;

 private:
  std::shared_ptr<FieldImpl> f_, g_, project_x_, project_y_;
  double dt_;
  bool verlet_;
  bool recompute_ = false;
  double f_sign_ = 1.0;
};

class Reversible : public Scheme {
 public:
  Reversible(bool verlet, bool recompute, bool hamiltonian = false)
      : verlet_(verlet), recompute_(recompute), hamiltonian_(hamiltonian) {}
  static SchemeInfo metadata();
  static SchemeInfo hamiltonian_metadata();
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  /// The Hamiltonian network's step integrates the problem's fields as given (no negation).
  std::shared_ptr<StepImpl> make_integrator_step(const FieldFactory& make_field, const StepContext& context) const override;
  std::shared_ptr<StepImpl> make_transition_step(const FieldFactory& make_field, const FieldFactory& make_projection,
                                                 const StepContext& context) const override;
  nlohmann::json to_json() const override;

 private:
  bool verlet_, recompute_, hamiltonian_;
};

void register_reversible(SchemeRegistry& registry);

}  // namespace odenet
