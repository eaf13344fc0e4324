#include "analysis/ode_problems.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "core/error.h"

namespace odenet {
namespace {

FieldFactory whole(std::function<torch::Tensor(const torch::Tensor&)> f) {
  auto field = std::make_shared<AnalyticFieldImpl>(std::move(f));
  return [field](FieldPart part) -> std::shared_ptr<FieldImpl> {
    if (part != FieldPart::kWhole) throw ConfigError("this problem is not partitioned: use 'oscillator'");
    return field;
  };
}

// Van der Pol reference: RK4 with 200,000 steps in plain double arithmetic.
std::vector<double> vanderpol_reference(double t1) {
  auto f = [](double x, double y, double& dx, double& dy) {
    dx = y;
    dy = (1 - x * x) * y - x;
  };
  const int n = 200000;
  const double h = t1 / n;
  double x = 2, y = 0;
  for (int i = 0; i < n; ++i) {
    double k1x, k1y, k2x, k2y, k3x, k3y, k4x, k4y;
    f(x, y, k1x, k1y);
    f(x + 0.5 * h * k1x, y + 0.5 * h * k1y, k2x, k2y);
    f(x + 0.5 * h * k2x, y + 0.5 * h * k2y, k3x, k3y);
    f(x + h * k3x, y + h * k3y, k4x, k4y);
    x += h / 6 * (k1x + 2 * k2x + 2 * k3x + k4x);
    y += h / 6 * (k1y + 2 * k2y + 2 * k3y + k4y);
  }
  return {x, y};
}

OdeProblem decay_problem() {
  OdeProblem p;
  p.equation = "u' = -u, u(0) = 1";
  p.t1 = 1;
  p.u0 = {1};
  p.fields = whole([](const torch::Tensor& u) { return -u; });
  p.solution = [](double t) { return std::vector<double>{std::exp(-t)}; };
  return p;
}

OdeProblem rotation_problem() {
  OdeProblem p;
  p.equation = "u' = A u, A = [[-0.1, -1], [1, -0.1]], u(0) = (1, 0)";
  p.t1 = 10;
  p.u0 = {1, 0};
  auto a_transposed = torch::tensor({{-0.1, 1.0}, {-1.0, -0.1}}, torch::kFloat64);  // u A^T for row vectors
  p.fields = whole([a_transposed](const torch::Tensor& u) { return u.matmul(a_transposed); });
  p.solution = [](double t) { return std::vector<double>{std::exp(-0.1 * t) * std::cos(t), std::exp(-0.1 * t) * std::sin(t)}; };
  return p;
}

OdeProblem oscillator_problem() {
  OdeProblem p;
  p.equation = "q' = p, p' = -q, (q, p)(0) = (1, 0)";
  p.t1 = 10;
  p.u0 = {1, 0};
  p.partitioned = true;
  auto full = std::make_shared<AnalyticFieldImpl>([](const torch::Tensor& u) {
    return torch::cat({u.narrow(1, 1, 1), -u.narrow(1, 0, 1)}, 1);
  });
  auto f = std::make_shared<AnalyticFieldImpl>([](const torch::Tensor& p) { return p; });   // q' = F(p)
  auto g = std::make_shared<AnalyticFieldImpl>([](const torch::Tensor& q) { return -q; });  // p' = G(q)
  p.fields = [full, f, g](FieldPart part) -> std::shared_ptr<FieldImpl> {
    return part == FieldPart::kWhole ? full : part == FieldPart::kFirst ? f : g;
  };
  p.solution = [](double t) { return std::vector<double>{std::cos(t), -std::sin(t)}; };
  p.energy = [](const std::vector<double>& u) { return 0.5 * (u[0] * u[0] + u[1] * u[1]); };
  return p;
}

// The oscillator as one second-order equation, for schemes that integrate ü = f(u).
OdeProblem second_order_problem() {
  OdeProblem p;
  p.equation = "u'' = -u, u(0) = 1, u'(0) = 0";
  p.t1 = 10;
  p.u0 = {1};
  p.second_order = true;
  p.fields = whole([](const torch::Tensor& u) { return -u; });
  p.solution = [](double t) { return std::vector<double>{std::cos(t)}; };
  return p;
}

OdeProblem vanderpol_problem() {
  OdeProblem p;
  p.equation = "x' = y, y' = (1 - x^2) y - x, (x, y)(0) = (2, 0); reference: RK4, 200000 steps";
  p.t1 = 5;
  p.u0 = {2, 0};
  p.fields = whole([](const torch::Tensor& u) {
    auto x = u.narrow(1, 0, 1), y = u.narrow(1, 1, 1);
    return torch::cat({y, (1 - x * x) * y - x}, 1);
  });
  p.solution = vanderpol_reference;
  return p;
}

OdeProblem ou_problem() {
  OdeProblem p;
  p.equation = "dX = -X dt + 0.5 dW, X(0) = 1";
  p.t1 = 1;
  p.u0 = {1};
  p.stochastic = true;
  p.sigma = 0.5;
  auto drift = std::make_shared<AnalyticFieldImpl>([](const torch::Tensor& u) { return -u; });
  auto diffusion = std::make_shared<AnalyticFieldImpl>([](const torch::Tensor& u) { return torch::full_like(u, 0.5); });
  p.fields = [drift, diffusion](FieldPart part) -> std::shared_ptr<FieldImpl> {
    if (part == FieldPart::kDiffusion) return diffusion;
    if (part != FieldPart::kWhole) throw ConfigError("the 'ou' problem is not partitioned");
    return drift;
  };
  p.mean = [](double t) { return std::exp(-t); };
  p.variance = [](double t) { return 0.125 * (1 - std::exp(-2 * t)); };
  return p;
}

}  // namespace

const EnumNames<OdeProblemKind>& ode_problem_names() {
  static const EnumNames<OdeProblemKind> names{{"decay", OdeProblemKind::kDecay},
                                               {"rotation", OdeProblemKind::kRotation},
                                               {"oscillator", OdeProblemKind::kOscillator},
                                               {"vanderpol", OdeProblemKind::kVanderPol},
                                               {"ou", OdeProblemKind::kOu},
                                               {"second_order", OdeProblemKind::kSecondOrder}};
  return names;
}

const std::vector<std::string>& problem_names() {
  static const std::vector<std::string> names = enum_spellings(ode_problem_names());
  return names;
}

OdeProblem make_problem(OdeProblemKind kind) {
  OdeProblem p;
  switch (kind) {
    case OdeProblemKind::kDecay: p = decay_problem(); break;
    case OdeProblemKind::kRotation: p = rotation_problem(); break;
    case OdeProblemKind::kOscillator: p = oscillator_problem(); break;
    case OdeProblemKind::kVanderPol: p = vanderpol_problem(); break;
    case OdeProblemKind::kOu: p = ou_problem(); break;
    case OdeProblemKind::kSecondOrder: p = second_order_problem(); break;
  }
  p.kind = kind;
  p.name = enum_name(ode_problem_names(), kind);
  return p;
}

OdeProblemKind natural_problem(const SchemeInfo& info, OdeProblemKind first_order) {
  if (info.partitioned) return OdeProblemKind::kOscillator;
  return info.second_order ? OdeProblemKind::kSecondOrder : first_order;
}

OdeProblem make_problem(const std::string& name) {
  const auto kind = find_enum(ode_problem_names(), name);
  if (!kind) throw ConfigError(fmt::format("unknown problem '{}'; problems: {}", name, fmt::join(problem_names(), ", ")));
  return make_problem(*kind);
}

}  // namespace odenet
