// Linear stability of the schemes: the amplification factor R(z) of a
// one-step Runge–Kutta method on u' = λu (z = λΔt), and the root condition
// of the LM-ResNet two-step recursion in k.
#pragma once
#include <complex>

#include "discretizations/runge_kutta.h"

namespace odenet {

/// R(z) = 1 + z bᵀ (I − zA)^{-1} 1 for an explicit tableau.
std::complex<double> amplification_factor(const ButcherTableau& tableau, std::complex<double> z);
/// z lies in the absolute-stability region: |R(z)| ≤ 1.
bool in_stability_region(const ButcherTableau& tableau, std::complex<double> z);
/// The LM step u_{n+1} = (1 − k) u_n + k u_{n−1} (+ Δt f) is zero-stable iff −1 < k ≤ 1
/// (ρ(ζ) = (ζ − 1)(ζ + k): roots 1 and −k).
bool lm_zero_stable(double k);

}  // namespace odenet
