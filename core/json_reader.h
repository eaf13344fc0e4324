// Strict reading of user JSON: every access knows its file and JSON path, a
// wrong type or out-of-range value is a ConfigError naming both, and
// `finish()` rejects keys nobody asked for (typos never pass silently).
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/enum_names.h"

namespace odenet {

class JsonReader {
 public:
  /// `file` and `path` (a JSON pointer such as "/train/optimizer") prefix every error.
  JsonReader(const nlohmann::json& value, std::string file, std::string path);

  const nlohmann::json& value() const { return value_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  bool has(const std::string& key) const;

  std::string string(const std::string& key) const;
  std::string string(const std::string& key, const std::string& fallback) const;
  std::string one_of(const std::string& key, const std::vector<std::string>& allowed,
                     const std::string& fallback) const;
  bool boolean(const std::string& key, bool fallback) const;
  /// An integer in [min, max].
  long integer(const std::string& key, long min, long max) const;
  long integer(const std::string& key, long min, long max, long fallback) const;
  /// A number in [min, max].
  double number(const std::string& key, double min, double max) const;
  double number(const std::string& key, double min, double max, double fallback) const;
  std::vector<double> numbers(const std::string& key, double min, double max,
                              std::vector<double> fallback) const;
  std::vector<long> integers(const std::string& key, long min, long max,
                             std::vector<long> fallback) const;
  std::vector<std::string> strings(const std::string& key, std::vector<std::string> fallback) const;
  /// The raw value (null when absent), marked as read; its reader validates it.
  const nlohmann::json& raw(const std::string& key) const;
  /// A child object; an absent key gives an empty object.
  JsonReader object(const std::string& key) const;

  /// Throws for the first key of this object that was never read.
  void finish() const;
  /// Throws a ConfigError "file: path/key: message".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  const nlohmann::json* find(const std::string& key) const;
  std::string child_path(const std::string& key) const;

  nlohmann::json owned_empty_;
  const nlohmann::json& value_;
  std::string file_;
  std::string path_;
  mutable std::set<std::string> read_;
  mutable std::set<std::string> asked_;  ///< keys has() was asked about: named in "did you mean" too
};

/// The enum value `key` spells (`fallback` when absent); anything else is an error naming the
/// path and listing the spellings.
template <typename E>
E enum_value(const JsonReader& r, const std::string& key, const EnumNames<E>& names, E fallback) {
  return *find_enum(names, r.one_of(key, enum_spellings(names), enum_name(names, fallback)));
}

/// "'3' (a string)"-style description of a JSON value for error messages.
std::string describe_json(const nlohmann::json& value);

/// A double as JSON that survives a round trip: a number, or "NaN", "Infinity", "-Infinity"
/// (JSON has no non-finite numbers; nlohmann would write null).
nlohmann::json json_number(double value);
/// Reads what json_number writes (and null, older files' NaN); anything else throws std::invalid_argument.
double number_from_json(const nlohmann::json& value);

/// How deep objects and arrays may nest in user JSON (deeper is refused while parsing).
constexpr size_t kMaxJsonDepth = 200;

/// Parses `text` as strict JSON: duplicate keys, nesting deeper than kMaxJsonDepth and numbers
/// out of double range are ConfigErrors naming `file` and the JSON path.
nlohmann::json parse_json_strictly(const std::string& text, const std::string& file);

/// Parses a JSON file (strictly, as above); a missing file or a syntax error is a ConfigError naming the file.
nlohmann::json read_json_file(const std::string& file);

}  // namespace odenet
