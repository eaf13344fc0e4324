// The paper's Table 1, executable: each network block built by the framework
// computes its scheme's update from its own sub-modules (float32, ≤ 1e-6), and
// the stochastic blocks' empirical mean over many draws is their drift.
#include <gtest/gtest.h>

#include <set>

#include "tests/discretizations/step_fixtures.h"
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

using namespace test;

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

// Every example of every registered scheme runs in the CIFAR presets.
class SchemeInPreset : public ::testing::TestWithParam<nlohmann::json> {};

TEST_P(SchemeInPreset, BuildsTrainsAndEvaluatesAtTheRightShape) {
  for (const char* preset : {"resnet20", "lm_resnet20"}) {
    auto options = preset_options(preset);
    options.scheme = build_scheme(scheme_registry(), GetParam(), "test", "");
    auto scheme = options.scheme;
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

}  // namespace
}  // namespace odenet
