// Every preset builds and maps a small batch to (batch, classes), in evaluation and in
// training mode (drop-path, shake and stochastic depth draw; BatchNorm uses the batch):
// CIFAR layouts at 3×32×32 and at Fashion-MNIST's 1×28×28, ImageNet layouts at a reduced
// 3×64×64. Finite logits are checked in training mode only: at initialisation BatchNorm's
// running statistics are (0, 1), and through 1000+ residual steps the evaluation-mode sum
// overflows float32, as the untrained network's would anywhere. RevNet's residual steps
// invert exactly inside the built network.
#include <gtest/gtest.h>

#include "architectures/cifar_resnet.h"
#include "architectures/staged_network.h"
#include "architectures/presets.h"
#include "core/error.h"
#include "tests/support/test_support.h"

#include <torch/csrc/autograd/function.h>

namespace odenet {
namespace {

class EveryPreset : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryPreset, ForwardGivesOneRowOfLogitsPerImage) {
  const auto options = preset_options(GetParam());
  auto scheme = options.scheme;
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  const int64_t classes = native_classes(options);
  auto check = [&](ClassifierImpl& model, int64_t channels, int64_t side, int64_t outputs) {
    auto x = torch::randn({2, channels, side, side});
    model.eval();
    EXPECT_EQ(model.forward(x).sizes(), (std::vector<int64_t>{2, outputs})) << channels << "x" << side << " eval";
    model.train();
    auto logits = model.forward(x);
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, outputs})) << channels << "x" << side << " train";
    EXPECT_TRUE(torch::isfinite(logits).all().item<bool>()) << channels << "x" << side << " train";
  };
  check(*build_model(options, *scheme, 3, classes), 3, native_input_size(options) == 224 ? 64 : 32, classes);
  if (native_input_size(options) == 32) check(*build_model(options, *scheme, 1, 10), 1, 28, 10);
}

// The resolved-config round trip of every preset line: to_json → model_options_from_json (with the
// "preset" key, as a saved config.json holds it, and without it) → the same JSON and network.
TEST_P(EveryPreset, ResolvedModelReadsBackToTheSameNetwork) {
  const auto options = preset_options(GetParam());
  const nlohmann::json resolved = to_json(options);
  nlohmann::json bare = resolved;
  bare.erase("preset");
  const auto with_preset = model_options_from_json(JsonReader(resolved, "config.json", "/model"), preset_options);
  const auto without = model_options_from_json(JsonReader(bare, "config.json", "/model"), preset_options);
  EXPECT_EQ(to_json(with_preset), resolved);
  EXPECT_EQ(to_json(without), bare);
  auto scheme = options.scheme;
  auto names = [&](const ModelOptions& o) {
    std::vector<std::pair<std::string, std::vector<int64_t>>> out;
    for (const auto& p : build_model(o, *scheme, 3, 10)->named_parameters()) out.emplace_back(p.key(), p.value().sizes().vec());
    return out;
  };
  EXPECT_EQ(names(without), names(options));
}

// Options built in code (not read from JSON) meet the layout entry's field list in build_model.
TEST(BuildModel, RefusesAFieldTheLayoutDoesNotTake) {
  auto options = preset_options("resnet20");
  options.block = "conv";
  auto scheme = options.scheme;
  try {
    build_model(options, *scheme, 3, 10);
    FAIL() << "conv fields accepted by cifar_resnet";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "preset 'resnet20' with scheme 'forward_euler': the cifar_resnet layout takes basic or "
                           "bottleneck or antisymmetric or hamiltonian fields, not 'conv'");
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, EveryPreset, ::testing::ValuesIn(preset_registry().names()),
                         [](const auto& info) { return info.param; });

TEST(RevNetPreset, StepsAfterTheTransitionInvertExactly) {
  auto options = preset_options("revnet38");
  auto scheme = options.scheme;
  auto model = std::dynamic_pointer_cast<CifarResNetImpl>(build_model(options, *scheme, 3, 10));
  ASSERT_NE(model, nullptr);
  model->to(torch::kFloat64);
  model->eval();
  torch::NoGradGuard no_grad;
  auto& steps = model->stages()[1]->steps();  // stage 2: a transition, then two reversible steps
  ASSERT_EQ(steps.size(), 3u);
  State state{torch::randn({2, 64, 16, 16}, torch::kFloat64), {}, {}};
  auto after = steps[2]->forward(steps[1]->forward(state));
  auto back = steps[1]->inverse(steps[2]->inverse(after));
  EXPECT_LE((back.u - state.u).abs().max().item<double>(), 1e-12);
  EXPECT_THROW(steps[0]->inverse(state), Error);
}

