#include "core/json_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "core/suggest.h"

namespace odenet {
namespace {

const nlohmann::json& empty_object() {
  static const nlohmann::json empty = nlohmann::json::object();
  return empty;
}

std::string type_name(const nlohmann::json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

}  // namespace

std::string describe_json(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text + " (" + type_name(value) + ")";
}

nlohmann::json parse_json_strictly(const std::string& text, const std::string& file) {
  // Where the parser is: one frame per open object (its keys so far) or array (its element count).
  struct Frame {
    bool object;
    std::set<std::string> keys;
    std::string key;
    long index = -1;
  };
  std::vector<Frame> stack;
  auto path = [&] {
    std::string p;
    for (const auto& f : stack) p += "/" + (f.object ? f.key : std::to_string(std::max(0L, f.index)));
    return p.empty() ? std::string("/") : p;
  };
  auto element_starts = [&] {
    if (!stack.empty() && !stack.back().object) ++stack.back().index;
  };
  using Event = nlohmann::json::parse_event_t;
  auto callback = [&](int, Event event, nlohmann::json& parsed) {
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        element_starts();
        if (stack.size() >= kMaxJsonDepth)
          throw ConfigError(fmt::format("{}: {}: nested deeper than {} levels", file, path(), kMaxJsonDepth));
        stack.push_back(Frame{event == Event::object_start, {}, "", -1});
        break;
      case Event::key: {
        auto& frame = stack.back();
        frame.key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.key).second)
          throw ConfigError(fmt::format("{}: {}: duplicate key (strict JSON: each key once)", file, path()));
        break;
      }
      case Event::value:
        element_starts();
        break;
      case Event::object_end:
      case Event::array_end:
        stack.pop_back();
        break;
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text, callback);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    auto bracket = what.find("] ");  // drop nlohmann's "[json.exception.parse_error.101]" prefix
    std::string where = path();
    throw ConfigError(file + ": invalid JSON" + (where == "/" ? "" : " near " + where) + ": " +
                      (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

nlohmann::json read_json_file(const std::string& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) throw ConfigError(file + ": is a directory, not a JSON file");
  std::ifstream in(file);
  if (!in) throw ConfigError(file + ": cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_json_strictly(buffer.str(), file);
}

JsonReader::JsonReader(const nlohmann::json& value, std::string file, std::string path)
    : value_(value), file_(std::move(file)), path_(std::move(path)) {
  if (!value_.is_object())
    throw ConfigError(fmt::format("{}: {}: expected an object, got {}", file_, path_.empty() ? "/" : path_,
                                  describe_json(value_)));
}

std::string JsonReader::child_path(const std::string& key) const { return path_ + "/" + key; }

void JsonReader::fail(const std::string& key, const std::string& message) const {
  throw ConfigError(fmt::format("{}: {}: {}", file_, key.empty() ? (path_.empty() ? "/" : path_) : child_path(key),
                                message));
}

bool JsonReader::has(const std::string& key) const {
  asked_.insert(key);
  return value_.contains(key);
}

const nlohmann::json* JsonReader::find(const std::string& key) const {
  read_.insert(key);
  auto it = value_.find(key);
  return it == value_.end() ? nullptr : &*it;
}

std::string JsonReader::string(const std::string& key) const {
  const auto* v = find(key);
  if (!v) fail(key, "required key is missing");
  if (!v->is_string()) fail(key, "expected a string, got " + describe_json(*v));
  return v->get<std::string>();
}

std::string JsonReader::string(const std::string& key, const std::string& fallback) const {
  return has(key) ? string(key) : (find(key), fallback);
}

std::string JsonReader::one_of(const std::string& key, const std::vector<std::string>& allowed,
                               const std::string& fallback) const {
  std::string value = string(key, fallback);
  for (const auto& a : allowed)
    if (a == value) return value;
  fail(key, not_one_of(value, allowed));
}

bool JsonReader::boolean(const std::string& key, bool fallback) const {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_boolean()) fail(key, "expected a boolean, got " + describe_json(*v));
  return v->get<bool>();
}

long JsonReader::integer(const std::string& key, long min, long max) const {
  const auto* v = find(key);
  if (!v) fail(key, "required key is missing");
  bool integral = v->is_number_integer() ||
                  (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>());
  if (!integral) fail(key, "expected an integer, got " + describe_json(*v));
  double x = v->get<double>();
  if (x < static_cast<double>(min) || x > static_cast<double>(max))
    fail(key, fmt::format("{} is out of range [{}, {}]", v->dump(), min, max));
  return static_cast<long>(x);
}

long JsonReader::integer(const std::string& key, long min, long max, long fallback) const {
  return has(key) ? integer(key, min, max) : (find(key), fallback);
}

double JsonReader::number(const std::string& key, double min, double max) const {
  const auto* v = find(key);
  if (!v) fail(key, "required key is missing");
  if (!v->is_number()) fail(key, "expected a number, got " + describe_json(*v));
  double x = v->get<double>();
  if (!(x >= min && x <= max)) fail(key, fmt::format("{} is out of range [{}, {}]", v->dump(), min, max));
  return x;
}

double JsonReader::number(const std::string& key, double min, double max, double fallback) const {
  return has(key) ? number(key, min, max) : (find(key), fallback);
}

std::vector<double> JsonReader::numbers(const std::string& key, double min, double max,
                                        std::vector<double> fallback) const {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_array()) fail(key, "expected an array of numbers, got " + describe_json(*v));
  std::vector<double> out;
  for (size_t i = 0; i < v->size(); ++i) {
    const auto& e = (*v)[i];
    std::string at = fmt::format("{}/{}", key, i);
    if (!e.is_number()) fail(at, "expected a number, got " + describe_json(e));
    double x = e.get<double>();
    if (!(x >= min && x <= max)) fail(at, fmt::format("{} is out of range [{}, {}]", e.dump(), min, max));
    out.push_back(x);
  }
  return out;
}

std::vector<long> JsonReader::integers(const std::string& key, long min, long max,
                                       std::vector<long> fallback) const {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_array()) fail(key, "expected an array of integers, got " + describe_json(*v));
  std::vector<long> out;
  for (size_t i = 0; i < v->size(); ++i) {
    const auto& e = (*v)[i];
    std::string at = fmt::format("{}/{}", key, i);
    if (!e.is_number_integer()) fail(at, "expected an integer, got " + describe_json(e));
    // Compared as written (an unsigned 2^63 must not wrap to a negative long).
    if (e.is_number_unsigned() ? e.get<uint64_t>() > static_cast<uint64_t>(std::max(max, 0L)) || max < 0
                               : e.get<long>() < min || e.get<long>() > max)
      fail(at, fmt::format("{} is out of range [{}, {}]", e.dump(), min, max));
    out.push_back(e.get<long>());
  }
  return out;
}

