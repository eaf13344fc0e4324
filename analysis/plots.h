// Plots through gnuplot (Debian's gnuplot-nox): each figure is written as PNG
// and SVG, with its data and script beside it so it can be re-made or edited.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace odenet {

struct PlotSeries {
  std::string title;  ///< empty: no key entry
  std::vector<double> x, y;
  std::string style = "linespoints";  ///< gnuplot "with" clause
  /// Optional third and fourth data columns (a band's or an error bar's low and high), and the
  /// columns the style reads: "1:3:4" for filledcurves between them, "1:2:3:4" for yerrorbars.
  std::vector<double> low, high;
  std::string columns = "1:2";
};

/// A colour of gnuplot's default cycle, by index (one per group: a group's series share it).
std::string group_colour(size_t index);

/// gnuplot commands for a key below the plot of `entries` entries (one column up to four, or
/// when a title is longer than 45 characters, else two; or columns of `rows` entries), with the
/// bottom margin it needs so it never overlaps the x label.
std::vector<std::string> key_below(size_t entries, size_t rows = 0, size_t longest_title = 0);

/// gnuplot commands that put x tics at `values` (distinct, at least `min_gap` of the axis span
/// apart) labelled by `label`, with the x range padded by 10 % (or ±10 % of one lone value).
std::vector<std::string> tics_at_values(std::vector<double> values, const std::function<std::string(double)>& label,
                                        double min_gap = 0.04);

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
