// Versions of a run's config.json. A config records the format it was written in
// ("format_version"; absent: version 1); reading an older one runs one upgrade
// function per version in turn, so today's code compares, resumes and tables it
// as if it had been written today (flashlight's versioned serialisation).
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace odenet {

/// The format of the config.json files this odenet writes.
constexpr int kConfigFormatVersion = 2;

/// The "format_version" of `config` (1 when absent); a value that is no positive integer, or a
/// version newer than kConfigFormatVersion, is a DataError naming `file`.
int config_format_version(const nlohmann::json& config, const std::string& file);

/// `config` (a run's config.json of any version up to today's) in today's format: the upgrade
/// functions from its version to kConfigFormatVersion, applied in turn. Errors as above.
nlohmann::json upgrade_config(nlohmann::json config, const std::string& file);

}  // namespace odenet
