// Momentum ResNets and the leapfrog network: their updates, ResNet at γ = 0, closed-form inverses
// in float64, and the momentum step reversed bit for bit in exact arithmetic — with the float
// reversal's error against γ, which is why the exact form exists.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/scheme_verification.h"
#include "discretizations/exact_momentum.h"
#include "discretizations/leapfrog_second_order.h"
#include "discretizations/momentum.h"
#include "tests/discretizations/step_fixtures.h"

namespace odenet {
namespace {

using namespace test;

// f(u) = tanh(u W) on [batch, d] float64 states.
class TanhFieldImpl : public FieldImpl {
 public:
  explicit TanhFieldImpl(int64_t d, double scale = 0.5)
      : w_(torch::randn({d, d}, torch::kFloat64) * (scale / std::sqrt(static_cast<double>(d)))) {}
  torch::Tensor forward(torch::Tensor u) override { return torch::tanh(u.matmul(w_)); }
  std::vector<double> apply(const std::vector<double>& u) {
    auto out = forward(torch::tensor(u, torch::kFloat64).unsqueeze(0)).squeeze(0).contiguous();
    return {out.data_ptr<double>(), out.data_ptr<double>() + out.numel()};
  }

 private:
  torch::Tensor w_;
};

TEST(Momentum, StepsFollowTheEquationsAndGammaZeroIsResNet) {
  auto euler = block({{"name", "forward_euler"}});
  auto resnet_like = block({{"name", "momentum"}, {"gamma", 0.0}});
  const auto u = input();
  const auto f = child(*resnet_like, "f").forward(u);
  EXPECT_LE(max_difference(resnet_like->forward(State{u, {}, {}}).u, u + f), 1e-6);
  auto step = block({{"name", "momentum"}, {"gamma", 0.9}});
  State s1 = step->forward(State{u, {}, {}});  // from rest: v₁ = (1 − γ) f(u₀)
  const auto v1 = 0.1 * child(*step, "f").forward(u);
  EXPECT_LE(max_difference(s1.velocity, v1), 1e-6);
  EXPECT_LE(max_difference(s1.u, u + v1), 1e-6);
  const State s2 = step->forward(s1);
  const auto v2 = 0.9 * v1 + 0.1 * child(*step, "f").forward(s1.u);
  EXPECT_LE(max_difference(s2.velocity, v2), 1e-6);
  EXPECT_LE(max_difference(s2.u, s1.u + v2), 1e-6);
  auto learned = block({{"name", "momentum"}, {"gamma", 0.5}, {"learn_gamma", true}});
  ASSERT_EQ(learned->coefficient_parameters().size(), 1u);  // γ, exempt from weight decay like k
  EXPECT_TRUE(learned->named_parameters(false).contains("gamma"));
  EXPECT_NEAR(learned->coefficient_parameters()[0].item<double>(), 0.5, 0.01) << "initialised at γ (nudged by the fixture)";
}

// Forward and back in float64: the state and its velocity come back to 1e-12 — over 20 steps
// at γ = 0.9 and 0.99, over 8 at γ = 0.5 (each inverse step divides the rounding error by γ:
// 2^20 · 1e-16 would be 1e-10; ExactMomentum below is the remedy).
TEST(Momentum, InvertsInFloat64) {
  torch::manual_seed(1);
  for (double gamma : {0.5, 0.9, 0.99}) {
    const int steps = gamma < 0.9 ? 8 : 20;
    for (bool learned : {false, true}) {
      MomentumStepImpl step(std::make_shared<TanhFieldImpl>(16), 0.3, gamma, learned);
      step.to(torch::kFloat64);
      const auto u0 = torch::randn({3, 16}, torch::kFloat64);
      std::vector<State> states{State{u0, {}, {}}};
      for (int n = 0; n < steps; ++n) states.push_back(step.forward(states.back()));
      State back = states.back();
      for (int n = steps - 1; n >= 1; --n) {
        back = step.inverse(back);
        EXPECT_LE(max_difference(back.u, states[n].u), 1e-12) << gamma << " step " << n;
        EXPECT_LE(max_difference(back.velocity, states[n].velocity), 1e-12) << gamma << " step " << n;
      }
      EXPECT_LE(max_difference(step.inverse(back).u, u0), 1e-12) << gamma;
    }
  }
}

// At γ = 0.9 the velocity lags f by γ Δt / (1 − γ) = 9 Δt: first order once that is small.
TEST(MomentumOrder, FirstOrderOnceTheLagIsSmall) {
  auto scheme = build_scheme(scheme_registry(), {{"name", "momentum"}, {"gamma", 0.9}}, "test", "");
  const OdeProblem problem = make_problem("rotation");
  const Verification v = verify_scheme(*scheme, "momentum", problem, {2000, 4000, 8000, 16000}, problem.t1);
  EXPECT_NEAR(v.observed_order, 1.0, 0.3) << to_json(v).dump();
}

TEST(LeapfrogSecondOrder, IsStormersRuleFromRestAndInvertsExactly) {
  torch::manual_seed(2);
  const double dt = 0.1;
  LeapfrogSecondOrderStepImpl step(std::make_shared<TanhFieldImpl>(8, 2.0), dt);
  auto& f = step.field();
  const auto u0 = torch::randn({2, 8}, torch::kFloat64);
  State s = step.forward(State{u0, {}, {}});
  EXPECT_LE(max_difference(s.u, u0 + 0.5 * dt * dt * f.forward(u0)), 1e-15) << "u₁ = u₀ + (Δt²/2) f(u₀): at rest";
  std::vector<torch::Tensor> u{u0, s.u};
  for (int n = 1; n < 100; ++n) {
    s = step.forward(s);
    EXPECT_LE(max_difference(s.u, 2 * u[n] - u[n - 1] + dt * dt * f.forward(u[n])), 1e-12) << n;
    u.push_back(s.u);
  }
  for (int n = 99; n >= 0; --n) s = step.inverse(s);
  EXPECT_LE(max_difference(s.u, u0), 1e-12);
}

// 1,000 momentum steps of a 64-dimensional state (f(u) = tanh(u W), Δt = 1 as in a network):
// undone bit for bit in exact arithmetic, the store growing by about −log₂ γ bits per element
// and step; undone in float64 (the closed-form inverse), the error grows like γ^−n.
TEST(ExactMomentum, ReversesBitForBitOverAThousandStepsWhereFloatsDrift) {
  torch::manual_seed(3);
  auto field = std::make_shared<TanhFieldImpl>(64, 2.0);
  const auto u0 = torch::randn({1, 64}, torch::kFloat64);
  const std::vector<double> start(u0.data_ptr<double>(), u0.data_ptr<double>() + 64);
  auto f = [&](const std::vector<double>& u) { return field->apply(u); };
  std::printf("  γ     float64 reversal error after 10 / 100 / 1000 steps      exact: bits stored per element-step\n");
  for (double gamma : {0.0, 0.5, 0.9, 0.99}) {
    MomentumStepImpl step(field, 1.0, gamma, false);
    std::vector<double> float_errors;
    for (int steps : {10, 100, 1000}) {
      State s{u0, {}, {}};
      for (int n = 0; n < steps; ++n) s = step.forward(s);
      for (int n = 0; n < steps; ++n) s = step.inverse(s);
      float_errors.push_back((s.u - u0).norm().item<double>() / u0.norm().item<double>());
    }
    if (gamma == 0.0) {
      EXPECT_THROW(ExactMomentum(gamma, 1.0), std::invalid_argument) << "ResNet keeps no way back";
      EXPECT_FALSE(std::isfinite(float_errors[0])) << "v_n = (v_{n+1} − f(u_n)) / 0";
      std::printf("  %.2f  not invertible (division by γ = 0)                    not invertible\n", gamma);
      continue;
    }
    ExactMomentum exact(gamma, 1.0);
    std::vector<int64_t> u = exact.quantize(start), v(64, 0);
    const std::vector<int64_t> u_start = u;
    for (int n = 0; n < 1000; ++n) exact.forward(u, v, f);
    const double bits_per_step = static_cast<double>(exact.store_bits()) / (64.0 * 1000);
    for (int n = 0; n < 1000; ++n) exact.inverse(u, v, f);
    EXPECT_EQ(u, u_start) << "γ = " << gamma;
    EXPECT_EQ(v, std::vector<int64_t>(64, 0)) << "γ = " << gamma;
    EXPECT_NEAR(bits_per_step, -std::log2(exact.gamma()), 0.05) << "γ = " << gamma;
    std::printf("  %.2f  %-10.3g %-10.3g %-10.3g                             %.3f (−log₂ γ = %.3f)\n", gamma,
                float_errors[0], float_errors[1], float_errors[2], bits_per_step, -std::log2(gamma));
    EXPECT_LE(float_errors[0], 1e-10) << "ten steps back in float64 are fine";
    EXPECT_TRUE(!std::isfinite(float_errors[2]) || float_errors[2] > float_errors[0]) << "and drift over a thousand";
  }
}

}  // namespace
}  // namespace odenet
