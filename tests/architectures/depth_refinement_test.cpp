// Depth refinement against mathematics: a stage whose field is linear, f(u) = A u, integrates
// u' = A u, so re-integrating it with m·K steps converges to exp(K A) u₀ at each scheme's order;
// m = 1 under the network's own scheme is the network itself, bit for bit; linear interpolation
// of parameters that are linear in depth is exact; refined networks have the declared steps.
#include <gtest/gtest.h>

#include <cmath>

#include "architectures/cifar_resnet.h"
#include "architectures/depth_refinement.h"
#include "architectures/presets.h"
#include "architectures/staged_network.h"
#include "core/error.h"
#include "discretizations/forward_euler.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

// f(u) = u Aᵀ on states [N, D] (float64).
struct LinearFieldImpl : FieldImpl {
  explicit LinearFieldImpl(const torch::Tensor& a) { weight = register_parameter("weight", a.clone()); }
  torch::Tensor forward(torch::Tensor u) override { return torch::matmul(u, weight.t()); }
  torch::Tensor weight;
};

// K forward Euler steps (Δt = 1), step i's field A_i; fresh fields are zero matrices of A's size.
std::shared_ptr<StageImpl> linear_stage(const std::vector<torch::Tensor>& fields) {
  std::vector<std::shared_ptr<StepImpl>> steps;
  for (const auto& a : fields) steps.push_back(std::make_shared<ForwardEulerStepImpl>(std::make_shared<LinearFieldImpl>(a), 1.0));
  const int64_t d = fields.front().size(0);
  StageShape shape{0, false, d, [d](int64_t, int64_t, int64_t) -> std::shared_ptr<FieldImpl> {
                     return std::make_shared<LinearFieldImpl>(torch::zeros({d, d}, torch::kFloat64));
                   }};
  return std::make_shared<StageImpl>(steps, shape);
}

torch::Tensor run_stage(StageImpl& stage, const torch::Tensor& u0) {
  torch::NoGradGuard no_grad;
  stage.eval();
  return stage.forward(State{u0, {}, {}, {}}).u;
}

double slope(const std::vector<double>& dt, const std::vector<double>& error) {
  double mx = 0, my = 0, n = static_cast<double>(dt.size());
  for (size_t i = 0; i < dt.size(); ++i) mx += std::log(dt[i]) / n, my += std::log(error[i]) / n;
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < dt.size(); ++i)
    sxx += std::pow(std::log(dt[i]) - mx, 2), sxy += (std::log(dt[i]) - mx) * (std::log(error[i]) - my);
  return sxy / sxx;
}

TEST(DepthRefinement, ALinearFieldConvergesToTheMatrixExponentialAtEachSchemesOrder) {
  // Eigenvalues −0.5 ± i and −0.3, −1: a damped rotation; K = 3 steps integrate to t = 3.
  auto a = torch::tensor({{-0.5, 1.0, 0.0, 0.0}, {-1.0, -0.5, 0.0, 0.0}, {0.0, 0.0, -0.3, 0.2}, {0.0, 0.0, 0.0, -1.0}},
                         torch::kFloat64);
  auto stage = linear_stage({a, a, a});
  auto u0 = torch::tensor({{1.0, -0.5, 0.25, 2.0}}, torch::kFloat64);
  auto exact = torch::matmul(u0, torch::matrix_exp(3.0 * a).t());
  const std::vector<std::pair<nlohmann::json, double>> cases{
      {"forward_euler", 1.0}, {{{"name", "runge_kutta"}, {"tableau", "midpoint"}}, 2.0}, {"runge_kutta", 4.0}};
  for (const auto& [spec, order] : cases) {
    auto scheme = build_scheme(scheme_registry(), spec, "-", "");
    std::vector<double> dts, errors;
    for (int64_t m : {4, 8, 16, 32}) {
      int index = 0;
      auto refined = refine_stage(*stage, *scheme, RefineOptions{m, DepthInterpolation::kPiecewise}, index, static_cast<int>(3 * m));
      ASSERT_EQ(refined->steps().size(), static_cast<size_t>(3 * m));
      dts.push_back(1.0 / static_cast<double>(m));
      errors.push_back((run_stage(*refined, u0) - exact).norm().item<double>());
    }
    EXPECT_NEAR(slope(dts, errors), order, 0.3) << spec.dump() << ": errors " << errors[0] << " … " << errors.back();
    EXPECT_LT(errors.back(), errors.front()) << spec.dump();
  }
}

