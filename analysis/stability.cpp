#include "analysis/stability.h"

#include <vector>

#include "analysis/plots.h"

#include "discretizations/linear_multistep.h"

namespace odenet {

std::complex<double> amplification_factor(const ButcherTableau& t, std::complex<double> z) {
  // Stage values on u' = λu with u_n = 1: g_i = 1 + z Σ_{j<i} a_ij g_j; R = 1 + z Σ b_i g_i.
  const size_t s = t.b.size();
  std::vector<std::complex<double>> g(s);
  std::complex<double> r = 1.0;
  for (size_t i = 0; i < s; ++i) {
    g[i] = 1.0;
    for (size_t j = 0; j < i; ++j) g[i] += z * t.a[i][j] * g[j];
    r += z * t.b[i] * g[i];
  }
  return r;
}

bool in_stability_region(const ButcherTableau& tableau, std::complex<double> z) {
  return std::abs(amplification_factor(tableau, z)) <= 1.0 + 1e-12;
}

bool lm_zero_stable(double k) { return zero_stable({1.0 - k, k}); }

std::complex<double> neumann_amplification_factor(int terms, std::complex<double> z) {
  std::complex<double> r = 1.0, power = 1.0;
  for (int j = 1; j <= terms; ++j) r += (power *= z);
  return r;
}

std::vector<std::complex<double>> stability_boundary(const std::function<std::complex<double>(std::complex<double>)>& r,
                                                     double re_min, double re_max, double im_max, int resolution) {
  std::vector<std::complex<double>> points;
  const double dx = (re_max - re_min) / resolution, dy = 2 * im_max / resolution;
  auto inside = [&](int i, int j) { return std::abs(r({re_min + i * dx, -im_max + j * dy})) <= 1.0 + 1e-12; };
  std::vector<std::vector<bool>> grid(resolution + 1, std::vector<bool>(resolution + 1));
  for (int i = 0; i <= resolution; ++i)
    for (int j = 0; j <= resolution; ++j) grid[i][j] = inside(i, j);
  for (int i = 0; i <= resolution; ++i)
    for (int j = 0; j <= resolution; ++j) {
      if (i < resolution && grid[i][j] != grid[i + 1][j]) points.emplace_back(re_min + (i + 0.5) * dx, -im_max + j * dy);
      if (j < resolution && grid[i][j] != grid[i][j + 1]) points.emplace_back(re_min + i * dx, -im_max + (j + 0.5) * dy);
    }
  return points;
}

void plot_stability(const std::string& dir) {
  Plot regions;
  regions.title = "absolute stability regions |R(z)| <= 1 of the one-step schemes (z = lambda dt)";
  regions.xlabel = "Re z";
  regions.ylabel = "Im z";
  regions.extra = {"set key below", "set size ratio -1", "set xrange [-4.5:1]", "set yrange [-3.5:3.5]"};
  // Every explicit s-stage method of order s ≤ 4 has R(z) = Σ_{j≤s} z^j/j!: midpoint, ralston and fractal rk2
  // share heun's region, rk38 shares rk4's.
  auto add = [&](const std::string& label, const std::function<std::complex<double>(std::complex<double>)>& r) {
    PlotSeries s{label, {}, {}, "points pt 7 ps 0.25"};
    for (auto z : stability_boundary(r, -4.5, 1.0, 3.5, 500)) s.x.push_back(z.real()), s.y.push_back(z.imag());
    regions.series.push_back(s);
  };
  for (const char* name : {"euler", "heun", "rk4"})
    for (const auto& t : butcher_presets())
      if (t.name == name) {
        std::string label = t.name == std::string("euler") ? "forward Euler / ResNet" :
                            t.name == std::string("heun") ? "RK2: heun, midpoint, ralston, fractal rk2" : "RK4, rk38";
        add(label, [&t](std::complex<double> z) { return amplification_factor(t, z); });
      }
  add("PolyNet fixed point / literal, K = 2", [](std::complex<double> z) { return neumann_amplification_factor(2, z); });
  render_plot(regions, dir + "/stability_regions");

  Plot roots;
  roots.title = "root condition of the LM step: largest |root| of (zeta - 1)(zeta + k)";
  roots.xlabel = "k";
  roots.ylabel = "max |zeta|";
  roots.extra = {"set key below", "set yrange [0:3.2]"};
  PlotSeries modulus{"max |zeta| (zero-stable where <= 1, k != -1)", {}, {}, "lines lw 2"};
  for (int i = 0; i <= 400; ++i) {
    double k = -3 + 6.0 * i / 400;
    modulus.x.push_back(k);
    modulus.y.push_back(std::max(1.0, std::abs(k)));
  }
  roots.series = {modulus, {"zero-stable range -1 < k <= 1", {-1, 1}, {1, 1}, "lines lw 6 lc rgb 'forest-green'"}};
  render_plot(roots, dir + "/lm_root_condition");
}

}  // namespace odenet
