// The LM block computes (1 − k) u_n + k u_{n−1} + f(u_n) from its own
// sub-modules, in both parametrisations (and per channel); forward Euler computes u + f(u); LM's
// error constant is (1 − k)/(1 + k) times forward Euler's.
#include "discretizations/linear_multistep.h"

#include <gtest/gtest.h>

#include <set>

#include "analysis/scheme_verification.h"
#include "architectures/cifar_resnet.h"
#include "architectures/fields.h"
#include "architectures/presets.h"
#include "discretizations/forward_euler.h"
#include "tests/discretizations/step_fixtures.h"
#include "training/trainer.h"

namespace odenet {
namespace {

using namespace test;

FieldFactory basic_field(bool preact) {
  return [=](FieldPart) -> std::shared_ptr<FieldImpl> {
    return std::make_shared<BasicFieldImpl>(BasicFieldOptions(8, 8).activation(preact ? Activation::kPre : Activation::kPost));
  };
}

class LinearMultistepBlock : public ::testing::TestWithParam<std::string> {};

TEST_P(LinearMultistepBlock, ComputesTheTwoStepUpdateFromItsOwnSubmodules) {
  torch::manual_seed(0);
  LinearMultistepOptions o;
  o.parametrization = GetParam() == "official" ? LmParametrization::kOfficial : LmParametrization::kPaper;
  LinearMultistepStepImpl step(basic_field(true)(FieldPart::kWhole), 1.0, o, false);
  step.eval();
  auto u = torch::randn({2, 8, 6, 6}), previous = torch::randn({2, 8, 6, 6});
  State next = step.forward(State{u, {previous}});
  torch::Tensor k = step.k();
  auto expected = (1 - k) * u + k * previous + step.field().forward(u);
  EXPECT_LE((next.u - expected).abs().max().item<double>(), 1e-6);
  ASSERT_EQ(next.history.size(), 1u);
  EXPECT_TRUE(torch::equal(next.history[0], u));  // u_n becomes u_{n−1}
}

TEST_P(LinearMultistepBlock, InitialisesKUniformlyInMinusPointOneToZero) {
  torch::manual_seed(1);
  LinearMultistepOptions o;
  o.parametrization = GetParam() == "official" ? LmParametrization::kOfficial : LmParametrization::kPaper;
  double lo = 1, hi = -1;
  for (int i = 0; i < 200; ++i) {
    double k = LinearMultistepStepImpl(basic_field(false)(FieldPart::kWhole), 1.0, o, false).k().item<double>();
    lo = std::min(lo, k);
    hi = std::max(hi, k);
  }
  EXPECT_GE(lo, -0.1 - 1e-7);
  EXPECT_LE(hi, 1e-7);
  EXPECT_LT(lo, -0.09);
  EXPECT_GT(hi, -0.01);
  auto named = LinearMultistepStepImpl(basic_field(false)(FieldPart::kWhole), 1.0, o, false).named_parameters(false);
  EXPECT_TRUE(named.contains(GetParam() == "paper" ? "k" : "s"));
}

INSTANTIATE_TEST_SUITE_P(Parametrisations, LinearMultistepBlock, ::testing::Values("paper", "official"));

TEST(LinearMultistep, FixedKIsABufferAndStepSizeScalesTheField) {
  LinearMultistepOptions o;
  o.fixed_k = 0.5;
  auto field = basic_field(true)(FieldPart::kWhole);
  LinearMultistepStepImpl step(field, 0.1, o, false);
  step.eval();
  EXPECT_EQ(step.parameters(false).size(), 0u);
  auto u = torch::randn({1, 8, 4, 4}), previous = torch::randn({1, 8, 4, 4});
  auto expected = 0.5 * u + 0.5 * previous + 0.1 * field->forward(u);
  EXPECT_LE((step.forward(State{u, {previous}}).u - expected).abs().max().item<double>(), 1e-6);
}

TEST(LinearMultistep, NeedsHistory) {
  LinearMultistepStepImpl step(basic_field(true)(FieldPart::kWhole), 1.0, LinearMultistepOptions{}, false);
  EXPECT_THROW(step.forward(State{torch::randn({1, 8, 4, 4}), {}}), c10::Error);
}

TEST(ForwardEuler, TransitionStepProjectsAndRestartsHistory) {
  auto field = std::make_shared<BasicFieldImpl>(BasicFieldOptions(4, 8).stride(2).activation(Activation::kPre));
  auto projection = std::make_shared<ConvProjectionImpl>(4, 8, 2, Activation::kPre);
  ForwardEulerStepImpl step(field, 1.0, projection);
  step.eval();
  auto u = torch::randn({2, 4, 8, 8});
  State next = step.forward(State{u, {torch::randn({2, 4, 8, 8})}});
  auto p = projection->forward(u);
  EXPECT_LE((next.u - (p + field->forward(u))).abs().max().item<double>(), 1e-6);
  EXPECT_TRUE(torch::equal(next.history[0], p));
}

TEST(LmResNet, FollowsThePapersConventionsForFirstAndDownsamplingBlocks) {
  auto options = preset_options("lm_resnet20");
  auto scheme = options.scheme;
  CifarResNetImpl net(options, *scheme, 3, 10);
  ASSERT_EQ(net.stages().size(), 3u);
  for (size_t s = 0; s < 3; ++s) {
    const auto& steps = net.stages()[s]->steps();
    ASSERT_EQ(steps.size(), 3u);
    EXPECT_NE(dynamic_cast<ForwardEulerStepImpl*>(steps[0].get()), nullptr) << "stage " << s;
    for (size_t b = 1; b < 3; ++b) EXPECT_NE(dynamic_cast<LinearMultistepStepImpl*>(steps[b].get()), nullptr);
  }
  // One coefficient per LM block: 3 stages × 2.
  int coefficients = 0;
  for (const auto& p : net.named_parameters())
    if (p.key().size() >= 2 && p.key().substr(p.key().size() - 2) == ".s") ++coefficients;
  EXPECT_EQ(coefficients, 6);
}

TEST(LinearMultistep, WeightDecayExemptsExactlyTheLearnedCoefficients) {
  // "k" in decay_excludes: the steps declare their k_n (or s = 1 − k) — no parameter names involved.
  for (const char* preset : {"lm_resnet20", "lm_resnet56_sd"}) {
    auto options = preset_options(preset);
    auto model = build_model(options, *options.scheme, 3, 10);
    std::set<const void*> declared;
    for (const auto& m : model->modules(false))
      if (auto* step = dynamic_cast<StepImpl*>(m.get()))
        for (const auto& p : step->coefficient_parameters()) declared.insert(p.unsafeGetTensorImpl());
    EXPECT_FALSE(declared.empty()) << preset;
    auto [decayed, plain] = decay_groups(*model, {DecayExclusion::kCoefficients});
    std::set<const void*> exempt;
    for (const auto& p : plain) exempt.insert(p.unsafeGetTensorImpl());
    EXPECT_EQ(exempt, declared) << preset;
    EXPECT_EQ(decayed.size() + plain.size(), model->parameters().size());
  }
}

// From the paper's Table 1 (formerly in the correspondence suite).
TEST(Correspondence, LmResNetIsTheLinearTwoStepMethod) {
  auto step = block({{"name", "linear_multistep"}});
  auto* lm = dynamic_cast<LinearMultistepStepImpl*>(step.get());
  ASSERT_NE(lm, nullptr);
  auto u = input(), previous = input();
  auto k = lm->k();
  EXPECT_LE(max_difference(step->forward(State{u, {previous}, {}}).u,
                           (1 - k) * u + k * previous + child(*step, "f").forward(u)),
            1e-6);
}

// Per-channel k: u_{n+1} = (1 − k_c) u_n + k_c u_{n−1} + f(u_n) channel by channel.
TEST(Correspondence, PerChannelLmStepMixesEachChannelWithItsOwnK) {
  torch::manual_seed(0);
  auto scheme = build_scheme(scheme_registry(), {{"name", "linear_multistep"}, {"per_channel", true}}, "test", "");
  auto step = scheme->make_step(conv_fields(), StepContext{1.0, 0, 1, kChannels});
  step->eval();
  auto* lm = dynamic_cast<LinearMultistepStepImpl*>(step.get());
  ASSERT_NE(lm, nullptr);
  auto k = lm->k();
  ASSERT_EQ(k.numel(), kChannels);
  EXPECT_GT((k.max() - k.min()).item<double>(), 0.0);  // drawn per channel from U(−0.1, 0)
  auto u = input(), previous = input();
  auto kc = k.view({1, kChannels, 1, 1});
  torch::NoGradGuard no_grad;
  EXPECT_LE(max_difference(step->forward(State{u, {previous}, {}}).u, (1 - kc) * u + kc * previous + child(*step, "f").forward(u)),
            1e-6);
  EXPECT_THROW(scheme->make_step(conv_fields(), StepContext{1.0, 0, 1}), c10::Error);  // channels unknown
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

// What a learned k means, as the scheme tells analysis: the root condition of ζ² − (1 − k)ζ − k
// (zero-stable exactly for −1 < k ≤ 1), the modified equation's 1 + k and (1 − k)/2, and the
// error ratio of the LM integrator with k fixed against k = 0 (forward Euler), (1 − k)/(1 + k).
TEST(LinearMultistep, ALearnedKMeansWhatTheModifiedEquationSays) {
  const auto lm = build_scheme(scheme_registry(), "linear_multistep", "test", "");
  for (double k : {-1.5, -1.0, -0.99, -0.3, 0.0, 0.5, 1.0, 1.01}) {
    const auto m = lm->learned_coefficient(k);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->zero_stable, k > -1 && k <= 1) << k;
    ASSERT_EQ(m->terms.size(), 2u);
    EXPECT_DOUBLE_EQ(m->terms[0].value, 1 + k);
    EXPECT_DOUBLE_EQ(m->terms[1].value, (1 - k) / 2);
    EXPECT_EQ(m->without->info().decay_error_constant, build_scheme(scheme_registry(), "forward_euler", "test", "")->info().decay_error_constant);
    if (k > -1) {
      EXPECT_NEAR(m->fixed->info().decay_error_constant / m->without->info().decay_error_constant, (1 - k) / (1 + k), 1e-12);
    }
  }
  EXPECT_TRUE(build_scheme(scheme_registry(), "stochastic_lm", "test", "")->learned_coefficient(0.2).has_value());
  EXPECT_FALSE(build_scheme(scheme_registry(), "forward_euler", "test", "")->learned_coefficient(0.2).has_value());
  EXPECT_FALSE(build_scheme(scheme_registry(), {{"name", "linear_multistep"}, {"method", "leapfrog"}}, "test", "")
                   ->learned_coefficient(0.2)
                   .has_value());
}

}  // namespace
}  // namespace odenet