// Training without stored activations, for every invertible scheme (RevNet's coupling, momentum —
// reversed in float or exactly —, the leapfrog network): the backward pass rebuilds each step's input (and velocity) with the
// inverse and recomputes it. Same gradients and BatchNorm statistics as ordinary backpropagation
// through the same network — float64 to 1e-9, float32 (what training uses) to 1e-5 relative.
struct RecomputeCase {
  std::string preset;
  nlohmann::json scheme;  ///< null: the preset's own
};

void PrintTo(const RecomputeCase& c, std::ostream* os) { *os << c.preset << " " << c.scheme.dump(); }

class Recomputing : public ::testing::TestWithParam<RecomputeCase> {};

/// `options` under `scheme`, seeded as every variant of a comparison is, in training mode.
std::shared_ptr<StagedNetworkImpl> seeded_model(ModelOptions options, const nlohmann::json& scheme, torch::ScalarType dtype) {
  options.scheme = build_scheme(scheme_registry(), scheme, "test", "");
  auto built = options.scheme;
  torch::manual_seed(0);
  auto model = std::dynamic_pointer_cast<StagedNetworkImpl>(build_model(options, *built, 3, 10));
  model->to(dtype);
  model->train();
  return model;
}

TEST_P(Recomputing, BackwardMatchesStoredActivations) {
  const RecomputeCase& c = GetParam();
  for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
    auto build = [&](bool recompute) {
      const auto options = preset_options(c.preset);
      const nlohmann::json spec = c.scheme.is_null() ? options.scheme->to_json() : c.scheme;
      nlohmann::json variant = test::with_key(spec, "recompute", recompute);
      if (!recompute) variant.erase("exact_reversal");  // an option of memory-free training
      return seeded_model(options, variant, dtype);
    };
    const double tolerance = dtype == torch::kFloat64 ? 1e-9 : 1e-5;
    auto saving = build(true), storing = build(false);
    torch::manual_seed(1);
    auto x = torch::randn({4, 3, 16, 16}, dtype);
    auto weights = torch::randn({4, 10}, dtype);
    std::vector<torch::Tensor> input_grads;
    for (auto& model : {saving, storing}) {
      auto input = x.clone().requires_grad_(true);
      (model->forward(input) * weights).sum().backward();
      input_grads.push_back(input.grad());
    }
    const auto relative = [](const torch::Tensor& a, const torch::Tensor& b) {
      return ((a - b).abs().max() / (b.abs().max() + 1e-30)).item<double>();
    };
    EXPECT_LE(relative(input_grads[0], input_grads[1]), tolerance) << dtype;
    auto a = saving->named_parameters(), b = storing->named_parameters();
    for (const auto& p : a) {
      auto ga = p.value().grad(), gb = b[p.key()].grad();
      ASSERT_TRUE(ga.defined() && gb.defined()) << p.key();
      EXPECT_LE((ga - gb).abs().max().item<double>(), tolerance * (1 + gb.abs().max().item<double>())) << p.key() << " " << dtype;
    }
    auto buffers_b = storing->named_buffers();
    for (const auto& buffer : saving->named_buffers())  // running statistics updated once, as without recomputation
      EXPECT_LE((buffer.value().to(torch::kFloat64) - buffers_b[buffer.key()].to(torch::kFloat64)).abs().max().item<double>(),
                tolerance)
          << buffer.key();
    // Stage 1 (no transition) is one recomputed run: a single autograd node for its steps.
    const int64_t channels = saving->stages()[0]->shape().channels;
    auto out = saving->stages()[0]->forward(State{torch::randn({2, channels, 8, 8}, dtype), {}, {}, {}}).u;
    EXPECT_NE(out.grad_fn()->name().find("InvertibleRun"), std::string::npos) << out.grad_fn()->name();
  }
}

