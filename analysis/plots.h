// Plots through gnuplot (Debian's gnuplot-nox): each figure is written as PNG
// and SVG, with its data and script beside it so it can be re-made or edited.
#pragma once
#include <string>
#include <vector>

namespace odenet {

struct PlotSeries {
  std::string title;
  std::vector<double> x, y;
  std::string style = "linespoints";  ///< gnuplot "with" clause
};

struct Plot {
  std::string title, xlabel, ylabel;
  std::vector<PlotSeries> series;
  bool log_x = false, log_y = false;
  std::vector<std::string> extra;  ///< further gnuplot commands (e.g. "set yrange [-2:2]")
};

/// Writes `<base>.png`, `<base>.svg`, `<base>.dat` and `<base>.gp`; a missing
/// gnuplot or a failed render is an Error naming the script.
void render_plot(const Plot& plot, const std::string& base);

}  // namespace odenet
