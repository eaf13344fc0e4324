#include "analysis/scheme_verification.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <set>
#include <sstream>

#include "analysis/plots.h"
#include "core/error.h"

namespace odenet {
namespace {

std::vector<double> to_vector(const torch::Tensor& row) {
  auto r = row.contiguous();
  return std::vector<double>(r.data_ptr<double>(), r.data_ptr<double>() + r.numel());
}

double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s);
}

// Strong error with common random numbers: the coarse step's increment is the
// sum of the fine steps' increments, ξ = Σ_j ξ_j / √M.
double strong_error(const Scheme& scheme, const OdeProblem& problem, int steps, double t1) {
  constexpr int64_t kPaths = 4096;
  constexpr int kFine = 64;
  const double dt = t1 / steps;
  torch::manual_seed(1);
  auto coarse = scheme.make_integrator_step(problem.fields, StepContext{dt, 0, steps});
  auto fine = scheme.make_integrator_step(problem.fields, StepContext{dt / kFine, 0, steps * kFine});
  coarse->to(torch::kFloat64);
  fine->to(torch::kFloat64);
  coarse->train();
  fine->train();
  auto u0 = torch::tensor(problem.u0, torch::kFloat64).unsqueeze(0).expand({kPaths, -1}).contiguous();
  State x{u0, {}, {}, {}}, reference{u0, {}, {}, {}};
  for (int n = 0; n < steps; ++n) {
    auto xi = torch::randn({kFine, kPaths, u0.size(1)}, torch::kFloat64);
    for (int j = 0; j < kFine; ++j) {
      reference.noise = {xi[j]};
      reference = fine->forward(reference);
    }
    x.noise = {xi.sum(0) / std::sqrt(static_cast<double>(kFine))};
    x = coarse->forward(x);
  }
  return (x.u - reference.u).norm(2, 1).mean().item<double>();
}

}  // namespace

nlohmann::json to_json(const Verification& v) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : v.runs) {
    nlohmann::json j{{"steps", r.steps}, {"final", r.final}, {"error", r.error}};
    if (r.inverse_error >= 0) j["inverse_error"] = r.inverse_error;
    if (r.energy_error >= 0) j["energy_error"] = r.energy_error;
    if (r.variance_error >= 0) {
      j["weak_error_mean"] = r.error;
      j["weak_error_variance"] = r.variance_error;
      j["strong_error"] = r.strong_error;
    }
    runs.push_back(j);
  }
  nlohmann::json out{{"scheme", v.scheme},
                     {"problem", v.problem},
                     {"expected_order", v.expected_order},
                     {"observed_order", v.observed_order},
                     {"runs", runs}};
  if (!v.runs.empty() && v.runs[0].variance_error >= 0) {
    out["observed_variance_order"] = v.observed_variance_order;
    out["observed_strong_order"] = v.observed_strong_order;
  }
  return out;
}

