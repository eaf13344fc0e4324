#include "core/enum_names.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/suggest.h"

namespace odenet {

std::string not_one_of(const std::string& spelling, const std::vector<std::string>& choices) {
  const std::string hint = did_you_mean(spelling, choices);
  return fmt::format("'{}' is not one of: {}{}", spelling, fmt::join(choices, ", "), hint.empty() ? "" : "; " + hint);
}

void throw_not_one_of(const std::string& where, const std::string& spelling, const std::vector<std::string>& choices) {
  throw ConfigError(where + ": " + not_one_of(spelling, choices));
}

}  // namespace odenet
