#include "analysis/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace odenet {
namespace {

TEST(Statistics, IncompleteBetaMatchesTheBinomialSum) {
  // I_x(a, n − a + 1) = P(Binomial(n, x) ≥ a): I_0.4(2, 3) = 6·0.4²·0.6² + 4·0.4³·0.6 + 0.4⁴ = 0.5248.
  EXPECT_NEAR(incomplete_beta(2, 3, 0.4), 0.5248, 1e-12);
  EXPECT_NEAR(incomplete_beta(1, 1, 0.3), 0.3, 1e-12);  // the uniform distribution
  EXPECT_NEAR(incomplete_beta(0.5, 0.5, 0.5), 0.5, 1e-12);  // symmetric
  EXPECT_EQ(incomplete_beta(2, 5, 0), 0);
  EXPECT_EQ(incomplete_beta(2, 5, 1), 1);
}

TEST(Statistics, StudentTMatchesKnownValues) {
  auto two_sided = [](double t, double dof) { return 2 * (1 - student_t_cdf(std::abs(t), dof)); };
  EXPECT_NEAR(two_sided(2.0, 4), 0.1161, 5e-5);                 // the value
  EXPECT_NEAR(two_sided(1.0, 1), 0.5, 1e-12);                    // Cauchy: P(|T| > 1) = ½
  EXPECT_NEAR(student_t_cdf(1.0, 2), 0.5 + 0.5 / std::sqrt(3.0), 1e-12);  // closed form for ν = 2: ½ + t/(2√(2 + t²))
  EXPECT_NEAR(two_sided(1.96, 1e7), 0.05, 1e-4);                 // the normal limit
  EXPECT_DOUBLE_EQ(student_t_cdf(0.0, 3), 0.5);
  EXPECT_NEAR(student_t_cdf(-2.0, 4), 0.1161 / 2, 3e-5);
  // Quantiles of the 95 % two-sided interval (tables): 12.706, 2.776, 2.228.
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.7764, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.2281, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.025, 10), -2.2281, 1e-4);
}

// Holm's step-down correction on a worked case: p = (0.01, 0.04, 0.03, 0.005), m = 4, sorted
// 0.005, 0.01, 0.03, 0.04 → 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06.
TEST(Statistics, HolmCorrectionByHand) {
  const auto adjusted = holm_adjust({0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(adjusted.size(), 4u);
  EXPECT_DOUBLE_EQ(adjusted[0], 0.03);
  EXPECT_DOUBLE_EQ(adjusted[1], 0.06);
  EXPECT_DOUBLE_EQ(adjusted[2], 0.06);
  EXPECT_DOUBLE_EQ(adjusted[3], 0.02);
  const auto with_untested = holm_adjust({0.01, std::nan(""), 0.4});  // m = 2: the NaN is no test
  EXPECT_DOUBLE_EQ(with_untested[0], 0.02);
  EXPECT_TRUE(std::isnan(with_untested[1]));
  EXPECT_DOUBLE_EQ(with_untested[2], 0.4);
  EXPECT_DOUBLE_EQ(holm_adjust({0.6, 0.7})[0], 1.0);  // capped at 1
}

TEST(Statistics, WelchTestByHand) {
  // a = {1, 2, 3}: mean 2, variance 1; b = {4, 6, 8}: mean 6, variance 4.
  // se² = 1/3 + 4/3 = 5/3; t = 4/√(5/3) = 3.0984; ν = (5/3)² / ((1/3)²/2 + (4/3)²/2) = 2.9412.
  auto r = welch_test({1, 2, 3}, {4, 6, 8});
  ASSERT_TRUE(r.defined);
  EXPECT_DOUBLE_EQ(r.difference, 4.0);
  EXPECT_NEAR(r.t, 4.0 / std::sqrt(5.0 / 3.0), 1e-12);
  EXPECT_NEAR(r.dof, (25.0 / 9.0) / ((1.0 / 9.0) / 2 + (16.0 / 9.0) / 2), 1e-12);
  EXPECT_NEAR(r.p, 2 * (1 - student_t_cdf(r.t, r.dof)), 1e-15);
  const double half = student_t_quantile(0.975, r.dof) * std::sqrt(5.0 / 3.0);
  EXPECT_NEAR(r.ci_low, 4.0 - half, 1e-9);
  EXPECT_NEAR(r.ci_high, 4.0 + half, 1e-9);
  EXPECT_GT(r.p, 0.05);  // the interval contains 0 exactly when p > 0.05
  EXPECT_LT(r.ci_low, 0.0);
}

TEST(Statistics, WelchTestWithUnequalSeedCountsAndItsUndefinedCases) {
  auto r = welch_test({8.1, 8.3, 8.2, 8.4, 8.0}, {7.6, 7.9});
  ASSERT_TRUE(r.defined);
  EXPECT_NEAR(r.difference, 7.75 - 8.2, 1e-12);
  EXPECT_LT(r.t, 0);
  // ν lies between the smaller side's n − 1 and the sum of both.
  EXPECT_GE(r.dof, 1.0);
  EXPECT_LE(r.dof, 5.0);
  auto one_seed = welch_test({8.1}, {7.6, 7.9});
  EXPECT_FALSE(one_seed.defined);
  EXPECT_EQ(one_seed.why_undefined, "needs 2 or more seeds on each side");
  EXPECT_NEAR(one_seed.difference, 7.75 - 8.1, 1e-12);
  EXPECT_FALSE(welch_test({1, 1}, {2, 2}).defined);  // no spread: nothing to divide by
  EXPECT_FALSE(welch_test({}, {1, 2}).defined);
}

}  // namespace
}  // namespace odenet
