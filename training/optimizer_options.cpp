#include "training/optimizer_options.h"

#include <fmt/format.h>

#include "core/json_reader.h"

namespace odenet {

const EnumNames<DecayExclusion>& decay_exclusion_names() {
  static const EnumNames<DecayExclusion> names{
      {"bn", DecayExclusion::kBatchNorm}, {"bias", DecayExclusion::kBias}, {"k", DecayExclusion::kCoefficients}};
  return names;
}

OptimizerOptions read_optimizer_options(const JsonReader& r) {
  OptimizerOptions o;
  r.one_of("name", {"sgd"}, "sgd");
  o.lr = r.number("lr", 0, 100, 0.1);
  o.momentum = r.number("momentum", 0, 1, 0.9);
  o.nesterov = r.boolean("nesterov", false);
  if (o.nesterov && o.momentum == 0) r.fail("nesterov", "Nesterov momentum needs momentum > 0");
  o.weight_decay = r.number("weight_decay", 0, 1, 1e-4);
  const auto excludes = r.strings("decay_excludes", {});
  for (size_t i = 0; i < excludes.size(); ++i) {
    const auto exclusion = find_enum(decay_exclusion_names(), excludes[i]);
    if (!exclusion) r.fail(fmt::format("decay_excludes/{}", i), not_one_of(excludes[i], enum_spellings(decay_exclusion_names())));
    o.decay_excludes.push_back(*exclusion);
  }
  r.finish();
  return o;
}

nlohmann::json to_json(const OptimizerOptions& o) {
  nlohmann::json excludes = nlohmann::json::array();
  for (auto e : o.decay_excludes) excludes.push_back(enum_name(decay_exclusion_names(), e));
  return {{"name", "sgd"},           {"lr", o.lr},
          {"momentum", o.momentum},  {"nesterov", o.nesterov},
          {"weight_decay", o.weight_decay}, {"decay_excludes", excludes}};
}

}  // namespace odenet
