// Analytic test problems for verifying schemes: the fields are FieldImpl
// modules in float64, so the scheme code that steps a network integrates them.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/enum_names.h"
#include "discretizations/scheme.h"

namespace odenet {

enum class OdeProblemKind { kDecay, kRotation, kOscillator, kVanderPol, kOu, kSecondOrder };
/// decay, rotation, oscillator, vanderpol, ou, second_order
const EnumNames<OdeProblemKind>& ode_problem_names();

struct OdeProblem {
  OdeProblemKind kind = OdeProblemKind::kDecay;
  std::string name;  ///< its spelling in ode_problem_names()
  std::string equation;
  double t1 = 1.0;               ///< default final time
  std::vector<double> u0;
  bool partitioned = false;      ///< state (q, p) with q' = F(p), p' = G(q)
  bool second_order = false;     ///< ü = f(u) from rest (u̇(0) = 0): for second-order schemes
  bool stochastic = false;
  FieldFactory fields;           ///< kWhole always; kFirst/kSecond for partitioned problems
  /// Deterministic: the exact (or reference) solution at time t.
  std::function<std::vector<double>(double t)> solution;
  /// Partitioned: the conserved energy of a state.
  std::function<double(const std::vector<double>&)> energy;
  /// Stochastic: dX = f dt + sigma dW; exact mean and variance at t.
  double sigma = 0;
  std::function<double(double t)> mean, variance;
};

/// decay, rotation, oscillator, vanderpol, ou, second_order.
const std::vector<std::string>& problem_names();
/// The problem a deterministic scheme is verified on by default: 'oscillator' for partitioned
/// schemes, 'second_order' for second-order ones, else `first_order` (rotation, decay, ...).
OdeProblemKind natural_problem(const SchemeInfo& info, OdeProblemKind first_order);
OdeProblem make_problem(OdeProblemKind kind);
/// ConfigError listing the problems for an unknown name.
OdeProblem make_problem(const std::string& name);

/// A field given by a function of a [batch, d] float64 tensor.
class AnalyticFieldImpl : public FieldImpl {
 public:
  explicit AnalyticFieldImpl(std::function<torch::Tensor(const torch::Tensor&)> f) : f_(std::move(f)) {}
  torch::Tensor forward(torch::Tensor u) override { return f_(u); }

 private:
  std::function<torch::Tensor(const torch::Tensor&)> f_;
};

}  // namespace odenet
