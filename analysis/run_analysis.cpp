#include "analysis/run_analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/comparison_table.h"
#include "analysis/ode_problems.h"
#include "analysis/plots.h"
#include "analysis/scheme_verification.h"
#include "analysis/trained_model.h"
#include "architectures/presets.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace odenet {

std::string format_k_table(const std::vector<BlockCoefficient>& blocks) {
  if (blocks.empty()) return "";
  std::string md = "| block | depth | k_n |", rule = "|---|---:|---:|";
  for (const auto& t : blocks.front().terms) md += " " + t.header + " |", rule += "---:|";
  md += " zero-stable |\n" + rule + "---|\n";
  for (const auto& b : blocks) {
    std::string k = b.k_min == b.k_max ? fmt::format("{:.4f}", b.k) : fmt::format("{:.4f} [{:.4f}, {:.4f}]", b.k, b.k_min, b.k_max);
    md += fmt::format("| {} | {} | {} |", b.block, b.depth, k);
    for (const auto& t : b.terms) md += fmt::format(" {:.4f} |", t.value);
    md += fmt::format(" {} |\n", b.zero_stable ? "yes" : "no (outside " + b.stable_range + ")");
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

namespace {

// gnuplot's default fonts lack − and ≤: the range in ASCII ("-1 < k <= 1").
std::string ascii_range(std::string text) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"−", "-"}, {"≤", "<="}, {"≥", ">="}})
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) text.replace(at, from.size(), to);
  return text;
}

}  // namespace

void plot_k_by_depth(const std::vector<std::pair<std::string, RunAnalysis>>& runs, const std::string& title,
                     const std::string& base) {
  Plot plot;
  plot.title = title;
  plot.xlabel = "step n (depth)";
  plot.ylabel = "learned k_n (mean over channels)";
  double lo = 1e300, hi = -1e300, first = 1e300, last = -1e300;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& [label, a] = runs[i];
    if (a.blocks.empty()) continue;
    PlotSeries k{label, {}, {}, "linespoints lw 1.5 pt 7 ps 0.8 " + group_colour(i)};
    for (const auto& b : a.blocks) {
      k.x.push_back(b.depth), k.y.push_back(b.k);
      lo = std::min(lo, b.k), hi = std::max(hi, b.k), first = std::min<double>(first, b.depth), last = std::max<double>(last, b.depth);
    }
    plot.series.push_back(k);
  }
  if (plot.series.empty()) return;
  const double pad = std::max(0.15 * (hi - lo), 0.02), bottom = lo - pad, top = hi + pad;
  plot.extra = {fmt::format("set yrange [{}:{}]", bottom, top), fmt::format("set xrange [{}:{}]", first - 0.7, last + 0.7)};
  // The zero-stability bounds (as the scheme gives them) where the range shows them; otherwise a
  // note that every k_n is inside.
  const RunAnalysis& shown = runs.front().second;
  bool any_shown = false;
  for (double bound : shown.stability_bounds)
    if (bound > bottom && bound < top) {
      any_shown = true;
      plot.series.push_back({fmt::format("zero-stability bound k = {:g}", bound), {first - 0.7, last + 0.7}, {bound, bound},
                             "lines dt 2 lw 1.5 lc rgb 'gray30'"});
    }
  if (!any_shown && !shown.blocks.empty() && !shown.blocks.front().stable_range.empty())
    plot.extra.push_back(fmt::format("set label 'every k_n inside the zero-stability range {}' at graph 0.02, graph 0.04 font ',10'",
                                     ascii_range(shown.blocks.front().stable_range)));
  // Stage boundaries: before each stage's first step but the first.
  for (size_t s = 1; s < runs.front().second.stages.size(); ++s) {
    const auto& [depth, name] = runs.front().second.stages[s];
    plot.extra.push_back(fmt::format("set arrow from {0}, graph 0 to {0}, graph 1 nohead dt 3 lc rgb 'gray50'", depth - 0.5));
    plot.extra.push_back(fmt::format("set label '{}' at {}, graph 0.96 left font ',9' tc rgb 'gray40'", name, depth - 0.4));
  }
  if (!runs.front().second.stages.empty())
    plot.extra.push_back(fmt::format("set label '{}' at {}, graph 0.96 left font ',9' tc rgb 'gray40'",
                                     runs.front().second.stages.front().second, first - 0.6));
  if (last - first <= 30) plot.extra.push_back("set xtics 1");
  for (const auto& line : key_below(plot.series.size())) plot.extra.push_back(line);
  render_plot(plot, base);
}

