#include "analysis/statistics.h"

#include <algorithm>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace odenet {
namespace {

// Continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1)/(a + b + 2).
double beta_fraction(double a, double b, double x) {
  const double tiny = 1e-300, eps = 1e-15;
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::abs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));  // even step
    d = 1.0 + aa * d;
    c = 1.0 + aa / c;
    if (std::abs(d) < tiny) d = tiny;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));  // odd step
    d = 1.0 + aa * d;
    c = 1.0 + aa / c;
    if (std::abs(d) < tiny) d = tiny;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1.0) < eps) return h;
  }
  return h;
}

}  // namespace

double incomplete_beta(double a, double b, double x) {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1)) throw std::invalid_argument("incomplete_beta: a, b > 0, x in [0, 1]");
  if (x == 0 || x == 1) return x;
  // x^a (1 − x)^b / (a B(a, b)) in logs.
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_fraction(a, b, x) / a;
  return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;  // the symmetry I_x(a, b) = 1 − I_{1−x}(b, a)
}

double student_t_cdf(double t, double dof) {
  if (!(dof > 0)) throw std::invalid_argument("student_t_cdf: dof must be positive");
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  // P(|T| > |t|) = I_{ν/(ν + t²)}(ν/2, 1/2)
  const double tail = 0.5 * incomplete_beta(0.5 * dof, 0.5, dof / (dof + t * t));
  return t >= 0 ? 1.0 - tail : tail;
}

double student_t_quantile(double p, double dof) {
  if (!(p > 0) || !(p < 1)) throw std::invalid_argument("student_t_quantile: p must lie in (0, 1)");
  double lo = -1.0, hi = 1.0;
  while (student_t_cdf(lo, dof) > p) lo *= 2;
  while (student_t_cdf(hi, dof) < p) hi *= 2;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (student_t_cdf(mid, dof) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

WelchResult welch_test(const std::vector<double>& a, const std::vector<double>& b, double confidence) {
  WelchResult r;
  auto moments = [](const std::vector<double>& v, double& mean, double& var) {
    mean = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    var = 0;
    for (double x : v) var += (x - mean) * (x - mean);
    var = v.size() > 1 ? var / static_cast<double>(v.size() - 1) : 0.0;
  };
  if (a.empty() || b.empty()) {
    r.why_undefined = "no runs on one side";
    return r;
  }
  double ma, va, mb, vb;
  moments(a, ma, va);
  moments(b, mb, vb);
  r.difference = mb - ma;
  if (a.size() < 2 || b.size() < 2) {
    r.why_undefined = "needs 2 or more seeds on each side";
    return r;
  }
  const double sa = va / static_cast<double>(a.size()), sb = vb / static_cast<double>(b.size());
  const double se = std::sqrt(sa + sb);
  if (!(se > 0)) {
    r.why_undefined = "no spread over seeds on either side";
    return r;
  }
  r.defined = true;
  r.t = r.difference / se;
  // Welch–Satterthwaite degrees of freedom.
  r.dof = (sa + sb) * (sa + sb) / (sa * sa / static_cast<double>(a.size() - 1) + sb * sb / static_cast<double>(b.size() - 1));
  r.p = 2.0 * (1.0 - student_t_cdf(std::abs(r.t), r.dof));
  const double q = student_t_quantile(0.5 + 0.5 * confidence, r.dof);
  r.ci_low = r.difference - q * se;
  r.ci_high = r.difference + q * se;
  return r;
}

LineFit fit_line(const std::vector<double>& x, const std::vector<double>& y, double confidence) {
  LineFit f;
  f.points = x.size();
  if (x.size() != y.size() || x.size() < 2) return f;
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
  if (!(sxx > 0)) return f;
  f.defined = true;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  f.ci_low = f.ci_high = f.slope;
  if (x.size() < 3) return f;
  double sse = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double r = y[i] - f.intercept - f.slope * x[i];
    sse += r * r;
  }
  const double se = std::sqrt(sse / (n - 2) / sxx);
  const double q = student_t_quantile(0.5 + 0.5 * confidence, n - 2);
  f.ci_low = f.slope - q * se;
  f.ci_high = f.slope + q * se;
  return f;
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<size_t> order;
  for (size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(p.size(), std::nan(""));
  const double m = static_cast<double>(order.size());
  double running = 0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(rank)) * p[order[rank]]));
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

}  // namespace odenet
