#include "discretizations/lm_run.h"

#include <gtest/gtest.h>
#include <torch/csrc/autograd/function.h>

#include "architectures/fields.h"
#include "architectures/stage.h"
#include "discretizations/forward_euler.h"
#include "discretizations/linear_multistep.h"
#include "tests/discretizations/step_fixtures.h"

namespace odenet {
namespace {

struct RunCase {
  nlohmann::json scheme;
  torch::ScalarType dtype;
  bool channels_last, projection;
  int lm_steps;
  int64_t channels = test::kChannels;
};

// A stage as build_stage makes it: a forward Euler step (with a projection or not), then LM steps.
std::shared_ptr<StageImpl> lm_stage(const RunCase& c) {
  torch::manual_seed(1);
  auto scheme = test::scheme(c.scheme);
  std::vector<std::shared_ptr<StepImpl>> steps;
  auto field = [&] {
    return std::make_shared<BasicFieldImpl>(BasicFieldOptions(c.channels, c.channels).activation(Activation::kPre));
  };
  FieldFactory fields = [&](FieldPart) -> std::shared_ptr<FieldImpl> { return field(); };
  steps.push_back(std::make_shared<ForwardEulerStepImpl>(field(), 1.0, c.projection ? field() : nullptr));
  for (int i = 0; i < c.lm_steps; ++i) steps.push_back(scheme->make_step(fields, StepContext{1.0, i, 4, c.channels}));
  auto stage = std::make_shared<StageImpl>(steps, StageShape{});
  for (auto& p : stage->parameters()) p.data().add_(0.05 * torch::randn_like(p));  // k away from its init, BN off 1/0
  stage->to(c.dtype);
  stage->train();
  return stage;
}

struct Pass {
  torch::Tensor u, history;
  std::vector<torch::Tensor> grads;  // of the input, then of every parameter
  std::string last_node;
};

// A loss on both outputs of the stage (u and its history u_{n−1}), through the stage's runner or step by step.
Pass run(StageImpl& stage, const torch::Tensor& x, bool through_runner) {
  for (auto& p : stage.parameters()) p.mutable_grad() = torch::Tensor();
  auto input = x.detach().clone().requires_grad_();
  State s{input, {}, {}, {}};
  if (through_runner) {
    s = stage.forward(s);
  } else {
    for (const auto& step : stage.steps()) s = step->forward(s);
  }
  torch::manual_seed(5);
  auto loss = (s.u * torch::randn_like(s.u)).sum() + (s.history[0] * torch::randn_like(s.u)).sum();
  loss.backward();
  Pass p{s.u.detach(), s.history[0].detach(), {input.grad()}, s.u.grad_fn()->name()};
  for (const auto& param : stage.parameters()) p.grads.push_back(param.grad());
  return p;
}

torch::Tensor state(const RunCase& c) {
  torch::manual_seed(2);
  auto x = torch::randn({3, c.channels, 5, 4}, torch::TensorOptions().dtype(c.dtype));
  return c.channels_last ? x.contiguous(at::MemoryFormat::ChannelsLast) : x;
}

void expect_same_as_step_by_step(const RunCase& c, const torch::Tensor& x, bool expect_linked) {
  auto stage = lm_stage(c);
  Pass linked = run(*stage, x, true), reference = run(*stage, x, false);
  if (expect_linked) {
    EXPECT_NE(linked.last_node.find("LinkedStep"), std::string::npos) << linked.last_node;
  }
  const double tol = c.dtype == torch::kFloat64 ? 1e-11 : 2e-4;
  EXPECT_LT(test::max_difference(linked.u, reference.u), tol);
  EXPECT_LT(test::max_difference(linked.history, reference.history), tol);
  ASSERT_EQ(linked.grads.size(), reference.grads.size());
  const auto names = stage->named_parameters();
  for (size_t i = 0; i < linked.grads.size(); ++i) {
    const std::string what = i == 0 ? "input" : names[i - 1].key();
    ASSERT_EQ(linked.grads[i].defined(), reference.grads[i].defined()) << what;
    if (!linked.grads[i].defined()) continue;
    const double scale = std::max(1.0, reference.grads[i].abs().max().item<double>());
    EXPECT_LT(test::max_difference(linked.grads[i], reference.grads[i]), tol * scale) << what;
  }
}

TEST(LinkedLmRun, GivesTheStepByStepValuesAndGradientsInEveryLayout) {
  const std::vector<nlohmann::json> schemes{{{"name", "linear_multistep"}},
                                            {{"name", "linear_multistep"}, {"parametrization", "official"}},
                                            {{"name", "linear_multistep"}, {"per_channel", true}},
                                            {{"name", "linear_multistep"}, {"k", 0.5}}};
  for (const auto& scheme : schemes)
    for (auto dtype : {torch::kFloat64, torch::kFloat32})
      for (bool channels_last : {false, true})
        for (bool projection : {false, true})
          for (int lm_steps : {1, 2, 4}) {
            RunCase c{scheme, dtype, channels_last, projection, lm_steps};
            SCOPED_TRACE(testing::Message() << scheme.dump() << " " << c10::toString(dtype) << " channels_last "
                                            << channels_last << " projection " << projection << " LM steps " << lm_steps);
            expect_same_as_step_by_step(c, state(c), true);
          }
}

TEST(LinkedLmRun, TakesAPerChannelKOnWideChannelsLastStates) {
  RunCase c{{{"name", "linear_multistep"}, {"per_channel", true}}, torch::kFloat64, true, false, 3, 520};
  expect_same_as_step_by_step(c, state(c), true);
}

TEST(LinkedLmRun, StepsOutsideTheFusedLoopsSplitTheRunAndKeepItsGradients) {
  // A strided input: the lead step and the first LM step (which reads it as u_{n−1}) take the
  // tensor operations; the linked stretch starts after them.
  RunCase c{{{"name", "linear_multistep"}}, torch::kFloat64, false, false, 4};
  auto wide = torch::randn({3, test::kChannels, 5, 7}, torch::kFloat64);
  expect_same_as_step_by_step(c, wide.narrow(3, 1, 4), true);
}

TEST(LinkedLmRun, TheStageLinksItsForwardEulerLeadAndLmStepsOnly) {
  auto stage = lm_stage({{{"name", "linear_multistep"}}, torch::kFloat32, false, false, 2});
  EXPECT_EQ(stage->steps()[1]->stage_runner(), &run_linear_multistep);
  EXPECT_TRUE(stage->steps()[0]->can_lead_run());
  // Neither the integrator form nor stochastic LM (its drop rule) nor fixed methods are linked.
  auto integrator = test::scheme({{"name", "linear_multistep"}})->make_integrator_step(test::conv_fields(), StepContext{});
  EXPECT_EQ(integrator->stage_runner(), nullptr);
  auto leapfrog = test::block({{"name", "linear_multistep"}, {"method", "leapfrog"}});
  EXPECT_EQ(leapfrog->stage_runner(), nullptr);
  auto stochastic = test::block({{"name", "stochastic_lm"}});
  EXPECT_EQ(stochastic->stage_runner(), nullptr);
}

}  // namespace
}  // namespace odenet
