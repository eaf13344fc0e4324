// Paths in user JSON: a leading ~ and $VAR / ${VAR} expanded from the environment.
#pragma once
#include <string>

#include "core/json_reader.h"

namespace odenet {

/// `value` (read from `key` of `r`) with ~ and $VAR / ${VAR} expanded; an unset variable is an
/// error naming the file, the JSON path and the variable.
std::string expand_path(const JsonReader& r, const std::string& key, const std::string& value);

}  // namespace odenet
