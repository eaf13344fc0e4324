// Momentum ResNets and the leapfrog network: their updates, ResNet at γ = 0, closed-form inverses
// in float64, and the momentum step reversed bit for bit in exact arithmetic — with the float
// reversal's error against γ, which is why the exact form exists.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/scheme_verification.h"
#include "core/error.h"
#include "discretizations/exact_momentum.h"
#include "discretizations/leapfrog_second_order.h"
#include "discretizations/momentum.h"
#include "tests/discretizations/step_fixtures.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

using namespace test;

// f(u) = tanh(u W) on [batch, d] float64 states.
class TanhFieldImpl : public FieldImpl {
 public:
  explicit TanhFieldImpl(int64_t d, double scale = 0.5)
      : w_(torch::randn({d, d}, torch::kFloat64) * (scale / std::sqrt(static_cast<double>(d)))) {}
  torch::Tensor forward(torch::Tensor u) override { return torch::tanh(u.matmul(w_)); }

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

TEST(Momentum, RefusesMemoryFreeTrainingItCannotDo) {
  auto error = [](const nlohmann::json& spec) -> std::string {
    try {
      build_scheme(scheme_registry(), spec, "x.json", "/model/scheme");
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error({{"name", "momentum"}, {"gamma", 0.0}, {"recompute", true}}),
            "x.json: /model/scheme/recompute: γ = 0 (ResNet) is not invertible: no memory-free training");
  EXPECT_EQ(error({{"name", "momentum"}, {"exact_reversal", true}}),
            "x.json: /model/scheme/exact_reversal: reverses memory-free training: it needs \"recompute\": true");
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
// undone bit for bit in exact arithmetic, the store growing by −log₂ γ to log₂ ⌈1/γ⌉ bits per
// element and step (this field saturates: tanh = ±1 puts v on fixed points whose low digits
// always need the bit) and empty again at the end; undone in float64 (the closed-form inverse), the error
// grows like γ^−n.
TEST(ExactMomentum, ReversesBitForBitOverAThousandStepsWhereFloatsDrift) {
  torch::manual_seed(3);
  auto field = std::make_shared<TanhFieldImpl>(64, 2.0);
  const auto u0 = torch::randn({1, 64}, torch::kFloat64);
  auto f = [&](const torch::Tensor& u) { return field->forward(u); };
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
    ExactMomentum exact(torch::kFloat64);
    torch::Tensor u = exact.quantize(u0), v = torch::zeros_like(u);
    const torch::Tensor u_start = u.clone();
    if (gamma == 0.0) {
      EXPECT_THROW(exact.forward(u, v, f, gamma, 1.0), std::invalid_argument) << "ResNet keeps no way back";
      EXPECT_FALSE(std::isfinite(float_errors[0])) << "v_n = (v_{n+1} − f(u_n)) / 0";
      std::printf("  %.2f  not invertible (division by γ = 0)                    not invertible\n", gamma);
      continue;
    }
    for (int n = 0; n < 1000; ++n) exact.forward(u, v, f, gamma, 1.0);
    const double bits_per_step = static_cast<double>(exact.store_bits()) / (64.0 * 1000);
    EXPECT_GT((u - u_start).abs().max().item<int64_t>(), int64_t{1} << 40) << "the state moved by more than 1";
    for (int n = 0; n < 1000; ++n) exact.inverse(u, v, f, gamma, 1.0);
    EXPECT_TRUE(torch::equal(u, u_start)) << "γ = " << gamma;
    EXPECT_EQ(v.ne(0).sum().item<int64_t>(), 0) << "γ = " << gamma;
    EXPECT_EQ(exact.store_bytes(), 0) << "every bit pushed was popped";
    const double information = -std::log2(ExactMomentum::representable_gamma(gamma));
    EXPECT_GE(bits_per_step, information - 0.01) << "γ = " << gamma;
    EXPECT_LE(bits_per_step, std::log2(std::ceil(1 / gamma)) + 0.01) << "γ = " << gamma;
    std::printf("  %.2f  %-10.3g %-10.3g %-10.3g                             %.3f (−log₂ γ = %.3f, at most %.0f)\n",
                gamma, float_errors[0], float_errors[1], float_errors[2], bits_per_step, information,
                std::log2(std::ceil(1 / gamma)));
    EXPECT_LE(float_errors[0], 1e-10) << "ten steps back in float64 are fine";
    EXPECT_TRUE(!std::isfinite(float_errors[2]) || float_errors[2] > float_errors[0]) << "and drift over a thousand";
  }
}

// The store is a stack of mixed-radix digits per element: what goes in comes out in reverse,
// and it holds Σ log₂ radix bits (within a few per element), whatever the radices — here drawn
// per element, from 1 (no information) to 2³⁰.
TEST(BitStore, PopsWhatWasPushedInReverseAndHoldsTheirInformation) {
  torch::manual_seed(4);
  const int64_t elements = 1000;
  BitStore store;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> pushed;  // digits, radices
  torch::Tensor information = torch::zeros({elements}, torch::kFloat64);
  for (int k = 0; k < 60; ++k) {
    const int64_t largest = k % 3 == 0 ? 2 : k % 3 == 1 ? (int64_t{1} << 30) : 1000003;
    const auto radix = torch::randint(1, largest + 1, {elements}, torch::kInt64);
    const auto digit = (torch::rand({elements}, torch::kFloat64) * radix).floor().to(torch::kInt64);
    store.push(digit, radix);
    pushed.emplace_back(digit, radix);
    information += radix.to(torch::kFloat64).log2();
  }
  const double bits = static_cast<double>(store.bits()), expected = information.sum().item<double>();
  EXPECT_LE(bits, expected + elements);
  EXPECT_GE(bits, expected - 3 * elements) << "random digits: the top one is rarely small";
  EXPECT_LE(store.bytes(), elements * 8 * static_cast<int64_t>(information.max().item<double>() / 32 + 1));
  for (auto it = pushed.rbegin(); it != pushed.rend(); ++it)
    ASSERT_TRUE(torch::equal(store.pop(it->second, it->first), it->first));
  EXPECT_EQ(store.bytes(), 0);
  const auto nothing = store.pop(torch::full({elements}, 7, torch::kInt64), torch::zeros({elements}));
  EXPECT_TRUE(torch::equal(nothing, torch::zeros({elements}, torch::kInt64))) << "an empty store holds 0";
}

// The fused CPU loops and the tensor operations (what other devices run) are one arithmetic:
// the same state, store and bit count after 60 steps of a float32 field (f in float32, as in
// training; γ = 0.9 and 0.3, Δt = 1 and 0.7; 38,400 elements: three threads' chunks), and both
// back to the start.
TEST(ExactMomentum, FusedCpuLoopsAreTheTensorFormBitForBit) {
  torch::manual_seed(7);
  const auto w = torch::randn({32, 32}) * (0.8 / std::sqrt(32.0));
  auto f = [&](const torch::Tensor& u) { return torch::tanh(u.matmul(w)); };
  for (auto [gamma, dt] : {std::pair{0.9, 1.0}, std::pair{0.3, 0.7}}) {
    ExactMomentum fused(torch::kFloat32, 40, true), by_ops(torch::kFloat32, 40, false);
    const auto u0 = fused.quantize(torch::randn({1200, 32}) * 3);
    const auto v0 = fused.quantize(torch::randn({1200, 32}));
    torch::Tensor u1 = u0.clone(), v1 = v0.clone(), u2 = u0.clone(), v2 = v0.clone();
    for (int n = 0; n < 60; ++n) {
      fused.forward(u1, v1, f, gamma, dt);
      by_ops.forward(u2, v2, f, gamma, dt);
      ASSERT_TRUE(torch::equal(u1, u2) && torch::equal(v1, v2)) << "γ = " << gamma << ", step " << n;
    }
    EXPECT_EQ(fused.store_bits(), by_ops.store_bits());
    EXPECT_EQ(fused.store_bytes(), by_ops.store_bytes());
    EXPECT_GT(fused.store_bytes(), 0);
    for (int n = 0; n < 60; ++n) {
      fused.inverse(u1, v1, f, gamma, dt);
      by_ops.inverse(u2, v2, f, gamma, dt);
      ASSERT_TRUE(torch::equal(u1, u2) && torch::equal(v1, v2)) << "γ = " << gamma << ", back at step " << n;
    }
    EXPECT_TRUE(torch::equal(u1, u0) && torch::equal(v1, v0)) << "γ = " << gamma;
    EXPECT_EQ(fused.store_bytes(), 0);
  }
}

TEST(ExactMomentum, AValueOutsideTheFixedPointRangeIsAnErrorNamingIt) {
  ExactMomentum exact(torch::kFloat32);
  auto message = [&](float x) -> std::string {
    try {
      exact.quantize(torch::tensor({0.5f, x}));
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message(1e7f), "exact momentum reversal: a value of 1e+07 is outside the fixed-point range ±2^21 (40 fraction bits)");
  EXPECT_EQ(message(NAN), "exact momentum reversal: a value of nan is outside the fixed-point range ±2^21 (40 fraction bits)");
  EXPECT_EQ(exact.quantize(torch::tensor({-2e6f})).item<int64_t>(), -2000000 * (int64_t{1} << 40));
}

// A run of 40 momentum steps at γ = 0.5, trained in float32 without stored activations. The
// float inverse multiplies its rounding error by 1/γ = 2 per step (2⁴⁰ · 6e−8 ≫ 1): the inputs it
// rebuilds, and so its gradients, are wrong. The exact reversal rebuilds them bit for bit: its
// gradients are those of backpropagation through stored activations.
TEST(ExactMomentum, TrainsLongRunsAtSmallGammaWhereTheFloatInverseFails) {
  const int steps = 40;
  auto gradients = [&](const nlohmann::json& spec) {
    torch::manual_seed(5);
    auto scheme = build_scheme(scheme_registry(), spec, "test", "");
    std::vector<std::shared_ptr<StepImpl>> owned;
    std::vector<StepImpl*> run;
    for (int n = 0; n < steps; ++n) {
      owned.push_back(scheme->make_step(conv_fields(), StepContext{1.0, n, steps, kChannels}));
      owned.back()->train();
      run.push_back(owned.back().get());
    }
    torch::manual_seed(6);
    auto x = torch::randn({2, kChannels, 6, 6}).requires_grad_(true);
    State out{x, {}, {}};
    if (spec.value("recompute", false)) {
      out = run.front()->stage_runner()(run, out);
    } else {
      for (auto* step : run) out = step->forward(out);
    }
    (out.u * torch::linspace(-1, 1, out.u.numel()).view_as(out.u)).sum().backward();
    return std::vector<torch::Tensor>{x.grad(), owned.front()->parameters().front().grad()};
  };
  const nlohmann::json momentum = {{"name", "momentum"}, {"gamma", 0.5}};
  const auto stored = gradients(momentum);
  const auto exact = gradients(with_key(with_key(momentum, "recompute", true), "exact_reversal", true));
  const auto in_float = gradients(with_key(momentum, "recompute", true));
  const auto relative = [&](const std::vector<torch::Tensor>& g, size_t i) {
    return ((g[i] - stored[i]).abs().max() / stored[i].abs().max()).item<double>();
  };
  for (size_t i : {0, 1}) {
    std::printf("  %s: relative gradient error, exact reversal %.2g, float inverse %.2g\n", i == 0 ? "input" : "first conv",
                relative(exact, i), relative(in_float, i));
    EXPECT_LE(relative(exact, i), 1e-5) << i;
    EXPECT_FALSE(relative(in_float, i) <= 1e-2) << i << ": the float inverse was expected to fail here";
  }
}

}  // namespace
}  // namespace odenet
