// The scheme registry drives the suites: every entry (and every older spelling) carries
// examples, and each example survives the resolved-config round trip.
#include <gtest/gtest.h>

#include "architectures/model_options.h"
#include "architectures/presets.h"
#include "discretizations/scheme.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

TEST(SchemeRegistry, EveryEntryAndOlderSpellingHasExamplesNamingIt) {
  std::vector<std::string> names = scheme_registry().names();
  for (const auto& alias : scheme_registry().aliases()) names.push_back(alias);
  for (const auto& name : names) {
    const auto& examples = scheme_registry().get(name).examples;
    EXPECT_FALSE(examples.empty()) << "scheme entry '" << name
                                   << "' has no examples: list scheme objects in its SchemeEntry so that the "
                                      "order, gradient, preset and round-trip suites cover it";
    for (const auto& example : examples) EXPECT_EQ(example.value("name", ""), name) << example.dump();
  }
}

std::vector<std::pair<std::string, int64_t>> structure(const torch::nn::Module& model) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& p : model.named_parameters()) out.emplace_back(p.key(), p.value().numel());
  for (const auto& b : model.named_buffers()) out.emplace_back(b.key(), b.value().numel());
  return out;
}

class SchemeRoundTrip : public ::testing::TestWithParam<nlohmann::json> {};

// example → scheme → to_json → scheme → to_json: the same object, naming a registered (not an older)
// entry, and networks built from either have the same parameters and buffers, by name and size.
TEST_P(SchemeRoundTrip, ToJsonBuildsTheSameSchemeAndNetwork) {
  auto first = build_scheme(scheme_registry(), GetParam(), "example", "");
  const nlohmann::json resolved = first->to_json();
  const auto names = scheme_registry().names();
  EXPECT_NE(std::find(names.begin(), names.end(), resolved.value("name", "")), names.end()) << resolved.dump();
  auto second = build_scheme(scheme_registry(), resolved, "resolved", "");
  EXPECT_EQ(second->to_json(), resolved);
  EXPECT_EQ(to_json(second->info()), to_json(first->info()));

  ModelOptions options = preset_options("resnet20");
  options.scheme = build_scheme(scheme_registry(), resolved, "test", "");
  if (first->info().partitioned) options.depth = 26;
  auto a = build_model(options, *first, 3, 10), b = build_model(options, *second, 3, 10);
  EXPECT_EQ(structure(*a), structure(*b));
}

INSTANTIATE_TEST_SUITE_P(EveryExample, SchemeRoundTrip, ::testing::ValuesIn(test::registered_scheme_examples(true)));

TEST(SchemeRegistry, OlderSpellingsBuildTodaysEntries) {
  auto named = [](const nlohmann::json& spec) { return build_scheme(scheme_registry(), spec, "old", "")->to_json()["name"]; };
  EXPECT_EQ(named({{"name", "euler_maruyama"}}), "gaussian_noise");
  EXPECT_EQ(named({{"name", "euler_maruyama"}, {"variant", "stochastic_lm"}, {"survival", 0.8}}), "stochastic_lm");
  EXPECT_EQ(named({{"name", "backward_euler_neumann"}, {"terms", 3}}), "neumann_fixed_point");
  EXPECT_EQ(named({{"name", "fractal"}, {"form", "expansion"}, {"columns", 2}}), "fractal_expansion");
  EXPECT_EQ(named({{"name", "fractal"}}), "fractal_rk2");
  // The options of the rule chosen are checked as strictly as under today's name.
  try {
    build_scheme(scheme_registry(), {{"name", "euler_maruyama"}, {"variant", "shake_shake"}, {"sigma", 0.1}}, "x.json", "/model/scheme");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "x.json: /model/scheme/sigma: unknown key");
  }
}

}  // namespace
}  // namespace odenet
