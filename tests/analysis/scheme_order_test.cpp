// Every registered deterministic scheme (with its default parameters, plus the
// named variants below) integrates at its declared order: the fitted log–log
// slope is within ±0.3 of SchemeInfo::order on 'rotation' and 'vanderpol'
// (partitioned schemes on 'oscillator'). Cases come from the registry.
#include <gtest/gtest.h>

#include "analysis/scheme_verification.h"

namespace odenet {
namespace {

struct Case {
  std::string label;
  nlohmann::json spec;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& name : scheme_registry().names()) out.push_back({name, {{"name", name}}});
  auto add = [&](const std::string& label, nlohmann::json spec) { out.push_back({label, std::move(spec)}); };
  for (double k : {-0.5, 0.0, 0.5, 1.0})
    add("lm_k" + std::to_string(static_cast<int>(k * 10 + 10)), {{"name", "linear_multistep"}, {"k", k}});
  add("lm_official", {{"name", "linear_multistep"}, {"parametrization", "official"}});
  add("leapfrog", {{"name", "linear_multistep"}, {"method", "leapfrog"}});
  add("ab2", {{"name", "linear_multistep"}, {"method", "ab2"}});
  for (const char* t : {"euler", "midpoint", "heun", "ralston", "rk4", "rk38"})
    add(std::string("rk_") + t, {{"name", "runge_kutta"}, {"tableau", t}});
  add("neumann_literal", {{"name", "backward_euler_neumann"}, {"form", "literal"}});
  add("neumann_fixed_point_3", {{"name", "backward_euler_neumann"}, {"terms", 3}});
  add("polynet_mpoly", {{"name", "backward_euler_neumann"}, {"form", "mpoly"}});
  add("polynet_way", {{"name", "backward_euler_neumann"}, {"form", "way"}});
  for (const char* t : {"heun", "midpoint", "ralston"})
    add(std::string("fractal_rk2_") + t, {{"name", "fractal"}, {"tableau", t}});
  add("fractal_expansion", {{"name", "fractal"}, {"form", "expansion"}});
  add("revnet", {{"name", "reversible"}, {"method", "revnet"}});
  add("verlet", {{"name", "reversible"}, {"method", "verlet"}});
  add("stochastic_depth", {{"name", "euler_maruyama"}, {"variant", "stochastic_depth"}});
  add("rk_custom_heun", {{"name", "runge_kutta"}, {"a", {{0, 0}, {1, 0}}}, {"b", {0.5, 0.5}}, {"c", {0, 1}}});
  return out;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.spec.dump(); }

class SchemeOrder : public ::testing::TestWithParam<Case> {};

TEST_P(SchemeOrder, ObservedOrderMatchesDeclaredOrder) {
  auto scheme = build_scheme(scheme_registry(), GetParam().spec, "test", "");
  SchemeInfo info = scheme->info();
  if (info.stochastic) GTEST_SKIP() << info.name << " is stochastic: verified on 'ou' (weak order)";
  if (!info.not_an_integrator.empty()) GTEST_SKIP() << info.name << ": " << info.not_an_integrator;
  const std::vector<int> steps{200, 400, 800, 1600, 3200};
  std::vector<std::string> problems = info.partitioned ? std::vector<std::string>{"oscillator"}
                                                       : std::vector<std::string>{"rotation", "vanderpol"};
  for (const auto& name : problems) {
    OdeProblem problem = make_problem(name);
    Verification v = verify_scheme(*scheme, GetParam().label, problem, steps, problem.t1);
    EXPECT_NEAR(v.observed_order, info.order, 0.3) << GetParam().label << " on " << name << ": " << to_json(v).dump();
    EXPECT_LT(v.runs.back().error, v.runs.front().error);
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, SchemeOrder, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.label; });

TEST(SchemeOrder, FixedKLinearMultistepIsFirstOrderUnlessKIsOne) {
  for (double k : {-0.5, 0.0, 0.5, 1.0}) {
    auto scheme = build_scheme(scheme_registry(), {{"name", "linear_multistep"}, {"k", k}}, "test", "");
    EXPECT_EQ(scheme->info().order, k == 1.0 ? 2 : 1) << k;
  }
}

TEST(SchemeOrder, UserTableausAreValidated) {
  auto error = [](nlohmann::json spec) {
    try {
      build_scheme(scheme_registry(), spec, "f.json", "/s");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error({{"name", "runge_kutta"}, {"a", {{0, 0}, {1, 0}}}, {"b", {0.5, 0.6}}, {"c", {0, 1}}}),
            "f.json: /s/b: sums to 1.1, not 1");
  EXPECT_EQ(error({{"name", "runge_kutta"}, {"a", {{0, 0}, {0.5, 0}}}, {"b", {0.5, 0.5}}, {"c", {0, 1}}}),
            "f.json: /s/c/1: row 1 of a sums to 0.5, not c_1 = 1");
  EXPECT_EQ(error({{"name", "runge_kutta"}, {"a", {{0, 1}, {1, 0}}}, {"b", {0.5, 0.5}}, {"c", {1, 1}}}),
            "f.json: /s/a/0/1: explicit tableaus only: a_ij must be 0 for j >= i");
  EXPECT_EQ(error({{"name", "linear_multistep"}, {"method", "custom"}, {"alpha", {2.0, -1.0}}, {"beta", {1.0}}}),
            "f.json: /s/alpha: inconsistent method: needs Σα = 1 and Σ(−j)α_j + Σβ_j = 1 (order ≥ 1)");
  EXPECT_EQ(error({{"name", "linear_multistep"}, {"method", "custom"}, {"alpha", {-4.0, 5.0}}, {"beta", {4.0, 2.0}}}),
            "f.json: /s/alpha: not zero-stable: a root of ρ lies outside the unit disc or repeats on it");
}

}  // namespace
}  // namespace odenet
