// Float64 gradient check of every block type: central finite differences of a
// scalar loss against autograd, for the input and for a parameter, on every
// registered scheme's network step built from BasicFields (every activation
// ordering), on every scheme's transition step with each projection (zero-pad,
// 1×1, shake-shake's skip), and on bottlenecks.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include "analysis/gradient_check.h"
#include "architectures/fields.h"
#include "discretizations/forward_euler.h"
#include "discretizations/scheme.h"

namespace odenet {
namespace {

constexpr int64_t kChannels = 4;

void check_gradients(StepImpl& step, const State& state, const std::string& label) {
  const GradientCheck check = check_step_gradients(step, state);
  ASSERT_TRUE(check.parameter_checked) << label;
  EXPECT_LT(check.input_error, 1e-6) << label << " input";
  EXPECT_LT(check.parameter_error, 1e-6) << label << " parameter";
}

const std::vector<std::pair<Activation, std::string>> kActivations = {
    {Activation::kPost, "post"}, {Activation::kPre, "pre"}, {Activation::kReluFirst, "relu_first"}};

FieldFactory basic_fields(Activation activation) {
  return [activation](FieldPart part) -> std::shared_ptr<FieldImpl> {
    int64_t c = part == FieldPart::kWhole ? kChannels : kChannels / 2;
    return std::make_shared<BasicFieldImpl>(BasicFieldOptions(c, c).activation(activation));
  };
}

class GradientCheck : public ::testing::TestWithParam<nlohmann::json> {};

TEST_P(GradientCheck, AutogradMatchesFiniteDifferencesInFloat64) {
  for (const auto& [activation, label] : kActivations) {
    torch::manual_seed(0);
    auto scheme = build_scheme(scheme_registry(), GetParam(), "test", "");
    auto step = scheme->make_step(basic_fields(activation), StepContext{1.0, 0, 1, kChannels});
    auto u = torch::randn({2, kChannels, 3, 3}, torch::kFloat64);
    State state{u, {torch::randn_like(u)}, {torch::randn_like(u)}};
    check_gradients(*step, state, GetParam().dump() + " " + label);
  }
}

// The scheme's stage-opening step from kChannels to 2·kChannels at stride 2 (F of a
// partitioned scheme reads the input's half, G the output's), with each shortcut.
TEST_P(GradientCheck, TransitionStepsWithEachProjection) {
  for (const std::string shortcut : {"zero_pad", "projection", "shake_skip"}) {
    torch::manual_seed(0);
    auto scheme = build_scheme(scheme_registry(), GetParam(), "test", "");
    const int64_t split = scheme->info().partitioned ? 2 : 1;
    FieldFactory fields = [&](FieldPart part) -> std::shared_ptr<FieldImpl> {
      if (part == FieldPart::kSecond)
        return std::make_shared<BasicFieldImpl>(BasicFieldOptions(2 * kChannels / split, 2 * kChannels / split));
      return std::make_shared<BasicFieldImpl>(BasicFieldOptions(kChannels / split, 2 * kChannels / split).stride(2));
    };
    FieldFactory projections = [&](FieldPart) -> std::shared_ptr<FieldImpl> {
      const int64_t in = kChannels / split, out = 2 * kChannels / split;
      if (shortcut == "zero_pad") return std::make_shared<ZeroPadProjectionImpl>(in, out, 2);
      if (shortcut == "shake_skip") return std::make_shared<ShakeSkipProjectionImpl>(in, out, 2);
      return std::make_shared<ConvProjectionImpl>(in, out, 2, Activation::kPost);
    };
    auto step = scheme->make_transition_step(fields, projections, StepContext{1.0, 0, 1});
    check_gradients(*step, State{torch::randn({2, kChannels, 4, 4}, torch::kFloat64), {}, {}},
                    GetParam().dump() + " transition " + shortcut);
  }
}

// Every example of every registered scheme (registry-driven: a new entry is checked by its examples).
std::vector<nlohmann::json> block_types() { return test::registered_scheme_examples(); }

INSTANTIATE_TEST_SUITE_P(EveryBlock, GradientCheck, ::testing::ValuesIn(block_types()));

TEST(GradientCheck, BottleneckFields) {
  for (const auto& [activation, label] : kActivations) {
    torch::manual_seed(0);
    auto field = std::make_shared<BottleneckFieldImpl>(
        BottleneckFieldOptions(kChannels, 2, 2 * kChannels).stride(2).activation(activation));
    ForwardEulerStepImpl step(field, 1.0, std::make_shared<ConvProjectionImpl>(kChannels, 2 * kChannels, 2, activation));
    check_gradients(step, State{torch::randn({2, kChannels, 4, 4}, torch::kFloat64), {}, {}}, "bottleneck " + label);
  }
}

TEST(GradientCheck, ConvUnitFields) {
  for (const auto& [activation, label] : kActivations) {
    torch::manual_seed(0);
    auto field = std::make_shared<ConvUnitImpl>(ConvUnitOptions(kChannels, kChannels).activation(activation));
    ForwardEulerStepImpl step(field, 1.0);
    check_gradients(step, State{torch::randn({2, kChannels, 4, 4}, torch::kFloat64), {}, {}}, "conv unit " + label);
  }
}

}  // namespace
}  // namespace odenet
