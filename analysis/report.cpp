#include "analysis/report.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analysis/comparison_table.h"
#include "analysis/plots.h"
#include "analysis/run_analysis.h"
#include "analysis/significance.h"
#include "analysis/trained_ode.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/trainer.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

std::string run_name(const std::string& dir) { return fs::path(dir).filename().string(); }

// The two sides to compare: as asked, or the two schemes the runs use.
std::pair<std::string, std::string> comparison_sides(const std::vector<TableRow>& rows, const ReportOptions& o) {
  if (!o.compare_a.empty()) return {o.compare_a, o.compare_b};
  std::set<std::string> schemes;
  for (const auto& r : rows) schemes.insert(r.config["model"].value("scheme", nlohmann::json::object()).value("name", ""));
  if (schemes.size() != 2) return {};
  std::string a = *schemes.begin(), b = *schemes.rbegin();
  if (b == "forward_euler") std::swap(a, b);
  return {a, b};
}

// Mean test (solid) and training (dashed) error by epoch of each group, over its seeds.
void plot_mean_curves(const std::vector<TableRow>& rows, const std::vector<RunRecord>& runs, const std::string& title,
                      const std::string& base) {
  Plot curves;
  curves.title = title;
  curves.xlabel = "epoch";
  curves.ylabel = "error (%)";
  long epochs = 0;
  for (const auto& row : rows) {
    std::map<long, std::pair<double, double>> sums;  // epoch → (Σ test, Σ train)
    std::map<long, int> counts;
    for (const auto& r : runs) {
      nlohmann::json rest = r.config, row_rest = row.config;
      rest.erase("seed"), row_rest.erase("seed");
      if (rest != row_rest) continue;
      auto metrics = read_metrics_file(r.dir + "/metrics.jsonl");
      if (metrics.empty()) throw DataError(r.dir + "/metrics.jsonl: no epochs");
      for (const auto& m : metrics) {
        sums[m.epoch].first += m.test_error;
        sums[m.epoch].second += m.train_error;
        counts[m.epoch]++;
        epochs = std::max(epochs, m.epoch);
      }
    }
    const std::string label = row.runs > 1 ? fmt::format("{} (mean of {})", row.group, row.runs) : row.group;
    PlotSeries test{label + " test", {}, {}, "linespoints pt 7"}, train{label + " train", {}, {}, "linespoints dt 2 pt 6"};
    for (const auto& [epoch, s] : sums) {
      test.x.push_back(epoch), test.y.push_back(s.first / counts[epoch]);
      train.x.push_back(epoch), train.y.push_back(s.second / counts[epoch]);
    }
    curves.series.push_back(test);
    curves.series.push_back(train);
  }
  curves.extra = {"set key below"};
  if (epochs <= 20) curves.extra.push_back("set xtics 1");
  render_plot(curves, base);
}

// The paper's compression figure: final test error of each group against its parameter count,
// with the published figures the experiment declares; its markdown section.
std::string error_against_parameters_section(const std::vector<TableRow>& rows, const std::string& experiment,
                                             const std::string& figures) {
  Plot compression;
  compression.title = experiment + ": final test error against parameters";
  compression.xlabel = "parameters";
  compression.ylabel = "final test error (%)";
  compression.extra = {"set key below", "set offsets graph 0.1, graph 0.1, graph 0.1, graph 0.1"};
  for (const auto& row : rows)
    compression.series.push_back({row.group + " (" + row.scheme + ")", {double(row.params)}, {row.final_mean}, "points pt 7 ps 1.5"});
  PlotSeries paper{"published (the experiment's reference)", {}, {}, "points pt 4 ps 2 lc rgb 'black'"};
  for (const auto& row : rows)
    if (row.reference) paper.x.push_back(double(row.params)), paper.y.push_back(*row.reference);
  if (!paper.x.empty()) compression.series.push_back(paper);
  render_plot(compression, figures + "/error_vs_params");
  std::string md = "\n## Error against parameters\n\n![Final test error of each group against its parameter count](figures/error_vs_params.png)\n\n"
                   "Final test error (mean over runs) of each group against its parameter count";
  return md + (paper.x.empty() ? ".\n" : ", with the published figures the experiment declares (open squares) on the same axes.\n");
}

// Modified-equation analysis of every run, with the learned k_n of LM runs (plot and table).
std::string modified_equations_section(const std::vector<RunRecord>& runs, const std::string& figures) {
  std::string md = "\n## Modified equations\n\n";
  for (const auto& r : runs) {
    RunAnalysis a;
    try {
      a = analyze_run(r.dir);
    } catch (const DataError& e) {
      md += fmt::format("- **{}**: no analysis ({})\n", run_name(r.dir), e.what());
      continue;
    }
    md += fmt::format("- **{}** ({}): {}", run_name(r.dir), a.scheme.name, a.modified_equation);
    if (a.measured_error_constant >= 0) {
      md += fmt::format("; global error constant on '{}': measured {:.4f}", a.error_problem, a.measured_error_constant);
      if (a.predicted_error_constant >= 0) md += fmt::format(", predicted {:.4f}", a.predicted_error_constant);
    }
    md += "\n";
    if (a.blocks.empty()) continue;
    std::string name = "k_" + run_name(r.dir);
    plot_k_by_depth(a, "learned k_n of " + run_name(r.dir), figures + "/" + name);
    md += fmt::format("\n![Learned k_n of {} against depth, with the zero-stability range](figures/{}.png)\n\n", run_name(r.dir), name);
    md += format_k_table(a.blocks);
    md += fmt::format("\nMean k = {:.4f}: an LM integrator with this k has {:.3f}× forward Euler's global error on "
                      "u' = −u (predicted (1 − k)/(1 + k) = {:.3f}).\n\n",
                      a.mean_k, a.measured_error_ratio, a.predicted_error_ratio);
  }
  return md;
}

