// Named networks (presets) and macro layouts, in explicit registries fed
// from one table each.
#pragma once
#include <functional>
#include <memory>

#include "architectures/model_options.h"
#include "core/classifier.h"
#include "core/registry.h"
#include "core/state_dict.h"
#include "discretizations/scheme.h"

namespace odenet {

struct PresetEntry {
  ModelOptions options;
  std::string description;
};
using PresetRegistry = Registry<PresetEntry>;

using LayoutBuilder = std::function<std::shared_ptr<ClassifierImpl>(const ModelOptions&, const Scheme&,
                                                                    int64_t in_channels, int64_t num_classes)>;
/// A macro layout: what it is built for, what it reads, and its builder.
struct LayoutEntry {
  std::string description;
  int64_t input_size = 32;  ///< the input side it is designed for
  int64_t classes = 10;     ///< the class count of the data set it is designed for
  std::vector<std::string> fields;  ///< the fields (model "block") its steps take
  /// Model keys it reads besides preset, layout, block, activation and scheme (others reject them).
  std::vector<std::string> keys;
  LayoutBuilder build;
  /// stage_widths when the model object gives none (empty: derived from `width`).
  std::vector<long> default_stage_widths;
  /// torchvision's name for each of the layout's tensors (null: torchvision has no such network).
  NameMap torchvision_names;
};
using LayoutRegistry = Registry<LayoutEntry>;

void register_builtin_presets(PresetRegistry& registry);
void register_builtin_layouts(LayoutRegistry& registry);
PresetRegistry& preset_registry();
LayoutRegistry& layout_registry();
/// How a state dict named by `naming` maps onto `layout`'s tensors (empty for odenet's own names);
/// a naming the layout has none of is a ConfigError "<where>: ...".
NameMap state_dict_name_map(const std::string& layout, StateDictNaming naming, const std::string& where);

/// The input side the options' layout is designed for (its entry's input_size: 224 for imagenet_resnet).
int64_t native_input_size(const ModelOptions& options);
/// The classes of the data set the options' layout is designed for (1000 for imagenet_resnet).
int64_t native_classes(const ModelOptions& options);

/// The preset's options (ConfigError listing the presets for an unknown name).
ModelOptions preset_options(const std::string& name);

/// Builds the network; a shape the layout or scheme cannot take (e.g. depth 21, an odd channel
/// count for a reversible scheme) is a ConfigError naming the preset, the scheme and the reason.
std::shared_ptr<ClassifierImpl> build_model(const ModelOptions& options, const Scheme& scheme, int64_t in_channels,
                                            int64_t num_classes);

/// Every preset as {name, params, classes, input_size, macs, description, model} (what
/// `odenet models --json` prints); classes 0: each layout's native class count.
nlohmann::json describe_presets(int64_t channels, int64_t classes);

}  // namespace odenet
