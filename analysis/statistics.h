// Significance over seeds: Student's t distribution (CDF through the
// regularised incomplete beta function, quantiles by bisection on it) and
// Welch's unequal-variance t-test with the confidence interval of the
// difference of means.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace odenet {

/// Regularised incomplete beta function I_x(a, b), x in [0, 1], a, b > 0 (continued fraction).
double incomplete_beta(double a, double b, double x);

/// P(T ≤ t) for Student's t with `dof` > 0 degrees of freedom (non-integer allowed).
double student_t_cdf(double t, double dof);

/// The t with P(T ≤ t) = p, p in (0, 1).
double student_t_quantile(double p, double dof);

/// Welch's test of mean(b) − mean(a).
struct WelchResult {
  bool defined = false;     ///< false: fewer than 2 values on a side, or no spread at all
  std::string why_undefined;
  double difference = 0;    ///< mean(b) − mean(a), defined with one value per side too
  double ci_low = 0, ci_high = 0;  ///< the confidence interval of the difference
  double t = 0, dof = 0;
  double p = 0;             ///< two-sided
};

/// `confidence` is the interval's level (0.95: 95 %).
WelchResult welch_test(const std::vector<double>& a, const std::vector<double>& b, double confidence = 0.95);

/// Holm's step-down correction of m p-values for multiple comparisons: sorted ascending,
/// p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)); returned in the input's order. NaN entries
/// (comparisons that could not be tested) are left out of m and stay NaN.
std::vector<double> holm_adjust(const std::vector<double>& p);

/// A least-squares line y = intercept + slope x with the `confidence` interval of its slope
/// (Student's t with n − 2 degrees of freedom; undefined with fewer than 3 points or no spread in x).
struct LineFit {
  bool defined = false;
  double slope = 0, intercept = 0;
  double ci_low = 0, ci_high = 0;  ///< of the slope (equal to it when there are only 2 points)
  size_t points = 0;
};
LineFit fit_line(const std::vector<double>& x, const std::vector<double>& y, double confidence = 0.95);

}  // namespace odenet