// The trained-network-as-ODE analyses of the runs (what `odenet ode RUN --out RUN/ode` wrote),
// their figures copied beside the report's; and, over runs of several depths, the parameters'
// norms and increments against depth.
std::string ode_section(const std::vector<RunRecord>& runs, const std::string& figures) {
  std::string md;
  for (const auto& r : runs) {
    const fs::path dir = fs::path(r.dir) / "ode";
    if (!fs::exists(dir / "ode.md")) continue;
    std::string text = read_text_file((dir / "ode.md").string());
    const std::string prefix = "ode_" + run_name(r.dir) + "_";
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string(), extension = entry.path().extension().string();
      if (extension != ".png" && extension != ".svg") continue;
      fs::copy_file(entry.path(), fs::path(figures) / (prefix + name), fs::copy_options::overwrite_existing);
      for (size_t at = 0; (at = text.find("](" + name + ")", at)) != std::string::npos; at += name.size())
        text.replace(at, name.size() + 3, "](figures/" + prefix + name + ")");
    }
    // One level below the report's sections.
    std::string demoted;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) demoted += (line.rfind("#", 0) == 0 ? "##" + line : line) + "\n";
    md += "\n" + demoted;
  }
  std::set<std::string> depths;  // from the configs: the checkpoints are read only for a fit
  for (const auto& r : runs) depths.insert(r.config.value("model", nlohmann::json::object()).value("depth", nlohmann::json()).dump());
  std::vector<SmoothnessReport> smoothness;
  std::set<int64_t> fitted;
  for (const auto& r : runs) {
    if (depths.size() < 2) break;
    try {
      smoothness.push_back(smoothness_study(r.dir));
      fitted.insert(smoothness.back().depth);
    } catch (const Error&) {  // a layout without stages, or no checkpoint: not part of the fit
    }
  }
  if (fitted.size() >= 2) {
    const DepthScaling scaling = depth_scaling(smoothness);
    plot_depth_scaling(smoothness, scaling, figures);
    md += "\n## Parameters against depth\n\n" + format_depth_scaling(scaling, smoothness) +
          "\n![Largest parameter norm of a step against depth, per stage](figures/depth_scaling_norms.png)\n"
          "\n![Largest parameter increment between consecutive steps against depth, per stage](figures/depth_scaling_increments.png)\n";
  }
  return md.empty() ? md : "\n## The trained networks as ODEs\n" + md;
}

}  // namespace

std::string write_report(const std::string& experiment_dir, const std::string& out_dir, const ReportOptions& options) {
  std::vector<std::string> skipped;
  auto runs = collect_runs({experiment_dir}, skipped);
  auto rows = build_table(runs);
  const std::string experiment = runs.front().config.value("experiment", run_name(experiment_dir));
  const std::string figures = out_dir + "/figures";
  fs::create_directories(figures);

  std::string md = fmt::format("# {}\n\nGenerated by `odenet report {}` from {} finished run(s).\n\n", experiment,
                               experiment_dir, runs.size());
  for (const auto& s : skipped) md += "- left out: " + s + "\n";
  md += "\n## Comparison\n\nTest error in %, mean ± sample standard deviation over runs where a group has several.\n\n";
  md += format_table(rows, "markdown");

  // Significance of one scheme against the other, row by row.
  auto [side_a, side_b] = comparison_sides(rows, options);
  if (!side_a.empty()) {
    auto pairs = compare_rows(rows, side_a, side_b);
    md += fmt::format("\n## {} against {}\n\nFinal test error over seeds, B − A with its 95 % confidence interval and "
                      "the two-sided p-value of Welch's t-test (n/a where a side has a single seed).\n\n",
                      side_b, side_a);
    md += format_comparison(pairs, side_a, side_b, "markdown");
  }

  plot_mean_curves(rows, runs, experiment + ": error by epoch", figures + "/curves");
  md += "\n## Training curves\n\n![Mean training (dashed) and test (solid) error by epoch of each group](figures/curves.png)\n\n"
        "Training (dashed) and test (solid) error by epoch, averaged over each group's seeds.\n";

  md += error_against_parameters_section(rows, experiment, figures);

  md += modified_equations_section(runs, figures);
  md += ode_section(runs, figures);
  std::string path = out_dir + "/report.md";
  write_file_atomic(path, md);
  return path;
}

}  // namespace odenet
