// Float64 gradient check of every block type: central finite differences of a
// scalar loss against autograd, for the input and for a parameter, on every
// registered scheme's network step built from BasicFields (pre- and
// post-activation) and on the transition step with each projection.
#include <gtest/gtest.h>

#include "architectures/fields.h"
#include "discretizations/forward_euler.h"
#include "discretizations/scheme.h"

namespace odenet {
namespace {

constexpr int64_t kChannels = 4;

// d loss / d x[i] by central differences, loss = Σ w ⊙ step(x) with fixed random weights w.
double finite_difference(const std::function<torch::Tensor()>& loss, torch::Tensor& x, int64_t i, double h = 1e-6) {
  torch::NoGradGuard no_grad;
  auto flat = x.view(-1);
  double saved = flat[i].item<double>();
  flat[i] = saved + h;
  double plus = loss().item<double>();
  flat[i] = saved - h;
  double minus = loss().item<double>();
  flat[i] = saved;
  return (plus - minus) / (2 * h);
}

void check_gradients(StepImpl& step, const State& state, const std::string& label) {
  step.to(torch::kFloat64);
  step.eval();  // BatchNorm at its running statistics: a fixed smooth function
  torch::manual_seed(1);
  auto x = state.u.clone().set_requires_grad(true);
  torch::Tensor weights;
  {
    torch::NoGradGuard no_grad;
    weights = torch::randn_like(step.forward(state).u);  // the output's shape
  }
  auto loss = [&]() { return (step.forward(State{x, state.history, state.past_f}).u * weights).sum(); };
  auto value = loss();
  value.backward();
  auto params = step.parameters();
  ASSERT_FALSE(params.empty()) << label;
  auto& p = params.front();
  auto input_grad = x.grad().clone();
  auto param_grad = p.grad().clone();
  for (int64_t i : {int64_t{0}, x.numel() / 3, x.numel() - 1})
    EXPECT_NEAR(input_grad.view(-1)[i].item<double>(), finite_difference(loss, x, i), 1e-6) << label << " input " << i;
  auto data = p.detach();
  for (int64_t i : {int64_t{0}, p.numel() - 1})
    EXPECT_NEAR(param_grad.view(-1)[i].item<double>(), finite_difference(loss, data, i), 1e-6) << label << " param " << i;
}

FieldFactory basic_fields(bool preact) {
  return [preact](FieldPart part) -> std::shared_ptr<FieldImpl> {
    int64_t c = part == FieldPart::kWhole ? kChannels : kChannels / 2;
    return std::make_shared<BasicFieldImpl>(BasicFieldOptions(c, c).preact(preact));
  };
}

class GradientCheck : public ::testing::TestWithParam<nlohmann::json> {};

TEST_P(GradientCheck, AutogradMatchesFiniteDifferencesInFloat64) {
  for (bool preact : {false, true}) {
    torch::manual_seed(0);
    auto scheme = build_scheme(scheme_registry(), GetParam(), "test", "");
    auto step = scheme->make_step(basic_fields(preact), StepContext{1.0, 0, 1});
    auto u = torch::randn({2, kChannels, 3, 3}, torch::kFloat64);
    State state{u, {torch::randn_like(u)}, {torch::randn_like(u)}};
    check_gradients(*step, state, GetParam().dump() + (preact ? " pre" : " post"));
  }
}

std::vector<nlohmann::json> block_types() {
  std::vector<nlohmann::json> specs;
  for (const auto& name : scheme_registry().names()) specs.push_back({{"name", name}});
  specs.push_back({{"name", "backward_euler_neumann"}, {"form", "literal"}});
  specs.push_back({{"name", "backward_euler_neumann"}, {"form", "mpoly"}});
  specs.push_back({{"name", "backward_euler_neumann"}, {"form", "way"}});
  specs.push_back({{"name", "fractal"}, {"form", "expansion"}, {"columns", 2}});
  specs.push_back({{"name", "reversible"}, {"method", "verlet"}});
  specs.push_back({{"name", "euler_maruyama"}, {"variant", "shake_shake"}});
  specs.push_back({{"name", "euler_maruyama"}, {"variant", "stochastic_lm"}});
  specs.push_back({{"name", "linear_multistep"}, {"method", "ab2"}});
  specs.push_back({{"name", "runge_kutta"}, {"tableau", "midpoint"}, {"shared_fields", false}});
  return specs;
}

INSTANTIATE_TEST_SUITE_P(EveryBlock, GradientCheck, ::testing::ValuesIn(block_types()));

TEST(GradientCheck, TransitionStepsWithEachProjection) {
  for (bool preact : {false, true})
    for (bool zero_pad : {false, true}) {
      torch::manual_seed(0);
      auto field = std::make_shared<BasicFieldImpl>(BasicFieldOptions(kChannels, 2 * kChannels).stride(2).preact(preact));
      std::shared_ptr<FieldImpl> projection =
          zero_pad ? std::static_pointer_cast<FieldImpl>(std::make_shared<ZeroPadProjectionImpl>(kChannels, 2 * kChannels, 2))
                   : std::make_shared<ConvProjectionImpl>(kChannels, 2 * kChannels, 2, preact);
      ForwardEulerStepImpl step(field, 1.0, projection);
      check_gradients(step, State{torch::randn({2, kChannels, 4, 4}, torch::kFloat64), {}, {}},
                      std::string(preact ? "pre" : "post") + (zero_pad ? " zero_pad" : " projection"));
    }
}

TEST(GradientCheck, BottleneckFields) {
  for (bool preact : {false, true}) {
    torch::manual_seed(0);
    auto field = std::make_shared<BottleneckFieldImpl>(BottleneckFieldOptions(kChannels, 2, 2 * kChannels).stride(2).preact(preact));
    ForwardEulerStepImpl step(field, 1.0, std::make_shared<ConvProjectionImpl>(kChannels, 2 * kChannels, 2, preact));
    check_gradients(step, State{torch::randn({2, kChannels, 4, 4}, torch::kFloat64), {}, {}},
                    std::string("bottleneck ") + (preact ? "pre" : "post"));
  }
}

}  // namespace
}  // namespace odenet
