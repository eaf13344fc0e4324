#include "architectures/model_options.h"

#include <array>

#include "core/error.h"

namespace odenet {
namespace {

// The fractalnet layout has one step per block at stage_widths, no stem and no shortcuts:
// these keys mean nothing there (cardinality and bottleneck_width only for bottlenecks).
constexpr std::array<const char*, 5> kNotFractalnetKeys = {"depth", "width", "shortcut", "cardinality",
                                                           "bottleneck_width"};

}  // namespace

nlohmann::json to_json(const ModelOptions& o) {
  nlohmann::json j{{"layout", o.layout}, {"block", o.block},       {"activation", o.activation},
                   {"depth", o.depth},   {"width", o.width},       {"shortcut", o.shortcut},
                   {"scheme", o.scheme}};
  if (o.layout == "fractalnet")
    for (const char* unused : kNotFractalnetKeys) j.erase(unused);
  if (!o.stage_widths.empty()) j["stage_widths"] = o.stage_widths;
  if (!o.dropout.empty()) j["dropout"] = o.dropout;
  if (o.zero_init_residual) j["zero_init_residual"] = true;
  if (o.block == "bottleneck") {
    j["cardinality"] = o.cardinality;
    j["bottleneck_width"] = o.bottleneck_width;
  }
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
  } else if (!r.has("layout") || (!r.has("depth") && r.value()["layout"] != "fractalnet")) {
    r.fail("", "give a \"preset\", or a \"layout\" with \"depth\" (and optionally block, activation, width, shortcut)");
  }
  o.block = r.one_of("block", {"basic", "bottleneck", "conv"}, o.block);
  o.activation = r.one_of("activation", {"post", "pre", "relu_first"}, o.activation);
  o.layout = r.one_of("layout", {"cifar_resnet", "imagenet_resnet", "fractalnet"}, o.layout);
  if (o.layout == "fractalnet")
    for (const char* unused : kNotFractalnetKeys)
      if (r.has(unused))
        r.fail(unused, "not used by the fractalnet layout (one step per block at stage_widths; its depth follows from "
                       "the blocks and the scheme)");
  o.depth = r.integer("depth", 2, 10000, o.depth);
  o.width = r.integer("width", 1, 4096, o.width);
  o.stage_widths = r.integers("stage_widths", 1, 4096, o.stage_widths);
  if (o.layout == "fractalnet" && o.stage_widths.empty()) o.stage_widths = {64, 128, 256, 512, 512};  // Larsson et al.
  if (r.has("dropout") && o.layout != "fractalnet") r.fail("dropout", "only the fractalnet layout takes per-block dropout");
  o.dropout = r.numbers("dropout", 0, 0.99, o.dropout);
  o.shortcut = r.one_of("shortcut", {"zero_pad", "projection", "shake_skip"}, o.shortcut);
  o.cardinality = r.integer("cardinality", 1, 1024, o.cardinality);
  o.bottleneck_width = r.integer("bottleneck_width", 0, 65536, o.bottleneck_width);
  o.zero_init_residual = r.boolean("zero_init_residual", o.zero_init_residual);
  if (r.has("scheme")) {  // the scheme's builder validates the contents
    const auto& s = r.raw("scheme");
    if (!s.is_object() && !s.is_string()) r.fail("scheme", "expected a scheme object or name, got " + describe_json(s));
    o.scheme = s.is_string() ? nlohmann::json{{"name", s}} : s;
  }
  r.finish();
  return o;
}

}  // namespace odenet