INSTANTIATE_TEST_SUITE_P(
    InvertibleSchemes, Recomputing,
    ::testing::Values(RecomputeCase{"revnet38", nullptr},
                      RecomputeCase{"preact_resnet20", {{"name", "momentum"}, {"gamma", 0.9}}},
                      RecomputeCase{"preact_resnet20", {{"name", "momentum"}, {"gamma", 0.5}, {"learn_gamma", true}}},
                      RecomputeCase{"preact_resnet20", {{"name", "momentum"}, {"gamma", 0.875}, {"exact_reversal", true}}},
                      RecomputeCase{"preact_resnet20",
                                    {{"name", "momentum"}, {"gamma", 0.5}, {"learn_gamma", true}, {"exact_reversal", true}}},
                      RecomputeCase{"preact_resnet20", {{"name", "leapfrog_second_order"}}}),
    [](const auto& info) { return std::to_string(info.index) + "_" + info.param.preset; });

// Momentum ResNet-50 on torchvision's layout as momentumnet's transform_to_momentumnet converts
// it: each stage's first block stays the ResNet's (a ReLU after it), the others take
// f(u) = ReLU(u + g(u)) − u with g the block's residual branch and no ReLU after them. Those
// steps invert, so the preset trains without stored activations — to the same gradients.
TEST(MomentumImagenet, BlocksAreMomentumnetsConversionAndTrainWithoutStoredActivations) {
  const double gamma = 0.9;
  auto build = [&](bool recompute, torch::ScalarType dtype, bool exact = false) {
    auto options = preset_options("momentum_resnet50");
    options.width = 4;
    nlohmann::json spec = {{"name", "momentum"}, {"gamma", gamma}, {"recompute", recompute}};
    if (exact) spec["exact_reversal"] = true;
    return seeded_model(options, spec, dtype);
  };
  {  // the step's equation, from rest: u' = u + (1 − γ)(ReLU(u + g(u)) − u), nothing after it
    torch::NoGradGuard no_grad;
    auto model = build(false, torch::kFloat64);
    model->eval();
    auto& stage = *model->stages()[0];
    EXPECT_TRUE(stage.shape().relu_after(0)) << "the opening block is torchvision's";
    EXPECT_FALSE(stage.shape().relu_after(1));
    const auto u = torch::relu(torch::randn({2, stage.shape().channels, 8, 8}, torch::kFloat64));
    auto& step = *stage.steps()[1];
    auto& g = dynamic_cast<FieldImpl&>(*step.named_children()["f"]);
    const auto expected = u + (1 - gamma) * (torch::relu(u + g.forward(u)) - u);
    EXPECT_LE((step.forward(State{u, {}, {}}).u - expected).abs().max().item<double>(), 1e-12);
  }
  for (auto [dtype, exact] : {std::pair{torch::kFloat64, false}, std::pair{torch::kFloat32, false}, std::pair{torch::kFloat32, true}}) {
    const double tolerance = dtype == torch::kFloat64 ? 1e-9 : 1e-5;
    auto saving = build(true, dtype, exact), storing = build(false, dtype);
    torch::manual_seed(1);
    // 8 images of 64²: stage 4 normalises over 8 · 2 · 2 values (at 32², 4 · 1 · 1 amplify rounding)
    const auto x = torch::randn({8, 3, 64, 64}, dtype);
    const auto weights = torch::randn({8, 10}, dtype);
    for (auto& model : {saving, storing}) (model->forward(x) * weights).sum().backward();
    auto b = storing->named_parameters();
    double worst = 0;
    for (const auto& p : saving->named_parameters()) {
      auto ga = p.value().grad(), gb = b[p.key()].grad();
      ASSERT_TRUE(ga.defined() && gb.defined()) << p.key();
      worst = std::max(worst, (ga - gb).abs().max().item<double>() / (1 + gb.abs().max().item<double>()));
    }
    std::printf("  %s, %s reversal: largest gradient difference %.2g (relative to 1 + |g|)\n", dtype == torch::kFloat64 ? "float64" : "float32",
                exact ? "exact" : "float", worst);
    EXPECT_LE(worst, tolerance);
    // Stage 3's five momentum blocks are one recomputed run.
    auto& stage = *saving->stages()[2];
    const auto u = torch::relu(torch::randn({2, stage.shape().channels, 4, 4}, dtype));
    std::vector<std::shared_ptr<StepImpl>> rest(stage.steps().begin() + 1, stage.steps().end());
    const auto out = StageImpl(rest, StageShape{0, true, stage.shape().channels, {}, 0}).forward(State{u, {}, {}, {}}).u;
    EXPECT_NE(out.grad_fn()->name().find("InvertibleRun"), std::string::npos) << out.grad_fn()->name();
  }
}

}  // namespace
}  // namespace odenet