nlohmann::json to_json(const RunAnalysis& a) {
  nlohmann::json blocks = nlohmann::json::array();
  for (const auto& b : a.blocks)
  {
    nlohmann::json block{{"block", b.block}, {"depth", b.depth}, {"k", b.k}, {"k_range", {b.k_min, b.k_max}},
                         {"zero_stable", b.zero_stable}};
    for (const auto& t : b.terms) block[t.key] = t.value;
    blocks.push_back(block);
  }
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
    j["decay_error_ratio"] = {{"against", a.without_name},
                              {"measured", a.measured_error_ratio},
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
    const std::string stage = item.key().substr(0, item.key().rfind('.') == std::string::npos ? 0 : item.key().rfind('.'));
    if (a.stages.empty() || a.stages.back().second != stage) a.stages.emplace_back(depth, stage);
    torch::Tensor k = step->learned_k();
    if (!k.defined()) continue;
    BlockCoefficient b;
    b.block = item.key();
    b.depth = depth;
    b.k = k.mean().item<double>();
    b.k_min = k.min().item<double>();
    b.k_max = k.max().item<double>();
    const auto meaning = scheme->learned_coefficient(b.k);
    if (!meaning) continue;  // a step whose scheme does not say what its coefficient means
    b.terms = meaning->terms;
    b.stable_range = meaning->stable_range;
    b.zero_stable = scheme->learned_coefficient(b.k_min)->zero_stable && scheme->learned_coefficient(b.k_max)->zero_stable;
    a.blocks.push_back(b);
  }
  if (!a.scheme.stochastic && a.scheme.not_an_integrator.empty()) {
    // e(t1) ≈ C Δt^p: C from 1000 steps of the scheme as an integrator.
    OdeProblem problem = make_problem(natural_problem(a.scheme, OdeProblemKind::kDecay));
    const int steps = 1000;
    double dt = problem.t1 / steps;
    a.error_problem = problem.name;
    a.measured_error_constant = integrate(*scheme, problem, steps, problem.t1).error / std::pow(dt, a.scheme.order);
    // Forward Euler on u' = −u: e(t) = t e^{−t} Δt / 2 + O(Δt²); LM with fixed k: (1 − k)/(1 + k) times that.
    if (problem.kind == OdeProblemKind::kDecay && a.scheme.decay_error_constant != 0)
      a.predicted_error_constant = a.scheme.decay_error_constant;
  }
  if (!a.blocks.empty()) {
    for (const auto& b : a.blocks) a.mean_k += b.k / static_cast<double>(a.blocks.size());
    const LearnedCoefficientMeaning mean = *scheme->learned_coefficient(a.mean_k);
    OdeProblem decay = make_problem(OdeProblemKind::kDecay);
    a.measured_error_ratio = integrate(*mean.fixed, decay, 1000, 1.0).error / integrate(*mean.without, decay, 1000, 1.0).error;
    const double fixed_constant = mean.fixed->info().decay_error_constant, without_constant = mean.without->info().decay_error_constant;
    a.predicted_error_ratio = fixed_constant != 0 && without_constant != 0 ? fixed_constant / without_constant : std::nan("");
    a.fixed_name = mean.fixed_name;
    a.without_name = mean.without_name;
    a.ratio_formula = mean.ratio_formula;
    a.stability_bounds = mean.stability_bounds;
  }
  return a;
}

}  // namespace odenet
