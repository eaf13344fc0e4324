// FractalNet: the RK2 reading, the flat join, global drop-path through the whole network.
#include <gtest/gtest.h>

#include <set>

#include "discretizations/fractal.h"
#include "tests/discretizations/step_fixtures.h"

namespace odenet {
namespace {

using namespace test;

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

}  // namespace
}  // namespace odenet