double fitted_order(const std::vector<int>& steps, const std::vector<double>& errors) {
  const double n = static_cast<double>(steps.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    double x = std::log(1.0 / steps[i]), y = std::log(std::max(errors[i], 1e-300));
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

VerificationRun integrate(const Scheme& scheme, const OdeProblem& problem, int steps, double t1, int64_t paths) {
  torch::NoGradGuard no_grad;
  const SchemeInfo info = scheme.info();
  if (info.partitioned && !problem.partitioned)
    throw ConfigError(fmt::format("scheme '{}' is partitioned (X' = F(Y), Y' = G(X)): verify it on 'oscillator', not '{}'",
                                  info.name, problem.name));
  if (info.second_order != problem.second_order)
    throw ConfigError(info.second_order
                          ? fmt::format("scheme '{}' integrates ü = f(u): verify it on 'second_order', not '{}'", info.name, problem.name)
                          : fmt::format("'{}' is a second-order ODE (ü = f(u)): verify scheme '{}' on a first-order problem",
                                        problem.name, info.name));
  const double dt = t1 / steps;
  torch::manual_seed(0);
  auto step = scheme.make_integrator_step(problem.fields, StepContext{dt, 0, steps});
  step->to(torch::kFloat64);
  step->eval();
  if (problem.stochastic) step->train();  // noise on: the scheme's stochastic form is what is verified

  const int64_t batch = problem.stochastic ? paths : 1;
  auto u0 = torch::tensor(problem.u0, torch::kFloat64).unsqueeze(0).expand({batch, -1}).contiguous();
  State state{u0, {}, {}};
  VerificationRun run;
  run.steps = steps;
  const int64_t starters = starting_euler_steps(info.history, steps);
  auto starter_step = make_starting_step(problem.fields(FieldPart::kWhole), dt, info.history);
  StepImpl& starter = *starter_step;
  double energy0 = problem.energy ? problem.energy(problem.u0) : 0, energy_error = 0;
  for (int n = 0; n < steps; ++n) {
    state = n < starters ? starter.forward(state) : step->forward(state);
    if (problem.energy) energy_error = std::max(energy_error, std::abs(problem.energy(to_vector(state.u[0])) - energy0));
  }
  if (problem.energy) run.energy_error = energy_error;

  if (problem.stochastic) {
    auto x = state.u.select(1, 0);
    run.final = {x.mean().item<double>(), x.var(/*unbiased=*/true).item<double>()};
    run.error = std::abs(run.final[0] - problem.mean(t1));
    run.variance_error = std::abs(run.final[1] - problem.variance(t1));
    run.strong_error = strong_error(scheme, problem, steps, t1);
    return run;
  }
  run.final = to_vector(state.u[0]);
  run.error = distance(run.final, problem.solution(t1));
  if (info.reversible) {
    State back = state;
    for (int n = 0; n < steps; ++n) back = step->inverse(back);
    run.inverse_error = distance(to_vector(back.u[0]), problem.u0) / distance(problem.u0, std::vector<double>(problem.u0.size(), 0.0));
  }
  return run;
}

Verification verify_scheme(const Scheme& scheme, const std::string& scheme_label, const OdeProblem& problem,
                           const std::vector<int>& steps, double t1) {
  Verification v;
  v.scheme = scheme_label;
  v.problem = problem.name;
  const SchemeInfo info = scheme.info();
  v.expected_order = problem.stochastic ? static_cast<int>(info.weak_order) : info.order;
  if (problem.stochastic && !info.stochastic)
    throw ConfigError(fmt::format("scheme '{}' is deterministic: 'ou' verifies stochastic schemes", info.name));
  if (!problem.stochastic && info.stochastic)
    throw ConfigError(fmt::format("scheme '{}' is stochastic: verify it on 'ou'", info.name));
  std::vector<double> errors, variance_errors, strong_errors;
  for (int n : steps) {
    v.runs.push_back(integrate(scheme, problem, n, t1));
    errors.push_back(v.runs.back().error);
    variance_errors.push_back(v.runs.back().variance_error);
    strong_errors.push_back(v.runs.back().strong_error);
  }
  v.observed_order = fitted_order(steps, errors);
  if (problem.stochastic) {
    v.observed_variance_order = fitted_order(steps, variance_errors);
    v.observed_strong_order = fitted_order(steps, strong_errors);
  }
  return v;
}

void check_step_counts(const std::vector<int>& steps, const std::string& what) {
  if (steps.size() < 2) throw ConfigError(what + ": give at least two step counts to fit an order");
  if (std::set<int>(steps.begin(), steps.end()).size() != steps.size())
    throw ConfigError(fmt::format("{}: {} repeats a step count", what, fmt::join(steps, ",")));
  for (int n : steps) {
    if (n < 1) throw ConfigError(fmt::format("{}: {} is not a positive step count", what, n));
    if (n > 10000000) throw ConfigError(fmt::format("{}: {} is more than 10,000,000 steps", what, n));
  }
}

void check_final_time(double t1, const std::string& what) {
  if (!std::isfinite(t1) || t1 <= 0) throw ConfigError(fmt::format("{}: {} is not a positive finite time", what, t1));
}

std::vector<int> parse_step_counts(const std::string& text, const std::string& what) {
  std::vector<int> steps;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    try {
      size_t used = 0;
      int n = std::stoi(item, &used);
      if (used != item.size() || n < 1) throw std::invalid_argument(item);
      steps.push_back(n);
    } catch (const std::exception&) {
      throw ConfigError(what + ": '" + item + "' is not a positive integer");
    }
  }
  check_step_counts(steps, what);
  return steps;
}

std::string plot_convergence(const std::vector<std::pair<Verification, SchemeInfo>>& verified, const OdeProblem& problem,
                             const std::string& dir) {
  Plot plot;
  plot.title = verified.size() == 1
                   ? fmt::format("{} on {}: observed order {:.2f} (declared {})", verified[0].second.name, problem.name,
                                 verified[0].first.observed_order, verified[0].first.expected_order)
                   : fmt::format("convergence on {} ({})", problem.name, problem.equation);
  plot.xlabel = "steps N (dt = t1/N)";
  plot.ylabel = problem.stochastic ? "weak error of the mean" : "global error at t1";
  plot.log_x = plot.log_y = true;
  plot.extra = key_below(2 * verified.size());
  for (size_t i = 0; i < verified.size(); ++i) {
    const auto& [v, info] = verified[i];
    const std::string label = scheme_label(nlohmann::json::parse(v.scheme));
    PlotSeries measured{fmt::format("{}: observed {:.2f}", label, v.observed_order), {}, {}, "linespoints lw 1.5 pt 7 " + group_colour(i)},
        slope{fmt::format("slope -{} (declared)", v.expected_order), {}, {}, "lines dt 2 " + group_colour(i)};
    for (const auto& r : v.runs) {  // the declared order's line through the coarsest run
      measured.x.push_back(r.steps);
      measured.y.push_back(r.error);
      slope.x.push_back(r.steps);
      slope.y.push_back(v.runs.front().error * std::pow(double(v.runs.front().steps) / r.steps, v.expected_order));
    }
    plot.series.push_back(measured);
    plot.series.push_back(slope);
  }
  const std::string base = dir + "/convergence_" + (verified.size() == 1 ? verified[0].second.name + "_" : "") + problem.name;
  render_plot(plot, base);
  return base;
}

std::string format_verification(const Verification& v, const SchemeInfo& info, const OdeProblem& problem, double t1) {
  std::string out = fmt::format("scheme {} on {} ({}), t1 = {}\n", v.scheme, problem.name, problem.equation, t1);
  for (const auto& r : v.runs) {
    out += fmt::format("  steps {:>6}  error {:.3e}", r.steps, r.error);
    if (r.variance_error >= 0) out += fmt::format("  variance error {:.3e}  strong error {:.3e}", r.variance_error, r.strong_error);
    if (r.inverse_error >= 0) out += fmt::format("  inverse error {:.2e}", r.inverse_error);
    if (r.energy_error >= 0) out += fmt::format("  energy error {:.3e}", r.energy_error);
    out += "\n";
  }
  out += fmt::format("expected order {}, observed {:.2f}", v.expected_order, v.observed_order);
  if (problem.stochastic)
    out += fmt::format(" (weak, mean), {:.2f} (weak, variance), {:.2f} (strong; strong order declared {})",
                       v.observed_variance_order, v.observed_strong_order, info.strong_order);
  return out + "\n";
}

}  // namespace odenet