std::vector<std::string> JsonReader::strings(const std::string& key, std::vector<std::string> fallback) const {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_array()) fail(key, "expected an array of strings, got " + describe_json(*v));
  std::vector<std::string> out;
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) fail(fmt::format("{}/{}", key, i), "expected a string, got " + describe_json((*v)[i]));
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

const nlohmann::json& JsonReader::raw(const std::string& key) const {
  static const nlohmann::json null_value;
  const auto* v = find(key);
  return v ? *v : null_value;
}

JsonReader JsonReader::object(const std::string& key) const {
  const auto* v = find(key);
  if (!v) return JsonReader(empty_object(), file_, child_path(key));
  if (!v->is_object()) fail(key, "expected an object, got " + describe_json(*v));
  return JsonReader(*v, file_, child_path(key));
}

void JsonReader::finish() const {
  for (const auto& [key, v] : value_.items()) {
    if (read_.count(key)) continue;
    if (const std::string home = misplaced_key_home(child_path(key)); !home.empty())
      fail(key, "unknown key; it belongs at " + home);
    std::set<std::string> known = read_;
    known.insert(asked_.begin(), asked_.end());
    const std::string hint = did_you_mean(key, std::vector<std::string>(known.begin(), known.end()));
    fail(key, hint.empty() ? "unknown key" : "unknown key; " + hint);
  }
}

nlohmann::json json_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

double number_from_json(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  static const EnumNames<double> non_finite{{"NaN", std::numeric_limits<double>::quiet_NaN()},
                                            {"Infinity", std::numeric_limits<double>::infinity()},
                                            {"-Infinity", -std::numeric_limits<double>::infinity()}};
  if (value.is_string())
    if (const auto number = find_enum(non_finite, value.get<std::string>())) return *number;
  throw std::invalid_argument("expected a number, got " + describe_json(value));
}

}  // namespace odenet
