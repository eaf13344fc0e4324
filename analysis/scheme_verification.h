// Verifies a scheme as an integrator: the production step modules are applied
// to an analytic problem at several step counts, and the observed order is
// the least-squares slope of log(error) against log(Δt).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/ode_problems.h"
#include "discretizations/scheme.h"

namespace odenet {

struct VerificationRun {
  int steps = 0;
  std::vector<double> final;
  double error = 0;          ///< ‖u_N − u(t1)‖₂ (stochastic: weak error of the mean)
  double inverse_error = -1; ///< reversible: ‖u_0 − inverse^N(u_N)‖ / ‖u_0‖ (−1: not applicable)
  double energy_error = -1;  ///< partitioned problems: max over steps of |H(u_n) − H(u_0)| (−1: n/a)
  double variance_error = -1;  ///< stochastic: |Var X_N − Var X(t1)|
  double strong_error = -1;    ///< stochastic: E|X_N − X_ref(t1)|, X_ref on a 64× finer grid, same Brownian path
};

struct Verification {
  std::string scheme, problem;
  int expected_order = 0;
  double observed_order = 0;
  double observed_variance_order = 0;  ///< stochastic only
  double observed_strong_order = 0;    ///< stochastic only
  std::vector<VerificationRun> runs;
};

nlohmann::json to_json(const Verification& v);

/// Integrates `problem` from 0 to t1 in `steps` uniform steps (multistep schemes
/// start with forward Euler) and measures the errors. Stochastic problems use
/// `paths` Monte-Carlo paths with a fixed seed.
VerificationRun integrate(const Scheme& scheme, const OdeProblem& problem, int steps, double t1, int64_t paths = 1 << 20);

/// Runs every step count and fits the observed order. Throws a ConfigError when
/// the scheme cannot run on the problem (e.g. a partitioned scheme on 'rotation').
Verification verify_scheme(const Scheme& scheme, const std::string& scheme_label, const OdeProblem& problem,
                           const std::vector<int>& steps, double t1);

/// At least two distinct step counts, each from 1 to 10,000,000; a ConfigError naming `what` otherwise.
void check_step_counts(const std::vector<int>& steps, const std::string& what);
/// "10,20,40" as step counts (a ConfigError naming `what` and the bad item).
std::vector<int> parse_step_counts(const std::string& text, const std::string& what);

/// The log–log convergence plot of one or more schemes on `problem` (each scheme's measured errors
/// and, dashed in its colour, the declared order's slope through its coarsest run), as
/// `dir`/convergence_<scheme>_<problem> (one scheme) or `dir`/convergence_<problem> (several),
/// .png and .svg; returns that base path.
std::string plot_convergence(const std::vector<std::pair<Verification, SchemeInfo>>& verified, const OdeProblem& problem,
                             const std::string& dir);
/// The human-readable lines of `v` (what verify-scheme prints without --json).
std::string format_verification(const Verification& v, const SchemeInfo& info, const OdeProblem& problem, double t1);
/// A positive finite final time; a ConfigError naming `what` otherwise.
void check_final_time(double t1, const std::string& what);

/// Least-squares slope of log(error) against log(1/steps).
double fitted_order(const std::vector<int>& steps, const std::vector<double>& errors);

}  // namespace odenet
