#include "analysis/plots.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/atomic_file.h"
#include "core/shell_command.h"
#include "core/error.h"

namespace odenet {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string group_colour(size_t index) {
  // A colour-blind-safe cycle (Okabe & Ito 2008), then gnuplot's own.
  static const char* const colours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return index < 8 ? fmt::format("lc rgb '{}'", colours[index]) : fmt::format("lc {}", index + 1);
}

std::vector<std::string> key_below(size_t entries, size_t rows, size_t longest_title) {
  // Two columns of titles longer than ~45 characters overflow a 900-pixel plot: then one column.
  if (rows == 0) rows = entries <= 4 || longest_title > 45 ? std::max<size_t>(entries, 1) : (entries + 1) / 2;
  return {fmt::format("set key below vertical maxrows {}", rows), fmt::format("set bmargin {}", 5 + rows)};
}

std::vector<std::string> tics_at_values(std::vector<double> values, const std::function<std::string(double)>& label,
                                        double min_gap) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  if (values.empty()) return {};
  const double lo = values.front(), hi = values.back();
  const double span = hi > lo ? hi - lo : std::max(std::abs(lo), 1.0) * 0.1;
  std::string tics;
  double last = -1e300;
  for (double v : values) {
    if (v - last < min_gap * span) continue;  // too close to the previous tic to be read apart
    tics += fmt::format("{}\"{}\" {:.10g}", tics.empty() ? "" : ", ", label(v), v);
    last = v;
  }
  return {"set xtics (" + tics + ")", fmt::format("set xrange [{:.10g}:{:.10g}]", lo - 0.1 * span, hi + 0.1 * span)};
}

void render_plot(const Plot& plot, const std::string& base) {
  std::filesystem::path dir = std::filesystem::path(base).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);
  std::ostringstream data;
  for (size_t s = 0; s < plot.series.size(); ++s) {
    data << "# " << plot.series[s].title << "\n";
    const auto& series = plot.series[s];
    for (size_t i = 0; i < series.x.size(); ++i) {
      data << fmt::format("{:.10g} {:.10g}", series.x[i], series.y[i]);
      if (i < series.low.size() && i < series.high.size()) data << fmt::format(" {:.10g} {:.10g}", series.low[i], series.high[i]);
      data << "\n";
    }
    data << "\n\n";  // gnuplot data-set separator (index s)
  }
  write_file_atomic(base + ".dat", data.str());

  std::ostringstream script;
  script << "set title " << quoted(plot.title) << "\nset xlabel " << quoted(plot.xlabel) << "\nset ylabel "
         << quoted(plot.ylabel) << "\nset grid\nset key top right\n";
  if (plot.log_x) script << "set logscale x\n";
  if (plot.log_y) script << "set logscale y\nset format y \"%.0e\"\n";
  for (const auto& line : plot.extra) script << line << "\n";
  std::string plots;
  for (size_t s = 0; s < plot.series.size(); ++s)
    plots += fmt::format("{}{} index {} using {} with {} {}", s ? ", " : "",
                         quoted(std::filesystem::path(base + ".dat").filename().string()), s, plot.series[s].columns,
                         plot.series[s].style, plot.series[s].title.empty() ? "notitle" : "title " + quoted(plot.series[s].title));
  // noenhanced: names such as lm_resnet20_s0 are printed as written, not as subscripts.
  for (const auto& [terminal, extension] :
       {std::pair<std::string, std::string>{"pngcairo noenhanced size 900,600 font \",11\"", "png"},
        {"svg noenhanced size 900,600 dynamic", "svg"}}) {
    script << "set terminal " << terminal << "\nset output "
           << quoted(std::filesystem::path(base + "." + extension).filename().string()) << "\nplot " << plots
           << "\nunset output\n";
  }
  write_file_atomic(base + ".gp", script.str());
  const ShellResult gnuplot = run_shell_command(fmt::format("cd {} && gnuplot {}", quoted(dir.empty() ? "." : dir.string()),
                                                            quoted(std::filesystem::path(base + ".gp").filename().string())));
  if (gnuplot.status != 0)
    throw Error(fmt::format("{}.gp: gnuplot failed ({}): {}", base,
                            gnuplot.status == 127 ? "is gnuplot-nox installed?" : "exit " + std::to_string(gnuplot.status),
                            gnuplot.output));
}

}  // namespace odenet
