// Explicit Runge–Kutta methods as data: one implementation driven by a
// Butcher tableau (a, b, c),
//   k_i = f(u_n + Δt Σ_{j<i} a_ij k_j),   u_{n+1} = u_n + Δt Σ_i b_i k_i.
// Stage fields either share weights (one f: a true integrator) or not
// (one field per stage, as in a network block that learns each stage).
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

struct ButcherTableau {
  std::string name;
  std::vector<std::vector<double>> a;  ///< strictly lower triangular, s × s
  std::vector<double> b, c;
  int order = 1;  ///< classical order (declared for presets, derived for user tableaus)
};

/// euler, midpoint, heun, ralston, rk4, rk38 (discretizations/butcher_tableaus.def), each checked
/// by checked_tableau when first read.
const std::vector<ButcherTableau>& butcher_presets();
/// A built-in tableau from its row-major a, b, c and declared order, validated and its declared
/// order equal to the one its order conditions give (diffrax's check); std::logic_error otherwise.
ButcherTableau checked_tableau(const std::string& name, const std::vector<double>& a_row_major, std::vector<double> b,
                               std::vector<double> c, int declared_order);
/// Checks the tableau (square, explicit, rows of a sum to c, b sums to 1); throws via `fail(key, message)`.
void validate_tableau(const ButcherTableau& t, const std::function<void(const std::string&, const std::string&)>& fail);
/// Highest order p ≤ 4 whose order conditions the tableau satisfies.
int tableau_order(const ButcherTableau& t);

class RungeKuttaStepImpl : public StepImpl {
 public:
  RungeKuttaStepImpl(const ButcherTableau& tableau, const FieldFactory& make_field, double dt, bool shared_fields);
  State forward(const State& state) override;
  FieldImpl& stage_field(size_t i) { return *fields_[i]; }

 private:
  ButcherTableau tableau_;
  double dt_;
  std::vector<std::shared_ptr<FieldImpl>> fields_;  // one per stage (the same module when shared)
};

class RungeKutta : public Scheme {
 public:
  RungeKutta(ButcherTableau tableau, bool shared_fields);
  static SchemeInfo metadata();
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  nlohmann::json to_json() const override;

 private:
  ButcherTableau tableau_;
  bool shared_fields_;
};

void register_runge_kutta(SchemeRegistry& registry);

}  // namespace odenet
