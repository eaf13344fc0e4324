// PolyNet's blocks as Neumann approximations of backward Euler: each block's update from its
// own fields, and the literal and fixed-point forms equal on a linear field.
#include <gtest/gtest.h>

#include "analysis/scheme_verification.h"
#include "discretizations/polynet.h"
#include "tests/discretizations/step_fixtures.h"

namespace odenet {
namespace {

using namespace test;

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

TEST(BackwardEulerNeumann, BothFormsEqualTheTruncatedNeumannSeriesForALinearField) {
  torch::manual_seed(0);
  auto a = 0.3 * torch::randn({4, 4}, torch::kFloat64);
  auto field = std::make_shared<AnalyticFieldImpl>([a](const torch::Tensor& u) { return u.matmul(a.t()); });
  FieldFactory factory = [field](FieldPart) -> std::shared_ptr<FieldImpl> { return field; };
  auto u = torch::randn({3, 4}, torch::kFloat64);
  auto identity = torch::eye(4, torch::kFloat64);
  auto series = u.matmul((identity + a + a.matmul(a)).t());  // (I + F + F²) u
  PolyNetLiteralStepImpl literal(factory, 1.0, 2);
  NeumannFixedPointStepImpl fixed_point(factory, 1.0, 2);
  EXPECT_LE((literal.forward(State{u, {}, {}}).u - series).abs().max().item<double>(), 1e-12);
  EXPECT_LE((fixed_point.forward(State{u, {}, {}}).u - series).abs().max().item<double>(), 1e-12);
  // For a nonlinear F the forms differ, and only fixed_point is declared an integrator.
  EXPECT_FALSE(scheme({{"name", "backward_euler_neumann"}, {"form", "literal"}})->info().not_an_integrator.empty());
  EXPECT_TRUE(scheme({{"name", "backward_euler_neumann"}, {"form", "fixed_point"}})->info().not_an_integrator.empty());
}

}  // namespace
}  // namespace odenet
