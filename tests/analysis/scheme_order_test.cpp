// Every example of every registered deterministic scheme integrates at its declared order: the fitted log–log
// slope is within ±0.3 of SchemeInfo::order on 'rotation' and 'vanderpol'
// (partitioned schemes on 'oscillator', second-order ones on 'second_order', ü = −u). Cases come
// from the registry.
#include <gtest/gtest.h>

#include "analysis/scheme_verification.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

struct Case {
  std::string label;
  nlohmann::json spec;
};

// Every example of every registered scheme, labelled by its JSON.
std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& spec : test::registered_scheme_examples()) {
    std::string label;
    for (char c : spec.dump()) label += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    out.push_back({label, spec});
  }
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
  std::vector<std::string> problems = info.partitioned    ? std::vector<std::string>{"oscillator"}
                                      : info.second_order ? std::vector<std::string>{"second_order"}
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

// A three-step method (Adams–Bashforth 3, history = 3) sees two past states and f values after its
// two forward Euler starting steps: it integrates, at global order min(3, 2) = 2 (the starters'
// local errors are O(Δt²)), where it used to see one past value and fail.
TEST(SchemeOrder, ThreeStepMethodsSeeTheirWholeHistory) {
  auto scheme = build_scheme(scheme_registry(),
                             {{"name", "linear_multistep"}, {"method", "custom"}, {"alpha", {1.0}},
                              {"beta", {23.0 / 12, -16.0 / 12, 5.0 / 12}}},
                             "test", "");
  ASSERT_EQ(scheme->info().history, 3);
  ASSERT_EQ(scheme->info().order, 3);
  OdeProblem problem = make_problem("rotation");
  Verification v = verify_scheme(*scheme, "ab3", problem, {200, 400, 800, 1600}, problem.t1);
  EXPECT_NEAR(v.observed_order, 2.0, 0.2) << to_json(v).dump();
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
