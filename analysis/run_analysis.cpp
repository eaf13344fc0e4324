#include "analysis/run_analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/comparison_table.h"
#include "analysis/ode_problems.h"
#include "analysis/plots.h"
#include "analysis/scheme_verification.h"
#include "analysis/stability.h"
#include "analysis/trained_model.h"
#include "architectures/presets.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace odenet {

std::string format_k_table(const std::vector<BlockCoefficient>& blocks) {
  std::string md = "| block | depth | k_n | 1 + k_n | (1 − k_n)Δt/2 | zero-stable |\n|---|---:|---:|---:|---:|---|\n";
  for (const auto& b : blocks) {
    std::string k = b.k_min == b.k_max ? fmt::format("{:.4f}", b.k) : fmt::format("{:.4f} [{:.4f}, {:.4f}]", b.k, b.k_min, b.k_max);
    md += fmt::format("| {} | {} | {} | {:.4f} | {:.4f} | {} |\n", b.block, b.depth, k, b.velocity, b.mass,
                      b.zero_stable ? "yes" : "no (outside −1 < k ≤ 1)");
  }
  return md;
}

std::string modified_equation(const SchemeInfo& info) {
  if (!info.modified_equation.empty()) return info.modified_equation;
  if (!info.not_an_integrator.empty()) return "none: " + info.not_an_integrator;
  if (info.stochastic)
    return fmt::format("weak order {}, strong order {}: drift and diffusion match to O(Δt^{})", info.weak_order,
                       info.strong_order, info.weak_order);
  return fmt::format("u̇ = f(u) + C Δt^{} u^({}) + …  (order {}: the first {} Taylor terms match)", info.order,
                     info.order + 1, info.order, info.order);
}

void plot_k_by_depth(const RunAnalysis& a, const std::string& title, const std::string& base) {
  if (a.blocks.empty()) return;
  Plot plot;
  plot.title = title;
  plot.xlabel = "block (depth)";
  plot.ylabel = "k_n";
  PlotSeries k{"k_n", {}, {}, "linespoints pt 7"};
  for (const auto& b : a.blocks) k.x.push_back(b.depth), k.y.push_back(b.k);
  double low = std::min(-1.25, *std::min_element(k.y.begin(), k.y.end()) - 0.1);
  double high = std::max(1.25, *std::max_element(k.y.begin(), k.y.end()) + 0.1);
  plot.extra = {"set key below", fmt::format("set yrange [{}:{}]", low, high),
                fmt::format("set xrange [{}:{}]", k.x.front() - 0.5, k.x.back() + 0.5)};
  plot.series = {k,
                 {"zero-stability range -1 < k <= 1", {k.x.front(), k.x.back()}, {1.0, 1.0}, "lines dt 2 lc rgb 'gray40'"},
                 {"", {k.x.front(), k.x.back()}, {-1.0, -1.0}, "lines dt 2 lc rgb 'gray40'"}};
  render_plot(plot, base);
}

nlohmann::json to_json(const RunAnalysis& a) {
  nlohmann::json blocks = nlohmann::json::array();
  for (const auto& b : a.blocks)
    blocks.push_back({{"block", b.block},
                      {"depth", b.depth},
                      {"k", b.k},
                      {"k_range", {b.k_min, b.k_max}},
                      {"one_plus_k", b.velocity},
                      {"mass", b.mass},
                      {"zero_stable", b.zero_stable}});
  nlohmann::json j{{"run", a.dir},
                   {"scheme", a.scheme_config},
                   {"order", a.scheme.order},
                   {"modified_equation", a.modified_equation},
                   {"blocks", blocks}};
  if (a.measured_error_constant >= 0) {
    j["error_constant"] = {{"problem", a.error_problem}, {"measured", a.measured_error_constant}};
    if (a.predicted_error_constant >= 0) j["error_constant"]["predicted"] = a.predicted_error_constant;
  }
  if (!a.blocks.empty()) {
    j["mean_k"] = a.mean_k;
    j["decay_error_ratio_vs_forward_euler"] = {{"measured", a.measured_error_ratio},
                                               {"predicted", a.predicted_error_ratio}};
  }
  return j;
}

RunAnalysis analyze_run(const std::string& dir) {
  TrainedModel trained = load_trained_model(dir);
  RunAnalysis a;
  a.dir = dir;
  auto& scheme = trained.scheme;
  auto& model = trained.model;
  a.scheme = scheme->info();
  a.scheme_config = scheme->to_json();
  a.modified_equation = modified_equation(a.scheme);

  int depth = 0;
  for (const auto& item : model->named_modules("", /*include_self=*/false)) {
    auto* step = dynamic_cast<StepImpl*>(item.value().get());
    if (!step) continue;
    ++depth;
    torch::Tensor k = step->learned_k();
    if (!k.defined()) continue;
    BlockCoefficient b;
    b.block = item.key();
    b.depth = depth;
    b.k = k.mean().item<double>();
    b.k_min = k.min().item<double>();
    b.k_max = k.max().item<double>();
    b.velocity = 1 + b.k;
    b.mass = (1 - b.k) / 2;
    b.zero_stable = lm_zero_stable(b.k_min) && lm_zero_stable(b.k_max);
    a.blocks.push_back(b);
  }
  if (!a.scheme.stochastic && a.scheme.not_an_integrator.empty()) {
    // e(t1) ≈ C Δt^p: C from 1000 steps of the scheme as an integrator.
    OdeProblem problem = make_problem(a.scheme.partitioned ? "oscillator" : "decay");
    const int steps = 1000;
    double dt = problem.t1 / steps;
    a.error_problem = problem.name;
    a.measured_error_constant = integrate(*scheme, problem, steps, problem.t1).error / std::pow(dt, a.scheme.order);
    // Forward Euler on u' = −u: e(t) = t e^{−t} Δt / 2 + O(Δt²); LM with fixed k: (1 − k)/(1 + k) times that.
    if (problem.name == "decay" && a.scheme.decay_error_constant != 0)
      a.predicted_error_constant = a.scheme.decay_error_constant;
  }
  if (!a.blocks.empty()) {
    for (const auto& b : a.blocks) a.mean_k += b.k / static_cast<double>(a.blocks.size());
    OdeProblem decay = make_problem("decay");
    auto fixed = build_scheme(scheme_registry(), {{"name", "linear_multistep"}, {"k", a.mean_k}}, "analysis", "");
    auto euler = build_scheme(scheme_registry(), "forward_euler", "analysis", "");
    a.measured_error_ratio = integrate(*fixed, decay, 1000, 1.0).error / integrate(*euler, decay, 1000, 1.0).error;
    a.predicted_error_ratio = (1 - a.mean_k) / (1 + a.mean_k);
  }
  return a;
}

}  // namespace odenet
