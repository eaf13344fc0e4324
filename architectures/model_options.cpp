#include "architectures/model_options.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>

#include "architectures/field_registry.h"
#include "architectures/presets.h"
#include "discretizations/scheme.h"
#include "core/error.h"

namespace odenet {
namespace {

// Keys every model object may hold; the others belong to a layout or a field (their entries list them).
const std::vector<std::string> kCommonKeys = {"preset", "layout", "block", "activation", "scheme"};

// The model keys the options' layout and field read, in to_json's order.
std::vector<std::string> keys_read(const ModelOptions& o) {
  std::vector<std::string> keys = layout_registry().get(o.layout).keys;
  for (const auto& k : field_registry().get(o.block).keys) keys.push_back(k);
  return keys;
}

bool contains(const std::vector<std::string>& list, const std::string& key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

// Whether some registered layout or field reads `key` (then another one must not be given it).
bool layout_or_field_key(const std::string& key) {
  for (const auto& name : layout_registry().names())
    if (contains(layout_registry().get(name).keys, key)) return true;
  for (const auto& name : field_registry().names())
    if (contains(field_registry().get(name).keys, key)) return true;
  return false;
}

}  // namespace

const EnumNames<Activation>& activation_names() {
  static const EnumNames<Activation> names{
      {"post", Activation::kPost}, {"pre", Activation::kPre}, {"relu_first", Activation::kReluFirst}};
  return names;
}

const EnumNames<Shortcut>& shortcut_names() {
  static const EnumNames<Shortcut> names{
      {"zero_pad", Shortcut::kZeroPad}, {"projection", Shortcut::kProjection}, {"shake_skip", Shortcut::kShakeSkip}};
  return names;
}

nlohmann::json to_json(const ModelOptions& o) {
  nlohmann::json j{{"layout", o.layout},
                   {"block", o.block},
                   {"activation", enum_name(activation_names(), o.activation)},
                   {"scheme", o.scheme->to_json()}};
  // The layout's and field's own keys; lists and flags only when set, as configs written before them.
  using Writer = std::optional<nlohmann::json> (*)(const ModelOptions&);
  static const std::map<std::string, Writer> writers{
      {"depth", [](const ModelOptions& m) -> std::optional<nlohmann::json> { return m.depth; }},
      {"width", [](const ModelOptions& m) -> std::optional<nlohmann::json> { return m.width; }},
      {"shortcut",
       [](const ModelOptions& m) -> std::optional<nlohmann::json> { return enum_name(shortcut_names(), m.shortcut); }},
      {"cardinality", [](const ModelOptions& m) -> std::optional<nlohmann::json> { return m.cardinality; }},
      {"bottleneck_width", [](const ModelOptions& m) -> std::optional<nlohmann::json> { return m.bottleneck_width; }},
      {"damping", [](const ModelOptions& m) -> std::optional<nlohmann::json> { return m.damping; }},
      {"stage_widths",
       [](const ModelOptions& m) -> std::optional<nlohmann::json> {
         if (m.stage_widths.empty()) return std::nullopt;
         return nlohmann::json(m.stage_widths);
       }},
      {"dropout",
       [](const ModelOptions& m) -> std::optional<nlohmann::json> {
         if (m.dropout.empty()) return std::nullopt;
         return nlohmann::json(m.dropout);
       }},
      {"zero_init_residual",
       [](const ModelOptions& m) -> std::optional<nlohmann::json> {
         if (!m.zero_init_residual) return std::nullopt;
         return true;
       }},
  };
  for (const auto& key : keys_read(o))
    if (const auto writer = writers.find(key); writer != writers.end())
      if (auto value = writer->second(o)) j[key] = std::move(*value);
  if (!o.preset.empty()) j["preset"] = o.preset;
  return j;
}

ModelOptions model_options_from_json(const JsonReader& r,
                                     const std::function<ModelOptions(const std::string&)>& preset_lookup) {
  ModelOptions o;
  if (r.has("preset")) {
    std::string name = r.string("preset");
    try {
      o = preset_lookup(name);
    } catch (const Error& e) {
      r.fail("preset", e.what());
    }
  }
  o.layout = r.one_of("layout", layout_registry().names(), o.layout);
  const LayoutEntry& layout = layout_registry().get(o.layout);
  if (!r.has("preset") && (!r.has("layout") || (contains(layout.keys, "depth") && !r.has("depth"))))
    r.fail("", "give a \"preset\", or a \"layout\" with \"depth\" (and optionally block, activation, width, shortcut)");
  if (!r.has("block") && !contains(layout.fields, o.block)) o.block = layout.fields.front();  // a layout given without its block
  o.block = r.one_of("block", layout.fields, o.block);
  // Keys of other layouts and fields are errors, not silently ignored.
  const std::vector<std::string> reads = keys_read(o);
  for (const auto& [key, value] : r.value().items())
    if (!contains(kCommonKeys, key) && !contains(reads, key) && layout_or_field_key(key))
      r.fail(key, fmt::format("not used by the {} layout with {} fields (they read: {})", o.layout, o.block,
                              fmt::join(reads, ", ")));
  o.activation = enum_value(r, "activation", activation_names(), o.activation);
  o.depth = r.integer("depth", 2, 10000, o.depth);
  o.width = r.integer("width", 1, 4096, o.width);
  o.stage_widths = r.integers("stage_widths", 1, 4096, o.stage_widths);
  if (o.stage_widths.empty()) o.stage_widths = layout.default_stage_widths;
  o.dropout = r.numbers("dropout", 0, 0.99, o.dropout);
  o.shortcut = enum_value(r, "shortcut", shortcut_names(), o.shortcut);
  o.cardinality = r.integer("cardinality", 1, 1024, o.cardinality);
  o.bottleneck_width = r.integer("bottleneck_width", 0, 65536, o.bottleneck_width);
  o.damping = r.number("damping", 0.0, 100.0, o.damping);
  o.zero_init_residual = r.boolean("zero_init_residual", o.zero_init_residual);
  if (r.has("scheme")) {  // the scheme's builder validates the contents
    const auto& s = r.raw("scheme");
    if (!s.is_object() && !s.is_string()) r.fail("scheme", "expected a scheme object or name, got " + describe_json(s));
    o.scheme = build_scheme(scheme_registry(), s.is_string() ? nlohmann::json{{"name", s}} : s, r.file(), r.path() + "/scheme");
  }
  r.finish();
  return o;
}

}  // namespace odenet
