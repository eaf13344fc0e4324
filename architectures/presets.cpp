#include "architectures/presets.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/error.h"
#include "core/mac_count.h"

#include "architectures/cifar_resnet.h"
#include "architectures/fractalnet.h"
#include "architectures/imagenet_resnet.h"
#include "architectures/torchvision_names.h"

namespace odenet {
namespace {

struct PresetRow {
  const char* name;
  const char* model;  ///< a model object as JSON text
  const char* description;
};

constexpr PresetRow kPresets[] = {
#define ODENET_PRESET(name, model, description) {name, model, description},
#include "architectures/presets.def"
#undef ODENET_PRESET
};

}  // namespace

void register_builtin_presets(PresetRegistry& registry) {
  for (const PresetRow& row : kPresets) {
    const auto model = nlohmann::json::parse(row.model);
    ModelOptions options = model_options_from_json(JsonReader(model, "architectures/presets.def", std::string("/") + row.name),
                                                   [](const std::string&) -> ModelOptions {
                                                     throw Error("a preset cannot name another preset");
                                                   });
    options.preset = row.name;
    registry.add(row.name, {options, row.description});
  }
}

void register_builtin_layouts(LayoutRegistry& registry) {
  registry.add("cifar_resnet",
               {"3x3 stem, three stages of 6n+2 / 9n+2 depth, pooled linear head (He et al. 2016)", 32, 10,
                {"basic", "bottleneck", "antisymmetric", "hamiltonian"},
                {"depth", "width", "stage_widths", "shortcut", "zero_init_residual"},
                [](const ModelOptions& o, const Scheme& scheme, int64_t in, int64_t classes) {
                  return std::static_pointer_cast<ClassifierImpl>(std::make_shared<CifarResNetImpl>(o, scheme, in, classes));
                }});
  registry.add("imagenet_resnet",
               {"7x7/2 stem + max-pool, four bottleneck stages (depth 50, 101, 152)", 224, 1000, {"bottleneck"},
                {"depth", "width", "shortcut", "zero_init_residual"},
                [](const ModelOptions& o, const Scheme& scheme, int64_t in, int64_t classes) {
                  return std::static_pointer_cast<ClassifierImpl>(std::make_shared<ImagenetResNetImpl>(o, scheme, in, classes));
                },
                {},
                torchvision_name});
  registry.add("fractalnet",
               {"blocks of one step each at stage_widths, 2x2 max-pool after every block (Larsson et al. 2017)", 32, 10,
                {"conv"}, {"stage_widths", "dropout"},
                [](const ModelOptions& o, const Scheme& scheme, int64_t in, int64_t classes) {
                  return std::static_pointer_cast<ClassifierImpl>(std::make_shared<FractalNetImpl>(o, scheme, in, classes));
                },
                {64, 128, 256, 512, 512}});  // Larsson et al.
}

PresetRegistry& preset_registry() {
  static PresetRegistry registry = [] {
    PresetRegistry r("model preset");
    register_builtin_presets(r);
    return r;
  }();
  return registry;
}

LayoutRegistry& layout_registry() {
  static LayoutRegistry registry = [] {
    LayoutRegistry r("layout");
    register_builtin_layouts(r);
    return r;
  }();
  return registry;
}

NameMap state_dict_name_map(const std::string& layout, StateDictNaming naming, const std::string& where) {
  if (naming == StateDictNaming::kOdenet) return {};
  const LayoutEntry& entry = layout_registry().get(layout);
  if (entry.torchvision_names) return entry.torchvision_names;
  std::vector<std::string> fitting;
  for (const auto& name : layout_registry().names())
    if (layout_registry().get(name).torchvision_names) fitting.push_back(name);
  throw ConfigError(fmt::format("{}: torchvision names fit the {} layout, not '{}'", where, fmt::join(fitting, ", "), layout));
}

int64_t native_input_size(const ModelOptions& options) { return layout_registry().get(options.layout).input_size; }

int64_t native_classes(const ModelOptions& options) { return layout_registry().get(options.layout).classes; }

ModelOptions preset_options(const std::string& name) { return preset_registry().get(name).options; }

std::shared_ptr<ClassifierImpl> build_model(const ModelOptions& options, const Scheme& scheme, int64_t in_channels,
                                            int64_t num_classes) {
  try {
    const LayoutEntry& layout = layout_registry().get(options.layout);
    if (std::find(layout.fields.begin(), layout.fields.end(), options.block) == layout.fields.end())
      throw ConfigError(fmt::format("the {} layout takes {} fields, not '{}'", options.layout,
                                    fmt::join(layout.fields, " or "), options.block));
    return layout.build(options, scheme, in_channels, num_classes);
  } catch (const ConfigError& e) {  // name what was asked for: the preset (or layout) and the scheme
    std::string model = options.preset.empty() ? "layout '" + options.layout + "'" : "preset '" + options.preset + "'";
    throw ConfigError(fmt::format("{} with scheme '{}': {}", model, scheme.info().name, e.what()));
  }
}

nlohmann::json describe_presets(int64_t channels, int64_t classes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& name : preset_registry().names()) {
    const auto& entry = preset_registry().get(name);
    const auto& scheme = entry.options.scheme;
    const int64_t outputs = classes > 0 ? classes : native_classes(entry.options);
    const int64_t size = native_input_size(entry.options);
    auto model = build_model(entry.options, *scheme, channels, outputs);
    out.push_back({{"name", name},
                   {"params", count_parameters(*model)},
                   {"classes", outputs},
                   {"input_size", size},
                   {"macs", macs_per_image(*model, channels, size, size)},
                   {"description", entry.description},
                   {"model", to_json(entry.options)}});
  }
  return out;
}

}  // namespace odenet
