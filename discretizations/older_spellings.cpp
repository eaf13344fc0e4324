#include "discretizations/older_spellings.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace odenet {
namespace {

struct Spelling {
  const char* name;      ///< the old name
  const char* selector;  ///< the key that chose the rule
  std::vector<std::pair<std::string, std::string>> rules;  ///< selector value → today's entry; the first is the default
};

const std::vector<Spelling>& spellings() {
  static const std::vector<Spelling> table{
      {"euler_maruyama", "variant",
       {{"gaussian", "gaussian_noise"}, {"stochastic_depth", "stochastic_depth"}, {"shake_shake", "shake_shake"},
        {"stochastic_lm", "stochastic_lm"}}},
      {"backward_euler_neumann", "form",
       {{"fixed_point", "neumann_fixed_point"}, {"literal", "polynet_literal"}, {"mpoly", "polynet_mpoly"},
        {"way", "polynet_way"}}},
      {"fractal", "form", {{"rk2", "fractal_rk2"}, {"expansion", "fractal_expansion"}}},
  };
  return table;
}

}  // namespace

void register_older_spellings(SchemeRegistry& registry) {
  for (const Spelling& spelling : spellings()) {
    std::vector<std::string> values, entries;
    std::vector<nlohmann::json> examples;
    using Build = std::function<std::shared_ptr<Scheme>(const JsonReader&)>;
    std::vector<Build> builders;  // today's entries' builders (copied: registries may move)
    for (const auto& [value, entry] : spelling.rules) {
      values.push_back(value);
      entries.push_back(entry);
      examples.push_back({{"name", spelling.name}, {spelling.selector, value}});
      builders.push_back(registry.get(entry).build);
    }
    SchemeInfo info = registry.get(spelling.rules.front().second).info;
    info.name = spelling.name;
    info.description = fmt::format("older spelling of {} (chosen by \"{}\")", fmt::join(entries, ", "), spelling.selector);
    const std::string selector = spelling.selector;
    registry.add_alias(spelling.name,
                       SchemeEntry{info,
                                   [selector, values, builders](const JsonReader& p) {
                                     const std::string value = p.one_of(selector, values, values.front());
                                     const auto at = std::find(values.begin(), values.end(), value) - values.begin();
                                     return builders[static_cast<size_t>(at)](p);
                                   },
                                   examples});
  }
}

}  // namespace odenet
