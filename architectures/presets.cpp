#include "architectures/presets.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/mac_count.h"

#include "architectures/cifar_resnet.h"
#include "architectures/fractalnet.h"
#include "architectures/imagenet_resnet.h"

namespace odenet {
namespace {

ModelOptions cifar(const std::string& preset, long depth, const std::string& activation, const std::string& shortcut,
                   nlohmann::json scheme, const std::string& block = "basic") {
  ModelOptions o;
  o.preset = preset;
  o.layout = "cifar_resnet";
  o.block = block;
  o.activation = activation;
  o.depth = depth;
  o.shortcut = shortcut;
  o.scheme = std::move(scheme);
  return o;
}

ModelOptions imagenet(const std::string& preset, long depth, nlohmann::json scheme, long cardinality = 1,
                      long bottleneck_width = 0) {
  ModelOptions o;
  o.preset = preset;
  o.layout = "imagenet_resnet";
  o.block = "bottleneck";
  o.activation = "post";
  o.depth = depth;
  o.width = 64;
  o.shortcut = "projection";
  o.cardinality = cardinality;
  o.bottleneck_width = bottleneck_width;
  o.scheme = std::move(scheme);
  return o;
}

void register_imagenet_presets(PresetRegistry& registry) {
  const nlohmann::json euler = {{"name", "forward_euler"}};
  const nlohmann::json lm = {{"name", "linear_multistep"}, {"parametrization", "official"}, {"k_init", {-0.1, 0.0}}};
  for (long depth : {50, 101, 152}) {
    auto d = std::to_string(depth);
    registry.add("resnet" + d, {imagenet("resnet" + d, depth, euler), "ImageNet ResNet-" + d + " (He et al. 2016, torchvision v1.5)"});
    registry.add("lm_resnet" + d, {imagenet("lm_resnet" + d, depth, lm), "ImageNet LM-ResNet-" + d + " (Lu et al. 2018)"});
  }
  registry.add("resnext50_32x4d", {imagenet("resnext50_32x4d", 50, euler, 32, 128), "ImageNet ResNeXt-50 32x4d (Xie et al. 2017)"});
}

}  // namespace

void register_builtin_presets(PresetRegistry& registry) {
  const nlohmann::json euler = {{"name", "forward_euler"}};
  // Official LM-ResNet code: s = 1 − k learned, init s ~ U(1, 1.1).
  const nlohmann::json lm = {{"name", "linear_multistep"}, {"parametrization", "official"}, {"k_init", {-0.1, 0.0}}};
  for (long depth : {20, 32, 44, 56, 110, 1202})
    registry.add("resnet" + std::to_string(depth),
                 {cifar("resnet" + std::to_string(depth), depth, "post", "zero_pad", euler),
                  "CIFAR ResNet-" + std::to_string(depth) + " (He et al. 2016, post-activation, option-A shortcuts)"});
  for (long depth : {20, 32, 44, 56, 110}) {
    auto d = std::to_string(depth);
    registry.add("preact_resnet" + d,
                 {cifar("preact_resnet" + d, depth, "pre", "projection", euler),
                  "CIFAR pre-activation ResNet-" + d + " (BN-ReLU-conv, 1x1 projections)"});
    registry.add("lm_resnet" + d, {cifar("lm_resnet" + d, depth, "pre", "projection", lm),
                                   "LM-ResNet-" + d + " (Lu et al. 2018, official-code layout)"});
  }
  // Stochastic depth (Huang et al. 2016; Lu et al. 2018 §4): linear survival decay to p_L.
  auto stochastic = [](const char* scheme, double survival) {
    return nlohmann::json{{"name", scheme}, {"survival", survival}, {"scaling", "official"}};
  };
  registry.add("resnet110_sd", {cifar("resnet110_sd", 110, "post", "zero_pad", stochastic("stochastic_depth", 0.5)),
                                "ResNet-110 with stochastic depth, p_L = 0.5"});
  registry.add("resnet1202_sd", {cifar("resnet1202_sd", 1202, "post", "zero_pad", stochastic("stochastic_depth", 0.5)),
                                 "ResNet-1202 with stochastic depth, p_L = 0.5"});
  registry.add("lm_resnet56_sd", {cifar("lm_resnet56_sd", 56, "pre", "projection", stochastic("stochastic_lm", 0.8)),
                                  "LM-ResNet-56 with stochastic depth (stochastic LM), p_L = 0.8"});
  registry.add("lm_resnet110_sd", {cifar("lm_resnet110_sd", 110, "pre", "projection", stochastic("stochastic_lm", 0.5)),
                                   "LM-ResNet-110 with stochastic depth (stochastic LM), p_L = 0.5"});
  // PolyNet (Zhang et al. 2017) on CIFAR: poly-2 steps u + F(u) + F(F(u)) with one shared F, so the
  // ResNet-56 layout has exactly ResNet-56's parameters (at twice its residual-branch cost).
  registry.add("polynet_cifar",
               {cifar("polynet_cifar", 56, "post", "zero_pad",
                      {{"name", "polynet_literal"}, {"terms", 2}}),
                "PolyNet-style poly-2 blocks (shared F) on the ResNet-56 layout: ResNet-56's parameters"});
  // ResNeXt-29 (Xie et al. 2017): bottlenecks of cardinality C with C·d channels in the grouped 3×3.
  for (long cardinality : {8, 16})
    for (const bool lm_variant : {false, true}) {
      std::string name = std::string(lm_variant ? "lm_" : "") + "resnext29_" + std::to_string(cardinality) + "x64d";
      ModelOptions o = cifar(name, 29, "post", "projection", lm_variant ? lm : euler, "bottleneck");
      o.width = 64;
      o.cardinality = cardinality;
      o.bottleneck_width = cardinality * 64;
      registry.add(name, {o, std::string(lm_variant ? "LM-" : "") + "ResNeXt-29 " + std::to_string(cardinality) +
                                 "x64d (CIFAR, Xie et al. 2017)"});
    }
  for (long depth : {164, 1001}) {
    auto d = std::to_string(depth);
    registry.add("preact_resnet" + d, {cifar("preact_resnet" + d, depth, "pre", "projection", euler, "bottleneck"),
                                       "CIFAR pre-activation ResNet-" + d + " with bottlenecks (He et al. 2016b)"});
  }
  registry.add("lm_resnet164", {cifar("lm_resnet164", 164, "pre", "projection", lm, "bottleneck"),
                                "LM-ResNet-164 with bottlenecks (Lu et al. 2018, official-code layout)"});
  // RevNet (Gomez et al. 2017): symplectic-Euler couplings of pre-activation fields on the two
  // halves, 3×3 widths (32, 64, 112 | 128) after a 32-channel stem; transitions project each half.
  auto revnet = [&](const std::string& name, long depth, std::vector<long> widths, const std::string& block) {
    ModelOptions o = cifar(name, depth, "pre", block == "bottleneck" ? "projection" : "zero_pad",
                           {{"name", "reversible"}, {"method", "revnet"}, {"recompute", true}}, block);
    o.width = 32;
    o.stage_widths = std::move(widths);
    return o;
  };
  registry.add("revnet38", {revnet("revnet38", 38, {32, 64, 112}, "basic"), "RevNet-38 (Gomez et al. 2017): 3-3-3 reversible units"});
  registry.add("revnet110", {revnet("revnet110", 110, {32, 64, 128}, "basic"), "RevNet-110 (Gomez et al. 2017): 9-9-9 reversible units"});
  registry.add("revnet164", {revnet("revnet164", 164, {32, 64, 128}, "bottleneck"),
                             "RevNet-164 (Gomez et al. 2017): 9-9-9 reversible bottleneck units"});
  // Shake-shake 26 (Gastaldi 2017): 4 steps per stage of two ReLU-conv-BN branches mixed by η ~ U(0, 1)
  // per image, an independent β in the backward pass (Shake-Shake-Image, their best CIFAR-10 setting),
  // a 16-channel stem and the two-path skip shortcut at every width change.
  for (long width : {32, 96}) {
    std::string name = "shake_shake26_2x" + std::to_string(width) + "d";
    ModelOptions o = cifar(name, 26, "relu_first", "shake_skip", {{"name", "shake_shake"}, {"backward", "shake"}});
    o.stage_widths = {width, 2 * width, 4 * width};
    registry.add(name, {o, "Shake-Shake-26 2x" + std::to_string(width) + "d (Gastaldi 2017), shake-shake Euler-Maruyama steps"});
  }
  // FractalNet (Larsson et al. 2017) for CIFAR: B = 5 blocks of C = 3 columns (20 layers on the deepest path),
  // FractalNet's flat join, local drop-path 0.15, global drop-path on half the mini-batches and dropout
  // 0, 0.1, 0.2, 0.3, 0.4 per block: their "+ drop-path + dropout" configuration.
  ModelOptions fractal;
  fractal.preset = "fractalnet_cifar";
  fractal.layout = "fractalnet";
  fractal.block = "conv";
  fractal.stage_widths = {64, 128, 256, 512, 512};
  fractal.dropout = {0.0, 0.1, 0.2, 0.3, 0.4};
  fractal.scheme = {{"name", "fractal_expansion"}, {"columns", 3}, {"join", "flat"}, {"drop_path", 0.15},
                    {"global_drop_path", 0.5}};
  registry.add("fractalnet_cifar", {fractal, "FractalNet (Larsson et al. 2017): B = 5 blocks, C = 3 columns (20 layers), drop-path + dropout"});
  register_imagenet_presets(registry);
}

void register_builtin_layouts(LayoutRegistry& registry) {
  registry.add("cifar_resnet",
               {"3x3 stem, three stages of 6n+2 / 9n+2 depth, pooled linear head (He et al. 2016)", 32, 10,
                {"basic", "bottleneck"}, {"depth", "width", "stage_widths", "shortcut", "zero_init_residual"},
                [](const ModelOptions& o, const Scheme& scheme, int64_t in, int64_t classes) {
                  return std::static_pointer_cast<ClassifierImpl>(std::make_shared<CifarResNetImpl>(o, scheme, in, classes));
                }});
  registry.add("imagenet_resnet",
               {"7x7/2 stem + max-pool, four bottleneck stages (depth 50, 101, 152)", 224, 1000, {"bottleneck"},
                {"depth", "width", "shortcut", "zero_init_residual"},
                [](const ModelOptions& o, const Scheme& scheme, int64_t in, int64_t classes) {
                  return std::static_pointer_cast<ClassifierImpl>(std::make_shared<ImagenetResNetImpl>(o, scheme, in, classes));
                }});
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

int64_t native_input_size(const ModelOptions& options) { return layout_registry().get(options.layout).input_size; }

int64_t native_classes(const ModelOptions& options) { return layout_registry().get(options.layout).classes; }

ModelOptions preset_options(const std::string& name) { return preset_registry().get(name).options; }

std::shared_ptr<ClassifierImpl> build_model(const ModelOptions& options, const Scheme& scheme, int64_t in_channels,
                                            int64_t num_classes) {
  try {
    return layout_registry().get(options.layout).build(options, scheme, in_channels, num_classes);
  } catch (const ConfigError& e) {  // name what was asked for: the preset (or layout) and the scheme
    std::string model = options.preset.empty() ? "layout '" + options.layout + "'" : "preset '" + options.preset + "'";
    throw ConfigError(fmt::format("{} with scheme '{}': {}", model, scheme.info().name, e.what()));
  }
}

nlohmann::json describe_presets(int64_t channels, int64_t classes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& name : preset_registry().names()) {
    const auto& entry = preset_registry().get(name);
    auto scheme = build_scheme(scheme_registry(), entry.options.scheme, "preset " + name, "/scheme");
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
