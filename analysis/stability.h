// Linear stability of the schemes: the amplification factor R(z) of a
// one-step Runge–Kutta method on u' = λu (z = λΔt), and the root condition
// of the LM-ResNet two-step recursion in k.
#pragma once
#include <complex>
#include <functional>
#include <string>
#include <vector>

#include "discretizations/runge_kutta.h"

namespace odenet {

/// R(z) = 1 + z bᵀ (I − zA)^{-1} 1 for an explicit tableau.
std::complex<double> amplification_factor(const ButcherTableau& tableau, std::complex<double> z);
/// z lies in the absolute-stability region: |R(z)| ≤ 1.
bool in_stability_region(const ButcherTableau& tableau, std::complex<double> z);
/// The LM step u_{n+1} = (1 − k) u_n + k u_{n−1} (+ Δt f) is zero-stable iff −1 < k ≤ 1
/// (ρ(ζ) = (ζ − 1)(ζ + k): roots 1 and −k).
bool lm_zero_stable(double k);

/// R(z) of the Neumann / fixed-point PolyNet step with K terms on u' = λu: Σ_{j=0}^{K} z^j.
std::complex<double> neumann_amplification_factor(int terms, std::complex<double> z);

/// Points on the boundary |R(z)| = 1 of a stability region, found on a grid over
/// [re_min, re_max] × [−im_max, im_max] (a cell edge where membership changes).
std::vector<std::complex<double>> stability_boundary(const std::function<std::complex<double>(std::complex<double>)>& r,
                                                     double re_min, double re_max, double im_max, int resolution);

/// Writes the stability regions of the Runge–Kutta presets and the LM root
/// condition in k (largest root modulus of ρ) as PNG + SVG figures into `dir`.
void plot_stability(const std::string& dir);

}  // namespace odenet
