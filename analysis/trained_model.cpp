#include "analysis/trained_model.h"

#include "discretizations/plugin_loader.h"

#include <fmt/format.h>
#include <torch/serialize.h>

#include <filesystem>

#include "analysis/comparison_table.h"
#include "architectures/presets.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/error_text.h"
#include "core/json_reader.h"
#include "training/checkpoint_file.h"
#include "training/run_directory.h"

namespace odenet {

nlohmann::json read_run_file(const std::string& path, const std::string& why) {
  if (!std::filesystem::exists(path)) {
    const std::filesystem::path p(path);
    throw DataError(p.parent_path().string() + ": no " + p.filename().string() + " (" + why + ")");
  }
  return read_run_json(path);
}

TrainedModel load_trained_model(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw DataError(dir + ": no such run directory");
  const RunDirectory run_dir(dir);
  TrainedModel t;
  t.dir = dir;
  t.config = read_run_file(run_dir.config_path(), "not a run directory");
  nlohmann::json summary = read_run_file(run_dir.summary_path(), "the run is unfinished or still in progress");
  const std::string checkpoint = run_dir.checkpoint_path();
  if (!run_dir.has_checkpoint()) throw DataError(dir + ": no checkpoint.pt (the trained weights live there)");
  if (!t.config.contains("model") || !summary.contains("data") || !summary["data"].contains("shape"))
    throw DataError(dir + ": config.json or summary.json lacks \"model\" / \"data\"");

  load_recorded_plugins(t.config, run_dir.config_path(), scheme_registry());
  t.options = model_options_from_json(JsonReader(t.config["model"], run_dir.config_path(), "/model"), preset_options);
  t.scheme = t.options.scheme;
  const auto& shape = summary["data"]["shape"];
  t.in_channels = shape.at(0).get<int64_t>();
  t.image_size = shape.at(1).get<int64_t>();
  t.classes = summary["data"]["classes"].get<int64_t>();
  t.model = build_model(t.options, *t.scheme, t.in_channels, t.classes);

  nlohmann::json identity;
  const std::string payload = read_checkpoint_file(checkpoint, identity);  // checks size and CRC
  // The checkpoint names the config.json it was trained under (by hash): one swapped or edited
  // since would build another network and fail deep in the archive ("No such serialized submodule").
  if (identity.is_object() && identity.contains("config_hash")) {
    const std::string hash = text_hash(read_text_file(run_dir.config_path()));
    if (identity["config_hash"] != hash)
      throw DataError(fmt::format("{}: written for another config.json than {}/config.json (hash {} where the file hashes to "
                                  "{}): the run's config was changed or swapped after training",
                                  checkpoint, dir, identity["config_hash"].get<std::string>(), hash));
  }
  try {
    torch::serialize::InputArchive archive, model_archive;
    archive.load_from(payload.data(), payload.size());
    archive.read("model", model_archive);
    t.model->load(model_archive);
  } catch (const c10::Error& e) {
    throw DataError(checkpoint + ": cannot read the model: " + first_line(e));
  }
  t.model->eval();
  return t;
}

}  // namespace odenet
