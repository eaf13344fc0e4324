#include "analysis/stability.h"

#include <vector>

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

}  // namespace odenet
