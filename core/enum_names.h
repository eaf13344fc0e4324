// A mode's spellings, listed once per enum: modes are parsed into enums when a
// config or a command line is read, and never compared as strings afterwards.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace odenet {

/// A mode's JSON (and command-line) spellings, one per enum value, in the order they are listed.
template <typename E>
using EnumNames = std::vector<std::pair<std::string, E>>;

/// The spellings, in order.
template <typename E>
std::vector<std::string> enum_spellings(const EnumNames<E>& names) {
  std::vector<std::string> out;
  for (const auto& entry : names) out.push_back(entry.first);
  return out;
}

/// The value `spelling` names; empty when it names none.
template <typename E>
std::optional<E> find_enum(const EnumNames<E>& names, const std::string& spelling) {
  for (const auto& [name, value] : names)
    if (name == spelling) return value;
  return std::nullopt;
}

/// The spelling of `value`.
template <typename E>
const std::string& enum_name(const EnumNames<E>& names, E value) {
  for (const auto& entry : names)
    if (entry.second == value) return entry.first;
  return names.front().first;
}

/// "'half' is not one of: auto, fp32, bf16, fp16; did you mean ...?" (without a prefix).
std::string not_one_of(const std::string& spelling, const std::vector<std::string>& choices);

/// Throws ConfigError "<where>: " + not_one_of(spelling, choices).
[[noreturn]] void throw_not_one_of(const std::string& where, const std::string& spelling,
                                   const std::vector<std::string>& choices);

/// The value `spelling` names, or a ConfigError "<where>: 'x' is not one of: ..." (`where` names
/// the option or the file and JSON path).
template <typename E>
E parse_enum(const EnumNames<E>& names, const std::string& spelling, const std::string& where) {
  if (auto value = find_enum(names, spelling)) return *value;
  throw_not_one_of(where, spelling, enum_spellings(names));
}

}  // namespace odenet
