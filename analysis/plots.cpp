#include "analysis/plots.h"

#include <fmt/format.h>

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

void render_plot(const Plot& plot, const std::string& base) {
  std::filesystem::path dir = std::filesystem::path(base).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);
  std::ostringstream data;
  for (size_t s = 0; s < plot.series.size(); ++s) {
    data << "# " << plot.series[s].title << "\n";
    for (size_t i = 0; i < plot.series[s].x.size(); ++i)
      data << fmt::format("{:.10g} {:.10g}\n", plot.series[s].x[i], plot.series[s].y[i]);
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
    plots += fmt::format("{}{} index {} using 1:2 with {} title {}", s ? ", " : "",
                         quoted(std::filesystem::path(base + ".dat").filename().string()), s, plot.series[s].style,
                         quoted(plot.series[s].title));
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
