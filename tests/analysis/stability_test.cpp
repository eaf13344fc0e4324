#include "analysis/stability.h"

#include <gtest/gtest.h>

#include <complex>

#include "analysis/step_stability.h"

namespace odenet {
namespace {

const ButcherTableau& tableau(const std::string& name) {
  for (const auto& t : butcher_presets())
    if (t.name == name) return t;
  throw std::runtime_error(name);
}

TEST(Stability, KnownPointsOfTheRegions) {
  EXPECT_TRUE(in_stability_region(tableau("euler"), -1.0));
  EXPECT_FALSE(in_stability_region(tableau("euler"), -3.0));
  EXPECT_TRUE(in_stability_region(tableau("euler"), -2.0));  // the boundary |1 + z| = 1
  EXPECT_TRUE(in_stability_region(tableau("rk4"), -2.7));
  EXPECT_FALSE(in_stability_region(tableau("rk4"), -2.9));
  EXPECT_TRUE(in_stability_region(tableau("heun"), std::complex<double>(-1.0, 1.0)));
  EXPECT_FALSE(in_stability_region(tableau("euler"), std::complex<double>(-1.0, 1.1)));
}

TEST(Stability, AmplificationFactorIsTheTruncatedExponential) {
  std::complex<double> z(-0.3, 0.4);
  EXPECT_LT(std::abs(amplification_factor(tableau("rk4"), z) - (1.0 + z + z * z / 2.0 + z * z * z / 6.0 + z * z * z * z / 24.0)), 1e-14);
  EXPECT_LT(std::abs(amplification_factor(tableau("midpoint"), z) - (1.0 + z + z * z / 2.0)), 1e-14);
}

TEST(Stability, BoundaryOfForwardEulerIsTheUnitCircleAroundMinusOne) {
  auto points = stability_boundary([](std::complex<double> z) { return amplification_factor(tableau("euler"), z); }, -3, 1,
                                   2, 200);
  ASSERT_GT(points.size(), 100u);
  for (auto z : points) EXPECT_NEAR(std::abs(z + 1.0), 1.0, 0.03) << z;  // within a grid cell (0.02)
}

TEST(Stability, NeumannStepOnALinearFieldIsTheTruncatedGeometricSeries) {
  std::complex<double> z(-0.4, 0.3);
  EXPECT_LT(std::abs(neumann_amplification_factor(2, z) - (1.0 + z + z * z)), 1e-15);
  EXPECT_LE(std::abs(neumann_amplification_factor(2, -0.5)), 1.0);
  EXPECT_GT(std::abs(neumann_amplification_factor(2, -1.5)), 1.0);  // 1 − 1.5 + 2.25 = 1.75
}

TEST(Stability, LmRootConditionIsMinusOneBelowKAtMostOne) {
  EXPECT_TRUE(lm_zero_stable(0.0));
  EXPECT_TRUE(lm_zero_stable(1.0));    // roots 1 and −1, simple
  EXPECT_TRUE(lm_zero_stable(-0.99));
  EXPECT_FALSE(lm_zero_stable(-1.0));  // double root at 1
  EXPECT_FALSE(lm_zero_stable(1.01));
  EXPECT_FALSE(lm_zero_stable(-1.5));
}

}  // namespace
}  // namespace odenet

namespace odenet {
namespace {

// The schemes after the paper that carry a velocity: the step probe's recursion on (u, v) has the
// spectral radius of momentum's [[1 + (1−γ)z, γ], [(1−γ)z, γ]] and of the leapfrog network's
// [[1 + z, 1], [z, 1]] (ü = λu, z = λΔt²: stable exactly on the real segment [−4, 0]).
double radius_2x2(std::complex<double> a, std::complex<double> b, std::complex<double> c, std::complex<double> d) {
  const auto trace = a + d, det = a * d - b * c, root = std::sqrt(trace * trace - 4.0 * det);
  return std::max(std::abs((trace + root) / 2.0), std::abs((trace - root) / 2.0));
}

TEST(Stability, MomentumAndLeapfrogStepsAreRecursionsOnTheStateAndItsVelocity) {
  for (double gamma : {0.0, 0.5, 0.9}) {
    StepStabilityProbe probe(*build_scheme(scheme_registry(), {{"name", "momentum"}, {"gamma", gamma}}, "-", ""));
    for (std::complex<double> z : {std::complex<double>(-0.5, 0.3), {-1.9, 0.0}, {0.2, 1.0}, {-3.0, 0.5}}) {
      const double expected = gamma == 0.0 ? std::abs(1.0 + z)  // ResNet: forward Euler's |1 + z|
                                           : radius_2x2(1.0 + (1 - gamma) * z, gamma, (1 - gamma) * z, gamma);
      EXPECT_NEAR(probe.spectral_radius(z), expected, 1e-9) << gamma << " " << z;
    }
  }
  StepStabilityProbe leapfrog(*build_scheme(scheme_registry(), "leapfrog_second_order", "-", ""));
  for (double x : {-0.1, -1.0, -2.5, -3.99}) EXPECT_NEAR(leapfrog.spectral_radius({x, 0.0}), 1.0, 1e-6) << x;
  for (double x : {0.1, -4.2}) EXPECT_GT(leapfrog.spectral_radius({x, 0.0}), 1.01) << x;
  EXPECT_GT(leapfrog.spectral_radius({-1.0, 0.1}), 1.0) << "off the real axis Störmer's rule grows";
}

}  // namespace
}  // namespace odenet
