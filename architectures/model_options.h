// What a network is: a macro layout × a block (vector field) × a scheme.
// Presets are named ModelOptions; any field can be overridden from JSON.
#pragma once
#include <nlohmann/json.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/json_reader.h"

namespace odenet {

class Scheme;
/// discretizations/scheme.h: forward Euler, the scheme of a model that names none.
std::shared_ptr<const Scheme> default_scheme();

/// Where a residual branch puts its nonlinearities: post-activation (conv-BN-ReLU, and a
/// ReLU after the sum), pre-activation (BN-ReLU-conv) or ReLU-first (ReLU-conv-BN, shake-shake).
enum class Activation { kPost, kPre, kReluFirst };
/// A stage transition's shortcut: option A (subsample, zero-pad channels), a 1×1 projection, or
/// shake-shake's two shifted 1×1 paths.
enum class Shortcut { kZeroPad, kProjection, kShakeSkip };
const EnumNames<Activation>& activation_names();  ///< post, pre, relu_first
const EnumNames<Shortcut>& shortcut_names();      ///< zero_pad, projection, shake_skip

struct ModelOptions {
  /// Preset this was derived from ("" when built from a layout directly).
  std::string preset;
  /// Macro layout: "cifar_resnet" (3×3 stem, three stages of w·2^i channels, head),
  /// "imagenet_resnet" (7×7/2 stem + max-pool, four stages, depth 50/101/152 with bottlenecks)
  /// or "fractalnet" (blocks of one step each, 2×2 max-pool after every block).
  std::string layout = "cifar_resnet";
  /// Vector field of each step: "basic" (two 3×3 convolutions), "bottleneck" (1×1, 3×3, 1×1;
  /// 4× wider output) or "conv" (one 3×3 conv-BN-ReLU unit, FractalNet's).
  std::string block = "basic";
  /// post (conv-BN-ReLU, ReLU after the sum), pre (BN-ReLU-conv) or relu_first
  /// (ReLU-conv-BN, no ReLU after the sum: shake-shake).
  Activation activation = Activation::kPost;
  /// Weighted layers along the network: 6n + 2 with basic blocks, 9n + 2 with bottlenecks
  /// (n steps per stage); a partitioned scheme's step holds two fields in sequence (F, G),
  /// so 12n + 2 and 18n + 2 (RevNet's convention). Not used by the fractalnet layout.
  long depth = 20;
  /// Channels of the stem (and of the first stage unless `stage_widths` says otherwise).
  long width = 16;
  /// Widths of the stages (3×3 width for bottlenecks); empty: width·2^s. FractalNet: one per block
  /// (from JSON, default 64, 128, 256, 512, 512).
  std::vector<long> stage_widths;
  /// fractalnet: dropout probability of every convolution in each block (empty: none).
  std::vector<double> dropout;
  /// Bottleneck blocks: groups of the 3×3 convolution (ResNeXt cardinality) and its
  /// width in the first stage (0: `width`; ResNeXt-50 32×4d: 128).
  long cardinality = 1;
  long bottleneck_width = 0;  ///< the 3×3 convolution's width in the first stage (0: `width`)
  double damping = 0.1;       ///< antisymmetric fields: γ of K − K* − γI
  /// Stage-transition shortcut (JSON: "zero_pad", "projection", "shake_skip").
  Shortcut shortcut = Shortcut::kZeroPad;
  /// Start every post-activation residual field's last BatchNorm at 0 (Goyal et al. 2017).
  bool zero_init_residual = false;
  /// The scheme, built once when the model object is read (from {"name": "linear_multistep",
  /// "k_init": [-0.1, 0]} or a name); serialised only when written (to_json).
  std::shared_ptr<const Scheme> scheme = default_scheme();
};

nlohmann::json to_json(const ModelOptions& options);
/// Reads a model object: a "preset" (resolved through `preset_lookup`) and/or
/// explicit fields, which override the preset's. Unknown keys are errors.
ModelOptions model_options_from_json(const JsonReader& reader,
                                     const std::function<ModelOptions(const std::string&)>& preset_lookup);

}  // namespace odenet
