// The paper's Table 1, executable: each network block built by the framework
// computes its scheme's update from its own sub-modules (float32, ≤ 1e-6), and
// the stochastic blocks' empirical mean over many draws is their drift.
#include <gtest/gtest.h>

#include <set>

#include "tests/support/test_support.h"
#include "architectures/fields.h"
#include "core/error.h"
#include "architectures/presets.h"
#include "discretizations/polynet.h"
#include "discretizations/stochastic_depth.h"
#include "discretizations/forward_euler.h"
#include "discretizations/fractal.h"
#include "discretizations/linear_multistep.h"
#include "discretizations/reversible.h"

namespace odenet {
namespace {

constexpr int64_t kChannels = 8;

FieldFactory conv_fields() {
  return [](FieldPart part) -> std::shared_ptr<FieldImpl> {
    int64_t c = part == FieldPart::kWhole ? kChannels : kChannels / 2;
    return std::make_shared<BasicFieldImpl>(BasicFieldOptions(c, c).activation(Activation::kPre));
  };
}

std::shared_ptr<StepImpl> block(const nlohmann::json& spec) {
  torch::manual_seed(0);
  auto scheme = build_scheme(scheme_registry(), spec, "test", "");
  auto step = scheme->make_step(conv_fields(), StepContext{1.0, 0, 1});
  for (auto& p : step->parameters()) p.data().add_(0.01 * torch::randn_like(p));  // break symmetric inits
  step->eval();
  return step;
}

FieldImpl& child(StepImpl& step, const std::string& name) {
  auto module = step.named_modules("", false)[name];
  auto* field = dynamic_cast<FieldImpl*>(module.get());
  EXPECT_NE(field, nullptr) << name;
  return *field;
}

double max_difference(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

torch::Tensor input() { return torch::randn({2, kChannels, 6, 6}); }

TEST(Correspondence, ResNetIsForwardEuler) {
  auto step = block({{"name", "forward_euler"}});
  auto u = input();
  EXPECT_LE(max_difference(step->forward(State{u, {}, {}}).u, u + child(*step, "f").forward(u)), 1e-6);
}

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

TEST(Correspondence, PolyNetBlocksAreNeumannApproximationsOfBackwardEuler) {
  auto u = input();
  auto literal = block({{"name", "backward_euler_neumann"}, {"form", "literal"}});
  auto& F = child(*literal, "F");
  EXPECT_LE(max_difference(literal->forward(State{u, {}, {}}).u, u + F.forward(u) + F.forward(F.forward(u))), 1e-6);

  auto fixed = block({{"name", "backward_euler_neumann"}, {"form", "fixed_point"}});
  auto& F2 = child(*fixed, "F");
  EXPECT_LE(max_difference(fixed->forward(State{u, {}, {}}).u, u + F2.forward(u + F2.forward(u))), 1e-6);

  auto mpoly = block({{"name", "backward_euler_neumann"}, {"form", "mpoly"}});
  auto fu = child(*mpoly, "F").forward(u);
  EXPECT_LE(max_difference(mpoly->forward(State{u, {}, {}}).u, u + fu + child(*mpoly, "G").forward(fu)), 1e-6);

  auto way = block({{"name", "backward_euler_neumann"}, {"form", "way"}});
  EXPECT_LE(max_difference(way->forward(State{u, {}, {}}).u,
                           u + child(*way, "F").forward(u) + child(*way, "G").forward(u)),
            1e-6);
}

TEST(Correspondence, FractalNetIsASecondOrderRungeKuttaReading) {
  auto u = input();
  auto rk2 = block({{"name", "fractal"}, {"form", "rk2"}, {"trainable_k", true}});
  auto* fractal = dynamic_cast<FractalRk2StepImpl*>(rk2.get());
  ASSERT_NE(fractal, nullptr);
  auto k = fractal->k();
  auto y = k[2] * u + child(*rk2, "f1").forward(u);
  EXPECT_LE(max_difference(rk2->forward(State{u, {}, {}}).u, k[0] * u + k[1] * y + child(*rk2, "f2").forward(y)), 1e-6);

  // Expansion rule, C = 2: f_2(u) = ½ (g'(g''(u)) + g(u)).
  auto expansion = block({{"name", "fractal"}, {"form", "expansion"}, {"columns", 2}});
  auto expected = 0.5 * (child(*expansion, "fractal.deep2.g").forward(child(*expansion, "fractal.deep1.g").forward(u)) +
                         child(*expansion, "fractal.g").forward(u));
  EXPECT_LE(max_difference(expansion->forward(State{u, {}, {}}).u, expected), 1e-6);
}

// FractalNet's flat join, C = 3: y = mean(f(f(u)), g'(u)) feeds the second copy of f_2, and one
// mean joins the block's three columns (4, 2 and 1 fields deep).
TEST(Correspondence, FractalNetFlatJoinAveragesAllColumnsOnce) {
  auto step = block({{"name", "fractal"}, {"form", "expansion"}, {"columns", 3}, {"join", "flat"}});
  auto u = input();
  auto g = [&](const std::string& name, const torch::Tensor& x) { return child(*step, "fractal." + name).forward(x); };
  auto y = 0.5 * (g("deep1.deep2.g", g("deep1.deep1.g", u)) + g("deep1.g", u));
  auto expected = (g("deep2.deep2.g", g("deep2.deep1.g", y)) + g("deep2.g", y) + g("g", u)) / 3;
  EXPECT_LE(max_difference(step->forward(State{u, {}, {}}).u, expected), 1e-6);
  // The pairwise rule nests instead: ½(f_2(f_2(u)) + g(u)) with f_2 = ½(g'∘g'' + g).
  auto pairwise = block({{"name", "fractal"}, {"form", "expansion"}, {"columns", 3}});
  auto h = [&](const std::string& name, const torch::Tensor& x) { return child(*pairwise, "fractal." + name).forward(x); };
  auto f2 = [&](const std::string& copy, const torch::Tensor& x) {
    return 0.5 * (h(copy + ".deep2.g", h(copy + ".deep1.g", x)) + h(copy + ".g", x));
  };
  EXPECT_LE(max_difference(pairwise->forward(State{u, {}, {}}).u, 0.5 * (f2("deep2", f2("deep1", u)) + h("g", u))), 1e-6);
}

// Global drop-path: a training mini-batch runs one column, 2^(C−1−i) fields deep, the same
// column in every block of the network (drawn by the first block).
TEST(Correspondence, FractalGlobalDropPathRunsOneColumnThroughTheWholeNetwork) {
  torch::manual_seed(0);
  auto scheme = build_scheme(scheme_registry(), {{"name", "fractal"}, {"form", "expansion"}, {"columns", 3},
                                                 {"join", "flat"}, {"global_drop_path", 1.0}}, "test", "");
  auto first = scheme->make_step(conv_fields(), StepContext{1.0, 0, 2});
  auto second = scheme->make_step(conv_fields(), StepContext{1.0, 1, 2});
  auto columns = [](StepImpl& step, const torch::Tensor& u) {
    auto g = [&](const std::string& name, const torch::Tensor& x) { return child(step, "fractal." + name).forward(x); };
    return std::vector<torch::Tensor>{
        g("deep2.deep2.g", g("deep2.deep1.g", g("deep1.deep2.g", g("deep1.deep1.g", u)))),
        g("deep2.g", g("deep1.g", u)), g("g", u)};
  };
  torch::NoGradGuard no_grad;
  auto u = input();
  std::set<int> seen;
  for (int draw = 0; draw < 30; ++draw) {
    first->train();
    second->train();
    for (auto* step : {first.get(), second.get()})
      for (auto& m : step->modules(false))
        if (dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) m->eval();  // fixed functions
    auto a = first->forward(State{u, {}, {}}).u;
    auto b = second->forward(State{a, {}, {}}).u;
    auto in_first = columns(*first, u), in_second = columns(*second, a);
    int column = -1;
    for (int c = 0; c < 3; ++c)
      if (max_difference(a, in_first[c]) <= 1e-6) column = c;
    ASSERT_GE(column, 0) << "draw " << draw << ": not a single column";
    EXPECT_LE(max_difference(b, in_second[column]), 1e-6) << "draw " << draw << ": blocks ran different columns";
    seen.insert(column);
  }
  EXPECT_EQ(seen.size(), 3u);

  // Evaluation with one column (FractalNet's "deepest column alone"): that column's path only.
  auto deepest = build_scheme(scheme_registry(), {{"name", "fractal"}, {"form", "expansion"}, {"columns", 3},
                                                  {"join", "flat"}, {"eval_column", 0}}, "test", "")
                     ->make_step(conv_fields(), StepContext{1.0, 0, 1});
  deepest->eval();
  EXPECT_LE(max_difference(deepest->forward(State{u, {}, {}}).u, columns(*deepest, u)[0]), 1e-6);
}

// A stage transition of each scheme family: RevNet projects both halves, shake-shake mixes
// two strided branches on the projected state (eval: the mean ½(f1 + f2)).
TEST(Correspondence, TransitionStepsOfRevNetAndShakeShake) {
  torch::manual_seed(0);
  auto fields = [](int64_t split) -> FieldFactory {
    return [split](FieldPart part) -> std::shared_ptr<FieldImpl> {
      if (part == FieldPart::kSecond)
        return std::make_shared<BasicFieldImpl>(BasicFieldOptions(2 * kChannels / split, 2 * kChannels / split));
      return std::make_shared<BasicFieldImpl>(BasicFieldOptions(kChannels / split, 2 * kChannels / split).stride(2));
    };
  };
  auto projections = [](int64_t split) -> FieldFactory {
    return [split](FieldPart) -> std::shared_ptr<FieldImpl> {
      return std::make_shared<ShakeSkipProjectionImpl>(kChannels / split, 2 * kChannels / split, 2);
    };
  };
  auto u = input();
  torch::NoGradGuard no_grad;
  auto revnet = build_scheme(scheme_registry(), {{"name", "reversible"}}, "test", "")
                    ->make_transition_step(fields(2), projections(2), StepContext{1.0, 0, 1});
  revnet->eval();
  auto x = u.narrow(1, 0, kChannels / 2), y = u.narrow(1, kChannels / 2, kChannels / 2);
  auto x_next = child(*revnet, "project_x").forward(x) + child(*revnet, "F").forward(y);
  auto y_next = child(*revnet, "project_y").forward(y) + child(*revnet, "G").forward(x_next);
  auto next = revnet->forward(State{u, {}, {}}).u;
  EXPECT_EQ(next.sizes(), (std::vector<int64_t>{2, 2 * kChannels, 3, 3}));
  EXPECT_LE(max_difference(next, torch::cat({x_next, y_next}, 1)), 1e-6);
  EXPECT_THROW(revnet->inverse(State{next, {}, {}}), Error);

  auto shake = build_scheme(scheme_registry(), {{"name", "euler_maruyama"}, {"variant", "shake_shake"}}, "test", "")
                   ->make_transition_step(fields(1), projections(1), StepContext{1.0, 0, 1});
  shake->eval();
  auto expected = child(*shake, "projection").forward(u) + 0.5 * (child(*shake, "f1").forward(u) + child(*shake, "f2").forward(u));
  EXPECT_LE(max_difference(shake->forward(State{u, {}, {}}).u, expected), 1e-6);
}

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

// FractalNet's conv units drop convolution outputs in training only, at the given rate.
TEST(Correspondence, ConvUnitDropoutInTrainingOnly) {
  torch::manual_seed(0);
  ConvUnitImpl unit(ConvUnitOptions(kChannels, kChannels).dropout(0.3).post_relu(false).activation(Activation::kPre));
  auto u = input();
  torch::NoGradGuard no_grad;
  unit.eval();
  auto clean = unit.forward(u);
  unit.train();
  for (auto& m : unit.modules(false))
    if (dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) m->eval();  // the same BN statistics as `clean`
  auto dropped = unit.forward(u);
  auto zeroed = (dropped == 0).logical_and(clean != 0).to(torch::kFloat64).sum().item<double>() /
                (clean != 0).sum().item<double>();
  EXPECT_NEAR(zeroed, 0.3, 0.05);
  auto kept = dropped != 0;
  EXPECT_LE(max_difference(dropped.masked_select(kept), clean.masked_select(kept) / 0.7), 1e-5);
}

// Shake-shake's skip: two 1×1 paths, on v = ReLU(u) subsampled and on v shifted one pixel down-right.
TEST(Correspondence, ShakeSkipShortcutIsTwoShiftedStridedPaths) {
  torch::manual_seed(0);
  ShakeSkipProjectionImpl skip(kChannels, 2 * kChannels, 2);
  skip.eval();
  torch::NoGradGuard no_grad;
  auto u = input();
  auto v = torch::relu(u);
  auto shifted = torch::zeros_like(v);
  shifted.narrow(2, 1, 5).narrow(3, 1, 5).copy_(v.narrow(2, 0, 5).narrow(3, 0, 5));
  using torch::indexing::None;
  using torch::indexing::Slice;
  auto every_other = [](const torch::Tensor& t) { return t.index({Slice(), Slice(), Slice(0, None, 2), Slice(0, None, 2)}); };
  auto conv = [&](const std::string& name, const torch::Tensor& t) {
    return torch::conv2d(t, skip.named_parameters()[name + ".weight"]);
  };
  auto bn = [&](const torch::Tensor& t) {
    auto p = skip.named_parameters();
    auto b = skip.named_buffers();
    auto shape = std::vector<int64_t>{1, -1, 1, 1};
    return (t - b["bn.running_mean"].view(shape)) / torch::sqrt(b["bn.running_var"].view(shape) + 1e-5) *
               p["bn.weight"].view(shape) + p["bn.bias"].view(shape);
  };
  auto expected = bn(torch::cat({conv("conv_a", every_other(v)), conv("conv_b", every_other(shifted))}, 1));
  EXPECT_LE(max_difference(skip.forward(u), expected), 1e-5);
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

TEST(Correspondence, RevNetIsTheReversibleCouplingAndInvertsExactly) {
  auto step = block({{"name", "reversible"}});
  auto u = input();
  auto x = u.narrow(1, 0, kChannels / 2), y = u.narrow(1, kChannels / 2, kChannels / 2);
  auto x_next = x + child(*step, "F").forward(y);
  auto y_next = y + child(*step, "G").forward(x_next);
  auto next = step->forward(State{u, {}, {}}).u;
  EXPECT_LE(max_difference(next, torch::cat({x_next, y_next}, 1)), 1e-6);
  EXPECT_LE(max_difference(step->inverse(State{next, {}, {}}).u, u), 1e-4);  // float32 round trip
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

// Every example of every registered scheme runs in the CIFAR presets.
class SchemeInPreset : public ::testing::TestWithParam<nlohmann::json> {};

TEST_P(SchemeInPreset, BuildsTrainsAndEvaluatesAtTheRightShape) {
  for (const char* preset : {"resnet20", "lm_resnet20"}) {
    auto options = preset_options(preset);
    options.scheme = GetParam();
    auto scheme = build_scheme(scheme_registry(), options.scheme, "test", "");
    if (scheme->info().partitioned) options.depth = 26;  // two fields per step: 12n + 2
    auto model = build_model(options, *scheme, 3, 10);
    auto x = torch::randn({4, 3, 16, 16});
    model->train();
    auto logits = model->forward(x);
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{4, 10}));
    logits.sum().backward();
    model->eval();
    EXPECT_TRUE(torch::isfinite(model->forward(x)).all().item<bool>()) << GetParam().dump() << " in " << preset;
  }
}

std::vector<nlohmann::json> scheme_specs() { return test::registered_scheme_examples(); }

INSTANTIATE_TEST_SUITE_P(AllSchemes, SchemeInPreset, ::testing::ValuesIn(scheme_specs()));

TEST(SchemeInPreset, ReversibleNeedsAnEvenChannelSplit) {
  auto options = preset_options("resnet20");
  options.scheme = {{"name", "reversible"}};
  auto scheme = build_scheme(scheme_registry(), options.scheme, "test", "");
  auto error_of = [&] {
    try {
      build_model(options, *scheme, 3, 10);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // A reversible step holds two fields in sequence: RevNet counts 4 layers per basic step.
  EXPECT_EQ(error_of(), "preset 'resnet20' with scheme 'reversible': model depth 20 is not 12n+2 (n >= 1) as the "
                        "cifar_resnet layout with basic blocks and a partitioned scheme (two fields per step) needs");
  options.depth = 26;
  options.width = 3;
  EXPECT_EQ(error_of(), "preset 'resnet20' with scheme 'reversible': scheme 'reversible' splits the state into two "
                        "halves, but the output of stage 1 has 3 channels (odd)");
  options.width = 4;
  EXPECT_EQ(error_of(), "no error");
}

}  // namespace
}  // namespace odenet
