#include "analysis/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <functional>
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
#include "training/run_directory.h"
#include "training/trainer.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

std::string run_name(const std::string& dir) { return fs::path(dir).filename().string(); }

// The significance section: the two sides asked for, or every other scheme and depth against the
// baseline; a note where there is nothing to compare.
std::string significance_section(const std::vector<TableRow>& rows, const ReportOptions& o) {
  const std::string intro = "Final test error over seeds, B − A with its 95 % confidence interval, the two-sided p-value "
                            "of Welch's t-test, and that p-value corrected for the comparisons made together (Holm); "
                            "n/a where a side has a single seed.\n\n";
  if (!o.compare_a.empty())
    return fmt::format("\n## {} against {}\n\n", o.compare_b, o.compare_a) + intro +
           format_comparison(compare_rows(rows, o.compare_a, o.compare_b), o.compare_a, o.compare_b, TableFormat::kMarkdown);
  const std::string baseline = o.baseline.empty() ? default_baseline(rows) : o.baseline;
  if (baseline.empty()) return "\n## Significance\n\nEvery group uses one scheme: no scheme to compare with another.\n";
  const auto pairs = compare_with_baseline(rows, baseline);
  std::string md = fmt::format("\n## Against the baseline: {}\n\n", baseline);
  if (pairs.empty())
    return md + "No other group shares the baseline's data set, training protocol and depth: nothing to compare.\n";
  return md + intro + format_comparison(pairs, baseline, "compared", TableFormat::kMarkdown);
}

// Mean test (solid) and training (dashed) error by epoch of each group in the group's colour, with
// a band of ± one standard deviation over its seeds around the test curve.
void plot_mean_curves(const std::vector<TableRow>& rows, const std::string& title,
                      const std::string& base) {
  Plot curves;
  curves.title = title;
  curves.xlabel = "epoch";
  curves.ylabel = "error (%)";
  long epochs = 0;
  for (size_t g = 0; g < rows.size(); ++g) {
    const auto& row = rows[g];
    std::map<long, std::vector<double>> test_by_epoch, train_by_epoch;
    for (const auto& dir : row.dirs) {
      const std::string metrics_path = RunDirectory(dir).metrics_path();
      auto metrics = read_metrics_file(metrics_path);
      if (metrics.empty()) throw DataError(metrics_path + ": no epochs");
      for (const auto& m : metrics) {
        test_by_epoch[m.epoch].push_back(m.test_error);
        train_by_epoch[m.epoch].push_back(m.train_error);
        epochs = std::max(epochs, m.epoch);
      }
    }
    const std::string colour = group_colour(g);
    const std::string seeds = row.runs > 1 ? fmt::format(" (mean ± sd, {} seeds)", row.runs) : "";
    PlotSeries band{"", {}, {}, "filledcurves fs transparent solid 0.18 noborder " + colour},
        test{row.group + " test" + seeds, {}, {}, "linespoints lw 2 pt 7 ps 0.7 " + colour},
        train{row.group + " train", {}, {}, "lines dt 2 lw 1.5 " + colour};
    band.columns = "1:3:4";
    for (const auto& [epoch, values] : test_by_epoch) {
      const auto [mean, sd] = mean_std(values);
      test.x.push_back(epoch), test.y.push_back(mean);
      band.x.push_back(epoch), band.y.push_back(mean), band.low.push_back(mean - sd), band.high.push_back(mean + sd);
      train.x.push_back(epoch), train.y.push_back(mean_std(train_by_epoch[epoch]).first);
    }
    if (row.runs > 1) curves.series.push_back(band);
    curves.series.push_back(test);
    curves.series.push_back(train);
  }
  curves.extra = key_below(2 * rows.size(), rows.size() <= 3 ? 2 : 0);  // up to three groups: a column each
  if (epochs <= 20) curves.extra.push_back("set xtics 1");
  render_plot(curves, base);
}

