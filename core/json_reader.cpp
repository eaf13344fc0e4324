#include "core/json_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.h"

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

nlohmann::json read_json_file(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file + ": cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return nlohmann::json::parse(buffer.str());
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    auto bracket = what.find("] ");  // drop nlohmann's "[json.exception.parse_error.101]" prefix
    throw ConfigError(file + ": invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
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

bool JsonReader::has(const std::string& key) const { return value_.contains(key); }

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
  fail(key, fmt::format("'{}' is not one of: {}", value, fmt::join(allowed, ", ")));
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
    long x = e.get<long>();
    if (x < min || x > max) fail(at, fmt::format("{} is out of range [{}, {}]", x, min, max));
    out.push_back(x);
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
  for (const auto& [key, v] : value_.items())
    if (!read_.count(key)) fail(key, "unknown key");
}

}  // namespace odenet
