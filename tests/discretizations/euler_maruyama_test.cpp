// The Euler–Maruyama family (gaussian_noise, stochastic_depth, shake_shake, stochastic_lm):
// means of the stochastic blocks are their drifts, shake-shake's backward coefficient, linear
// survival decay, weak order one on Ornstein–Uhlenbeck.
#include <gtest/gtest.h>

#include "analysis/scheme_verification.h"
#include "discretizations/stochastic_depth.h"
#include "tests/discretizations/step_fixtures.h"

namespace odenet {
namespace {

using namespace test;

// f(u) = w·u with one trainable scalar: its gradient is the coefficient the step gives f.
class ScaleField : public FieldImpl {
 public:
  explicit ScaleField(double w) : w_(register_parameter("w", torch::tensor(w))) {}
  torch::Tensor forward(torch::Tensor u) override { return w_ * u; }
  torch::Tensor w_;
};

// Shake-shake's value is X + η f1 + (1 − η) f2 either way; the gradient reaches f1 through η
// ("even") or through an independent β ~ U(0, 1) ("shake", Shake-Shake-Image), with E[β] = ½.
TEST(Correspondence, ShakeShakeBackwardCoefficient) {
  const int64_t n = 64;
  auto u = torch::ones({n, 2, 2, 2});  // every example the same: per-example coefficients show as sums
  for (const std::string backward : {"even", "shake"}) {
    torch::manual_seed(3);
    int which = 0;
    FieldFactory fields = [&](FieldPart) -> std::shared_ptr<FieldImpl> {
      return std::make_shared<ScaleField>(which++ == 0 ? 2.0 : -1.0);
    };
    auto step = build_scheme(scheme_registry(), {{"name", "euler_maruyama"}, {"variant", "shake_shake"}, {"backward", backward}},
                             "test", "")
                    ->make_step(fields, StepContext{1.0, 0, 1});
    step->train();
    double beta_sum = 0;
    const int draws = 200;
    for (int d = 0; d < draws; ++d) {
      step->zero_grad();
      auto out = step->forward(State{u, {}, {}}).u;
      // out = u + η·2u − (1 − η)·u per example: η = (out − u + u) / 3u.
      auto eta = (out.select(1, 0).select(1, 0).select(1, 0) / 3.0);
      out.sum().backward();
      auto params = step->named_parameters();
      double g1 = params["f1.w"].grad().item<double>(), g2 = params["f2.w"].grad().item<double>();
      EXPECT_NEAR(g1 + g2, 8.0 * n, 1e-3) << backward;  // the two coefficients sum to 1 per example
      if (backward == "even") {
        EXPECT_NEAR(g1, 8.0 * eta.sum().item<double>(), 1e-3);
      }
      if (backward == "shake") {
        EXPECT_GT(std::abs(g1 - 8.0 * eta.sum().item<double>()), 1e-3);
      }
      beta_sum += g1 / (8.0 * n);
    }
    EXPECT_NEAR(beta_sum / draws, 0.5, 4 * std::sqrt(1.0 / 12 / (n * draws))) << backward;
  }
}

// The empirical mean of the noise coefficient, projected out of the block's outputs:
// the least-squares c with (mean output − base) ≈ c · direction, per example.
torch::Tensor projected_coefficient(const torch::Tensor& mean, const torch::Tensor& base, const torch::Tensor& direction) {
  auto d = direction.flatten(1), r = (mean - base).flatten(1);
  return (r * d).sum(1) / (d * d).sum(1);
}

TEST(Correspondence, StochasticDepthAndShakeShakeMeansAreTheirDrifts) {
  const int draws = 4000;
  auto u = input();
  for (const char* scaling : {"huang", "official"}) {
    auto step = block({{"name", "euler_maruyama"}, {"variant", "stochastic_depth"}, {"survival", 0.7}, {"scaling", scaling}});
    auto& f = child(*step, "f");
    auto fu = f.forward(u);
    step->train();
    f.eval();  // BatchNorm at its running statistics: f is a fixed function
    torch::NoGradGuard no_grad;
    torch::manual_seed(7);
    auto sum = torch::zeros_like(u, torch::kFloat64);  // accumulate in float64
    for (int i = 0; i < draws; ++i) sum += step->forward(State{u, {}, {}}).u.to(torch::kFloat64);
    const double p = 0.7, scale = std::string(scaling) == "official" ? 1 / p : 1.0;
    // Drift p·f (huang) or f (official): E[η] = p; one η per mini-batch, so one coefficient.
    auto coefficient = projected_coefficient(sum / draws, u, fu);
    EXPECT_LE((coefficient - p * scale).abs().max().item<double>(), 4 * std::sqrt(p * (1 - p) / draws) * scale) << scaling;
    EXPECT_LE(max_difference(sum / draws, u + coefficient.mean().item<double>() * fu), 1e-5);  // the mean is along f
    step->eval();  // test time: the expectation of the training-time block
    EXPECT_LE(max_difference(step->forward(State{u, {}, {}}).u, std::string(scaling) == "official" ? u + fu : u + p * fu), 1e-6);
  }
  auto shake = block({{"name", "euler_maruyama"}, {"variant", "shake_shake"}});
  auto &f1 = child(*shake, "f1"), &f2 = child(*shake, "f2");
  auto a = f1.forward(u), b = f2.forward(u);
  shake->train();
  f1.eval();
  f2.eval();
  torch::NoGradGuard no_grad;
  torch::manual_seed(7);
  auto sum = torch::zeros_like(u, torch::kFloat64);  // accumulate in float64
  for (int i = 0; i < draws; ++i) sum += shake->forward(State{u, {}, {}}).u.to(torch::kFloat64);
  // Output − u − ½(f1 + f2) = (η − ½)(f1 − f2), η ~ U(0, 1) per example: its mean tends to 0 (drift ½(f1 + f2)).
  auto coefficient = projected_coefficient(sum / draws, u + 0.5 * (a + b), a - b);
  EXPECT_LE(coefficient.abs().max().item<double>(), 4 * std::sqrt(1.0 / 12 / draws));
  shake->eval();
  EXPECT_LE(max_difference(shake->forward(State{u, {}, {}}).u, u + 0.5 * (a + b)), 1e-6);
}

TEST(Correspondence, StochasticDepthSurvivalDecaysLinearly) {
  auto scheme = build_scheme(scheme_registry(), {{"name", "euler_maruyama"}, {"variant", "stochastic_depth"}, {"survival", 0.5}},
                             "test", "");
  for (int l : {0, 26, 53}) {
    auto step = std::dynamic_pointer_cast<StochasticDepthStepImpl>(scheme->make_step(conv_fields(), StepContext{1.0, l, 54}));
    EXPECT_DOUBLE_EQ(step->survival(), 1.0 - (l + 1) / 54.0 * 0.5);
  }
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

}  // namespace
}  // namespace odenet
