#include "discretizations/older_spellings.h"

#include <algorithm>

namespace odenet {
namespace {

struct Spelling {
  const char* name;      ///< the old name
  const char* selector;  ///< the key that chose the rule
  const char* fallback;  ///< its default
  std::vector<std::pair<std::string, std::string>> rules;  ///< selector value → today's entry
};

const std::vector<Spelling>& spellings() {
  static const std::vector<Spelling> table{
      {"euler_maruyama", "variant", "gaussian",
       {{"gaussian", "gaussian_noise"}, {"stochastic_depth", "stochastic_depth"}, {"shake_shake", "shake_shake"},
        {"stochastic_lm", "stochastic_lm"}}},
      {"backward_euler_neumann", "form", "fixed_point",
       {{"fixed_point", "neumann_fixed_point"}, {"literal", "polynet_literal"}, {"mpoly", "polynet_mpoly"},
        {"way", "polynet_way"}}},
      {"fractal", "form", "rk2", {{"rk2", "fractal_rk2"}, {"expansion", "fractal_expansion"}}},
  };
  return table;
}

}  // namespace

void register_older_spellings(SchemeRegistry& registry) {
  for (const Spelling& spelling : spellings()) {
    std::vector<std::string> values;
    std::vector<nlohmann::json> examples;
    using Build = std::function<std::shared_ptr<Scheme>(const JsonReader&)>;
    std::vector<Build> builders;  // today's entries' builders (copied: registries may move)
    for (const auto& [value, entry] : spelling.rules) {
      values.push_back(value);
      examples.push_back({{"name", spelling.name}, {spelling.selector, value}});
      builders.push_back(registry.get(entry).build);
    }
    SchemeInfo info = registry.get(spelling.rules.front().second).info;
    info.name = spelling.name;
    info.description = "older spelling of " + [&] {
      std::string names;
      for (const auto& [value, entry] : spelling.rules) names += (names.empty() ? "" : ", ") + entry;
      return names;
    }() + " (chosen by \"" + spelling.selector + "\")";
    const std::string selector = spelling.selector, fallback = spelling.fallback;
    registry.add_alias(spelling.name,
                       SchemeEntry{info,
                                   [selector, fallback, values, builders](const JsonReader& p) {
                                     const std::string value = p.one_of(selector, values, fallback);
                                     const auto at = std::find(values.begin(), values.end(), value) - values.begin();
                                     return builders[static_cast<size_t>(at)](p);
                                   },
                                   examples});
  }
}

}  // namespace odenet
