// Scheme properties beyond order: invertibility and energy of the reversible
// couplings, weak order of Euler–Maruyama, the Neumann forms on a linear field,
// and LM's error constant (1 − k)/(1 + k) relative to forward Euler.
#include <gtest/gtest.h>

#include "analysis/scheme_verification.h"
#include "discretizations/polynet.h"

namespace odenet {
namespace {

std::shared_ptr<Scheme> scheme(const nlohmann::json& spec) { return build_scheme(scheme_registry(), spec, "test", ""); }

TEST(Reversible, ReconstructsItsInputAndKeepsTheOscillatorsEnergyBounded) {
  OdeProblem oscillator = make_problem("oscillator");
  auto euler = integrate(*scheme("forward_euler"), oscillator, 1000, 100.0);
  for (const char* method : {"revnet", "verlet"}) {
    auto s = scheme({{"name", "reversible"}, {"method", method}});
    EXPECT_TRUE(s->info().reversible);
    for (int steps : {100, 1000}) {
      auto run = integrate(*s, oscillator, steps, 100.0);
      EXPECT_LE(run.inverse_error, 1e-10) << method << " " << steps;
      EXPECT_LT(run.energy_error, 0.6) << method << " " << steps;  // bounded: ≈ Δt/2 for symplectic Euler
    }
    auto fine = integrate(*s, oscillator, 1000, 100.0);
    EXPECT_LT(fine.energy_error, 0.03) << method;
    EXPECT_GT(euler.energy_error, 100 * fine.energy_error) << method;
  }
  EXPECT_GT(euler.energy_error, 1e3);  // forward Euler: H grows like (1 + Δt²)^n
}

TEST(EulerMaruyama, WeakOrderOneForMeanAndVarianceOnOrnsteinUhlenbeck) {
  auto s = scheme({{"name", "euler_maruyama"}, {"variant", "gaussian"}});
  EXPECT_EQ(s->info().weak_order, 1.0);
  EXPECT_EQ(s->info().strong_order, 0.5);
  OdeProblem ou = make_problem("ou");
  Verification v = verify_scheme(*s, "em", ou, {5, 10, 20, 40, 80}, ou.t1);
  EXPECT_NEAR(v.observed_order, 1.0, 0.3) << to_json(v).dump();
  EXPECT_NEAR(v.observed_variance_order, 1.0, 0.3) << to_json(v).dump();
  // Strong error against a 64× finer path with the same Brownian increments: with additive
  // noise Euler–Maruyama converges strongly at order 1 (0.5, declared, is the general case).
  EXPECT_NEAR(v.observed_strong_order, 1.0, 0.3) << to_json(v).dump();
}

TEST(BackwardEulerNeumann, BothFormsEqualTheTruncatedNeumannSeriesForALinearField) {
  torch::manual_seed(0);
  auto a = 0.3 * torch::randn({4, 4}, torch::kFloat64);
  auto field = std::make_shared<AnalyticFieldImpl>([a](const torch::Tensor& u) { return u.matmul(a.t()); });
  FieldFactory factory = [field](FieldPart) -> std::shared_ptr<FieldImpl> { return field; };
  auto u = torch::randn({3, 4}, torch::kFloat64);
  auto identity = torch::eye(4, torch::kFloat64);
  auto series = u.matmul((identity + a + a.matmul(a)).t());  // (I + F + F²) u
  PolyNetLiteralStepImpl literal(factory, 1.0, 2);
  NeumannFixedPointStepImpl fixed_point(factory, 1.0, 2);
  EXPECT_LE((literal.forward(State{u, {}, {}}).u - series).abs().max().item<double>(), 1e-12);
  EXPECT_LE((fixed_point.forward(State{u, {}, {}}).u - series).abs().max().item<double>(), 1e-12);
  // For a nonlinear F the forms differ, and only fixed_point is declared an integrator.
  EXPECT_FALSE(scheme({{"name", "backward_euler_neumann"}, {"form", "literal"}})->info().not_an_integrator.empty());
  EXPECT_TRUE(scheme({{"name", "backward_euler_neumann"}, {"form", "fixed_point"}})->info().not_an_integrator.empty());
}

TEST(LinearMultistep, ErrorConstantIsOneMinusKOverOnePlusKTimesForwardEulers) {
  OdeProblem decay = make_problem("decay");
  const int steps = 1000;
  double euler = integrate(*scheme("forward_euler"), decay, steps, 1.0).error;
  for (double k : {-0.5, 0.5}) {
    double lm = integrate(*scheme({{"name", "linear_multistep"}, {"k", k}}), decay, steps, 1.0).error;
    EXPECT_NEAR(lm / euler, (1 - k) / (1 + k), 0.1 * (1 - k) / (1 + k)) << k;
  }
}

}  // namespace
}  // namespace odenet