TEST(DepthRefinement, LinearInterpolationOfParametersLinearInDepthIsExact) {
  // A_i = B + (i + ½) C: linear in depth at the nodes t = i + ½.
  auto b = torch::randn({3, 3}, torch::kFloat64), c = torch::randn({3, 3}, torch::kFloat64);
  std::vector<torch::Tensor> fields;
  for (int i = 0; i < 4; ++i) fields.push_back(b + (i + 0.5) * c);
  auto stage = linear_stage(fields);
  const int64_t m = 4;
  int index = 0;
  auto refined = refine_stage(*stage, *build_scheme(scheme_registry(), "forward_euler", "-", ""),
                              RefineOptions{m, DepthInterpolation::kLinear}, index, 16);
  ASSERT_EQ(refined->steps().size(), 16u);
  for (int j = 0; j < 16; ++j) {
    const double t = (j + 0.5) / m;
    const double clamped = std::clamp(t, 0.5, 3.5);  // constant beyond the first and last node
    auto field = step_fields(*refined->steps()[j]).front();
    auto weight = field->named_parameters()["weight"];
    EXPECT_LT((weight - (b + clamped * c)).abs().max().item<double>(), 1e-12) << "refined step " << j << " at t = " << t;
  }
  // Piecewise: each refined step takes its trained step's field itself (shared, not copied).
  auto piecewise = refine_stage(*stage, *build_scheme(scheme_registry(), "forward_euler", "-", ""),
                                RefineOptions{m, DepthInterpolation::kPiecewise}, index, 16);
  for (int j = 0; j < 16; ++j)
    EXPECT_EQ(step_fields(*piecewise->steps()[j]).front(), step_fields(*stage->steps()[j / m]).front()) << j;
}

TEST(DepthRefinement, TheStepSizeIsOneOverMAndTheStageHasMTimesTheSteps) {
  auto a = torch::eye(2, torch::kFloat64);
  auto stage = linear_stage({a, a});
  auto u0 = torch::tensor({{1.0, 2.0}}, torch::kFloat64);
  for (int64_t m : {1, 3, 5}) {
    int index = 0;
    auto refined = refine_stage(*stage, *build_scheme(scheme_registry(), "forward_euler", "-", ""),
                                RefineOptions{m, DepthInterpolation::kLinear}, index, static_cast<int>(2 * m));
    EXPECT_EQ(refined->steps().size(), static_cast<size_t>(2 * m));
    EXPECT_EQ(index, 2 * m);
    torch::NoGradGuard no_grad;
    auto one = refined->steps().front()->forward(State{u0, {}, {}, {}}).u;  // u + Δt A u with A = I
    EXPECT_LT((one - u0 * (1.0 + 1.0 / static_cast<double>(m))).abs().max().item<double>(), 1e-15) << m;
  }
}

// Small networks of the shapes the presets use, with BatchNorm statistics and k_n moved away from
// their initial values, so that every parameter and buffer matters.
std::shared_ptr<ClassifierImpl> small_network(const nlohmann::json& model) {
  auto options = model_options_from_json(JsonReader(model, "-", "/model"), preset_options);
  auto scheme = options.scheme;
  auto network = build_model(options, *scheme, 3, 10);
  torch::NoGradGuard no_grad;
  for (auto& b : network->named_buffers())
    if (b.value().is_floating_point()) b.value().uniform_(0.5, 1.5);
  for (auto& p : network->named_parameters())
    if (p.key().size() >= 2 && (p.key().substr(p.key().size() - 2) == ".k" || p.key().substr(p.key().size() - 2) == ".s"))
      p.value().uniform_(-0.5, 0.5);
  return network;
}

std::shared_ptr<ClassifierImpl> copy_of(const nlohmann::json& model, const ClassifierImpl& source) {
  auto options = model_options_from_json(JsonReader(model, "-", "/model"), preset_options);
  auto network = build_model(options, *options.scheme, 3, 10);
  torch::NoGradGuard no_grad;
  auto params = source.named_parameters();
  auto buffers = source.named_buffers();
  for (auto& p : network->named_parameters()) p.value().copy_(params[p.key()]);
  for (auto& b : network->named_buffers()) b.value().copy_(buffers[b.key()]);
  return network;
}

TEST(DepthRefinement, OneStepPerTrainedStepUnderItsOwnSchemeIsTheNetworkBitForBit) {
  const std::vector<nlohmann::json> models{
      {{"preset", "resnet20"}, {"depth", 14}, {"width", 4}},
      {{"preset", "lm_resnet20"}, {"depth", 14}, {"width", 4}},
      {{"preset", "lm_resnet20"}, {"depth", 14}, {"width", 4},
       {"scheme", {{"name", "linear_multistep"}, {"per_channel", true}}}},
      {{"preset", "preact_resnet20"}, {"depth", 14}, {"width", 4}, {"scheme", {{"name", "runge_kutta"}, {"tableau", "rk4"}}}},
  };
  torch::manual_seed(0);
  auto x = torch::randn({3, 3, 16, 16});
  for (const auto& model : models) {
    auto trained = small_network(model);
    torch::NoGradGuard no_grad;
    trained->eval();
    const auto expected = trained->forward(x);
    for (auto interpolation : {DepthInterpolation::kPiecewise, DepthInterpolation::kLinear}) {
      auto copy = copy_of(model, *trained);
      auto options = model_options_from_json(JsonReader(model, "-", "/model"), preset_options);
      auto staged = std::dynamic_pointer_cast<StagedNetworkImpl>(copy);
      ASSERT_TRUE(staged);
      refine_network(*staged, *options.scheme, RefineOptions{1, interpolation});
      copy->eval();
      EXPECT_TRUE(torch::equal(copy->forward(x), expected)) << model.dump() << " "
                                                            << enum_name(depth_interpolation_names(), interpolation);
    }
  }
}