// Final test error (mean ± sd over seeds) of each group against a cost (parameters, MACs,
// training time), x tics at the groups' own values; the published figures beside it where given.
void plot_error_against(const std::vector<TableRow>& rows, const std::string& experiment, const std::string& xlabel,
                        const std::function<double(const TableRow&)>& value,
                        const std::function<std::string(double)>& tic_label, bool with_reference, const std::string& base) {
  Plot plot;
  plot.title = experiment + ": final test error against " + xlabel;
  plot.xlabel = xlabel;
  plot.ylabel = "final test error (%)";
  std::vector<double> xs;
  for (size_t g = 0; g < rows.size(); ++g) {
    const auto& row = rows[g];
    PlotSeries point{row.group + " (" + row.scheme + ")" + (row.runs > 1 ? fmt::format(", {} seeds", row.runs) : ""),
                     {value(row)}, {row.final_mean}, "yerrorbars pt 7 ps 1.3 lw 1.5 " + group_colour(g)};
    point.low = {row.final_mean - row.final_std}, point.high = {row.final_mean + row.final_std};
    point.columns = "1:2:3:4";
    plot.series.push_back(point);
    xs.push_back(value(row));
  }
  PlotSeries paper{"published (the experiment's reference)", {}, {}, "points pt 4 ps 2 lc rgb 'black'"};
  for (const auto& row : rows)
    if (with_reference && row.reference) paper.x.push_back(value(row)), paper.y.push_back(*row.reference);
  if (!paper.x.empty()) plot.series.push_back(paper);
  plot.extra = tics_at_values(xs, tic_label);
  size_t longest = 0;
  for (const auto& series : plot.series) longest = std::max(longest, series.title.size());
  for (const auto& line : key_below(plot.series.size(), 0, longest)) plot.extra.push_back(line);
  plot.extra.push_back("set offsets 0, 0, graph 0.15, graph 0.15");
  render_plot(plot, base);
}

// 272096 → "272.1k", 40.6e6 → "40.6M".
std::string thousands(double v) {
  if (v >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.4g}k", v / 1e3);
  return fmt::format("{:.3g}", v);
}

// The paper's compression figure (error against parameters) and its companions against MACs and
// training time, with error bars over seeds; their markdown section.
std::string error_against_cost_section(const std::vector<TableRow>& rows, const std::string& experiment,
                                       const std::string& figures) {
  plot_error_against(rows, experiment, "parameters", [](const TableRow& r) { return double(r.params); }, thousands, true,
                     figures + "/error_vs_params");
  const bool macs = std::all_of(rows.begin(), rows.end(), [](const TableRow& r) { return r.macs > 0; });
  if (macs)
    plot_error_against(rows, experiment, "MACs per image", [](const TableRow& r) { return double(r.macs); }, thousands, false,
                       figures + "/error_vs_macs");
  plot_error_against(rows, experiment, "training time (s)",
                     [](const TableRow& r) { return r.seconds_per_epoch * static_cast<double>(r.epochs); },
                     [](double v) { return fmt::format("{:.0f}", v); }, false, figures + "/error_vs_time");
  const bool reference = std::any_of(rows.begin(), rows.end(), [](const TableRow& r) { return r.reference.has_value(); });
  std::string md = fmt::format(
      "\n## Error against cost\n\nFinal test error (mean ± one standard deviation over seeds) of each group against its "
      "parameter count{} and its training time (seconds per epoch × epochs, on the machine each run trained on){}\n\n",
      macs ? ", its multiply-accumulates per image" : "",
      reference ? "; the published figures the experiment declares are the open squares." : ".");
  md += "![Final test error of each group against its parameter count](figures/error_vs_params.png)\n";
  if (macs) md += "\n![Final test error of each group against its MACs per image](figures/error_vs_macs.png)\n";
  return md + "\n![Final test error of each group against its training time](figures/error_vs_time.png)\n";
}

