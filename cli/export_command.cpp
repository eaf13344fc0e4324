// odenet export: a trained run's weights as a state dict PyTorch's torch.load reads.
#include <fmt/format.h>

#include <filesystem>

#include "analysis/trained_model.h"
#include "architectures/model_options.h"
#include "architectures/presets.h"
#include "cli/arguments.h"
#include "cli/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/state_dict.h"

namespace odenet::cli {

int export_command(const Args& args) {
  po::options_description options("odenet export options");
  std::string dir, out, names;
  options.add_options()("run", po::value(&dir)->required(), "a finished run directory")(
      "out", po::value(&out), "the state-dict file (default: RUN_DIR/model_state_dict.pt)")(
      "names", po::value(&names)->default_value("odenet"),
      "odenet (the module tree's names) or torchvision (ImageNet ResNets; LM coefficients left out)");
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse(args, "odenet export RUN_DIR [--out FILE.pt] [--names odenet|torchvision]", options, positional, vm)) return 0;
  const StateDictNaming naming = parse_enum(state_dict_namings(), names, "--names");
  if (out.empty()) out = dir + "/model_state_dict.pt";
  TrainedModel trained = load_trained_model(dir);
  StateDict dict = state_dict(*trained.model);
  if (const NameMap rename = state_dict_name_map(trained.options.layout, naming, "--names " + names)) {
    StateDict renamed;
    for (const auto& entry : dict)
      if (std::string name = rename(entry.key()); !name.empty()) renamed.insert(name, entry.value());
    dict = renamed;
  }
  // The resolved config beside the weights: enough to build the same network again (odenet.build_model_from_json).
  nlohmann::json config{{"model", trained.config["model"]},
                        {"data", {{"shape", {trained.in_channels, trained.image_size, trained.image_size}},
                                  {"classes", trained.classes}}},
                        {"run", std::filesystem::absolute(dir).lexically_normal().string()},
                        {"names", names}};
  const std::string config_path = std::filesystem::path(out).replace_extension(".json").string();
  if (const auto parent = std::filesystem::path(out).parent_path(); !parent.empty()) {
    std::error_code failed;
    std::filesystem::create_directories(parent, failed);
    if (failed) throw Error(fmt::format("--out {}: cannot create {} ({})", out, parent.string(), failed.message()));
  }
  save_state_dict(out, dict);
  write_file_atomic(config_path, config.dump(2) + "\n");
  fmt::print("{}: {} tensors ({} parameters and buffers) → {} (config: {})\n", dir, dict.size(),
             [&] {
               int64_t n = 0;
               for (const auto& e : dict) n += e.value().numel();
               return n;
             }(),
             out, config_path);
  return 0;
}

}  // namespace odenet::cli