TEST(DepthRefinement, ARefinedNetworkHasTheDeclaredStepsAndItsOpeningsUnchanged) {
  const nlohmann::json model{{"preset", "lm_resnet20"}, {"depth", 14}, {"width", 4}};
  auto trained = small_network(model);
  auto staged = std::dynamic_pointer_cast<StagedNetworkImpl>(trained);
  const auto before = stage_step_counts(*staged);
  EXPECT_EQ(before, (std::vector<int64_t>{2, 2, 2}));  // stage 1: 2 steps; stages 2, 3: an opening and 1 step
  auto opening = staged->stages()[1]->steps()[0];
  refine_network(*staged, *build_scheme(scheme_registry(), "forward_euler", "-", ""), RefineOptions{4, DepthInterpolation::kLinear});
  EXPECT_EQ(stage_step_counts(*staged), (std::vector<int64_t>{8, 5, 5}));
  EXPECT_EQ(staged->stages()[1]->steps()[0], opening);
  torch::NoGradGuard no_grad;
  trained->eval();
  EXPECT_TRUE(torch::isfinite(trained->forward(torch::randn({2, 3, 16, 16}))).all().item<bool>());
}

TEST(DepthRefinement, SchemesThatDoNotFitTheTrainedStepsAreOneLineErrors) {
  const nlohmann::json model{{"preset", "preact_resnet20"}, {"depth", 14}, {"width", 4}};
  auto staged = std::dynamic_pointer_cast<StagedNetworkImpl>(small_network(model));
  auto lm = build_scheme(scheme_registry(), "linear_multistep", "-", "");
  EXPECT_EQ(test::error_message<ConfigError>([&] { refine_network(*staged, *lm, RefineOptions{2, DepthInterpolation::kPiecewise}); }),
            "scheme 'linear_multistep' learns 'k' per step, which the trained steps of stage 1 do not hold: fix it in the scheme "
            "object (e.g. {\"name\": \"linear_multistep\", \"k\": 0.5})");
  auto revnet = build_scheme(scheme_registry(), nlohmann::json{{"name", "reversible"}}, "-", "");
  EXPECT_EQ(test::error_message<ConfigError>([&] { refine_network(*staged, *revnet, RefineOptions{2, DepthInterpolation::kPiecewise}); }),
            "scheme 'reversible' splits the state into halves (X' = F(Y), Y' = G(X)); the trained steps of stage 1 hold one "
            "field of the whole state");
  EXPECT_EQ(test::error_message<ConfigError>([&] { refine_network(*staged, *lm, RefineOptions{0, DepthInterpolation::kPiecewise}); }),
            "refinement factor 0: must be at least 1");
  // With k fixed, the forward Euler network re-integrates as an LM method.
  auto fixed = build_scheme(scheme_registry(), nlohmann::json{{"name", "linear_multistep"}, {"k", 0.5}}, "-", "");
  refine_network(*staged, *fixed, RefineOptions{2, DepthInterpolation::kPiecewise});
  EXPECT_EQ(stage_step_counts(*staged), (std::vector<int64_t>{4, 3, 3}));
}

// A momentum network on a post-activation layout carries its ReLUs inside its fields
// (ReLU(u + g(u)) − u): refined under momentum its refined steps do too (at factor 1, the same
// network); under forward Euler there would be no ReLU at all — an error that says so.
TEST(DepthRefinement, AMomentumStageWithItsReluInsideRefinesOnlyUnderMomentum) {
  auto options = preset_options("momentum_resnet50");
  options.width = 4;
  auto scheme = options.scheme;
  torch::manual_seed(0);
  auto model = std::dynamic_pointer_cast<StagedNetworkImpl>(build_model(options, *scheme, 3, 10));
  model->eval();
  auto& stage = *model->stages()[0];
  int index = 0;
  auto same = refine_stage(stage, *scheme, RefineOptions{1, DepthInterpolation::kPiecewise}, index, 16);
  torch::NoGradGuard no_grad;
  const State u{torch::relu(torch::randn({2, 4, 8, 8})), {}, {}, {}};  // the stem's width
  EXPECT_LE((same->forward(u).u - stage.forward(u).u).abs().max().item<double>(), 1e-6);
  EXPECT_FALSE(same->shape().relu_after(1));
  index = 0;
  try {
    refine_stage(stage, *build_scheme(scheme_registry(), "forward_euler", "-", ""), RefineOptions{2, DepthInterpolation::kPiecewise},
                 index, 16);
    FAIL() << "refined under forward Euler";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "stage 1 carries its ReLUs inside its fields, ReLU(u + g(u)) − u (a post-activation layout under momentum): "
                 "refine it under a scheme that does too (momentum), not 'forward_euler'");
  }
}

}  // namespace
}  // namespace odenet
