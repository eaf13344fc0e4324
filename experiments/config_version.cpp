#include "experiments/config_version.h"

#include <fmt/format.h>

#include "core/error.h"

namespace odenet {
namespace {

// Version 1 → 2 (2026-12-03, when configs started recording their version): train.precision and
// train.divergence, added on 2026-11-27, take their defaults ("auto" and 10⁴) where a config
// written before them lacks them.
void upgrade_1_to_2(nlohmann::json& config) {
  if (!config.contains("train") || !config["train"].is_object()) return;
  auto& train = config["train"];
  if (!train.contains("precision")) train["precision"] = "auto";
  if (!train.contains("divergence")) train["divergence"] = 1e4;
}

// upgrades[v - 1] turns version v into version v + 1.
using Upgrade = void (*)(nlohmann::json&);
constexpr Upgrade kUpgrades[] = {upgrade_1_to_2};
static_assert(sizeof(kUpgrades) / sizeof(kUpgrades[0]) == kConfigFormatVersion - 1,
              "one upgrade function per older config version");

}  // namespace

int config_format_version(const nlohmann::json& config, const std::string& file) {
  if (!config.is_object() || !config.contains("format_version")) return 1;
  const auto& v = config["format_version"];
  if (!v.is_number_integer() || v.get<long>() < 1)
    throw DataError(fmt::format("{}: /format_version: expected a positive integer, got {}", file, v.dump()));
  if (v.get<long>() > kConfigFormatVersion)
    throw DataError(fmt::format("{}: /format_version: {} is newer than this odenet reads ({}); use a newer odenet", file,
                                v.get<long>(), kConfigFormatVersion));
  return static_cast<int>(v.get<long>());
}

nlohmann::json upgrade_config(nlohmann::json config, const std::string& file) {
  for (int version = config_format_version(config, file); version < kConfigFormatVersion; ++version)
    kUpgrades[version - 1](config);
  if (config.is_object()) config["format_version"] = kConfigFormatVersion;
  return config;
}

}  // namespace odenet