// Modified-equation analysis of every run, with the learned k_n of LM runs: one figure per group
// (its seeds overlaid, stages marked) and a table per run.
std::string modified_equations_section(const std::vector<TableRow>& rows, const std::string& figures) {
  std::string md = "\n## Modified equations\n\n";
  for (const auto& row : rows) {
    std::vector<std::pair<std::string, RunAnalysis>> analysed;
    std::string text;
    for (const auto& dir : row.dirs) {
      RunAnalysis a;
      try {
        a = analyze_run(dir);
      } catch (const DataError& e) {
        text += fmt::format("- **{}**: no analysis ({})\n", run_name(dir), e.what());
        continue;
      }
      text += fmt::format("- **{}** ({}): {}", run_name(dir), a.scheme.name, a.modified_equation);
      if (a.measured_error_constant >= 0) {
        text += fmt::format("; global error constant on '{}': measured {:.4f}", a.error_problem, a.measured_error_constant);
        if (a.predicted_error_constant >= 0) text += fmt::format(", predicted {:.4f}", a.predicted_error_constant);
      }
      text += "\n";
      if (!a.blocks.empty()) {
        text += "\n" + format_k_table(a.blocks);
        text += fmt::format("\nMean k = {:.4f}: {} with this k has {:.3f}× {}'s global error on "
                            "u' = −u (predicted {} = {:.3f}).\n\n",
                            a.mean_k, a.fixed_name, a.measured_error_ratio, a.without_name, a.ratio_formula,
                            a.predicted_error_ratio);
        analysed.emplace_back(run_name(dir), a);
      }
    }
    if (!analysed.empty()) {
      const std::string name = "k_" + row.group;
      plot_k_by_depth(analysed, "learned k_n of " + row.group + (analysed.size() > 1 ? fmt::format(" ({} seeds)", analysed.size()) : ""),
                      figures + "/" + name);
      md += fmt::format("![Learned k_n of {} against depth, seeds overlaid, stages marked](figures/{}.png)\n\n", row.group, name);
    }
    md += text;
  }
  return md;
}

// The trained-network-as-ODE analyses of the runs (what `odenet ode RUN --out RUN/ode` wrote),
// their figures copied beside the report's; and, over runs of one network family at several
// depths, the parameters' norms and increments against depth.
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
  // A fit against depth needs one family at several depths: the runs' models alike but for the
  // depth (and the preset name), not several networks that happen to differ in depth.
  std::set<std::string> depths, families;  // from the configs: the checkpoints are read only for a fit
  for (const auto& r : runs) {
    nlohmann::json model = r.config.value("model", nlohmann::json::object());
    depths.insert(model.value("depth", nlohmann::json()).dump());
    model.erase("depth"), model.erase("preset");
    families.insert(model.dump());
  }
  std::vector<SmoothnessReport> smoothness;
  std::set<int64_t> fitted;
  for (const auto& r : runs) {
    if (depths.size() < 2 || families.size() > 1) break;
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

  const std::string command = options.command.empty() ? "odenet report " + experiment_dir : options.command;
  std::string md = fmt::format("# {}\n\nGenerated by `{}` from {} finished run(s).\n\n", experiment, command, runs.size());
  for (const auto& s : skipped) md += "- left out: " + s + "\n";
  md += "\n## Comparison\n\nTest error in %, mean ± sample standard deviation over runs where a group has several.\n\n";
  md += format_table(rows, TableFormat::kMarkdown);

  md += significance_section(rows, options);

  plot_mean_curves(rows, experiment + ": error by epoch", figures + "/curves");
  md += "\n## Training curves\n\n![Mean training (dashed) and test (solid) error by epoch of each group](figures/curves.png)\n\n"
        "Training (dashed) and test (solid) error by epoch, averaged over each group's seeds, one colour per group; "
        "the band is ± one standard deviation of the test error over the seeds.\n";

  md += error_against_cost_section(rows, experiment, figures);

  md += modified_equations_section(rows, figures);
  md += ode_section(runs, figures);
  std::string path = out_dir + "/report.md";
  write_file_atomic(path, md);
  return path;
}

}  // namespace odenet
